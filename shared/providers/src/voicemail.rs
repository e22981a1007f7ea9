//! Ringless voicemail through any vendor with a JSON HTTP API: the tenant file names the URL,
//! the auth and the body (a template with placeholders); this adapter fills it in and posts it
//! with the sending discipline of [`crate::send`].
//!
//! Idempotency: the touch id goes out as `Idempotency-Key`, so a vendor that honours the
//! header drops a retried request; for the rest, as with Twilio, at-most-once rests on the
//! claim before the send and on retrying only what cannot have been taken (no connection,
//! 429, 5xx).
//!
//! A generic adapter cannot know what a vendor's error codes mean, so every refusal (4xx) is
//! `Rejected`: the touch fails and the lead's voicemail channel stays open.

use crate::credential::Credential;
use crate::pacing::Pacer;
use crate::send::{BuildError, HttpSender, Reply, RetryPolicy};
use crate::{log_outcome, rejected, require_channel};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use leadflow_core::config::BodyTemplate;
use leadflow_core::domain::Channel;
use leadflow_core::ports::{OutboundMessage, SendError, Sender};
use leadflow_core::redact::redact_phones;
use serde_json::Value;

const PROVIDER: &str = "voicemail vendor";

/// The most of a vendor's error body kept in the touch's failure reason.
const MAX_ERROR_TEXT: usize = 200;

/// How requests to the vendor authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpAuth {
    /// `Authorization: Bearer <token>`.
    Bearer(Credential),
    /// HTTP basic.
    Basic {
        /// The account's user name.
        username: String,
        /// The account's password.
        password: Credential,
    },
    /// A header of the vendor's naming (`X-Api-Key: <value>`).
    Header {
        /// The header's name, as the vendor spells it (`X-Api-Key`).
        name: String,
        /// The header's value: the vendor's key.
        value: Credential,
    },
}

/// A vendor to drop voicemails through.
#[derive(Debug, Clone)]
pub struct VoicemailConfig {
    /// The endpoint that takes one drop per POST.
    pub url: String,
    /// The credentials each drop's request carries.
    pub auth: HttpAuth,
    /// The caller ID; none: the touch's sending number.
    pub from: Option<String>,
    /// The recording to drop (`{audio_url}`).
    pub audio_url: Option<String>,
    /// The JSON body, with placeholders.
    pub body: BodyTemplate,
    /// How drops are timed and retried.
    pub retry: RetryPolicy,
}

/// Drops voicemail touches through a vendor.
#[derive(Debug, Clone)]
pub struct VoicemailDrop {
    config: VoicemailConfig,
    http: HttpSender,
    pacer: Pacer,
}

impl VoicemailDrop {
    /// An adapter for `config`, pacing the drops from each caller ID with `pacer`.
    pub fn new(config: VoicemailConfig, pacer: Pacer) -> Result<Self, BuildError> {
        let http = HttpSender::new(config.retry)?;
        Ok(Self { config, http, pacer })
    }

    /// The body for `message`, each placeholder filled in.
    fn body(&self, message: &OutboundMessage, from: &str) -> Value {
        self.config.body.render(&|name| match name {
            "to" => Some(message.to.clone()),
            "from" => Some(from.to_owned()),
            "audio_url" => self.config.audio_url.clone(),
            "message" => Some(message.body.clone()),
            "touch_id" => Some(message.touch_id.to_string()),
            "lead_id" => message.lead_id.as_ref().map(ToString::to_string),
            _ => None,
        })
    }
}

#[async_trait]
impl Sender for VoicemailDrop {
    async fn send(&self, message: &OutboundMessage, _now: DateTime<Utc>) -> Result<String, SendError> {
        require_channel(PROVIDER, Channel::Voicemail, message)?;
        let Some(from) = self.config.from.as_deref().or(message.from.as_deref()) else {
            return Err(rejected("voicemail: no caller ID for the drop"));
        };
        let body = self.body(message, from);
        let touch = message.touch_id.to_string();
        self.pacer.acquire(from).await;
        let reply = self
            .http
            .send(PROVIDER, |client| {
                let request = client.post(&self.config.url).json(&body).header("Idempotency-Key", &touch);
                match &self.config.auth {
                    HttpAuth::Bearer(token) => request.bearer_auth(token.expose()),
                    HttpAuth::Basic { username, password } => request.basic_auth(username, Some(password.expose())),
                    HttpAuth::Header { name, value } => request.header(name.as_str(), value.expose()),
                }
            })
            .await;
        let result = reply.and_then(|reply| read_reply(reply, &touch));
        log_outcome(PROVIDER, message, &result);
        result
    }
}

/// The vendor's id for the drop (`id` or `data.id`, as most such APIs answer), else ours.
fn read_reply(reply: Reply, touch: &str) -> Result<String, SendError> {
    if reply.status.is_success() {
        let answer: Option<Value> = serde_json::from_slice(&reply.body).ok();
        let id = answer.as_ref().and_then(|a| a.get("id").or_else(|| a.get("data").and_then(|d| d.get("id"))));
        return Ok(match id {
            Some(Value::String(id)) if !id.is_empty() => id.clone(),
            Some(Value::Number(id)) => id.to_string(),
            _ => format!("rvm-{touch}"),
        });
    }
    let text: String = redact_phones(&String::from_utf8_lossy(&reply.body)).chars().take(MAX_ERROR_TEXT).collect();
    Err(rejected(format!("the voicemail vendor answered {}: {text}", reply.status)))
}
