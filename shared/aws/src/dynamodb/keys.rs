//! Key builders: small pure functions, one per item kind. Every partition key starts with
//! the tenant (except the tenant directory itself).

use chrono::NaiveDate;
use leadflow_core::domain::{Email, EnrolmentId, IdempotencyKey, LeadId, PhoneNumber, TenantId, TouchId};

/// The sort key of the lead item in its partition.
pub const LEAD_SK: &str = "LEAD";
/// The sort key of an email or phone uniqueness item.
pub const CONTACT_SK: &str = "CONTACT";
/// The sort key of an idempotency record.
pub const IDEMPOTENCY_SK: &str = "IDEM";
/// The partition of tenant files.
pub const TENANTS_PK: &str = "TENANTS";
/// The sort-key prefix of an enrolment in its lead's partition.
pub const ENROLMENT_PREFIX: &str = "EN#";
/// The sort-key prefix of a touch in its lead's partition.
pub const TOUCH_PREFIX: &str = "TC#";
/// The sort-key prefix of a timeline entry in its lead's partition.
pub const EVENT_PREFIX: &str = "EV#";
/// The sort-key prefix of a day's counters in the tenant's counters partition.
pub const DAY_PREFIX: &str = "DAY#";

/// A lead's partition: the lead, its enrolments, touches and timeline.
pub fn lead_pk(tenant: &TenantId, lead: &LeadId) -> String {
    format!("T#{tenant}#L#{lead}")
}

/// The sort key of an enrolment in its lead's partition.
pub fn enrolment_sk(id: &EnrolmentId) -> String {
    format!("{ENROLMENT_PREFIX}{id}")
}

/// The sort key of a touch in its lead's partition.
pub fn touch_sk(id: &TouchId) -> String {
    format!("{TOUCH_PREFIX}{id}")
}

/// Timeline entries sort by a time-ordered UUID (v7, monotonic within a process), so
/// entries of one write keep their order.
pub fn event_sk(id: uuid::Uuid) -> String {
    format!("{EVENT_PREFIX}{}", id.simple())
}

/// The partition that claims an email address for one lead of the tenant.
pub fn email_pk(tenant: &TenantId, email: &Email) -> String {
    format!("T#{tenant}#EMAIL#{email}")
}

/// The partition that claims a phone number for one lead of the tenant.
pub fn phone_pk(tenant: &TenantId, phone: &PhoneNumber) -> String {
    format!("T#{tenant}#PHONE#{phone}")
}

/// A number's opt-out, apart from any lead.
pub fn opt_out_pk(tenant: &TenantId, phone: &PhoneNumber) -> String {
    format!("T#{tenant}#OPTOUT#{phone}")
}

/// The sort key of an opt-out item.
pub const OPT_OUT_SK: &str = "OPTOUT";

/// The partition of the intake receipt kept for an idempotency key.
pub fn idempotency_pk(tenant: &TenantId, key: &IdempotencyKey) -> String {
    format!("T#{tenant}#IDEM#{}", key.as_str())
}

/// One partition of per-day counter items per tenant: a report is one Query.
pub fn counters_pk(tenant: &TenantId) -> String {
    format!("T#{tenant}#COUNTERS")
}

/// The partition of a claimed inbound message id.
pub fn inbound_pk(tenant: &TenantId, message_id: &str) -> String {
    format!("T#{tenant}#INBOUND#{message_id}")
}

/// The sort key of a claimed inbound message id.
pub const INBOUND_SK: &str = "INBOUND";

/// The partition of one window of a rate (a form's posts in one minute).
pub fn rate_pk(tenant: &TenantId, rate: &str, window_start: i64) -> String {
    format!("T#{tenant}#RATE#{rate}#{window_start}")
}

/// The sort key of a rate window's item.
pub const RATE_SK: &str = "RATE";

/// The partition of a lead source's raw request, by its key.
pub fn payload_pk(tenant: &TenantId, key: &str) -> String {
    format!("T#{tenant}#PAYLOAD#{key}")
}

/// The sort key of a raw request's item.
pub const PAYLOAD_SK: &str = "PAYLOAD";

/// The partition of one of the tenant's lists (the leads waiting for a human ...); each
/// lead on it is an item whose sort key is the lead's id.
pub fn list_pk(tenant: &TenantId, list: &str) -> String {
    format!("T#{tenant}#LIST#{list}")
}

/// The sort key of a rep's item, beside the tenant's day counters.
pub fn rep_sk(name: &str) -> String {
    format!("{REP_PREFIX}{name}")
}

/// The sort-key prefix of a rep's item (away or not, leads waiting) in the counters partition.
pub const REP_PREFIX: &str = "REP#";

/// The sort key of a rotation's turn counter, beside the tenant's day counters.
pub fn rotation_sk(name: &str) -> String {
    format!("ROTATION#{name}")
}

/// The sort key of one day's counters; keys sort by date, so a date range is one Query.
pub fn day_sk(day: NaiveDate) -> String {
    format!("{DAY_PREFIX}{day}")
}

/// The GSI partition holding a tenant's active enrolments (sparse: only active ones).
pub fn active_pk(tenant: &TenantId) -> String {
    format!("T#{tenant}#ACTIVE")
}

/// The sort key of a tenant's file in the `TENANTS` partition.
pub fn tenant_sk(tenant: &TenantId) -> String {
    format!("T#{tenant}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant() -> TenantId {
        TenantId::parse("acme").unwrap()
    }

    #[test]
    fn every_tenant_key_starts_with_the_tenant() {
        let t = tenant();
        let keys = [
            lead_pk(&t, &LeadId::new()),
            email_pk(&t, &Email::parse("a@b.co").unwrap()),
            phone_pk(&t, &PhoneNumber::parse_e164("+14155552671").unwrap()),
            idempotency_pk(&t, &IdempotencyKey::parse("k1").unwrap()),
            counters_pk(&t),
            active_pk(&t),
        ];
        for key in keys {
            assert!(key.starts_with("T#acme#"), "{key}");
        }
    }

    #[test]
    fn day_keys_sort_by_date() {
        let early = day_sk(NaiveDate::from_ymd_opt(2026, 1, 9).unwrap());
        let late = day_sk(NaiveDate::from_ymd_opt(2026, 1, 10).unwrap());
        assert!(early < late);
    }

    #[test]
    fn event_keys_sort_in_creation_order() {
        let a = event_sk(uuid::Uuid::now_v7());
        let b = event_sk(uuid::Uuid::now_v7());
        assert!(a < b);
    }
}
