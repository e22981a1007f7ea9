//! Inbound calls to a tenant's Twilio number (its voice URL), both signed with
//! X-Twilio-Signature and naming the tenant by `To`, our number:
//!
//! - `POST /v1/webhooks/twilio/voice/incoming`: a call is ringing. Inside the office's hours
//!   it is forwarded to `[missed_calls] forward_to` (`<Dial timeout=…>` with an action URL);
//!   outside them it is missed at once.
//! - `POST /v1/webhooks/twilio/voice/incoming/done`: the `<Dial>`'s action, with
//!   `DialCallStatus`: `completed` / `answered` records the caller's lead as contacted; `busy`,
//!   `no-answer`, `failed`, `canceled` make the call a missed one (`app::calls_in`).

use super::verified::{public_base, verified, Verified};
use super::{twiml_response, INCOMING_DONE_PATH};
use crate::app::{CallInError, InboundCall, MissedCall};
use crate::config::{MissedCallSettings, TEXTING_YOU};
use crate::domain::PhoneNumber;
use crate::http::common::{ApiError, HttpState};
use crate::twiml::{self, Verb};
use axum::extract::{Request, State};
use axum::response::Response;

/// The longest message a missed caller may leave, in seconds.
const MESSAGE_SECONDS: u32 = 120;

struct Call {
    form: Verified,
    base: String,
}

async fn signed_call(state: &HttpState, request: Request) -> Result<Call, ApiError> {
    let (parts, body) = request.into_parts();
    let form = verified(state, &parts.headers, &parts.uri, body, "To").await?;
    Ok(Call { form, base: public_base(state, &parts.headers)? })
}

impl Call {
    fn settings(&self) -> Result<&MissedCallSettings, ApiError> {
        let tenant = &self.form.tenant;
        tenant
            .missed_calls
            .as_ref()
            .ok_or_else(|| ApiError::NotFound(format!("tenant {} takes no inbound calls", tenant.id)))
    }

    fn number(&self, name: &str) -> Result<PhoneNumber, ApiError> {
        let raw = self.form.param(name).ok_or_else(|| ApiError::field(name, "is required"))?;
        PhoneNumber::from_e164(raw).map_err(|e| ApiError::field(name, e))
    }

    fn call_sid(&self) -> Result<&str, ApiError> {
        self.form
            .param("CallSid")
            .filter(|sid| !sid.is_empty())
            .ok_or_else(|| ApiError::field("CallSid", "is required"))
    }
}

fn call_error(error: CallInError) -> ApiError {
    match error {
        CallInError::Caller(reason) => ApiError::field("From", reason),
        CallInError::Store(e) => e.into(),
    }
}

/// A missed call: the caller's lead and text, and what the caller hears.
async fn missed(state: &HttpState, call: &Call, settings: &MissedCallSettings) -> Result<Response, ApiError> {
    let (caller, to) = (call.number("From"), call.number("To")?);
    let caller = match caller {
        Ok(caller) => caller,
        // A withheld number ("anonymous") cannot be texted back or be a lead: ask for a message.
        Err(_) => return Ok(twiml_response(voicemail(settings))),
    };
    let inbound = InboundCall { caller: &caller, call_sid: call.call_sid()?, form: &call.form.body };
    let texted = state.app.missed_call(&call.form.tenant, settings, &inbound, &to).await.map_err(call_error)?;
    Ok(twiml_response(match texted {
        MissedCall::Texted => twiml::response(&[Verb::Say(TEXTING_YOU), Verb::Hangup]),
        MissedCall::NotTexted => voicemail(settings),
    }))
}

fn voicemail(settings: &MissedCallSettings) -> String {
    twiml::response(&[
        Verb::Say(&settings.voicemail_prompt),
        Verb::Record { max_seconds: MESSAGE_SECONDS },
        Verb::Hangup,
    ])
}

pub(crate) async fn incoming(State(state): State<HttpState>, request: Request) -> Result<Response, ApiError> {
    let call = signed_call(&state, request).await?;
    let settings = call.settings()?;
    if !state.app.office_open(settings) {
        return missed(&state, &call, settings).await;
    }
    let action = format!("{}{INCOMING_DONE_PATH}", call.base);
    let office = settings.forward_to.to_string();
    let dial = Verb::DialNumber { number: &office, timeout: settings.ring_seconds, action: &action };
    Ok(twiml_response(twiml::response(&[dial])))
}

pub(crate) async fn done(State(state): State<HttpState>, request: Request) -> Result<Response, ApiError> {
    let call = signed_call(&state, request).await?;
    let settings = call.settings()?;
    match call.form.param("DialCallStatus").unwrap_or_default() {
        "completed" | "answered" => {
            if let Ok(caller) = call.number("From") {
                let inbound = InboundCall { caller: &caller, call_sid: call.call_sid()?, form: &call.form.body };
                state.app.answered_call(&call.form.tenant, settings, &inbound).await.map_err(call_error)?;
            }
            Ok(twiml_response(twiml::response(&[Verb::Hangup])))
        }
        _ => missed(&state, &call, settings).await,
    }
}
