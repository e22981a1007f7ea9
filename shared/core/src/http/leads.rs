//! `POST /v1/leads`, `GET /v1/leads/{id}`, `POST /v1/leads/{id}/events`.

use super::auth::tenant_of;
use super::{body, ApiError, HttpState};
use crate::app::{IntakeError, IntakeRequest, LeadDetails, LeadForm, LeadViewError, OutcomeError};
use crate::domain::{IdempotencyKey, LeadId, OutcomeKind};
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

pub(super) async fn post_lead(
    State(state): State<HttpState>,
    headers: HeaderMap,
    request: Body,
) -> Result<Response, ApiError> {
    let tenant = tenant_of(&state, &headers)?;
    let idempotency_key = headers
        .get("idempotency-key")
        .map(|v| v.to_str().ok().and_then(|s| IdempotencyKey::parse(s).ok()))
        .map(|key| key.ok_or_else(|| ApiError::field("Idempotency-Key", "must be 1 to 255 printable ASCII characters")))
        .transpose()?;
    let bytes = body::read(request).await?;
    let form: LeadForm = body::json(&bytes)?;
    let (receipt, replayed) =
        state.app.intake(&tenant, IntakeRequest { form, idempotency_key }).await.map_err(|e| match e {
            IntakeError::Invalid(fields) => ApiError::Invalid(fields),
            IntakeError::Store(e) => e.into(),
        })?;
    let mut response = (StatusCode::ACCEPTED, Json(receipt)).into_response();
    if replayed {
        response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// The lead id of the path; one that is not even UTF-8 is no lead either.
fn lead_id(path: Result<Path<String>, PathRejection>) -> Result<LeadId, ApiError> {
    let Ok(Path(raw)) = path else { return Err(ApiError::NotFound("no such lead".to_owned())) };
    LeadId::parse(&raw).map_err(|_| ApiError::NotFound(format!("no lead {raw:?}")))
}

pub(super) async fn get_lead(
    State(state): State<HttpState>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<LeadDetails>, ApiError> {
    let tenant = tenant_of(&state, &headers)?;
    let id = lead_id(path)?;
    state.app.lead_details(&tenant, &id).await.map(Json).map_err(|e| match e {
        LeadViewError::NotFound => ApiError::NotFound(format!("no lead {id}")),
        LeadViewError::Store(e) => e.into(),
    })
}

#[derive(Deserialize)]
struct OutcomeBody {
    #[serde(rename = "type")]
    kind: Option<String>,
}

pub(super) async fn post_event(
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
    let outcome = OutcomeKind::parse(&kind)
        .ok_or_else(|| ApiError::field("type", "must be booked, cancelled, no_show, contacted, disqualified or won"))?;
    state.app.record_outcome(&tenant, &id, outcome, None).await.map_err(|e| match e {
        OutcomeError::NotFound => ApiError::NotFound(format!("no lead {id}")),
        OutcomeError::Store(e) => e.into(),
    })?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "lead_id": id, "type": outcome.as_str() }))).into_response())
}
