//! `POST /v1/webhooks/twilio/sms`: an SMS to one of a tenant's Twilio numbers. Twilio takes
//! the answer (HELP's text, a confirmation) as TwiML in the response.

use super::twiml_response;
use super::verified::verified;
use crate::app::{InboundSms, SmsAnswer};
use crate::domain::PhoneNumber;
use crate::http::common::{ApiError, HttpState};
use crate::twiml::{self, Verb};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;

pub(crate) async fn inbound_sms(
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
    let answer = state.app.inbound_sms(tenant, sms).await?;
    let twiml = match answer {
        SmsAnswer::Nothing => twiml::response(&[]),
        SmsAnswer::Reply(text) => twiml::response(&[Verb::Message(&text)]),
    };
    Ok(twiml_response(twiml))
}
