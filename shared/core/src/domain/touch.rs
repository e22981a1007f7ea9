//! A touch: one message, call or voicemail handed to a channel.

use super::{Channel, EnrolmentId, LeadId, TenantId, TouchId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a touch stands. `Claimed` without a later state means the process died between
/// claiming and recording: the touch is uncertain and is never sent again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum TouchStatus {
    Claimed,
    Sent { sent_at: DateTime<Utc>, provider_id: String },
    Failed { failed_at: DateTime<Utc>, reason: String },
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
}

impl Touch {
    /// When the touch counts against frequency caps: from its claim, sent or not, since a
    /// claimed touch may have gone out.
    pub fn counted_at(&self) -> DateTime<Utc> {
        self.claimed_at
    }
}
