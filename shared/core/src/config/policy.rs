//! `[quiet_hours]` and `[[caps]]`: when, and how often, a lead may be contacted.

use super::checker::Checker;
use super::file::RawTenantFile;
use crate::domain::{ContactPolicy, FrequencyCap, QuietHours, StepTime};
use chrono::NaiveTime;

/// Reads the contact policy; `None` if the quiet hours are wrong (each problem recorded).
pub(super) fn contact_policy(c: &mut Checker, raw: &RawTenantFile) -> Option<ContactPolicy> {
    let quiet_hours = quiet_hours(c, raw);
    let caps = caps(c, raw);
    Some(ContactPolicy { quiet_hours: quiet_hours?, caps })
}

/// `[quiet_hours] allowed_from, allowed_until` (HH:MM in the lead's zone); the default
/// window without the section.
fn quiet_hours(c: &mut Checker, raw: &RawTenantFile) -> Option<QuietHours> {
    let Some(q) = &raw.quiet_hours else { return Some(QuietHours::default()) };
    let time = |s: &String| NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| "must be HH:MM (24-hour)");
    let from = c.check("quiet_hours.allowed_from", &q.allowed_from, time);
    let until = c.check("quiet_hours.allowed_until", &q.allowed_until, time);
    let (from, until) = (from?, until?);
    c.check("quiet_hours.allowed_until", &q.allowed_until, |_| QuietHours::allowed_between(from, until))
}

/// `[[caps]] per, max`: at most `max` touches in any `per`, across channels.
fn caps(c: &mut Checker, raw: &RawTenantFile) -> Vec<FrequencyCap> {
    raw.caps
        .iter()
        .enumerate()
        .filter_map(|(i, cap)| {
            let per = c.check(&format!("caps[{i}].per"), &cap.per, |s| match StepTime::parse(s) {
                Ok(StepTime::After(d)) if d > chrono::Duration::zero() => Ok(d),
                _ => Err("must be a duration like `1h` or `1d`"),
            });
            let max =
                c.check(
                    &format!("caps[{i}].max"),
                    &cap.max,
                    |m| if *m >= 1 { Ok(*m) } else { Err("must be at least 1") },
                );
            Some(FrequencyCap { per: per?, max: max? })
        })
        .collect()
}
