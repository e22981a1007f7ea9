//! Twilio's webhooks, each signed with `X-Twilio-Signature` by the tenant's auth token: inbound
//! SMS, the delivery status of each message sent, and the two steps of each call (answered,
//! key pressed). Their answers are TwiML.

pub(crate) mod incoming;
pub(crate) mod signature;
pub(crate) mod sms;
pub(crate) mod status;
mod verified;
pub(crate) mod voice;

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// Where Twilio reports how each message it accepted ended (with `?lead=…&touch=…`): the
/// SMS adapter puts it in every send's status callback URL.
pub const STATUS_CALLBACK_PATH: &str = "/v1/webhooks/twilio/status";

/// Where Twilio fetches a call's TwiML once it is answered (with `?lead=…&touch=…`).
pub const ANSWER_PATH: &str = "/v1/webhooks/twilio/voice/answer";

/// Where Twilio reports how each call ended (with `?lead=…&touch=…`): the voice adapter puts
/// it in every call's `StatusCallback`.
pub const CALL_STATUS_PATH: &str = "/v1/webhooks/twilio/voice/status";

/// Where a call's `<Gather>` posts the key the lead pressed (with `?lead=…&touch=…`).
pub const GATHER_PATH: &str = "/v1/webhooks/twilio/voice/gather";

/// The voice URL of a tenant's Twilio number: an inbound call, forwarded to the office.
pub const INCOMING_PATH: &str = "/v1/webhooks/twilio/voice/incoming";

/// Where the forwarded call's `<Dial>` reports how it ended (`DialCallStatus`).
pub const INCOMING_DONE_PATH: &str = "/v1/webhooks/twilio/voice/incoming/done";

/// TwiML as Twilio wants it served.
fn twiml_response(twiml: String) -> Response {
    ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], twiml).into_response()
}
