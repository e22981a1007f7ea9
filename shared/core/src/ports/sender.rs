//! Handing a touch to a provider (or, locally, to the outbox).

use crate::domain::{Channel, LeadId, PhoneNumber, TenantId, TouchId, Undeliverable};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A rendered touch, or a reply to an inbound message, ready for a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundMessage {
    /// Our id for the touch; providers without an idempotency key of their own get this one.
    pub touch_id: TouchId,
    pub tenant: TenantId,
    /// The lead a cadence touch is for; none for a reply, which may answer a number that is
    /// not a lead.
    pub lead_id: Option<LeadId>,
    pub channel: Channel,
    pub to: String,
    pub from: Option<String>,
    pub subject: Option<String>,
    pub body: String,
    /// An email's one-click unsubscribe link (also in its body), for the provider's
    /// `List-Unsubscribe` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsubscribe_url: Option<String>,
    pub step: usize,
    pub due_at: DateTime<Utc>,
}

impl OutboundMessage {
    /// An SMS from the tenant's number `from` answering one `to` sent it (HELP's text, the
    /// confirmation of an opt-out in words), for providers that take no answer in the webhook
    /// response. No cadence's touch: an id of its own, no lead, step 0, due now.
    pub fn sms_reply(tenant: TenantId, from: &PhoneNumber, to: &PhoneNumber, body: String, now: DateTime<Utc>) -> Self {
        Self {
            touch_id: TouchId::new(),
            tenant,
            lead_id: None,
            channel: Channel::Sms,
            to: to.to_string(),
            from: Some(from.to_string()),
            subject: None,
            body,
            unsubscribe_url: None,
            step: 0,
            due_at: now,
        }
    }
}

/// Why a send failed, as far as the cadence cares.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Not sent, failed for now (429, 5xx, no connection) after the adapter's own retries.
    #[error("transient: {0}")]
    Transient(String),
    /// The provider may or may not have taken the message (a timeout once the request was
    /// sent, a 2xx without an id): the touch is recorded as failed and never sent again.
    #[error("outcome unknown: {0}")]
    OutcomeUnknown(String),
    /// Will never succeed as it is.
    #[error("permanent ({reason:?}): {detail}")]
    Permanent { reason: Undeliverable, detail: String },
}

/// What a channel knows of a touch whose send began and was never recorded (the process died
/// before the provider's answer was written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The provider has it: its id, and when it took it if the provider says.
    Sent { provider_id: String, at: Option<DateTime<Utc>> },
    /// The provider never had it: sending it now makes the one copy.
    NotSent,
    /// The channel cannot tell.
    Unknown,
}

/// The longest a send can take, from its claim to the provider's answer, for a channel that
/// says nothing else (`Sender::longest_send`). The sending discipline's worst case is three
/// attempts of at most 10 s and two waits of at most 5 s, 40 s (`leadflow_providers::send`);
/// on AWS the step function's 10 s timeout ends every send sooner. A touch claimed longer ago
/// than this whose answer was never recorded is not in flight any more: its process died.
pub const LONGEST_SEND: Duration = Duration::from_secs(60);

/// Sends touches.
#[async_trait]
pub trait Sender: Send + Sync {
    /// Hands `message` to the provider at `now`; answers the provider's message id.
    async fn send(&self, message: &OutboundMessage, now: DateTime<Utc>) -> Result<String, SendError>;

    /// The longest a send of `message` through this channel can take (see [`LONGEST_SEND`]):
    /// only after it is a touch left unrecorded looked up, and resent if it was not sent.
    fn longest_send(&self, _message: &OutboundMessage) -> Duration {
        LONGEST_SEND
    }

    /// Whether `message`, whose send began at `since` more than `longest_send` ago and was
    /// never recorded, reached the provider. `Unknown` unless the provider can be asked.
    async fn lookup(&self, _message: &OutboundMessage, _since: DateTime<Utc>) -> Lookup {
        Lookup::Unknown
    }
}
