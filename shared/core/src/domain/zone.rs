//! The lead's own time zone, in which quiet hours and "day 3 at 10:00" are read.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Why a time zone was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not an IANA time zone (like America/New_York)")]
pub struct ZoneError;

/// An IANA zone from the bundled tz database (chrono-tz), so DST rules travel with the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LeadZone(Tz);

impl LeadZone {
    /// Parses an IANA name such as `Europe/London`.
    pub fn parse(raw: &str) -> Result<Self, ZoneError> {
        raw.trim().parse::<Tz>().map(LeadZone).map_err(|_| ZoneError)
    }

    /// The zone's rules.
    pub fn tz(self) -> Tz {
        self.0
    }

    /// The wall-clock time at `instant`.
    pub fn local(self, instant: DateTime<Utc>) -> NaiveDateTime {
        instant.with_timezone(&self.0).naive_local()
    }

    /// The first instant whose wall-clock time is at or after `wall`.
    ///
    /// An ambiguous time (clocks going back) takes its earlier instant; a time that does not
    /// exist (clocks going forward) moves to the first minute after the gap.
    pub fn first_instant_at_or_after(self, wall: NaiveDateTime) -> DateTime<Utc> {
        let mut candidate = wall;
        // No zone has a gap longer than a day; stepping by minutes keeps the result exact.
        for _ in 0..=24 * 60 {
            match self.0.from_local_datetime(&candidate) {
                LocalResult::Single(t) => return t.with_timezone(&Utc),
                LocalResult::Ambiguous(early, _) => return early.with_timezone(&Utc),
                LocalResult::None => candidate += chrono::Duration::minutes(1),
            }
        }
        Utc.from_utc_datetime(&wall)
    }
}

/// Countries that keep one time zone, by ISO 3166 code. Multi-zone countries (US, CA, MX,
/// BR, AU, RU, ...) and those with outlying zones (ES, PT, CL, ...) are left out: for them
/// the tenant's default zone is the better guess.
const SINGLE_ZONE_COUNTRIES: &[(&str, &str)] = &[
    ("AE", "Asia/Dubai"),
    ("AR", "America/Argentina/Buenos_Aires"),
    ("AT", "Europe/Vienna"),
    ("BE", "Europe/Brussels"),
    ("BG", "Europe/Sofia"),
    ("CH", "Europe/Zurich"),
    ("CN", "Asia/Shanghai"),
    ("CO", "America/Bogota"),
    ("CZ", "Europe/Prague"),
    ("DE", "Europe/Berlin"),
    ("DK", "Europe/Copenhagen"),
    ("EE", "Europe/Tallinn"),
    ("FI", "Europe/Helsinki"),
    ("FR", "Europe/Paris"),
    ("GB", "Europe/London"),
    ("GG", "Europe/Guernsey"),
    ("GR", "Europe/Athens"),
    ("HK", "Asia/Hong_Kong"),
    ("HR", "Europe/Zagreb"),
    ("HU", "Europe/Budapest"),
    ("IE", "Europe/Dublin"),
    ("IL", "Asia/Jerusalem"),
    ("IM", "Europe/Isle_of_Man"),
    ("IN", "Asia/Kolkata"),
    ("IS", "Atlantic/Reykjavik"),
    ("IT", "Europe/Rome"),
    ("JE", "Europe/Jersey"),
    ("JM", "America/Jamaica"),
    ("JP", "Asia/Tokyo"),
    ("KR", "Asia/Seoul"),
    ("LT", "Europe/Vilnius"),
    ("LV", "Europe/Riga"),
    ("MY", "Asia/Kuala_Lumpur"),
    ("NG", "Africa/Lagos"),
    ("NL", "Europe/Amsterdam"),
    ("NO", "Europe/Oslo"),
    ("NZ", "Pacific/Auckland"),
    ("PE", "America/Lima"),
    ("PH", "Asia/Manila"),
    ("PL", "Europe/Warsaw"),
    ("PR", "America/Puerto_Rico"),
    ("RO", "Europe/Bucharest"),
    ("RS", "Europe/Belgrade"),
    ("SA", "Asia/Riyadh"),
    ("SE", "Europe/Stockholm"),
    ("SG", "Asia/Singapore"),
    ("SI", "Europe/Ljubljana"),
    ("SK", "Europe/Bratislava"),
    ("TH", "Asia/Bangkok"),
    ("TR", "Europe/Istanbul"),
    ("TW", "Asia/Taipei"),
    ("UA", "Europe/Kyiv"),
    ("VN", "Asia/Ho_Chi_Minh"),
    ("ZA", "Africa/Johannesburg"),
];

impl LeadZone {
    /// The zone of a country that keeps only one.
    pub fn of_country(code: &str) -> Option<Self> {
        SINGLE_ZONE_COUNTRIES
            .iter()
            .find(|(country, _)| country.eq_ignore_ascii_case(code))
            .and_then(|(_, zone)| LeadZone::parse(zone).ok())
    }
}

impl TryFrom<String> for LeadZone {
    type Error = ZoneError;
    fn try_from(raw: String) -> Result<Self, ZoneError> {
        Self::parse(&raw)
    }
}

impl From<LeadZone> for String {
    fn from(zone: LeadZone) -> String {
        zone.0.name().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn every_single_zone_country_names_a_known_zone() {
        for (country, zone) in SINGLE_ZONE_COUNTRIES {
            assert!(LeadZone::of_country(country).is_some(), "{country} -> {zone}");
        }
        assert_eq!(LeadZone::of_country("gb").map(String::from).as_deref(), Some("Europe/London"));
        assert_eq!(LeadZone::of_country("US"), None, "several zones: no guess");
    }

    #[test]
    fn unknown_zones_are_refused() {
        assert!(LeadZone::parse("Mars/Olympus").is_err());
        assert!(LeadZone::parse("America/New_York").is_ok());
    }

    #[test]
    fn a_wall_time_inside_the_spring_gap_moves_past_it() {
        let ny = LeadZone::parse("America/New_York").unwrap();
        let in_gap = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap().and_hms_opt(2, 30, 0).unwrap();
        let instant = ny.first_instant_at_or_after(in_gap);
        assert_eq!(ny.local(instant).format("%H:%M").to_string(), "03:00");
    }

    #[test]
    fn an_ambiguous_wall_time_takes_the_earlier_instant() {
        let ny = LeadZone::parse("America/New_York").unwrap();
        let twice = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap().and_hms_opt(1, 30, 0).unwrap();
        let instant = ny.first_instant_at_or_after(twice);
        assert_eq!(instant.to_rfc3339(), "2026-11-01T05:30:00+00:00");
    }
}
