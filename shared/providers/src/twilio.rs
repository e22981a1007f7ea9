//! Twilio Programmable Messaging: `POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json`,
//! HTTP basic auth, a form body; the answer's `sid` is the provider message id. The account's
//! API ([`TwilioApi`]) is shared with the voice adapter ([`crate::twilio_voice`]).
//!
//! Twilio's Messages API takes no idempotency key: a request it received is a message it may
//! send, however the exchange ended. leadflow claims a touch before sending it, so a touch is
//! sent at most once as long as this adapter never resends after an ambiguous failure (a
//! timeout or a broken connection once the request went out); see [`crate::send`].
//!
//! A touch whose process died before its answer was recorded is looked up in the account's
//! Messages list instead ([`TwilioSms::lookup`]): by its number and ours, matched on its body.

use crate::credential::Credential;
use crate::pacing::Pacer;
use crate::send::{BuildError, HttpSender, Reply, RetryPolicy};
use crate::{log_outcome, rejected, require_channel};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use leadflow_core::domain::{twilio_undeliverable, Channel};
use leadflow_core::ports::{Lookup, OutboundMessage, SendError, Sender, Undeliverable};
use leadflow_core::redact::redact_phones;
use serde::Deserialize;

const PROVIDER: &str = "twilio";

/// Where Twilio's REST API lives.
pub const DEFAULT_BASE_URL: &str = "https://api.twilio.com";

/// How requests authenticate (HTTP basic).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TwilioAuth {
    /// The account's auth token; the username is the account SID.
    AuthToken(Credential),
    /// An API key (`SK...`) and its secret, which Twilio recommends for production: it can be
    /// revoked alone.
    ApiKey {
        /// The key's `SK...` id, sent as the username.
        sid: String,
        /// The key's secret, sent as the password.
        secret: Credential,
    },
}

/// A Twilio account to send from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwilioConfig {
    /// `AC...`: the account the messages belong to (part of the URL).
    pub account_sid: String,
    /// The credentials each request carries.
    pub auth: TwilioAuth,
    /// `MG...`: send through a Messaging Service. Twilio then picks the sender from the
    /// service's pool when the message names no `from`, and uses the named one when it does.
    pub messaging_service_sid: Option<String>,
    /// Where Twilio posts delivery status (`…/v1/webhooks/twilio/status`); each touch adds its
    /// lead and touch ids as the query. Overrides the Messaging Service's own.
    pub status_callback: Option<String>,
    /// The API's base URL, without a trailing slash; [`DEFAULT_BASE_URL`] but in tests.
    pub base_url: String,
    /// How requests to Twilio are timed and retried.
    pub retry: RetryPolicy,
}

impl TwilioConfig {
    /// An account with the default base URL and retry policy, no Messaging Service and no
    /// status callback.
    pub fn new(account_sid: impl Into<String>, auth: TwilioAuth) -> Self {
        Self {
            account_sid: account_sid.into(),
            auth,
            messaging_service_sid: None,
            status_callback: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            retry: RetryPolicy::default(),
        }
    }
}

/// A Twilio account's REST API: basic auth, a form body, the created resource's `sid` back,
/// Twilio's error codes read as what they say about the lead. Shared by SMS and calls.
#[derive(Debug, Clone)]
pub(crate) struct TwilioApi {
    account_url: String,
    user: String,
    password: Credential,
    http: HttpSender,
}

impl TwilioApi {
    pub(crate) fn new(config: &TwilioConfig) -> Result<Self, BuildError> {
        let account_url =
            format!("{}/2010-04-01/Accounts/{}", config.base_url.trim_end_matches('/'), config.account_sid);
        let (user, password) = match &config.auth {
            TwilioAuth::AuthToken(token) => (config.account_sid.clone(), token.clone()),
            TwilioAuth::ApiKey { sid, secret } => (sid.clone(), secret.clone()),
        };
        Ok(Self { account_url, user, password, http: HttpSender::new(config.retry)? })
    }

