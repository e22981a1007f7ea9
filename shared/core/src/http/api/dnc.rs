//! `POST /v1/dnc` `{"numbers": ["+14155550123", "(415) 555-0199"], "reason": "..."}`: numbers
//! on the tenant's do-not-contact list are never texted, called or voicemailed again.

use super::auth::tenant_of;
use crate::app::{DncAdded, FieldError};
use crate::domain::PhoneNumber;
use crate::http::common::{body, ApiError, HttpState};
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;

/// The most numbers one request may carry (`leadflow dnc import` sends batches of this size).
pub const MAX_DNC_NUMBERS: usize = 1_000;

#[derive(Deserialize)]
struct DncBody {
    numbers: Option<Vec<String>>,
    reason: Option<String>,
}

pub(crate) async fn add(
    State(state): State<HttpState>,
    headers: HeaderMap,
    request: Body,
) -> Result<Json<DncAdded>, ApiError> {
    let tenant = tenant_of(&state, &headers)?;
    let bytes = body::read(request).await?;
    let DncBody { numbers, reason } = body::json(&bytes)?;
    let raw = numbers.ok_or_else(|| ApiError::field("numbers", "is required"))?;
    if raw.is_empty() || raw.len() > MAX_DNC_NUMBERS {
        return Err(ApiError::field("numbers", format!("must hold 1 to {MAX_DNC_NUMBERS} numbers")));
    }
    // Every number is read first: a list with a wrong number changes nothing.
    let mut numbers = Vec::with_capacity(raw.len());
    let mut errors = Vec::new();
    for (i, number) in raw.iter().enumerate() {
        match PhoneNumber::parse(number, tenant.default_region) {
            Ok(number) => numbers.push(number),
            Err(e) => errors.push(FieldError::new(format!("numbers[{i}]"), e)),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let reason = reason.map(|r| r.trim().chars().take(200).collect::<String>()).filter(|r| !r.is_empty());
    let reason = format!("on the do-not-contact list: {}", reason.as_deref().unwrap_or("added through POST /v1/dnc"));
    Ok(Json(state.app.add_to_dnc(&tenant, &numbers, &reason).await?))
}
