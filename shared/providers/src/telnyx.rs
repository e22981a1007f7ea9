//! Telnyx Messaging v2: `POST {base}/v2/messages`, `Authorization: Bearer <API key>`, a JSON
//! body; the answer's `data.id` is the provider message id.
//!
//! Idempotency: Telnyx has a general `Idempotency-Key` header, but only "on endpoints whose
//! API reference declares `Idempotency-Key` support"
//! (<https://developers.telnyx.com/docs/development/api-fundamentals/idempotency>), and the
//! send-message endpoint declares none (its generated SDK, team-telnyx/telnyx-node
//! `MessageSendParams`, has no such header). So no key is sent and, as with Twilio,
//! at-most-once rests on leadflow's claim before the send and on never resending after an
//! ambiguous failure (see [`crate::send`]).

use crate::credential::Credential;
use crate::pacing::Pacer;
use crate::send::{BuildError, HttpSender, Reply, RetryPolicy};
use crate::{log_outcome, rejected, require_channel};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use leadflow_core::domain::Channel;
use leadflow_core::ports::{OutboundMessage, SendError, Sender, Undeliverable};
use leadflow_core::redact::redact_phones;
use serde::{Deserialize, Serialize};

const PROVIDER: &str = "telnyx";

/// Where Telnyx's API lives.
pub const DEFAULT_BASE_URL: &str = "https://api.telnyx.com";

/// A Telnyx account to send from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelnyxConfig {
    /// A v2 API key, sent as a bearer token.
    pub api_key: Credential,
    /// Send through this messaging profile: required by Telnyx for a number pool or an
    /// alphanumeric sender, in which case the message may name no `from`.
    pub messaging_profile_id: Option<String>,
    /// Where Telnyx posts delivery events for each message (else the profile's).
    pub webhook_url: Option<String>,
    /// The API's base URL, without a trailing slash; [`DEFAULT_BASE_URL`] but in tests.
    pub base_url: String,
    /// How sends to Telnyx are timed and retried.
    pub retry: RetryPolicy,
}

impl TelnyxConfig {
    /// An account with the default base URL and retry policy, no profile and no webhook.
    pub fn new(api_key: impl Into<Credential>) -> Self {
        Self {
            api_key: api_key.into(),
            messaging_profile_id: None,
            webhook_url: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            retry: RetryPolicy::default(),
        }
    }
}

/// Sends SMS touches through Telnyx.
#[derive(Debug, Clone)]
pub struct TelnyxSms {
    config: TelnyxConfig,
    url: String,
    http: HttpSender,
    pacer: Pacer,
}

impl TelnyxSms {
    /// An adapter for `config`, pacing each sending number with `pacer`.
    pub fn new(config: TelnyxConfig, pacer: Pacer) -> Result<Self, BuildError> {
        let url = format!("{}/v2/messages", config.base_url.trim_end_matches('/'));
        let http = HttpSender::new(config.retry)?;
        Ok(Self { config, url, http, pacer })
    }
}

/// The request body; absent options are left out, not sent as null.
#[derive(Serialize)]
struct NewMessage<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<&'a str>,
    to: &'a str,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    messaging_profile_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    webhook_url: Option<&'a str>,
}

#[async_trait]
impl Sender for TelnyxSms {
    async fn send(&self, message: &OutboundMessage, _now: DateTime<Utc>) -> Result<String, SendError> {
        require_channel(PROVIDER, Channel::Sms, message)?;
        let profile = self.config.messaging_profile_id.as_deref();
        let sender = match (message.from.as_deref(), profile) {
            (Some(from), _) => from,
            (None, Some(profile)) => profile,
            (None, None) => return Err(rejected("telnyx: no from number on the message and no messaging profile")),
        };
        let body = NewMessage {
            from: message.from.as_deref(),
            to: &message.to,
            text: &message.body,
            messaging_profile_id: profile,
            webhook_url: self.config.webhook_url.as_deref(),
        };

        self.pacer.acquire(sender).await;
        let key = self.config.api_key.expose();
        let reply = self.http.send(PROVIDER, |client| client.post(&self.url).bearer_auth(key).json(&body)).await;
        let result = reply.and_then(read_reply);
        log_outcome(PROVIDER, message, &result);
        result
    }
}

#[derive(Deserialize)]
struct Created {
    data: CreatedData,
}

#[derive(Deserialize)]
struct CreatedData {
    id: String,
}

/// Telnyx's error body: `{"errors": [{"code": "40300", "title": ..., "detail": ...,
/// "source": {"pointer": "/to"}}]}`.
#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    errors: Vec<ApiError>,
}

#[derive(Deserialize)]
struct ApiError {
    /// A string in the docs; a number is taken too.
    code: Option<serde_json::Value>,
    title: Option<String>,
    detail: Option<String>,
    source: Option<Source>,
}

#[derive(Deserialize)]
struct Source {
    pointer: Option<String>,
}

impl ApiError {
    fn code(&self) -> Option<String> {
        match self.code.as_ref()? {
            serde_json::Value::String(code) => Some(code.clone()),
            serde_json::Value::Number(code) => Some(code.to_string()),
            _ => None,
        }
    }

