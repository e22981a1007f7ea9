//! `?tenant=ID` on the URL of a webhook whose sender names no number we own (booking tools,
//! lead sources): which tenant's secret checks the request.

use crate::app::FieldError;
use crate::config::TenantConfig;
use crate::domain::TenantId;
use crate::http::common::{ApiError, HttpState};
use serde::Deserialize;
use std::sync::Arc;

/// The query of such a webhook's URL.
#[derive(Deserialize)]
pub(crate) struct TenantQuery {
    tenant: Option<String>,
}

/// The tenant the URL names. A URL without `?tenant=` is a 400 naming it; a tenant that does
/// not exist is `forbidden` (the same answer as a bad signature, so the URL reveals nothing).
pub(crate) fn named_tenant(
    state: &HttpState,
    query: TenantQuery,
    forbidden: impl Fn() -> ApiError,
) -> Result<Arc<TenantConfig>, ApiError> {
    let raw = query
        .tenant
        .ok_or_else(|| ApiError::Malformed(FieldError::new("tenant", "the URL needs ?tenant=<tenant id>")))?;
    TenantId::parse(&raw).ok().and_then(|id| state.app.tenants.get(&id)).ok_or_else(forbidden)
}
