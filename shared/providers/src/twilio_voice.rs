//! Twilio Programmable Voice: a call step is `POST {base}/2010-04-01/Accounts/{AccountSid}/Calls.json`
//! through the same account API as SMS ([`TwilioApi`]); the answer's `sid` is the call id.
//!
//! The call's TwiML is not sent inline: Twilio tells a TwiML *URL* who answered (`AnsweredBy`,
//! from answering machine detection) but runs inline TwiML blind. So each call names leadflow's
//! answer webhook (`/v1/webhooks/twilio/voice/answer?lead=…&touch=…`, signed by Twilio like
//! every webhook), which speaks the touch's message into a `<Gather>` offering "press 1" to a
//! person, or, after the beep of a voicemail box (`MachineDetection=DetectMessageEnd`), leaves
//! the message and hangs up. A side effect: the message never travels in the create request.
//!
//! Like Messages, Calls takes no idempotency key; at-most-once rests on the claim before the
//! send and on never resending after an ambiguous failure (see [`crate::send`]).

use crate::pacing::Pacer;
use crate::send::BuildError;
use crate::twilio::{TwilioApi, TwilioConfig};
use crate::{log_outcome, rejected, require_channel};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use leadflow_core::domain::Channel;
use leadflow_core::ports::{OutboundMessage, SendError, Sender};

const PROVIDER: &str = "twilio";

/// Answering machine detection that waits for the end of a voicemail greeting (the beep), so
/// a message left on a machine is recorded whole.
pub const MACHINE_DETECTION: &str = "DetectMessageEnd";

/// Calls leads through Twilio.
#[derive(Debug, Clone)]
pub struct TwilioVoice {
    api: TwilioApi,
    answer_url: String,
    status_url: String,
    caller_id: Option<String>,
    pacer: Pacer,
}

impl TwilioVoice {
    /// An adapter calling from `caller_id` (else the touch's sending number) through `account`;
    /// Twilio fetches each call's TwiML from `answer_url` (leadflow's public answer webhook)
    /// and reports how it ended to `status_url` (the call status webhook).
    pub fn new(
        account: &TwilioConfig,
        answer_url: impl Into<String>,
        status_url: impl Into<String>,
        caller_id: Option<String>,
        pacer: Pacer,
    ) -> Result<Self, BuildError> {
        let (answer_url, status_url) = (answer_url.into(), status_url.into());
        Ok(Self { api: TwilioApi::new(account)?, answer_url, status_url, caller_id, pacer })
    }
}

#[async_trait]
impl Sender for TwilioVoice {
    async fn send(&self, message: &OutboundMessage, _now: DateTime<Utc>) -> Result<String, SendError> {
        require_channel(PROVIDER, Channel::Voice, message)?;
        let Some(lead) = &message.lead_id else {
            return Err(rejected("twilio: a call is a cadence touch and needs its lead"));
        };
        let Some(from) = self.caller_id.as_deref().or(message.from.as_deref()) else {
            return Err(rejected("twilio: no caller ID for the call"));
        };
        // The answer webhook finds the touch (and so its message) and the lead by this query,
        // which Twilio signs along with the rest of the URL.
        let query = format!("?lead={lead}&touch={}", message.touch_id);
        let (url, status_url) = (format!("{}{query}", self.answer_url), format!("{}{query}", self.status_url));
        // Without `StatusCallbackEvent`, Twilio reports only the call's end: `completed` (with
        // `AnsweredBy`), `no-answer`, `busy`, `failed` or `canceled`.
        let form = [
            ("To", message.to.as_str()),
            ("From", from),
            ("Url", &url),
            ("Method", "POST"),
            ("StatusCallback", &status_url),
            ("StatusCallbackMethod", "POST"),
            ("MachineDetection", MACHINE_DETECTION),
        ];
        self.pacer.acquire(from).await;
        let result = self.api.create("Calls.json", &form).await;
        log_outcome(PROVIDER, message, &result);
        result
    }
}
