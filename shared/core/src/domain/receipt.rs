//! The answer to an intake, stored under its idempotency key so a replay gets it again.

use super::LeadId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What intake did with a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntakeStatus {
    /// A new lead, enrolled in a cadence.
    Enrolled,
    /// A repeat enquiry, merged into the lead with the same email or phone.
    Merged,
    /// Stored, but no channel may reach the lead (no consent, or opted out).
    Suppressed,
}

/// The body of a 202 from `POST /v1/leads`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeReceipt {
    pub lead_id: LeadId,
    pub status: IntakeStatus,
    pub cadence: Option<String>,
    pub next_touch_at: Option<DateTime<Utc>>,
}
