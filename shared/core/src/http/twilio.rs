//! `POST /v1/webhooks/twilio/sms`: Twilio's inbound SMS webhook.

use super::twilio_signature::verify_twilio_signature;
use super::{body, ApiError, HttpState};
use crate::app::{InboundError, InboundSms, SmsAnswer};
use crate::domain::PhoneNumber;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, Uri};
use axum::response::{IntoResponse, Response};

fn forbidden() -> ApiError {
    ApiError::Forbidden("the X-Twilio-Signature does not match this request".to_owned())
}

pub(super) async fn inbound_sms(
    State(state): State<HttpState>,
    headers: HeaderMap,
    uri: Uri,
    request: Body,
) -> Result<Response, ApiError> {
    let bytes = body::read(request).await?;
    let params: Vec<(String, String)> =
        form_urlencoded::parse(&bytes).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());

    // Nothing is recorded, and nothing about tenants revealed, before the signature holds.
    let tenant = param("To")
        .and_then(|to| PhoneNumber::from_e164(to).ok())
        .and_then(|to| state.app.tenants.by_number(&to))
        .ok_or_else(forbidden)?;
    let token = tenant.twilio_auth_token.as_ref().and_then(|t| t.expose()).ok_or_else(forbidden)?;
    let signature = headers.get("x-twilio-signature").and_then(|v| v.to_str().ok()).ok_or_else(forbidden)?;
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/v1/webhooks/twilio/sms");
    let url = format!("{}{}", public_base(&state, &headers)?, path);
    if !verify_twilio_signature(token, &url, &params, signature) {
        return Err(forbidden());
    }

    let from = param("From")
        .ok_or_else(|| ApiError::field("From", "is required"))
        .and_then(|raw| PhoneNumber::from_e164(raw).map_err(|e| ApiError::field("From", e)))?;
    let sms = InboundSms { from, body: param("Body").unwrap_or_default().to_owned() };
    let answer = state.app.inbound_sms(&tenant, sms).await.map_err(|e| match e {
        InboundError::Store(e) => ApiError::from(e),
    })?;
    let twiml = match answer {
        SmsAnswer::Nothing => "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>".to_owned(),
        SmsAnswer::Reply(text) => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>{}</Message></Response>",
            xml_escape(&text)
        ),
    };
    Ok(([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], twiml).into_response())
}

/// The base URL Twilio called: the configured one, else `https://` and the request's host
/// (API Gateway's own domain, when no custom domain is configured).
fn public_base(state: &HttpState, headers: &HeaderMap) -> Result<String, ApiError> {
    if !state.public_url.is_empty() {
        return Ok(state.public_url.trim_end_matches('/').to_owned());
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).ok_or_else(forbidden)?;
    Ok(format!("https://{host}"))
}

/// Escapes text for an XML element body.
fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}
