//! Cadences are data: a list of steps, each a channel, a template and a time.

use super::{Channel, Guard, LeadZone};
use chrono::{DateTime, Duration, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The name of a cadence in the tenant file.
pub type CadenceName = String;

/// When a step is due, relative to the moment the lead was enrolled, or to the enrolment's
/// anchor (a booked slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepTime {
    /// A fixed offset: `0m`, `90s`, `2h`, `1d`, `1w`.
    After(#[serde(with = "super::policy::seconds")] Duration),
    /// A wall-clock time in the lead's zone on the n-th day after enrolment: `day 3 at 10:00`.
    DayAt { day: u32, at: NaiveTime },
    /// A fixed time before the enrolment's anchor: `24h before`, `1h before` a booked slot.
    /// Elapsed time, like `After`: `24h before` a slot the morning after the clocks change is
    /// 24 real hours earlier, an hour off on the wall clock.
    Before(#[serde(with = "super::policy::seconds")] Duration),
}

/// Why a step time was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a step time: use an offset like `0m`, `30m`, `2h`, `1d`, `1w`, `day 3 at 10:00` or `24h before`")]
pub struct StepTimeError(pub String);

impl StepTime {
    /// Parses `0m` / `90s` / `2h` / `1d` / `1w`, `day N at HH:MM`, or an offset and `before`.
    pub fn parse(raw: &str) -> Result<Self, StepTimeError> {
        let text = raw.trim().to_ascii_lowercase();
        let fail = || StepTimeError(raw.to_owned());
        if let Some(offset) = text.strip_suffix(" before") {
            return match Self::parse(offset) {
                Ok(StepTime::After(d)) => Ok(StepTime::Before(d)),
                _ => Err(fail()),
            };
        }
        if let Some(rest) = text.strip_prefix("day ") {
            let (day, at) = rest.split_once(" at ").ok_or_else(fail)?;
            let day: u32 = day.trim().parse().map_err(|_| fail())?;
            let at = NaiveTime::parse_from_str(at.trim(), "%H:%M").map_err(|_| fail())?;
            if day > 366 {
                return Err(fail());
            }
            return Ok(StepTime::DayAt { day, at });
        }
        let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(fail)?;
        let (number, unit) = text.split_at(split);
        let n: i64 = number.parse().map_err(|_| fail())?;
        let unit_seconds = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 7 * 86_400,
            _ => return Err(fail()),
        };
        if n > 400 * 86_400 / unit_seconds {
            return Err(fail());
        }
        Ok(StepTime::After(Duration::seconds(n * unit_seconds)))
    }

    /// Whether the step is placed against the enrolment's anchor rather than its start.
    pub fn is_anchored(self) -> bool {
        matches!(self, StepTime::Before(_))
    }

    /// The instant this step falls due for a lead enrolled at `enrolled_at` in `zone`, with
    /// `anchor` (a booked slot) for steps placed before it. Without an anchor such a step is
    /// due at enrolment (config allows `before` steps only in a cadence that gets one).
    pub fn due_at(self, enrolled_at: DateTime<Utc>, anchor: Option<DateTime<Utc>>, zone: LeadZone) -> DateTime<Utc> {
        match self {
            StepTime::After(offset) => enrolled_at + offset,
            StepTime::Before(offset) => anchor.map_or(enrolled_at, |anchor| anchor - offset),
            StepTime::DayAt { day, at } => {
                let start_day = zone.local(enrolled_at).date();
                let wall = (start_day + chrono::Days::new(u64::from(day))).and_time(at);
                zone.first_instant_at_or_after(wall)
            }
        }
    }
}

impl fmt::Display for StepTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepTime::After(d) => write!(f, "{}s", d.num_seconds()),
            StepTime::DayAt { day, at } => write!(f, "day {day} at {}", at.format("%H:%M")),
            StepTime::Before(d) => write!(f, "{}s before", d.num_seconds()),
        }
    }
}