    fn points_at_to(&self) -> bool {
        self.source.as_ref().and_then(|s| s.pointer.as_deref()).is_some_and(|p| p == "/to" || p.starts_with("/to/"))
    }
}

fn read_reply(reply: Reply) -> Result<String, SendError> {
    if reply.status.is_success() {
        return match serde_json::from_slice::<Created>(&reply.body) {
            Ok(created) if !created.data.id.is_empty() => Ok(created.data.id),
            _ => Err(SendError::OutcomeUnknown(format!(
                "telnyx answered {} without a message id; the message was probably sent, \
                 so it is not resent",
                reply.status
            ))),
        };
    }
    let errors = serde_json::from_slice::<ErrorBody>(&reply.body).map(|b| b.errors).unwrap_or_default();
    // The most telling error decides: anything that closes the lead's channel wins over a
    // plain rejection.
    let reason = errors
        .iter()
        .filter_map(|e| e.code().map(|code| undeliverable(&code, e.points_at_to())))
        .find(|reason| *reason != Undeliverable::Rejected)
        .unwrap_or(Undeliverable::Rejected);
    let described: Vec<String> = errors
        .iter()
        .map(|e| {
            let code = e.code().unwrap_or_else(|| "?".to_owned());
            let text = [e.title.as_deref(), e.detail.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(": ");
            format!("{code} {}", redact_phones(&text))
        })
        .collect();
    let detail = if described.is_empty() { "no error code".to_owned() } else { described.join("; ") };
    Err(SendError::Permanent { reason, detail: format!("telnyx answered {}: {detail}", reply.status) })
}

/// What a Telnyx error code says about the lead's number; `about_to` when the error's
/// `source.pointer` names the `to` field. Codes, from Telnyx's references
/// (<https://developers.telnyx.com/api/errors/NNNNN>,
/// <https://developers.telnyx.com/docs/messaging/messages/error-codes>,
/// <https://developers.telnyx.com/development/api-fundamentals/api-errors>):
///
/// - 40300 "Blocked due to STOP message" (HTTP 409): the lead texted STOP/END/QUIT to this
///   number.
/// - 40310 "Invalid 'to' address" (HTTP 400); 40012 "Invalid destination number" (carrier
///   rejected it); 10002 "Invalid phone number", 10016 "Phone number must be in +E.164
///   format" and 10001 "Inactive phone number" when they point at `/to` (else they may be
///   about our `from`).
/// - 40001 "Not routable" (a landline or non-routable number); 40301 "Unsupported message
///   type for the 'to' address".
///
/// Everything else is [`Undeliverable::Rejected`], leaving the lead's channel open: 10009 /
/// 10010 (authentication, authorization), 40305 (invalid `from`), 40309 (destination region
/// not enabled on the profile), 40311-40315 (profile secret, disabled profile or account,
/// unhealthy `from`), 40002 / 40003 / 40015 (spam filters: about our content or sender).
pub fn undeliverable(code: &str, about_to: bool) -> Undeliverable {
    match code {
        "40300" => Undeliverable::OptedOutAtCarrier,
        "40310" | "40012" => Undeliverable::InvalidAddress,
        "10001" | "10002" | "10016" if about_to => Undeliverable::InvalidAddress,
        "40001" | "40301" => Undeliverable::Unreachable,
        _ => Undeliverable::Rejected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;

    fn reply(status: u16, body: &str) -> Reply {
        Reply { status: StatusCode::from_u16(status).unwrap(), body: body.as_bytes().to_vec() }
    }

    fn reason(status: u16, body: &str) -> Undeliverable {
        match read_reply(reply(status, body)) {
            Err(SendError::Permanent { reason, .. }) => reason,
            other => panic!("expected a permanent error, got {other:?}"),
        }
    }

    #[test]
    fn an_invalid_number_is_the_leads_only_when_it_points_at_to() {
        let about_to = r#"{"errors":[{"code":"10002","title":"Invalid phone number","source":{"pointer":"/to"}}]}"#;
        let about_from = r#"{"errors":[{"code":"10002","title":"Invalid phone number","source":{"pointer":"/from"}}]}"#;
        assert_eq!(reason(422, about_to), Undeliverable::InvalidAddress);
        assert_eq!(reason(422, about_from), Undeliverable::Rejected);
    }

    #[test]
    fn a_numeric_code_counts_too() {
        assert_eq!(
            reason(409, r#"{"errors":[{"code":40300,"title":"Blocked due to STOP message"}]}"#),
            Undeliverable::OptedOutAtCarrier
        );
    }

    #[test]
    fn the_most_telling_of_several_errors_decides() {
        let body = r#"{"errors":[{"code":"40305","title":"Invalid 'from' address"},{"code":"40310","title":"Invalid 'to' address"}]}"#;
        assert_eq!(reason(400, body), Undeliverable::InvalidAddress);
    }

    #[test]
    fn an_error_without_a_body_is_rejected() {
        assert_eq!(reason(401, ""), Undeliverable::Rejected);
    }

    #[test]
    fn a_success_without_an_id_is_an_unknown_outcome() {
        let error = read_reply(reply(200, r#"{"data":{}}"#)).unwrap_err();
        assert!(matches!(error, SendError::OutcomeUnknown(_)), "{error:?}");
    }
}
