//! Making a step run at its due time.

use crate::domain::{Enrolment, EnrolmentId, LeadId, TenantId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The message that makes a step run: it names the step and carries the enrolment's version
/// as a token, so a message that outlived a change is recognised and dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueTouch {
    pub tenant: TenantId,
    pub lead_id: LeadId,
    pub enrolment_id: EnrolmentId,
    pub step: usize,
    pub version: u64,
    pub due_at: DateTime<Utc>,
}

impl DueTouch {
    /// The message that runs an active enrolment's next step.
    pub fn next_of(enrolment: &Enrolment) -> Option<Self> {
        if !enrolment.is_active() {
            return None;
        }
        Some(Self {
            tenant: enrolment.tenant.clone(),
            lead_id: enrolment.lead_id.clone(),
            enrolment_id: enrolment.id.clone(),
            step: enrolment.next_step,
            version: enrolment.version,
            due_at: enrolment.next_due_at?,
        })
    }

    /// A deterministic name: scheduling the same step twice cannot create a twin.
    pub fn name(&self) -> String {
        format!("{}-{}-{}-{}", self.tenant, self.enrolment_id, self.step, self.version)
    }
}

/// Why a schedule could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("scheduling failed: {0}")]
pub struct ScheduleError(pub String);

/// Delivers `DueTouch` messages at their due time (SQS + EventBridge Scheduler on AWS, an
/// in-process timer over the embedded store locally). At-least-once: the step use case
/// makes the effect exactly-once.
#[async_trait]
pub trait TouchScheduler: Send + Sync {
    /// Arranges for `due` to be delivered at `due.due_at` (at once if that is past).
    async fn schedule(&self, due: DueTouch) -> Result<(), ScheduleError>;
    /// Withdraws a pending delivery; a missing one is not an error.
    async fn cancel(&self, due: &DueTouch) -> Result<(), ScheduleError>;
}
