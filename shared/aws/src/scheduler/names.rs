//! Schedule names and times: pure functions.

use chrono::{DateTime, Duration, DurationRound, Utc};
use leadflow_core::ports::Wakeup;
use sha2::{Digest, Sha256};

/// A deterministic schedule name (`[0-9a-zA-Z-_.]`, at most 64): the same step of the same
/// enrolment version (the same hand-off's SLA check) always gets the same name, so a retry
/// meets `ConflictException` instead of creating a twin.
pub fn schedule_name(wakeup: &Wakeup) -> String {
    let digest = Sha256::digest(wakeup.name().as_bytes());
    format!("lf-{}-{}", wakeup.tenant().as_str().chars().take(20).collect::<String>(), &hex::encode(digest)[..40])
}

/// The minute a schedule fires in: at least a full minute before the touch is due, since
/// EventBridge Scheduler fires anywhere inside the minute of its `at()` time.
pub fn fire_minute(due_at: DateTime<Utc>) -> DateTime<Utc> {
    (due_at - Duration::minutes(1)).duration_trunc(Duration::minutes(1)).expect("a minute divides any instant")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use leadflow_core::domain::{EnrolmentId, LeadId, TenantId};
    use leadflow_core::ports::DueTouch;

    fn due(step: usize) -> Wakeup {
        Wakeup::Touch(DueTouch {
            tenant: TenantId::parse("a-tenant-with-a-rather-long-slug-indeed").unwrap(),
            lead_id: LeadId::parse("ld_0000000000000000000000000000abcd").unwrap(),
            enrolment_id: EnrolmentId::parse("en_0000000000000000000000000000abcd").unwrap(),
            step,
            version: 3,
            due_at: Utc.with_ymd_and_hms(2026, 3, 8, 14, 0, 0).unwrap(),
        })
    }

    #[test]
    fn names_are_deterministic_short_and_distinct_per_step() {
        assert_eq!(schedule_name(&due(1)), schedule_name(&due(1)));
        assert_ne!(schedule_name(&due(1)), schedule_name(&due(2)));
        let name = schedule_name(&due(1));
        assert!(name.len() <= 64, "{name}");
        assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)), "{name}");
    }

    #[test]
    fn a_schedule_fires_at_least_a_minute_early() {
        let on_the_minute = Utc.with_ymd_and_hms(2026, 3, 8, 14, 0, 0).unwrap();
        assert_eq!(fire_minute(on_the_minute), Utc.with_ymd_and_hms(2026, 3, 8, 13, 59, 0).unwrap());
        let mid_minute = Utc.with_ymd_and_hms(2026, 3, 8, 14, 0, 30).unwrap();
        assert_eq!(fire_minute(mid_minute), Utc.with_ymd_and_hms(2026, 3, 8, 13, 59, 0).unwrap());
        // The whole firing minute lies before the due time.
        assert!(fire_minute(mid_minute) + Duration::seconds(59) < mid_minute);
    }
}
