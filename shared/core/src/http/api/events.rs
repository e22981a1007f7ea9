//! `POST /v1/leads/{id}/events`: the tenant reports what became of a lead (booked, won, …).

use super::auth::tenant_of;
use super::leads::lead_id;
use crate::domain::OutcomeKind;
use crate::http::common::{body, ApiError, HttpState};
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct OutcomeBody {
    #[serde(rename = "type")]
    kind: Option<String>,
}

pub(crate) async fn post_event(
    State(state): State<HttpState>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    request: Body,
) -> Result<Response, ApiError> {
    let tenant = tenant_of(&state, &headers)?;
    let id = lead_id(path)?;
    let bytes = body::read(request).await?;
    let outcome_body: OutcomeBody = body::json(&bytes)?;
    let kind = outcome_body.kind.ok_or_else(|| ApiError::field("type", "is required"))?;
    let outcome = OutcomeKind::parse(&kind).ok_or_else(|| {
        ApiError::field("type", "must be booked, showed, cancelled, no_show, contacted, disqualified or won")
    })?;
    state.app.record_outcome(&tenant, &id, outcome, None).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "lead_id": id, "type": outcome.as_str() }))).into_response())
}
