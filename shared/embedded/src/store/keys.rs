//! Key builders: small pure functions, every key prefixed by tenant so that no scan or get
//! can cross into another tenant's data.

use chrono::{DateTime, NaiveDate, Utc};
use leadflow_core::domain::{Email, EnrolmentId, IdempotencyKey, LeadId, PhoneNumber, TenantId, TouchId};

pub fn lead(tenant: &TenantId, id: &LeadId) -> String {
    format!("{tenant}#{id}")
}

pub fn email(tenant: &TenantId, email: &Email) -> String {
    format!("{tenant}#email#{email}")
}

pub fn phone(tenant: &TenantId, phone: &PhoneNumber) -> String {
    format!("{tenant}#phone#{phone}")
}

pub fn opt_out(tenant: &TenantId, phone: &PhoneNumber) -> String {
    format!("{tenant}#{phone}")
}

pub fn idempotency(tenant: &TenantId, key: &IdempotencyKey) -> String {
    format!("{tenant}#{}", key.as_str())
}

/// Everything under one lead (enrolments, touches, timeline) starts with this.
pub fn lead_prefix(tenant: &TenantId, lead: &LeadId) -> String {
    format!("{tenant}#{lead}#")
}

/// Everything of one tenant starts with this.
pub fn tenant_prefix(tenant: &TenantId) -> String {
    format!("{tenant}#")
}

pub fn enrolment(tenant: &TenantId, lead: &LeadId, id: &EnrolmentId) -> String {
    format!("{tenant}#{lead}#{id}")
}

pub fn touch(tenant: &TenantId, lead: &LeadId, id: &TouchId) -> String {
    format!("{tenant}#{lead}#{id}")
}

/// Timeline entries sort by a store-wide sequence, so two entries at the same instant keep
/// their order.
pub fn timeline(tenant: &TenantId, lead: &LeadId, seq: u64) -> String {
    format!("{tenant}#{lead}#{seq:020}")
}

/// A claimed inbound message id.
pub fn inbound(tenant: &TenantId, message_id: &str) -> String {
    format!("{tenant}#{message_id}")
}

/// A rep's record: away or not, leads waiting on them.
/// A lead's row on one of the tenant's lists; with an empty lead, the list's prefix.
pub fn listed(tenant: &TenantId, list: &str, lead: &str) -> String {
    format!("{tenant}#{list}#{lead}")
}

pub fn rep(tenant: &TenantId, name: &str) -> String {
    format!("{tenant}#{name}")
}

/// A rate's window of hits (a form's posts a minute).
pub fn rate(tenant: &TenantId, rate: &str) -> String {
    format!("{tenant}#{rate}")
}

/// A rotation's turn counter, in the store-wide sequences table.
pub fn rotation(tenant: &TenantId, name: &str) -> String {
    format!("rotation#{tenant}#{name}")
}

pub fn counter_day(tenant: &TenantId, day: NaiveDate) -> String {
    format!("{tenant}#{day}#")
}

pub fn counter(tenant: &TenantId, day: NaiveDate, name: &str) -> String {
    format!("{tenant}#{day}#{name}")
}

/// Pending schedules sort by due time, so the earliest is the first key.
pub fn schedule(due_at: DateTime<Utc>, name: &str) -> String {
    format!("{:020}#{name}", due_at.timestamp_micros().max(0))
}

pub fn outbox(seq: u64) -> String {
    format!("{seq:020}")
}

/// The exclusive upper bound of a prefix scan.
pub fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn every_tenant_key_starts_with_its_tenant() {
        let t = TenantId::parse("acme").unwrap();
        let lead_id = LeadId::new();
        for key in [
            lead(&t, &lead_id),
            email(&t, &Email::parse("a@b.co").unwrap()),
            enrolment(&t, &lead_id, &EnrolmentId::new()),
        ] {
            assert!(key.starts_with(&tenant_prefix(&t)), "{key}");
        }
    }

    #[test]
    fn a_tenant_prefix_does_not_match_a_longer_tenant() {
        let acme = tenant_prefix(&TenantId::parse("acme").unwrap());
        let lead_key = lead(&TenantId::parse("acme2").unwrap(), &LeadId::new());
        assert!(!lead_key.starts_with(&acme));
    }

    #[test]
    fn schedule_keys_sort_by_due_time() {
        let early = schedule(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(), "z");
        let late = schedule(Utc.with_ymd_and_hms(2026, 1, 2, 0, 0, 0).unwrap(), "a");
        assert!(early < late);
    }

    #[test]
    fn timeline_keys_sort_by_sequence() {
        let t = TenantId::parse("acme").unwrap();
        let l = LeadId::new();
        assert!(timeline(&t, &l, 9) < timeline(&t, &l, 10));
    }
}
