//! What every test needs: a message, a fast retry policy, and each provider's adapter,
//! endpoint and success answer, so the discipline's tests run against both.

use chrono::Utc;
use leadflow_core::domain::{Channel, LeadId, TenantId, TouchId};
use leadflow_core::ports::{OutboundMessage, Sender};
use leadflow_providers::{
    Credential, Pacer, RetryPolicy, TelnyxConfig, TelnyxSms, TwilioAuth, TwilioConfig, TwilioSms, TwilioVoice,
};
use std::time::Duration;
use wiremock::{MockServer, Request, ResponseTemplate};

pub const ACCOUNT_SID: &str = "AC00000000000000000000000000000001";
pub const AUTH_TOKEN: &str = "twilio-auth-token-do-not-log";
pub const TELNYX_KEY: &str = "KEY0123-telnyx-api-key-do-not-log";
pub const FROM: &str = "+15550001111";
pub const TO: &str = "+15557654321";
/// Where the voice adapter tells Twilio to fetch each call's TwiML.
pub const ANSWER_URL: &str = "https://leads.example.com/v1/webhooks/twilio/voice/answer";
/// Where the voice adapter asks Twilio to report each call's end.
pub const STATUS_URL: &str = "https://leads.example.com/v1/webhooks/twilio/voice/status";

/// An SMS touch from `from` to `to`.
pub fn sms(from: Option<&str>, to: &str, body: &str) -> OutboundMessage {
    OutboundMessage {
        touch_id: TouchId::new(),
        tenant: TenantId::parse("acme").unwrap(),
        lead_id: Some(LeadId::new()),
        channel: Channel::Sms,
        to: to.to_owned(),
        from: from.map(str::to_owned),
        subject: None,
        body: body.to_owned(),
        unsubscribe_url: None,
        step: 0,
        due_at: Utc::now(),
    }
}

/// Three attempts, millisecond backoff, a short timeout: the discipline, quickly.
pub fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        attempts: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_secs(2),
        timeout: Duration::from_millis(500),
        connect_timeout: Duration::from_millis(250),
    }
}

/// The requests `server` received.
pub async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("request recording is on")
}

/// A header of a received request, as text.
pub fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

/// The test account at `base_url`, authenticated with its auth token.
pub fn twilio_account(base_url: &str, retry: RetryPolicy) -> TwilioConfig {
    TwilioConfig {
        base_url: base_url.to_owned(),
        retry,
        ..TwilioConfig::new(ACCOUNT_SID, TwilioAuth::AuthToken(Credential::new(AUTH_TOKEN)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Twilio,
    Telnyx,
    TwilioVoice,
}

impl Provider {
    pub const ALL: [Provider; 3] = [Provider::Twilio, Provider::Telnyx, Provider::TwilioVoice];

    /// A touch of the provider's channel from `from` to `to`.
    pub fn message(self, from: Option<&str>, to: &str, body: &str) -> OutboundMessage {
        let mut message = sms(from, to, body);
        if self == Provider::TwilioVoice {
            message.channel = Channel::Voice;
        }
        message
    }

    /// The adapter, pointed at `base_url`.
    pub fn adapter(self, base_url: &str, retry: RetryPolicy, pacer: Pacer) -> Box<dyn Sender> {
        match self {
            Provider::Twilio => Box::new(TwilioSms::new(twilio_account(base_url, retry), pacer).unwrap()),
            Provider::TwilioVoice => Box::new(
                TwilioVoice::new(&twilio_account(base_url, retry), ANSWER_URL, STATUS_URL, None, pacer).unwrap(),
            ),
            Provider::Telnyx => {
                let config = TelnyxConfig { base_url: base_url.to_owned(), retry, ..TelnyxConfig::new(TELNYX_KEY) };
                Box::new(TelnyxSms::new(config, pacer).unwrap())
            }
        }
    }

    /// The adapter with the fast policy and no pacing.
    pub fn fast(self, server: &MockServer) -> Box<dyn Sender> {
        self.adapter(&server.uri(), fast_policy(), Pacer::unlimited())
    }

    /// The send endpoint's path.
    pub fn path(self) -> String {
        match self {
            Provider::Twilio => format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"),
            Provider::TwilioVoice => format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"),
            Provider::Telnyx => "/v2/messages".to_owned(),
        }
    }

    /// The provider's answer to a message it took, with message id `id`.
    pub fn accepted(self, id: &str) -> ResponseTemplate {
        match self {
            Provider::Twilio => ResponseTemplate::new(201).set_body_json(serde_json::json!({
                "sid": id, "status": "queued", "account_sid": ACCOUNT_SID, "to": TO, "from": FROM, "body": "Hi",
            })),
            Provider::TwilioVoice => ResponseTemplate::new(201).set_body_json(serde_json::json!({
                "sid": id, "status": "queued", "account_sid": ACCOUNT_SID, "to": TO, "from": FROM,
            })),
            Provider::Telnyx => ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "data": { "id": id, "record_type": "message", "direction": "outbound", "type": "SMS",
                          "to": [{ "phone_number": TO, "status": "queued" }] },
            })),
        }
    }
}
