//! Twilio's webhooks: inbound SMS (`/v1/webhooks/twilio/sms`) and delivery status
//! (`/v1/webhooks/twilio/status`), both signed with X-Twilio-Signature.

use super::twilio_signature::verify_twilio_signature;
use super::{body, ApiError, HttpState, Query};
use crate::app::{InboundError, InboundSms, SmsAnswer};
use crate::config::TenantConfig;
use crate::domain::{twilio_undeliverable, Channel, Delivery, DeliveryState, LeadId, PhoneNumber, TouchId};
use crate::twiml::{self, Verb};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
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
    Ok(Verified { tenant, params })
}

pub(super) async fn inbound_sms(
    State(state): State<HttpState>,
    headers: HeaderMap,
    uri: Uri,
    request: Body,
) -> Result<Response, ApiError> {
    let form = verified(&state, &headers, &uri, request, "To").await?;
    let (tenant, param) = (&form.tenant, |name: &str| form.param(name));
    let from = param("From")
        .ok_or_else(|| ApiError::field("From", "is required"))
        .and_then(|raw| PhoneNumber::from_e164(raw).map_err(|e| ApiError::field("From", e)))?;
    let sms = InboundSms {
        from,
        body: param("Body").unwrap_or_default().to_owned(),
        message_id: param("MessageSid").map(str::to_owned),
    };
    let answer = state.app.inbound_sms(tenant, sms).await.map_err(|e| match e {
        InboundError::Store(e) => ApiError::from(e),
    })?;
    let twiml = match answer {
        SmsAnswer::Nothing => twiml::response(&[]),
        SmsAnswer::Reply(text) => twiml::response(&[Verb::Message(&text)]),
    };
    Ok(twiml_response(twiml))
}

/// TwiML as Twilio wants it served.
pub(super) fn twiml_response(twiml: String) -> Response {
    ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], twiml).into_response()
}

/// `POST /v1/webhooks/twilio/status?lead=…&touch=…`: Twilio's report of how a message it
/// accepted ended. The state is recorded on the touch (`delivery`); a failure whose code says
/// the number can never receive SMS also closes the lead's SMS channel, as a refusal at send
/// time would. The lead and touch come from the query leadflow put in the callback URL, which
/// Twilio signs.
pub(super) async fn status_callback(
    State(state): State<HttpState>,
    headers: HeaderMap,
    uri: Uri,
    Query(query): Query<StatusQuery>,
    request: Body,
) -> Result<Response, ApiError> {
    let form = verified(&state, &headers, &uri, request, "From").await?;
    let status = form.param("MessageStatus").unwrap_or_default();
    let code = form.param("ErrorCode").and_then(|c| c.parse::<u32>().ok());
    let lead = query.lead.as_deref().map(LeadId::parse).transpose().map_err(|e| ApiError::field("lead", e))?;
    let touch = query.touch.as_deref().map(TouchId::parse).transpose().map_err(|e| ApiError::field("touch", e))?;
    if let (Some(state_now), Some(lead), Some(touch)) = (DeliveryState::from_twilio(status), &lead, &touch) {
        let delivery = Delivery { state: state_now, at: state.app.clock.now(), error_code: code };
        state.app.record_delivery(&form.tenant.id, lead, touch, delivery).await.map_err(ApiError::from)?;
    }
    if let (true, Some(code), Some(lead)) = (matches!(status, "failed" | "undelivered"), code, lead) {
        let detail = format!("twilio reported the message {status} with error {code}");
        let reason = twilio_undeliverable(code);
        state.app.close_channel(&form.tenant.id, &lead, Channel::Sms, reason, &detail).await.map_err(ApiError::from)?;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The query leadflow adds to each message's status callback URL.
#[derive(Deserialize)]
pub(super) struct StatusQuery {
    lead: Option<String>,
    touch: Option<String>,
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
