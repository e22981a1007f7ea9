//! Tenant API keys: `Authorization: Bearer <key>`.

use crate::config::TenantConfig;
use crate::http::common::{ApiError, HttpState};
use axum::http::{header, HeaderMap};
use std::sync::Arc;

/// The tenant whose API key the request carries.
pub(super) fn tenant_of(state: &HttpState, headers: &HeaderMap) -> Result<Arc<TenantConfig>, ApiError> {
    let value = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or(ApiError::Unauthorized)?;
    let (scheme, key) = value.trim().split_once(' ').ok_or(ApiError::Unauthorized)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::Unauthorized);
    }
    state.app.tenants.by_api_key(key.trim()).ok_or(ApiError::Unauthorized)
}
