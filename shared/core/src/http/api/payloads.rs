//! `GET /v1/payloads/{key}`: a lead source's raw request as it arrived (kept 30 days), by the
//! key the lead's timeline names (`received` / `merged` entries' `payload`), for support.
//! The body comes back with its own content type, byte for byte.

use super::auth::tenant_of;
use crate::http::common::{ApiError, HttpState};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

pub(crate) async fn get(
    State(state): State<HttpState>,
    headers: HeaderMap,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let tenant = tenant_of(&state, &headers)?;
    let not_found = || ApiError::NotFound(format!("no payload {key:?} (payloads are kept 30 days)"));
    let payload = state.app.payload(&tenant, &key).await?.ok_or_else(not_found)?;
    let content_type = HeaderValue::from_str(&payload.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let received = HeaderValue::from_str(&payload.received_at.to_rfc3339()).expect("a timestamp is a header value");
    let mut response = payload.body.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, content_type);
    h.insert("x-received-at", received);
    // What a source sent is shown, never run: a browser opening it must not treat it as a page.
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    Ok(response)
}