/// One touch of a cadence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The channel it goes on; for a `preferred` step, the fallback.
    pub channel: Channel,
    /// `channel = "preferred"`: it goes on the channel the lead engages with (see
    /// `Lead::preferred_channel`), `channel` (the step's `fallback`) when there is none.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub preferred: bool,
    /// The template's name in the tenant file.
    pub template: String,
    pub at: StepTime,
    /// `if` / `unless`: checked when the step falls due; a step it holds back is skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guard: Option<Guard>,
}

/// A named sequence of steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cadence {
    pub name: CadenceName,
    pub steps: Vec<Step>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn offsets_parse_in_every_unit() {
        assert_eq!(StepTime::parse("0m").unwrap(), StepTime::After(Duration::zero()));
        assert_eq!(StepTime::parse("90s").unwrap(), StepTime::After(Duration::seconds(90)));
        assert_eq!(StepTime::parse("2h").unwrap(), StepTime::After(Duration::hours(2)));
        assert_eq!(StepTime::parse("1d").unwrap(), StepTime::After(Duration::days(1)));
        assert_eq!(StepTime::parse("1w").unwrap(), StepTime::After(Duration::weeks(1)));
    }

    #[test]
    fn day_at_parses_a_local_time() {
        assert_eq!(
            StepTime::parse("Day 3 at 10:00").unwrap(),
            StepTime::DayAt { day: 3, at: NaiveTime::from_hms_opt(10, 0, 0).unwrap() }
        );
    }

    #[test]
    fn nonsense_step_times_are_refused() {
        for bad in
            ["", "m", "5y", "day x at 10:00", "day 3 at 25:00", "-1d", "99999999d", "before", "day 3 at 10:00 before"]
        {
            assert!(StepTime::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn day_at_is_read_in_the_leads_zone_across_a_dst_change() {
        let ny = LeadZone::parse("America/New_York").unwrap();
        // Enrolled on Friday 6 March 2026 (EST); day 3 is Monday 9 March, after the change to EDT.
        let enrolled = Utc.with_ymd_and_hms(2026, 3, 6, 15, 0, 0).unwrap();
        let due = StepTime::parse("day 3 at 10:00").unwrap().due_at(enrolled, None, ny);
        assert_eq!(due, Utc.with_ymd_and_hms(2026, 3, 9, 14, 0, 0).unwrap());
    }

    #[test]
    fn before_parses_an_offset_from_the_anchor() {
        assert_eq!(StepTime::parse("24h before").unwrap(), StepTime::Before(Duration::hours(24)));
        assert_eq!(StepTime::parse(" 1H Before ").unwrap(), StepTime::Before(Duration::hours(1)));
        assert!(StepTime::parse("24h before").unwrap().is_anchored());
        assert!(!StepTime::parse("24h").unwrap().is_anchored());
    }

    #[test]
    fn a_step_before_the_anchor_is_placed_against_the_slot_not_the_enrolment() {
        let ny = LeadZone::parse("America/New_York").unwrap();
        let booked = Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0).unwrap();
        let slot = Utc.with_ymd_and_hms(2026, 3, 5, 15, 0, 0).unwrap();
        let due = |raw| StepTime::parse(raw).unwrap().due_at(booked, Some(slot), ny);
        assert_eq!(due("24h before"), slot - Duration::hours(24));
        assert_eq!(due("1h before"), slot - Duration::hours(1));
        assert_eq!(due("0m"), booked, "other steps still count from the enrolment");
    }

    #[test]
    fn a_day_before_across_a_dst_change_is_24_real_hours() {
        let ny = LeadZone::parse("America/New_York").unwrap();
        // A slot at 10:00 EDT on Sunday 8 March 2026, the day the US moves its clocks forward:
        // 24 hours earlier is 09:00 EST on the Saturday.
        let slot = Utc.with_ymd_and_hms(2026, 3, 8, 14, 0, 0).unwrap();
        let due = StepTime::parse("24h before").unwrap().due_at(slot - Duration::days(5), Some(slot), ny);
        assert_eq!(due, Utc.with_ymd_and_hms(2026, 3, 7, 14, 0, 0).unwrap());
        assert_eq!(ny.local(due).time(), NaiveTime::from_hms_opt(9, 0, 0).unwrap());
    }
}