    /// Creates a resource of the account (`Messages.json`, `Calls.json`) from `form`;
    /// answers its `sid`.
    pub(crate) async fn create(&self, resource: &str, form: &[(&str, &str)]) -> Result<String, SendError> {
        let url = format!("{}/{resource}", self.account_url);
        let (user, password) = (&self.user, self.password.expose());
        let reply =
            self.http.send(PROVIDER, |client| client.post(&url).basic_auth(user, Some(password)).form(form)).await;
        reply.and_then(read_reply)
    }

    /// Reads one page of a list resource of the account (`Messages.json`) filtered by `query`.
    pub(crate) async fn list(&self, resource: &str, query: &[(&str, &str)]) -> Result<Reply, SendError> {
        let url = format!("{}/{resource}", self.account_url);
        let (user, password) = (&self.user, self.password.expose());
        self.http.send(PROVIDER, |client| client.get(&url).basic_auth(user, Some(password)).query(query)).await
    }
}

/// How many messages one lookup reads: a lead's whole conversation with one of our numbers.
/// A longer one does not fit, and a touch not found in it is `Unknown`, not `NotSent`.
const LOOKUP_PAGE_SIZE: &str = "100";

/// Slack for the clocks of Twilio and of the process that claimed the touch.
const CLOCK_SLACK: Duration = Duration::minutes(1);

/// Sends SMS touches through Twilio.
#[derive(Debug, Clone)]
pub struct TwilioSms {
    config: TwilioConfig,
    api: TwilioApi,
    pacer: Pacer,
}

impl TwilioSms {
    /// An adapter for `config`, pacing each sending number with `pacer`.
    pub fn new(config: TwilioConfig, pacer: Pacer) -> Result<Self, BuildError> {
        let api = TwilioApi::new(&config)?;
        Ok(Self { config, api, pacer })
    }
}

#[async_trait]
impl Sender for TwilioSms {
    async fn send(&self, message: &OutboundMessage, _now: DateTime<Utc>) -> Result<String, SendError> {
        require_channel(PROVIDER, Channel::Sms, message)?;
        let service = self.config.messaging_service_sid.as_deref();
        let sender = match (message.from.as_deref(), service) {
            (Some(from), _) => from,
            (None, Some(service)) => service,
            (None, None) => return Err(rejected("twilio: no From number on the message and no Messaging Service")),
        };
        let mut form: Vec<(&str, &str)> = vec![("To", &message.to)];
        if let Some(from) = &message.from {
            form.push(("From", from));
        }
        if let Some(service) = service {
            form.push(("MessagingServiceSid", service));
        }
        form.push(("Body", &message.body));
        // Each touch's callback names its lead and touch (Twilio signs the whole URL, so they
        // come back authenticated): a delivery failure reported later closes the same channel
        // a synchronous refusal would.
        let callback = match (&self.config.status_callback, &message.lead_id) {
            (Some(base), Some(lead)) => Some(format!("{base}?lead={lead}&touch={}", message.touch_id)),
            _ => None,
        };
        if let Some(callback) = &callback {
            form.push(("StatusCallback", callback));
        }

        self.pacer.acquire(sender).await;
        let result = self.api.create("Messages.json", &form).await;
        log_outcome(PROVIDER, message, &result);
        result
    }

    /// Reads the account's messages to the lead's number from ours (Twilio's "Read multiple
    /// Message resources", `To` and `From`; not `DateSent`, which a queued message has not got
    /// yet) and looks for this touch among those created since it was claimed: the same body
    /// is the touch. Another message there is something a person should look at (`Unknown`);
    /// none, in a list that is complete, means Twilio never took it (`NotSent`).
    async fn lookup(&self, message: &OutboundMessage, since: DateTime<Utc>) -> Lookup {
        let mut query = vec![("To", message.to.as_str()), ("PageSize", LOOKUP_PAGE_SIZE)];
        if let Some(from) = &message.from {
            query.push(("From", from.as_str()));
        }
        let page = match self.api.list("Messages.json", &query).await {
            Ok(reply) if reply.status.is_success() => serde_json::from_slice::<MessagePage>(&reply.body),
            Ok(reply) => {
                tracing::warn!(provider = PROVIDER, touch = %message.touch_id, status = %reply.status, "message lookup refused");
                return Lookup::Unknown;
            }
            Err(error) => {
                tracing::warn!(provider = PROVIDER, touch = %message.touch_id, %error, "message lookup failed");
                return Lookup::Unknown;
            }
        };
        match page {
            Ok(page) => page.find(message, since),
            Err(error) => {
                tracing::warn!(provider = PROVIDER, touch = %message.touch_id, %error, "message list unreadable");
                Lookup::Unknown
            }
        }
    }
}

