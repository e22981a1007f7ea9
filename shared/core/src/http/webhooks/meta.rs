//! Meta's lead ads webhook (<https://developers.facebook.com/docs/graph-api/webhooks/getting-started>):
//!
//! - `GET /v1/webhooks/meta`: the subscription handshake. `hub.mode=subscribe` with a
//!   `hub.verify_token` equal to a tenant's `[meta] verify_token` is answered with
//!   `hub.challenge` as plain text; anything else is 403.
//! - `POST /v1/webhooks/meta`: `X-Hub-Signature-256`, the hex HMAC-SHA256 of the raw body with
//!   the app secret, checked before the body is read. The body names leads by id only
//!   (`entry[].changes[].value.leadgen_id`, up to 1,000 per POST); each page's tenant takes its
//!   own, and the answer goes back at once while the leads are read from the Graph API after
//!   it (`app::meta_leads`). The body may be up to 1 MiB (1,000 changes).

use super::int64::int64;
use super::signatures::{same_secret, verify_meta, SignatureError};
use crate::app::MetaLeadNamed;
use crate::config::TenantConfig;
use crate::domain::TenantId;
use crate::http::common::body::{self, typed};
use crate::http::common::{ApiError, HttpState, Query};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The handshake's query.
#[derive(Deserialize)]
pub(crate) struct Handshake {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

fn forbidden(reason: impl std::fmt::Display) -> ApiError {
    ApiError::Forbidden(format!("not Meta's webhook for this stack: {reason}"))
}

/// The tenants that take Meta lead ads.
fn meta_tenants(state: &HttpState) -> impl Iterator<Item = &Arc<TenantConfig>> {
    state.app.tenants.all().filter(|tenant| tenant.meta.is_some())
}

pub(crate) async fn handshake(
    State(state): State<HttpState>,
    Query(query): Query<Handshake>,
) -> Result<Response, ApiError> {
    if query.mode.as_deref() != Some("subscribe") {
        return Err(forbidden("hub.mode must be subscribe"));
    }
    let token = query.verify_token.as_deref();
    let known = meta_tenants(&state)
        .filter_map(|tenant| tenant.meta.as_ref()?.verify_token.expose())
        .fold(false, |found, expected| same_secret(token, expected) | found);
    if !known {
        tracing::warn!("meta webhook handshake refused: hub.verify_token matches no tenant");
        return Err(forbidden("hub.verify_token matches no tenant"));
    }
    let challenge = query.challenge.unwrap_or_default();
    if challenge.is_empty() || challenge.len() > 256 || !challenge.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::field("hub.challenge", "must be 1 to 256 printable characters"));
    }
    let mut response = challenge.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(response)
}

/// The webhook's body (`object: page`).
#[derive(Deserialize)]
struct Notification {
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    changes: Vec<Change>,
}

#[derive(Deserialize)]
struct Change {
    field: Option<String>,
    #[serde(default)]
    value: Value,
}

pub(crate) async fn leads(
    State(state): State<HttpState>,
    headers: HeaderMap,
    request: Body,
) -> Result<Response, ApiError> {
    let bytes = body::read_up_to(request, body::MAX_META_BODY_BYTES).await?;
    // Every app secret the stack knows (one, usually: the agency's app); the tenants whose
    // secret signed the body are the ones whose pages it may name.
    let mut signed_by: Vec<TenantId> = Vec::new();
    let mut last = SignatureError::Missing;
    for tenant in meta_tenants(&state) {
        let Some(secret) = tenant.meta.as_ref().and_then(|meta| meta.app_secret.expose()) else { continue };
        match verify_meta(secret, &headers, &bytes) {
            Ok(()) => signed_by.push(tenant.id.clone()),
            Err(e) => last = e,
        }
    }
    if signed_by.is_empty() {
        tracing::warn!(error = %last, "meta webhook refused");
        return Err(forbidden(last));
    }
    let value = body::object(&bytes)?;
    let notification: Notification = typed(&value)?;
    let mut by_tenant: BTreeMap<TenantId, (Arc<TenantConfig>, Vec<MetaLeadNamed>)> = BTreeMap::new();
    let mut named = 0;
    for (i, entry) in notification.entry.iter().enumerate() {
        for (j, change) in entry.changes.iter().enumerate() {
            if change.field.as_deref() != Some("leadgen") {
                continue;
            }
            // One malformed change must not hold back the batch (Meta would retry all of it):
            // it is logged and skipped.
            let lead = match named_lead(&format!("entry[{i}].changes[{j}].value"), &change.value) {
                Ok(lead) => lead,
                Err(error) => {
                    tracing::warn!(%error, "meta leadgen change skipped: malformed");
                    continue;
                }
            };
            named += 1;
            match state.app.tenants.by_page(&lead.page_id) {
                Some(tenant) if signed_by.contains(&tenant.id) => {
                    by_tenant.entry(tenant.id.clone()).or_insert_with(|| (tenant, Vec::new())).1.push(lead);
                }
                _ => {
                    tracing::warn!(page = %lead.page_id, leadgen = %lead.leadgen_id, "meta lead for a page no tenant signed for: ignored")
                }
            }
        }
    }
    let mut scheduled = 0;
    for (tenant, leads) in by_tenant.into_values() {
        scheduled += state.app.meta_leads_named(&tenant, leads).await?;
    }
    Ok(Json(json!({ "received": named, "scheduled": scheduled })).into_response())
}

/// The lead a `leadgen` change names: its page and lead ids are required, the form and ad
/// optional; each an int64 kept as digits.
fn named_lead(at: &str, value: &Value) -> Result<MetaLeadNamed, ApiError> {
    let id = |name: &str| int64(&format!("{at}.{name}"), value.get(name));
    let (Some(page_id), Some(leadgen_id)) = (id("page_id")?, id("leadgen_id")?) else {
        return Err(ApiError::field(at, "a leadgen change names its page_id and leadgen_id"));
    };
    Ok(MetaLeadNamed { page_id, leadgen_id, form_id: id("form_id")?, ad_id: id("ad_id")? })
}
