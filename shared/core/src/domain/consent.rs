//! Consent to be contacted, per channel, with the evidence a regulator would ask for.

use super::Channel;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the lead agreed to and how we know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub sms: bool,
    pub email: bool,
    pub voice: bool,
    pub evidence: ConsentEvidence,
}

/// The record of how consent was captured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentEvidence {
    /// The wording the lead agreed to, as shown on the form.
    pub text: Option<String>,
    /// When the lead agreed (the form's timestamp, else when we received it).
    pub captured_at: DateTime<Utc>,
    /// The lead's IP address as the form saw it.
    pub ip: Option<String>,
    /// The lead's browser as the form saw it (`User-Agent`), where leadflow served the form's post.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Where the consent came from (the lead's source).
    pub source: String,
}

impl Consent {
    /// Whether the lead consented to `channel`. Consent to calls covers ringless voicemail:
    /// the FCC treats a voicemail dropped without ringing as a call (declaratory ruling
    /// 22-85, 2022), so it needs the same consent as a call, no more and no less.
    pub fn allows(&self, channel: Channel) -> bool {
        match channel {
            Channel::Sms => self.sms,
            Channel::Email => self.email,
            Channel::Voice | Channel::Voicemail => self.voice,
        }
    }
}

/// A number's opt-out from a tenant's texts and calls, with its evidence: what was said, when
/// it arrived (it takes effect once stored; the lead's timeline has that moment),
/// on which channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptOutRecord {
    pub at: DateTime<Utc>,
    pub channel: Channel,
    /// The message as the person sent it ("STOP", "please stop texting me"), or why the
    /// tenant put the number on its do-not-contact list.
    pub message: String,
    /// The number is on the tenant's do-not-contact list: only the tenant takes it off, a
    /// START from the number does not.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dnc: bool,
}

impl OptOutRecord {
    /// A number's opt-out by a message it sent.
    pub fn by_message(at: DateTime<Utc>, channel: Channel, message: String) -> Self {
        Self { at, channel, message, dnc: false }
    }
}
