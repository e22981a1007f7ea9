//! An enrolment: one lead moving through one cadence.

use super::{CadenceName, EnrolmentId, Guard, LeadId, TenantId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Why a cadence stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    Replied,
    OptedOut,
    Booked,
    Disqualified,
    Won,
    Unreachable,
    /// The booking the cadence led up to was cancelled.
    Cancelled,
    /// The lead missed the booked slot.
    NoShow,
    /// The lead came to the booked slot.
    Showed,
    /// A trigger with `stop_others` started another cadence in its place.
    Replaced,
    /// Its trigger's `unless` held when the wait was over (`email_opened`, `after = "2h"`,
    /// `unless = "clicked"`, and the lead clicked).
    HeldBack,
}

/// What a trigger with `after` / `unless` puts before its cadence: the steps count from
/// `opens_at`, and `unless` (kept until the first step is sent or skipped) is checked then,
/// against the signals since the trigger fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gate {
    pub opens_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unless: Option<Guard>,
}

/// Where an enrolment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "reason")]
pub enum EnrolmentStatus {
    Active,
    Stopped(StopReason),
    Completed,
}

/// One run of a cadence for one lead.
///
/// `version` is the token every scheduled message carries: any change (a step claimed, a
/// stop) bumps it, so a message scheduled before the change finds a stale token and is dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    pub id: EnrolmentId,
    pub tenant: TenantId,
    pub lead_id: LeadId,
    pub cadence: CadenceName,
    pub enrolled_at: DateTime<Utc>,
    /// The instant `before` steps count back from: the booked slot of a reminders cadence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor_at: Option<DateTime<Utc>>,
    /// A trigger's wait and condition, if it had them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<Gate>,
    /// The index of the step to run next.
    pub next_step: usize,
    /// When that step is scheduled to run (after quiet hours and caps).
    pub next_due_at: Option<DateTime<Utc>>,
    pub status: EnrolmentStatus,
    pub version: u64,
}

impl Enrolment {
    /// Whether the enrolment still has touches to send.
    pub fn is_active(&self) -> bool {
        self.status == EnrolmentStatus::Active
    }

    /// The instant the cadence's steps count from: the end of its trigger's wait, else the
    /// enrolment itself.
    pub fn start(&self) -> DateTime<Utc> {
        self.gate.as_ref().map_or(self.enrolled_at, |gate| gate.opens_at)
    }
}
