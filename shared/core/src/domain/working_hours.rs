//! When a rep works: some days of the week, a window of wall-clock time, in the rep's zone.

use super::LeadZone;
use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc, Weekday};
use std::fmt;

/// Why working hours were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkingHoursError {
    /// `days` is not a list or range of weekdays.
    #[error("must be weekdays like \"mon-fri\", \"mon,wed,fri\" or \"sat-sun\"")]
    Days,
    /// The window starts and ends at the same minute.
    #[error("must end at another time than it starts")]
    EmptyWindow,
}

/// A weekly working window: `from` until `until` (which may pass midnight, `22:00`-`06:00`)
/// on `days`, read in `zone`. A window that passes midnight belongs to the day it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingHours {
    days: [bool; 7],
    from: NaiveTime,
    until: NaiveTime,
    zone: LeadZone,
}

impl WorkingHours {
    /// Hours from `from` until `until` on `days` (`"mon-fri"`, `"mon,wed,fri"`, `"sat-sun"`,
    /// `"mon-sun"`), in `zone`.
    pub fn new(days: &str, from: NaiveTime, until: NaiveTime, zone: LeadZone) -> Result<Self, WorkingHoursError> {
        if from == until {
            return Err(WorkingHoursError::EmptyWindow);
        }
        Ok(Self { days: parse_days(days)?, from, until, zone })
    }

    /// Whether `instant` falls inside the window.
    pub fn contains(&self, instant: DateTime<Utc>) -> bool {
        let local = self.zone.local(instant);
        let (day, time) = (local.date(), local.time());
        let works = |date: chrono::NaiveDate| self.days[date.weekday().num_days_from_monday() as usize];
        if self.from < self.until {
            works(day) && self.from <= time && time < self.until
        } else {
            // Overnight: the evening part is the day's own; the morning part, the day before's.
            (works(day) && time >= self.from) || (works(day - Duration::days(1)) && time < self.until)
        }
    }
}

impl WorkingHours {
    /// The window that opens on local `date`, as instants (`None` on a day off). An overnight
    /// window closes the next morning.
    pub fn window_on(&self, date: chrono::NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.days[date.weekday().num_days_from_monday() as usize] {
            return None;
        }
        let open = self.zone.first_instant_at_or_after(date.and_time(self.from));
        let close_day = if self.from < self.until { date } else { date + Duration::days(1) };
        let close = self.zone.first_instant_at_or_after(close_day.and_time(self.until));
        Some((open, close))
    }

    /// The zone the window is read in.
    pub fn zone(&self) -> LeadZone {
        self.zone
    }
}

impl fmt::Display for WorkingHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let days: Vec<&str> = names.iter().zip(self.days).filter(|(_, on)| *on).map(|(n, _)| *n).collect();
        write!(f, "{} {}-{} {}", days.join(","), self.from.format("%H:%M"), self.until.format("%H:%M"), self.zone.tz())
    }
}

/// `mon-fri`, `mon,wed,fri`, `fri-mon` (a range may wrap the week), in any case.
fn parse_days(raw: &str) -> Result<[bool; 7], WorkingHoursError> {
    let mut days = [false; 7];
    for part in raw.split(',').map(str::trim) {
        let day = |s: &str| s.trim().parse::<Weekday>().map_err(|_| WorkingHoursError::Days);
        match part.split_once('-') {
            Some((first, last)) => {
                let (mut d, last) = (day(first)?, day(last)?);
                days[d.num_days_from_monday() as usize] = true;
                while d != last {
                    d = d.succ();
                    days[d.num_days_from_monday() as usize] = true;
                }
            }
            None => days[day(part)?.num_days_from_monday() as usize] = true,
        }
    }
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn hours(days: &str, from: &str, until: &str) -> WorkingHours {
        let t = |s| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        WorkingHours::new(days, t(from), t(until), LeadZone::parse("America/New_York").unwrap()).unwrap()
    }

    #[test]
    fn a_day_window_is_read_in_the_reps_zone_on_its_days() {
        let office = hours("mon-fri", "09:00", "17:00");
        // 2026-12-07 is a Monday; New York is UTC-5 in December.
        assert!(office.contains(at("2026-12-07T14:00:00Z")), "09:00 Monday in New York");
        assert!(!office.contains(at("2026-12-07T13:59:59Z")), "08:59 is before the window");
        assert!(!office.contains(at("2026-12-07T22:00:00Z")), "17:00 is the end, exclusive");
        assert!(!office.contains(at("2026-12-05T15:00:00Z")), "Saturday is not a working day");
        assert_eq!(office.to_string(), "Mon,Tue,Wed,Thu,Fri 09:00-17:00 America/New_York");
    }

    #[test]
    fn an_overnight_window_belongs_to_the_day_it_starts() {
        let nights = hours("fri", "22:00", "06:00");
        assert!(nights.contains(at("2026-12-12T03:00:00Z")), "22:00 Friday");
        assert!(nights.contains(at("2026-12-12T10:00:00Z")), "05:00 Saturday, Friday's night");
        assert!(!nights.contains(at("2026-12-13T03:00:00Z")), "22:00 Saturday is not Friday's");
    }

    #[test]
    fn days_are_lists_and_ranges_that_may_wrap_the_week() {
        assert_eq!(parse_days("Mon-Fri").unwrap(), [true, true, true, true, true, false, false]);
        assert_eq!(parse_days("mon, wed,fri").unwrap(), [true, false, true, false, true, false, false]);
        assert_eq!(parse_days("fri-mon").unwrap(), [true, false, false, false, true, true, true]);
        assert_eq!(parse_days("weekdays"), Err(WorkingHoursError::Days));
        assert_eq!(parse_days(""), Err(WorkingHoursError::Days));
    }
}