/// One page of Twilio's Messages list, as its API documents it (the fields read here).
#[derive(Deserialize)]
struct MessagePage {
    messages: Vec<ListedMessage>,
    next_page_uri: Option<String>,
}

#[derive(Deserialize)]
struct ListedMessage {
    sid: String,
    body: Option<String>,
    /// `outbound-api` for ours, `inbound` for the lead's.
    direction: Option<String>,
    /// RFC 2822, as Twilio writes dates: `Thu, 05 Mar 2026 15:00:01 +0000`.
    date_created: Option<String>,
}

impl ListedMessage {
    fn created(&self) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc2822(self.date_created.as_deref()?).ok().map(|at| at.to_utc())
    }
}

impl MessagePage {
    /// What the page says of `message`, claimed at `since`.
    fn find(&self, message: &OutboundMessage, since: DateTime<Utc>) -> Lookup {
        let ours_since = self.messages.iter().filter(|m| {
            m.direction.as_deref().is_some_and(|d| d.starts_with("outbound"))
                && m.created().is_none_or(|at| at >= since - CLOCK_SLACK)
        });
        let mut others = false;
        for listed in ours_since {
            if listed.body.as_deref() == Some(message.body.as_str()) {
                return Lookup::Sent { provider_id: listed.sid.clone(), at: listed.created() };
            }
            others = true;
        }
        if others || self.next_page_uri.is_some() {
            Lookup::Unknown
        } else {
            Lookup::NotSent
        }
    }
}

/// The created message (Twilio answers 201 with the whole resource).
#[derive(Deserialize)]
struct Created {
    sid: String,
}

/// Twilio's error body: `{"code": 21610, "message": "...", "more_info": "...", "status": 400}`.
#[derive(Deserialize)]
struct ErrorBody {
    code: Option<u32>,
    message: Option<String>,
}

fn read_reply(reply: Reply) -> Result<String, SendError> {
    if reply.status.is_success() {
        return match serde_json::from_slice::<Created>(&reply.body) {
            Ok(created) if !created.sid.is_empty() => Ok(created.sid),
            _ => Err(SendError::OutcomeUnknown(format!(
                "twilio answered {} without a sid; the message or call was probably sent, \
                 so it is not resent",
                reply.status
            ))),
        };
    }
    let body: Option<ErrorBody> = serde_json::from_slice(&reply.body).ok();
    let code = body.as_ref().and_then(|b| b.code);
    let text = body.and_then(|b| b.message).map(|m| redact_phones(&m)).unwrap_or_default();
    let reason = code.map_or(Undeliverable::Rejected, twilio_undeliverable);
    let code = code.map_or_else(|| "no error code".to_owned(), |c| format!("error {c}"));
    Err(SendError::Permanent { reason, detail: format!("twilio answered {} ({code}): {text}", reply.status) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;

    fn reply(status: u16, body: &str) -> Reply {
        Reply { status: StatusCode::from_u16(status).unwrap(), body: body.as_bytes().to_vec() }
    }

    #[test]
    fn an_error_without_a_json_body_is_rejected_with_its_status() {
        let Err(SendError::Permanent { reason, detail }) = read_reply(reply(401, "Unauthorized")) else {
            panic!("expected a permanent error");
        };
        assert_eq!(reason, Undeliverable::Rejected);
        assert!(detail.contains("401"), "{detail}");
    }

    #[test]
    fn a_success_without_a_sid_is_an_unknown_outcome() {
        let error = read_reply(reply(201, "{}")).unwrap_err();
        assert!(matches!(error, SendError::OutcomeUnknown(_)), "{error:?}");
    }
}
