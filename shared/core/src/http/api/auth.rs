//! Tenant API keys: `Authorization: Bearer <key>`. A read key (`scope = "read"`, a dashboard
//! key) is refused here by every route unless the route asks for a reader: changing
//! something is the default a route cannot forget.

use crate::config::{KeyScope, TenantConfig};
use crate::http::common::{ApiError, HttpState};
use axum::http::{header, HeaderMap};
use std::sync::Arc;

/// What a read key is told by a route that changes something (or reads a lead's details).
const READ_ONLY: &str = "this API key is read-only (scope = \"read\"): it reads reports and signs in to the \
                         dashboard; use a full key for this route";

/// The tenant whose full API key the request carries; a read key is refused with 403.
pub(super) fn tenant_of(state: &HttpState, headers: &HeaderMap) -> Result<Arc<TenantConfig>, ApiError> {
    match key_holder(state, headers)? {
        (tenant, KeyScope::Full) => Ok(tenant),
        (_, KeyScope::Read) => Err(ApiError::Forbidden(READ_ONLY.to_owned())),
    }
}

/// The tenant whose API key, of either scope, the request carries: for the routes that only
/// read reports.
pub(super) fn report_reader_of(state: &HttpState, headers: &HeaderMap) -> Result<Arc<TenantConfig>, ApiError> {
    key_holder(state, headers).map(|(tenant, _)| tenant)
}

fn key_holder(state: &HttpState, headers: &HeaderMap) -> Result<(Arc<TenantConfig>, KeyScope), ApiError> {
    let value = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or(ApiError::Unauthorized)?;
    let (scheme, key) = value.trim().split_once(' ').ok_or(ApiError::Unauthorized)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::Unauthorized);
    }
    state.app.tenants.key_holder(key.trim()).ok_or(ApiError::Unauthorized)
}
