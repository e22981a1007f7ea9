//! When may a touch go out? The first instant at or after a wish that is inside the lead's
//! allowed window and under every frequency cap.

use crate::domain::{ContactPolicy, FrequencyCap, LeadZone, QuietHours};
use chrono::{DateTime, LocalResult, TimeZone, Utc};

/// The first instant at or after `wanted` allowed by quiet hours (read in `zone`) and by the
/// caps, given the instants of the lead's earlier touches (`history`, any order).
pub fn next_allowed(
    wanted: DateTime<Utc>,
    zone: LeadZone,
    policy: &ContactPolicy,
    history: &[DateTime<Utc>],
) -> DateTime<Utc> {
    let mut t = wanted;
    // Each pass only moves `t` forward; a fixed point is a slot both rules accept. The bound
    // only guards against a pathological config (a window that sits inside a DST gap).
    for _ in 0..1_000 {
        let quiet_ok = outside_quiet_hours(t, zone, &policy.quiet_hours);
        let capped_ok = under_caps(quiet_ok, &policy.caps, history);
        if capped_ok == quiet_ok {
            return quiet_ok;
        }
        t = capped_ok;
    }
    t
}

/// `t` if it is inside the allowed window, else the start of the next window.
pub fn outside_quiet_hours(t: DateTime<Utc>, zone: LeadZone, hours: &QuietHours) -> DateTime<Utc> {
    let local = zone.local(t);
    if hours.allows(local.time()) {
        return t;
    }
    let day = if local.time() < hours.start() { local.date() } else { local.date() + chrono::Days::new(1) };
    let wall = day.and_time(hours.start());
    let opening = zone.first_instant_at_or_after(wall);
    if opening >= t {
        return opening;
    }
    // The clocks went back over the window's start and `t` is in the repeated hour, after the
    // first time the start came round but before the second: the window opens at the second.
    match zone.tz().from_local_datetime(&wall) {
        LocalResult::Ambiguous(_, later) => later.with_timezone(&Utc),
        _ => opening,
    }
}

/// `t` if a touch then stays under every cap, else the first instant when it would.
fn under_caps(t: DateTime<Utc>, caps: &[FrequencyCap], history: &[DateTime<Utc>]) -> DateTime<Utc> {
    let mut latest = t;
    for cap in caps {
        // A touch at `h` counts for a touch at `t` while `t - h < per`.
        let mut in_window: Vec<DateTime<Utc>> =
            history.iter().copied().filter(|h| *h <= t && t - *h < cap.per).collect();
        let max = cap.max as usize;
        if in_window.len() >= max {
            in_window.sort_unstable();
            // Wait until enough of the oldest touches have left the window.
            let frees_a_place = if max == 0 {
                // A zero cap forbids everything; callers validate max >= 1.
                t + cap.per
            } else {
                in_window[in_window.len() - max] + cap.per
            };
            latest = latest.max(frees_a_place);
        }
    }
    latest
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, NaiveTime, TimeZone};

    fn policy(caps: Vec<FrequencyCap>) -> ContactPolicy {
        ContactPolicy { quiet_hours: QuietHours::default(), caps }
    }

    fn london() -> LeadZone {
        LeadZone::parse("Europe/London").unwrap()
    }

    #[test]
    fn a_touch_inside_the_window_goes_at_once() {
        let noon = Utc.with_ymd_and_hms(2026, 6, 1, 11, 0, 0).unwrap();
        assert_eq!(next_allowed(noon, london(), &policy(vec![]), &[]), noon);
    }

    #[test]
    fn a_touch_late_at_night_moves_to_eight_the_next_morning() {
        let late = Utc.with_ymd_and_hms(2026, 6, 1, 21, 30, 0).unwrap(); // 22:30 BST
        let slot = next_allowed(late, london(), &policy(vec![]), &[]);
        assert_eq!(slot, Utc.with_ymd_and_hms(2026, 6, 2, 7, 0, 0).unwrap()); // 08:00 BST
    }

    #[test]
    fn a_touch_before_the_window_moves_to_its_start_the_same_day() {
        let early = Utc.with_ymd_and_hms(2026, 1, 5, 6, 15, 30).unwrap(); // 06:15 GMT
        let slot = next_allowed(early, london(), &policy(vec![]), &[]);
        assert_eq!(slot, Utc.with_ymd_and_hms(2026, 1, 5, 8, 0, 0).unwrap());
    }

    #[test]
    fn an_hourly_cap_waits_for_the_previous_touch_to_age_out() {
        let noon = Utc.with_ymd_and_hms(2026, 6, 1, 11, 0, 0).unwrap();
        let cap = FrequencyCap { per: Duration::hours(1), max: 1 };
        let slot = next_allowed(noon, london(), &policy(vec![cap]), &[noon - Duration::minutes(10)]);
        assert_eq!(slot, noon + Duration::minutes(50));
    }

    #[test]
    fn a_cap_that_pushes_into_quiet_hours_moves_on_to_the_morning() {
        let evening = Utc.with_ymd_and_hms(2026, 6, 1, 19, 30, 0).unwrap(); // 20:30 BST
        let cap = FrequencyCap { per: Duration::hours(1), max: 1 };
        let slot = next_allowed(evening, london(), &policy(vec![cap]), &[evening]);
        assert_eq!(slot, Utc.with_ymd_and_hms(2026, 6, 2, 7, 0, 0).unwrap());
    }

    #[test]
    fn the_allowed_window_is_configurable() {
        let hours = QuietHours::allowed_between(
            NaiveTime::from_hms_opt(9, 30, 0).unwrap(),
            NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
        )
        .unwrap();
        let p = ContactPolicy { quiet_hours: hours, caps: vec![] };
        let at_nine = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
        assert_eq!(next_allowed(at_nine, london(), &p, &[]), at_nine + Duration::minutes(30));
    }
}
