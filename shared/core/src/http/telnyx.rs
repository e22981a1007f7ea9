//! `POST /v1/webhooks/telnyx/messages`: Telnyx's messaging webhook, the URL a messaging
//! profile posts its events to. Only `message.received` (an SMS to one of a tenant's numbers)
//! is acted on; the delivery reports of the profile's own sends (`message.sent`,
//! `message.finalized`) are answered 200 and dropped. The event's shape:
//! <https://developers.telnyx.com/api-reference/callbacks/inbound-message>.
//!
//! Telnyx takes no message in the webhook's response (Twilio takes TwiML), so an answer to the
//! sender goes out through the app's channel: the tenant's SMS provider, or locally the outbox.

use super::body::typed;
use super::telnyx_signature::verify_telnyx_signature;
use super::{body, ApiError, HttpState};
use crate::app::{InboundError, InboundSms, SmsAnswer};
use crate::domain::PhoneNumber;
use crate::ports::OutboundMessage;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

/// The event of an inbound message; every other is ignored.
const MESSAGE_RECEIVED: &str = "message.received";

/// `{"data": ...}`: every Telnyx event.
#[derive(Deserialize)]
struct Event<D> {
    data: D,
}

#[derive(Deserialize)]
struct Kind {
    event_type: String,
}

#[derive(Deserialize)]
struct Received {
    /// The event's id, for the logs.
    id: Option<String>,
    payload: Message,
}

#[derive(Deserialize)]
struct Message {
    from: Address,
    to: Vec<Address>,
    /// Absent or null for an MMS without text.
    text: Option<String>,
}

#[derive(Deserialize)]
struct Address {
    phone_number: String,
}

fn forbidden() -> ApiError {
    ApiError::Forbidden("the telnyx-signature-ed25519 does not match this request".to_owned())
}

pub(super) async fn inbound_message(
    State(state): State<HttpState>,
    headers: HeaderMap,
    request: Body,
) -> Result<Response, ApiError> {
    let bytes = body::read(request).await?;
    let value = body::object(&bytes)?;
    let Event { data: Kind { event_type } } = typed(&value)?;
    if event_type != MESSAGE_RECEIVED {
        tracing::debug!(%event_type, "telnyx event ignored");
        return Ok(done());
    }
    let Event { data: Received { id, payload: message } } = typed(&value)?;

    // Nothing is recorded, and nothing about tenants revealed, before the signature holds.
    let (tenant, to) = message
        .to
        .iter()
        .filter_map(|address| PhoneNumber::from_e164(&address.phone_number).ok())
        .find_map(|to| state.app.tenants.by_number(&to).map(|tenant| (tenant, to)))
        .ok_or_else(forbidden)?;
    let key = tenant.telnyx_public_key.as_ref().ok_or_else(forbidden)?;
    let now = state.app.clock.now();
    if let Err(reason) = verify_telnyx_signature(key.key(), &headers, &bytes, now) {
        // A wrong key in the tenant file or a skewed clock looks like this too.
        tracing::warn!(tenant = %tenant.id, event = id.as_deref(), %reason, "telnyx webhook refused");
        return Err(forbidden());
    }

    let from = PhoneNumber::from_e164(&message.from.phone_number)
        .map_err(|e| ApiError::field("data.payload.from.phone_number", e))?;
    let sms = InboundSms { from: from.clone(), body: message.text.unwrap_or_default() };
    let answer = state.app.inbound_sms(&tenant, sms).await.map_err(|e| match e {
        InboundError::Store(e) => ApiError::from(e),
    })?;
    if let SmsAnswer::Reply(text) = answer {
        let reply = OutboundMessage::sms_reply(tenant.id.clone(), &to, &from, text, now);
        // The inbound message is handled either way: a 5xx would only make Telnyx post it again.
        match state.app.channel.send(&reply, now).await {
            Ok(provider_id) => tracing::info!(tenant = %tenant.id, touch = %reply.touch_id, %provider_id, "reply sent"),
            Err(error) => {
                tracing::warn!(tenant = %tenant.id, event = id.as_deref(), touch = %reply.touch_id, %error, "reply not sent")
            }
        }
    }
    Ok(done())
}

/// Telnyx wants a 200; the body is not read.
fn done() -> Response {
    Json(json!({})).into_response()
}
