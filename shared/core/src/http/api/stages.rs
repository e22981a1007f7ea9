//! `POST /v1/leads/{id}/stage`: a person moves a lead to a stage of the tenant's pipeline.

use super::auth::tenant_of;
use super::leads::lead_id;
use crate::http::common::{body, ApiError, HttpState};
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
struct StageBody {
    stage: Option<String>,
    /// Who moved it (a rep's name), for the timeline.
    by: Option<String>,
}

pub(crate) async fn post_stage(
    State(state): State<HttpState>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    request: Body,
) -> Result<Json<Value>, ApiError> {
    let tenant = tenant_of(&state, &headers)?;
    let id = lead_id(path)?;
    let bytes = body::read(request).await?;
    let stage_body: StageBody = body::json(&bytes)?;
    let stage = stage_body.stage.ok_or_else(|| ApiError::field("stage", "is required"))?;
    let by = stage_body.by.map(|by| by.trim().chars().take(100).collect::<String>()).filter(|by| !by.is_empty());
    let lead = state.app.move_lead_stage(&tenant, &id, &stage, by).await?;
    let current = lead.stages.current();
    Ok(Json(json!({
        "lead_id": id,
        "stage": current.map(|v| &v.stage),
        "stage_entered_at": current.map(|v| v.entered_at),
    })))
}
