//! Twilio's voice webhooks for our calls, both signed with X-Twilio-Signature over the URL
//! with its `?lead=…&touch=…` query, and both naming the tenant by `From` (our caller ID):
//!
//! - `POST /v1/webhooks/twilio/voice/answer`: the call was answered; the TwiML to run. A
//!   person hears the touch's message and "press 1"; a voicemail box (answering machine
//!   detection waited for its beep) gets the message and a hang-up.
//! - `POST /v1/webhooks/twilio/voice/gather`: the key the person pressed.
//! - `POST /v1/webhooks/twilio/voice/status`: the call is over (`CallStatus` `completed`, with
//!   `AnsweredBy`; or `no-answer`, `busy`, `failed`, `canceled`): recorded on the touch and as
//!   the lead's signals `call_answered`, or `call_missed` (and `voicemail_left` when the
//!   message went on a voicemail box after its beep).

use super::verified::{public_base, verified, Verified};
use super::{twiml_response, GATHER_PATH};
use crate::app::CallAnswer;
use crate::config::DEFAULT_CALL_PROMPT;
use crate::domain::{Channel, Delivery, DeliveryState, LeadId, Signal, TouchId};
use crate::http::common::{ApiError, HttpState, Query};
use crate::twiml::{self, Verb};
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// What the lead hears before being put through.
const CONNECTING: &str = "Connecting you now. Please hold.";
/// What a lead who pressed anything else hears.
const GOODBYE: &str = "Thank you for your time. Goodbye.";

/// The query leadflow puts in each call's URLs (Twilio signs it with the rest).
#[derive(Deserialize)]
struct CallQuery {
    lead: Option<String>,
    touch: Option<String>,
}

/// A voice webhook whose signature holds, with its tenant (by `From`: on an outbound call
/// it is our number), form and query, and the base URL Twilio called.
pub(crate) struct SignedCall {
    form: Verified,
    query: CallQuery,
    base: String,
}

impl FromRequest<HttpState> for SignedCall {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &HttpState) -> Result<Self, ApiError> {
        let (parts, body) = request.into_parts();
        let form = verified(state, &parts.headers, &parts.uri, body, "From").await?;
        let Query(query) = Query::<CallQuery>::from_uri(&parts.uri)?;
        Ok(Self { form, query, base: public_base(state, &parts.headers)? })
    }
}

impl SignedCall {
    fn lead(&self) -> Result<LeadId, ApiError> {
        let lead = self.query.lead.as_deref().ok_or_else(|| ApiError::field("lead", "is required"))?;
        LeadId::parse(lead).map_err(|e| ApiError::field("lead", e))
    }

    fn touch(&self) -> Result<TouchId, ApiError> {
        let touch = self.query.touch.as_deref().ok_or_else(|| ApiError::field("touch", "is required"))?;
        TouchId::parse(touch).map_err(|e| ApiError::field("touch", e))
    }
}

/// The call's script, by who answered (`AnsweredBy`: `human`, `unknown`, `machine_end_beep`,
/// `machine_end_silence`, `machine_end_other`, `fax`; absent without detection).
pub(crate) async fn answer(State(state): State<HttpState>, call: SignedCall) -> Result<Response, ApiError> {
    let (lead, touch) = (call.lead()?, call.touch()?);
    let tenant = &call.form.tenant;
    let message = state.app.call_message(tenant, &lead, &touch).await?;
    let answered_by = call.form.param("AnsweredBy").unwrap_or("unknown");
    let twiml = match message {
        None => twiml::response(&[Verb::Hangup]),
        Some(_) if answered_by == "fax" => twiml::response(&[Verb::Hangup]),
        Some(message) if answered_by.starts_with("machine") => twiml::response(&[Verb::Say(&message), Verb::Hangup]),
        Some(message) => {
            let action = format!("{}{GATHER_PATH}?lead={lead}&touch={touch}", call.base);
            let prompt = tenant.voice.as_ref().map_or(DEFAULT_CALL_PROMPT, |voice| voice.prompt.as_str());
            twiml::response(&[
                Verb::GatherOneDigit { action: &action, prompt: vec![Verb::Say(&message), Verb::Say(prompt)] },
                // No key pressed before the gather timed out.
                Verb::Say(GOODBYE),
                Verb::Hangup,
            ])
        }
    };
    Ok(twiml_response(twiml))
}

/// Pressing 1 connects the call to the tenant's line and hands the lead to a human; any other
/// key says goodbye.
pub(crate) async fn gather(State(state): State<HttpState>, call: SignedCall) -> Result<Response, ApiError> {
    let lead = call.lead()?;
    let digits = call.form.param("Digits").unwrap_or_default();
    let answer = state.app.call_key_pressed(&call.form.tenant, &lead, digits).await?;
    let twiml = match answer {
        CallAnswer::Connect(number) => twiml::response(&[Verb::Say(CONNECTING), Verb::Dial(&number.to_string())]),
        CallAnswer::Goodbye => twiml::response(&[Verb::Say(GOODBYE), Verb::Hangup]),
    };
    Ok(twiml_response(twiml))
}

/// How the call ended, on the touch (answered or a message left: delivered; missed:
/// undelivered) and as signals. A retried callback finds the touch's state final already and
/// records nothing twice.
pub(crate) async fn status(State(state): State<HttpState>, call: SignedCall) -> Result<Response, ApiError> {
    let (lead, touch) = (call.lead()?, call.touch()?);
    let tenant = &call.form.tenant.id;
    let status = call.form.param("CallStatus").unwrap_or_default();
    let Some(signals) = Signal::of_call(status, call.form.param("AnsweredBy")) else {
        // An intermediate status (only `completed` is asked for, but Twilio may add others).
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    let reached = signals.iter().any(|s| matches!(s, Signal::CallAnswered | Signal::VoicemailLeft));
    let state_now = if reached { DeliveryState::Delivered } else { DeliveryState::Undelivered };
    let delivery = Delivery { state: state_now, at: state.app.clock.now(), error_code: None };
    if state.app.record_delivery(tenant, &lead, &touch, delivery).await? {
        for signal in signals {
            state.app.record_signal(tenant, &lead, *signal, Some(Channel::Voice)).await?;
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
