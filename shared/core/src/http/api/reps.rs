//! `GET /v1/reps`: the tenant's reps and whether routing may choose them now;
//! `PUT /v1/reps/{name}` with `{"available": false}` (or `true`): a rep is away, or back.

use super::auth::tenant_of;
use crate::app::RepStatus;
use crate::http::common::{body, ApiError, HttpState};
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
struct AvailabilityBody {
    available: Option<Value>,
}

pub(crate) async fn list(State(state): State<HttpState>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let tenant = tenant_of(&state, &headers)?;
    Ok(Json(json!({ "reps": state.app.reps(&tenant).await? })))
}

pub(crate) async fn put_availability(
    State(state): State<HttpState>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    request: Body,
) -> Result<Json<RepStatus>, ApiError> {
    let tenant = tenant_of(&state, &headers)?;
    let Ok(Path(name)) = path else { return Err(ApiError::NotFound("no such rep".to_owned())) };
    let bytes = body::read(request).await?;
    let parsed: AvailabilityBody = body::json(&bytes)?;
    let available = match parsed.available {
        Some(Value::Bool(available)) => available,
        Some(_) => return Err(ApiError::field("available", "must be true or false")),
        None => return Err(ApiError::field("available", "is required")),
    };
    Ok(Json(state.app.set_rep_available(&tenant, &name, available).await?))
}
