//! The ways leadflow reaches a lead.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A contact channel. Consent, opt-out and caps are all per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Sms,
    Email,
    Voice,
    /// Ringless voicemail: a recording dropped straight into the lead's voicemail box.
    Voicemail,
}

impl Channel {
    /// Every channel, in a stable order.
    pub const ALL: [Channel; 4] = [Channel::Sms, Channel::Email, Channel::Voice, Channel::Voicemail];

    /// The channels that reach the lead's phone: an opt-out from the number silences them all.
    pub const PHONE: [Channel; 3] = [Channel::Sms, Channel::Voice, Channel::Voicemail];

    /// The lowercase name used in config, JSON and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "email",
            Channel::Voice => "voice",
            Channel::Voicemail => "voicemail",
        }
    }

    /// Whether the channel reaches the lead's phone (and so is silenced by a phone opt-out).
    pub fn uses_phone(self) -> bool {
        Channel::PHONE.contains(&self)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a send can never succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Undeliverable {
    /// Not a valid address for this channel (a malformed or unallocated number).
    InvalidAddress,
    /// The address cannot receive this channel (SMS to a landline).
    Unreachable,
    /// The recipient opted out at the carrier (Twilio 21610), or unsubscribed at the provider.
    OptedOutAtCarrier,
    /// The carrier or provider blocks messages to this address.
    Blocked,
    /// Refused for a reason of ours, not the lead's (credentials, sender, template): the
    /// lead's channel stays open.
    Rejected,
}

impl Undeliverable {
    /// Whether the lead's channel is closed for good: later touches on it are skipped.
    pub fn suppresses_channel(self) -> bool {
        !matches!(self, Undeliverable::Rejected)
    }
}
