//! A Twilio webhook's form, taken only once `X-Twilio-Signature` holds for the URL Twilio
//! called, with the tenant that owns the number of ours in it.

use super::signature::verify_twilio_signature;
use crate::config::TenantConfig;
use crate::domain::PhoneNumber;
use crate::http::common::{body, ApiError, HttpState};
use axum::body::Body;
use axum::http::{header, HeaderMap, Uri};
use std::sync::Arc;

fn forbidden() -> ApiError {
    ApiError::Forbidden("the X-Twilio-Signature does not match this request".to_owned())
}

/// A Twilio webhook's form, once its signature holds, with the tenant that owns `number_param`
/// (the number of ours in the request). Nothing is recorded, and nothing about tenants
/// revealed, before that.
pub(super) struct Verified {
    pub tenant: Arc<TenantConfig>,
    params: Vec<(String, String)>,
    /// The form as it arrived (kept where the request is a lead source's: an inbound call).
    pub body: bytes::Bytes,
}

impl Verified {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

pub(super) async fn verified(
    state: &HttpState,
    headers: &HeaderMap,
    uri: &Uri,
    request: Body,
    number_param: &str,
) -> Result<Verified, ApiError> {
    let bytes = body::read(request).await?;
    let params: Vec<(String, String)> =
        form_urlencoded::parse(&bytes).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let ours = params.iter().find(|(k, _)| k == number_param).map(|(_, v)| v.as_str());
    let tenant = ours
        .and_then(|number| PhoneNumber::from_e164(number).ok())
        .and_then(|number| state.app.tenants.by_number(&number))
        .ok_or_else(forbidden)?;
    let token = tenant.twilio_auth_token.as_ref().and_then(|t| t.expose()).ok_or_else(forbidden)?;
    let signature = headers.get("x-twilio-signature").and_then(|v| v.to_str().ok()).ok_or_else(forbidden)?;
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or_else(|| uri.path());
    let url = format!("{}{}", public_base(state, headers)?, path);
    if !verify_twilio_signature(token, &url, &params, signature) {
        return Err(forbidden());
    }
    Ok(Verified { tenant, params, body: bytes })
}

/// The base URL Twilio called: the configured one, else `https://` and the request's host
/// (API Gateway's own domain, when no custom domain is configured).
pub(super) fn public_base(state: &HttpState, headers: &HeaderMap) -> Result<String, ApiError> {
    if !state.public_url.is_empty() {
        return Ok(state.public_url.trim_end_matches('/').to_owned());
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).ok_or_else(forbidden)?;
    Ok(format!("https://{host}"))
}
