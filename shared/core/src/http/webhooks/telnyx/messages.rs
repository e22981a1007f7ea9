//! `POST /v1/webhooks/telnyx/messages`: Telnyx's messaging webhook, the URL a messaging
//! profile posts its events to. Every event is verified first, with the key of the tenant
//! whose number it names. Only `message.received` (an SMS to one of a tenant's numbers) is
//! then acted on; the delivery reports of the profile's own sends (`message.sent`,
//! `message.finalized`) are answered 200 and dropped. The event's shape:
//! <https://developers.telnyx.com/api-reference/callbacks/inbound-message>.
//!
//! Telnyx takes no message in the webhook's response (Twilio takes TwiML), so an answer to the
//! sender goes out through the app's channel: the tenant's SMS provider, or locally the outbox.

use super::signature::verify_telnyx_signature;
use crate::app::InboundSms;
use crate::domain::PhoneNumber;
use crate::http::common::body::{self, typed};
use crate::http::common::{ApiError, HttpState};
use crate::http::webhooks::sms_answer::answer_inbound_sms;
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
    /// The message's id: the same in every delivery of its webhook.
    id: Option<String>,
    from: Address,
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

pub(crate) async fn inbound_message(
    State(state): State<HttpState>,
    headers: HeaderMap,
    request: Body,
) -> Result<Response, ApiError> {
    let bytes = body::read(request).await?;
    let value = body::object(&bytes)?;
    let Event { data: Kind { event_type } } = typed(&value)?;
    let received = event_type == MESSAGE_RECEIVED;

    // Nothing is recorded, and nothing about tenants revealed, before the signature holds:
    // whatever the event, its tenant's key must verify it.
    let (tenant, to) = ours(&value, received)
        .into_iter()
        .find_map(|number| state.app.tenants.by_number(&number).map(|tenant| (tenant, number)))
        .ok_or_else(forbidden)?;
    let key = tenant.telnyx_public_key.as_ref().ok_or_else(forbidden)?;
    let now = state.app.clock.now();
    if let Err(reason) = verify_telnyx_signature(key.key(), &headers, &bytes, now) {
        // A wrong key in the tenant file or a skewed clock looks like this too.
        tracing::warn!(tenant = %tenant.id, %event_type, %reason, "telnyx webhook refused");
        return Err(forbidden());
    }
    if !received {
        tracing::debug!(tenant = %tenant.id, %event_type, "telnyx event ignored");
        return Ok(done());
    }

    let Event { data: Received { id, payload: message } } = typed(&value)?;
    let from = PhoneNumber::from_e164(&message.from.phone_number)
        .map_err(|e| ApiError::field("data.payload.from.phone_number", e))?;
    let sms = InboundSms { from, body: message.text.unwrap_or_default(), message_id: message.id };
    // The inbound message is handled either way: a 5xx would only make Telnyx post it again.
    answer_inbound_sms(&state, &tenant, &to, sms, id.as_deref()).await?;
    Ok(done())
}

/// The numbers of an event that can be a tenant's: the ones a message came in to, or the one a
/// report of the profile's own send went out from. Read loosely, before the signature is
/// checked, only to find whose key checks it: an odd or absent number finds no tenant (403).
fn ours(value: &serde_json::Value, received: bool) -> Vec<PhoneNumber> {
    let payload = &value["data"]["payload"];
    let addresses = match (received, payload["to"].as_array()) {
        (true, Some(to)) => to.iter().collect(),
        (true, None) => Vec::new(),
        (false, _) => vec![&payload["from"]],
    };
    addresses
        .into_iter()
        .filter_map(|address| address["phone_number"].as_str())
        .filter_map(|number| PhoneNumber::from_e164(number).ok())
        .collect()
}

/// Telnyx wants a 200; the body is not read.
fn done() -> Response {
    Json(json!({})).into_response()
}
