//! The stored shapes. Private: what leaves the store is a domain type, parsed again.

use chrono::{DateTime, Utc};
use leadflow_core::domain::{Enrolment, IntakeReceipt, Lead, OptOutRecord, TimelineEntry, Touch};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
pub(super) struct LeadItem {
    pub pk: String,
    pub sk: String,
    /// Copied out of the lead so conditions can read it.
    pub version: u64,
    pub lead: Lead,
}

/// A lead's entry on one of the tenant's lists (see `ListChange`).
#[derive(Serialize, Deserialize)]
pub(super) struct ListedItem {
    pub pk: String,
    pub sk: String,
    pub entry: leadflow_core::ports::Listed,
}

#[derive(Serialize, Deserialize)]
pub(super) struct ContactItem {
    pub pk: String,
    pub sk: String,
    pub lead_id: String,
}

#[derive(Serialize, Deserialize)]
pub(super) struct IdempotencyItem {
    pub pk: String,
    pub sk: String,
    pub receipt: IntakeReceipt,
    /// Microseconds since the epoch; reads and conditions compare it, they do not trust TTL
    /// deletion.
    pub expires_at_us: i64,
    /// The table's TTL attribute (epoch seconds, rounded up): DynamoDB deletes the item some
    /// time after.
    pub ttl: i64,
}

#[derive(Serialize, Deserialize)]
pub(super) struct EnrolmentItem {
    pub pk: String,
    pub sk: String,
    pub version: u64,
    pub enrolment: Enrolment,
    /// Set only while the enrolment is active: the sparse index of active enrolments.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gsi1pk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gsi1sk: Option<String>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct TouchItem {
    pub pk: String,
    pub sk: String,
    pub touch: Touch,
}

#[derive(Serialize, Deserialize)]
pub(super) struct EventItem {
    pub pk: String,
    pub sk: String,
    pub entry: TimelineEntry,
}

#[derive(Serialize, Deserialize)]
pub(super) struct OptOutItem {
    pub pk: String,
    pub sk: String,
    pub record: OptOutRecord,
    /// On the tenant's do-not-contact list (set by `add_to_dnc` beside the record it keeps).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dnc: bool,
}

#[derive(Serialize, Deserialize)]
pub(super) struct TenantItem {
    pub pk: String,
    pub sk: String,
    /// The tenant file as written (TOML), validated again on every load.
    pub source: String,
    pub updated_at: DateTime<Utc>,
}
