//! `POST /v1/leads`, `GET /v1/leads/{id}`.

use super::auth::tenant_of;
use crate::app::{IntakeRequest, LeadDetails, LeadForm};
use crate::domain::{IdempotencyKey, LeadId};
use crate::http::common::receipt_response;
use crate::http::common::{body, ApiError, HttpState};
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;

pub(crate) async fn post_lead(
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
    let accepted = state
        .app
        .intake(&tenant, IntakeRequest { form, idempotency_key, payload: None, placement: Default::default() })
        .await?;
    Ok(receipt_response(StatusCode::ACCEPTED, accepted))
}

/// The lead id of the path; one that is not even UTF-8 is no lead either.
pub(super) fn lead_id(path: Result<Path<String>, PathRejection>) -> Result<LeadId, ApiError> {
    let Ok(Path(raw)) = path else { return Err(ApiError::NotFound("no such lead".to_owned())) };
    LeadId::parse(&raw).map_err(|_| ApiError::NotFound(format!("no lead {raw:?}")))
}

pub(crate) async fn get_lead(
    State(state): State<HttpState>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<LeadDetails>, ApiError> {
    let tenant = tenant_of(&state, &headers)?;
    let id = lead_id(path)?;
    Ok(Json(state.app.lead_details(&tenant, &id).await?))
}
