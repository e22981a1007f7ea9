//! A touch: one message, call or voicemail handed to a channel.

use super::{Channel, EnrolmentId, LeadId, Signal, TenantId, TouchId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a touch stands. `Claimed` (or `Resending`) long after its claim means the process
/// died before the channel's answer was recorded: the next message of the lead asks the
/// channel what became of it (see `app::uncertain`) and records the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum TouchStatus {
    Claimed,
    /// Found unrecorded after a crash, and the channel said it never had it: taken at `since`
    /// for the one resend (a conditional write, so two deliveries cannot both resend).
    Resending {
        since: DateTime<Utc>,
    },
    Sent {
        sent_at: DateTime<Utc>,
        provider_id: String,
    },
    Failed {
        failed_at: DateTime<Utc>,
        reason: String,
    },
    /// Found unrecorded after a crash, and the channel cannot tell whether it went out: never
    /// sent again; counted, on the timeline, and the team chat told, so a person follows up.
    Uncertain {
        since: DateTime<Utc>,
        reason: String,
    },
}

/// How far a sent message got, as the provider reported it later (a status callback).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// The provider handed it to the carrier.
    Sent,
    /// The carrier confirmed it reached the handset.
    Delivered,
    /// The carrier could not deliver it.
    Undelivered,
    /// The provider could not send it.
    Failed,
}

impl DeliveryState {
    /// Reads Twilio's `MessageStatus` (`queued`, `accepted`, `sending` … say nothing yet).
    pub fn from_twilio(status: &str) -> Option<Self> {
        Some(match status {
            "sent" => Self::Sent,
            "delivered" | "read" => Self::Delivered,
            "undelivered" => Self::Undelivered,
            "failed" => Self::Failed,
            _ => return None,
        })
    }

    /// The lead's signal for this final state of a text (`sms_delivered`, `sms_failed`); none
    /// for other channels or a state that is not final.
    pub fn signal(self, channel: Channel) -> Option<Signal> {
        match (channel, self) {
            (Channel::Sms, Self::Delivered) => Some(Signal::SmsDelivered),
            (Channel::Sms, Self::Undelivered | Self::Failed) => Some(Signal::SmsFailed),
            _ => None,
        }
    }

    /// Whether the state is the end of the story (reports may arrive out of order: a late
    /// `sent` never replaces a `delivered`).
    pub fn is_final(self) -> bool {
        self != Self::Sent
    }
}

/// The provider's latest word on a sent touch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub state: DeliveryState,
    pub at: DateTime<Utc>,
    /// The provider's error code, for a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<u32>,
}

impl Delivery {
    /// Whether `self` should replace `current`: a final state replaces a `sent`, nothing
    /// replaces a final one.
    pub fn supersedes(&self, current: Option<&Delivery>) -> bool {
        match current {
            None => true,
            Some(current) => !current.state.is_final() && self.state.is_final(),
        }
    }
}

/// A touch as recorded on the lead's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Touch {
    pub id: TouchId,
    pub tenant: TenantId,
    pub lead_id: LeadId,
    pub enrolment_id: EnrolmentId,
    pub step: usize,
    pub channel: Channel,
    pub to: String,
    pub template: String,
    pub due_at: DateTime<Utc>,
    pub claimed_at: DateTime<Utc>,
    pub status: TouchStatus,
    /// What the provider reported after sending, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
}

impl Touch {
    /// When the touch counts against frequency caps: from its claim, sent or not, since a
    /// claimed touch may have gone out.
    pub fn counted_at(&self) -> DateTime<Utc> {
        self.claimed_at
    }

    /// When the send whose answer was never recorded began (its claim, or the resend), while
    /// nothing is recorded; `None` once the touch is sent, failed or uncertain.
    pub fn unrecorded_since(&self) -> Option<DateTime<Utc>> {
        match &self.status {
            TouchStatus::Claimed => Some(self.claimed_at),
            TouchStatus::Resending { since } => Some(*since),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn delivery(state: DeliveryState) -> Delivery {
        Delivery { state, at: Utc.with_ymd_and_hms(2026, 3, 5, 15, 0, 0).unwrap(), error_code: None }
    }

    #[test]
    fn a_final_state_replaces_sent_and_nothing_replaces_a_final_one() {
        use DeliveryState::*;
        assert!(delivery(Sent).supersedes(None));
        assert!(delivery(Delivered).supersedes(Some(&delivery(Sent))));
        assert!(delivery(Failed).supersedes(Some(&delivery(Sent))));
        assert!(!delivery(Sent).supersedes(Some(&delivery(Delivered))));
        assert!(!delivery(Sent).supersedes(Some(&delivery(Sent))));
        assert!(!delivery(Undelivered).supersedes(Some(&delivery(Delivered))));
    }

    #[test]
    fn twilio_statuses_that_say_nothing_yet_are_not_states() {
        assert_eq!(DeliveryState::from_twilio("delivered"), Some(DeliveryState::Delivered));
        assert_eq!(DeliveryState::from_twilio("read"), Some(DeliveryState::Delivered));
        for silent in ["queued", "accepted", "sending", "scheduled", "canceled", ""] {
            assert_eq!(DeliveryState::from_twilio(silent), None, "{silent}");
        }
    }
}
