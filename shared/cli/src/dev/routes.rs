//! Routes only `leadflow dev` serves: the outbox and the manual clock.

use super::DevState;
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Duration;
use leadflow_core::domain::LeadId;
use leadflow_core::http::{method_not_allowed, read_body, refuse_declared_too_large, ApiError, Query};
use leadflow_core::ports::Clock;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

pub(super) fn dev_routes(state: DevState) -> Router {
    Router::new()
        .route("/dev/outbox", get(outbox))
        .route("/dev/clock", get(clock))
        .route("/dev/clock/advance", post(advance))
        .route("/healthz", get(|| async { "ok" }))
        // As the public routes answer.
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(refuse_declared_too_large))
        .with_state(state)
}

async fn outbox(
    State(state): State<DevState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let lead = match query.get("lead_id") {
        Some(raw) => Some(LeadId::parse(raw).map_err(|_| ApiError::field("lead_id", "is not a lead id"))?),
        None => None,
    };
    let entries = state.outbox.list(lead.as_ref())?;
    Ok(Json(entries).into_response())
}

async fn clock(State(state): State<DevState>) -> Response {
    Json(json!({ "now": state.clock.now(), "manual": state.manual.is_some() })).into_response()
}

#[derive(Deserialize)]
struct Advance {
    seconds: i64,
}

async fn advance(State(state): State<DevState>, body: Body) -> Result<Response, ApiError> {
    let Some(manual) = &state.manual else {
        return Ok((
            StatusCode::CONFLICT,
            Json(json!({ "error": "the clock is the system clock: start with --clock manual", "fields": [] })),
        )
            .into_response());
    };
    let body = read_body(body).await?;
    let advance: Advance = serde_json::from_slice(&body).map_err(|e| ApiError::field("seconds", e))?;
    // Up to a year at a time; a step backwards is not a thing clocks do.
    if !(0..=366 * 86_400).contains(&advance.seconds) {
        return Err(ApiError::field("seconds", "must be between 0 and 31622400"));
    }
    let target = manual.now() + Duration::seconds(advance.seconds);
    state.scheduler.advance_to(manual, target).await?;
    Ok(Json(json!({ "now": state.clock.now(), "pending": state.scheduler.pending()? })).into_response())
}
