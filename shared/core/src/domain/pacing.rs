//! Pacing an import's first touches so carriers accept them: a sending number may send at
//! most `daily_cap` a day and `per_minute` a minute, inside a sending window (weekdays
//! 10:00-17:00, say). An import of N leads is laid out on slots, in order, from the moment it
//! starts: slot k is a fixed instant, so every batch of the import (and a resumed one) places
//! its rows the same way, and no window, day or minute ever holds more than its cap.

use super::WorkingHours;
use chrono::{DateTime, Duration, Utc};

/// A number's caps and the sending window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pacing {
    pub daily_cap: u32,
    pub per_minute: u32,
    pub window: WorkingHours,
}

/// What an import of `leads` comes to: the first and last first touch, how many days, and
/// the most in one day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PacingPlan {
    pub leads: u64,
    pub days: u64,
    pub per_day: u64,
    pub first_at: Option<DateTime<Utc>>,
    pub last_at: Option<DateTime<Utc>>,
}

/// One sending day: when its window opens (or the import starts, if later) and how many
/// first touches it takes.
#[derive(Debug, Clone, Copy)]
struct Day {
    opens: DateTime<Utc>,
    capacity: u64,
}

/// How far ahead a plan may reach (a window that never opens yields nothing sooner).
const MAX_DAYS: i64 = 3 * 366;

impl Pacing {
    /// The sending days from `start` on, in order, with their capacity.
    fn days(&self, start: DateTime<Utc>) -> impl Iterator<Item = Day> + '_ {
        let first = self.window.zone().local(start).date().pred_opt();
        (0..MAX_DAYS).filter_map(move |i| {
            let (opens, closes) = self.window.window_on(first?.checked_add_signed(Duration::days(i))?)?;
            let opens = opens.max(start);
            let minutes = (closes - opens).num_minutes().max(0) as u64;
            let capacity = u64::from(self.daily_cap).min(u64::from(self.per_minute) * minutes);
            (capacity > 0).then_some(Day { opens, capacity })
        })
    }

    /// The instant of slot `k` of an import that started at `start`: days fill in order, a
    /// day's slots `per_minute` to a minute from its opening, evenly spread in the minute.
    pub fn slot(&self, start: DateTime<Utc>, k: u64) -> Option<DateTime<Utc>> {
        let mut before = 0;
        for day in self.days(start) {
            if k < before + day.capacity {
                let j = k - before;
                let per_minute = u64::from(self.per_minute.max(1));
                let seconds = (j / per_minute) * 60 + (j % per_minute) * 60 / per_minute;
                return Some(day.opens + Duration::seconds(seconds as i64));
            }
            before += day.capacity;
        }
        None
    }

    /// The plan of `leads` first touches from `start`.
    pub fn plan(&self, start: DateTime<Utc>, leads: u64) -> PacingPlan {
        let mut left = leads;
        let (mut days, mut per_day) = (0, 0);
        for day in self.days(start) {
            if left == 0 {
                break;
            }
            let today = left.min(day.capacity);
            (days, per_day, left) = (days + 1, per_day.max(today), left - today);
        }
        let last = leads.checked_sub(1).and_then(|k| self.slot(start, k));
        PacingPlan { leads, days, per_day, first_at: (leads > 0).then(|| self.slot(start, 0)).flatten(), last_at: last }
    }
}

impl std::fmt::Display for PacingPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let day = if self.days == 1 { "day" } else { "days" };
        write!(f, "{} leads over {} {day} at up to {} a day", self.leads, self.days, self.per_day)?;
        if let (Some(first), Some(last)) = (self.first_at, self.last_at) {
            write!(
                f,
                " (first touches {} to {})",
                first.format("%Y-%m-%d %H:%M UTC"),
                last.format("%Y-%m-%d %H:%M UTC")
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::LeadZone;
    use chrono::{NaiveTime, TimeZone};
    use std::collections::BTreeMap;

    fn pacing(daily_cap: u32, per_minute: u32) -> Pacing {
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
        let zone = LeadZone::parse("America/New_York").unwrap();
        Pacing { daily_cap, per_minute, window: WorkingHours::new("mon-fri", t(10), t(17), zone).unwrap() }
    }

    /// The benchmark: 50,000 leads planned, and not one day, minute or window broken.
    #[test]
    fn fifty_thousand_leads_are_planned_with_no_cap_broken() {
        let p = pacing(6_000, 60);
        // A Thursday afternoon in New York: the first day is part of one.
        let start = Utc.with_ymd_and_hms(2026, 3, 5, 19, 30, 0).unwrap();
        let mut per_day: BTreeMap<_, u32> = BTreeMap::new();
        let mut per_minute: BTreeMap<_, u32> = BTreeMap::new();
        let mut last = start;
        for k in 0..50_000 {
            let at = p.slot(start, k).expect("a slot");
            assert!(at >= last, "slots are in order");
            assert!(p.window.contains(at), "slot {k} at {at} is outside the window");
            last = at;
            *per_day.entry(p.window.zone().local(at).date()).or_default() += 1;
            *per_minute.entry(at.timestamp() / 60).or_default() += 1;
        }
        assert!(per_day.values().all(|n| *n <= 6_000), "{per_day:?}");
        assert!(per_minute.values().all(|n| *n <= 60));
        let plan = p.plan(start, 50_000);
        assert_eq!((plan.leads, plan.per_day), (50_000, 6_000));
        assert_eq!(plan.days as usize, per_day.len());
        assert_eq!(plan.last_at, Some(last));
        assert!(plan.to_string().starts_with("50000 leads over 9 days at up to 6000 a day"), "{plan}");
    }

    #[test]
    fn a_start_outside_the_window_waits_for_it_and_the_weekend_is_skipped() {
        let p = pacing(2_000, 60);
        // Friday 18:00 in New York: the next window is Monday 10:00.
        let start = Utc.with_ymd_and_hms(2026, 3, 6, 23, 0, 0).unwrap();
        assert_eq!(p.slot(start, 0), Some(Utc.with_ymd_and_hms(2026, 3, 9, 14, 0, 0).unwrap()));
        assert_eq!(p.slot(start, 61), Some(Utc.with_ymd_and_hms(2026, 3, 9, 14, 1, 1).unwrap()));
        assert_eq!(p.slot(start, 2_000), Some(Utc.with_ymd_and_hms(2026, 3, 10, 14, 0, 0).unwrap()));
    }
}
