//! `[reactivation]` and `[pacing]`: database reactivation. An aged enquiry is not consent
//! forever (`consent_max_age`); the age of a contact's last activity picks its cadence
//! (`tiers`); and an import's first texts are spread so that no sending number exceeds what
//! carriers accept (`[pacing]`, defaults for a US 10DLC number).

use super::checker::Checker;
use super::file::{RawPacing, RawTenantFile};
use crate::domain::{LeadZone, Pacing, WorkingHours};
use chrono::{Duration, NaiveTime};

/// A 10DLC number's daily cap for a brand without a high trust score (T-Mobile's lowest tier).
pub const DEFAULT_DAILY_CAP: u32 = 2_000;
/// One text a second: a US long code's throughput.
pub const DEFAULT_PER_MINUTE: u32 = 60;

/// One tier: contacts whose last activity is younger than `under` (the last tier: any age)
/// get `cadence`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tier {
    pub under: Option<Duration>,
    pub cadence: String,
}

/// How a tenant reactivates its old contacts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reactivation {
    /// An enquiry older than this gives no consent to texts or calls (email may go on).
    pub consent_max_age: Option<Duration>,
    /// Tiers by the age of the last activity, youngest first.
    pub tiers: Vec<Tier>,
}

impl Reactivation {
    /// The cadence for a contact whose last activity is `age` old; none without tiers.
    pub fn cadence_for(&self, age: Duration) -> Option<&str> {
        self.tiers.iter().find(|t| t.under.is_none_or(|under| age < under)).map(|t| t.cadence.as_str())
    }
}

/// An age: `90d`, `26w`, `2y` (a year is 365 days).
fn age(raw: &str) -> Result<Duration, String> {
    let raw = raw.trim();
    let refuse = || format!("{raw:?} is not an age like 90d, 26w or 2y");
    let (number, unit) = raw.split_at(raw.find(|c: char| !c.is_ascii_digit()).ok_or_else(refuse)?);
    let n: i64 = number.parse().map_err(|_| refuse())?;
    let days = match unit {
        "d" => n,
        "w" => n * 7,
        "y" => n * 365,
        _ => return Err(refuse()),
    };
    (1..=36_500).contains(&days).then(|| Duration::days(days)).ok_or_else(refuse)
}

/// Reads `[reactivation]`.
pub(super) fn reactivation(c: &mut Checker, raw: &RawTenantFile) -> Reactivation {
    let Some(section) = raw.reactivation.as_ref() else { return Reactivation::default() };
    let consent_max_age =
        section.consent_max_age.as_ref().and_then(|age| c.check("reactivation.consent_max_age", age, |a| self::age(a)));
    let mut tiers = Vec::new();
    for (i, tier) in section.tiers.iter().enumerate() {
        let under = tier.under.as_ref().and_then(|u| c.check(&format!("reactivation.tiers[{i}].under"), u, |u| age(u)));
        if !raw.cadences.contains_key(tier.cadence.get_ref()) {
            c.fail(
                format!("reactivation.tiers[{i}].cadence"),
                Some(&tier.cadence),
                format!("no cadence {:?}", tier.cadence.get_ref()),
            );
        }
        tiers.push(Tier { under, cadence: tier.cadence.get_ref().clone() });
    }
    let ordered = tiers
        .windows(2)
        .all(|w| matches!((w[0].under, w[1].under), (Some(a), Some(b)) if a < b) || w[1].under.is_none());
    let open_ended = tiers.iter().take(tiers.len().saturating_sub(1)).all(|t| t.under.is_some());
    if !ordered || !open_ended {
        c.fail(
            "reactivation.tiers",
            None::<&toml::Spanned<String>>,
            "tiers go youngest first, each `under` longer than the one before; only the last may leave it out",
        );
    }
    Reactivation { consent_max_age, tiers }
}

/// Reads `[pacing]` (defaults for a US 10DLC number, weekdays 10:00-17:00 in the tenant's zone).
pub(super) fn pacing(c: &mut Checker, raw: &RawTenantFile, zone: Option<LeadZone>) -> Option<Pacing> {
    let default = RawPacing::default();
    let section = raw.pacing.as_ref().unwrap_or(&default);
    let positive = |field: &str, c: &mut Checker, value: &Option<toml::Spanned<i64>>, default: u32| match value {
        Some(v) => {
            c.check(field, v, |v| u32::try_from(*v).ok().filter(|v| *v > 0).ok_or("must be a positive whole number"))
        }
        None => Some(default),
    };
    let daily_cap = positive("pacing.daily_cap", c, &section.daily_cap, DEFAULT_DAILY_CAP)?;
    let per_minute = positive("pacing.per_minute", c, &section.per_minute, DEFAULT_PER_MINUTE)?;
    let time = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| "must be HH:MM (24-hour)");
    let from = match &section.from {
        Some(f) => c.check("pacing.from", f, |f| time(f))?,
        None => NaiveTime::from_hms_opt(10, 0, 0)?,
    };
    let until = match &section.until {
        Some(u) => c.check("pacing.until", u, |u| time(u))?,
        None => NaiveTime::from_hms_opt(17, 0, 0)?,
    };
    // Without a valid zone the tenant's own error is reported already.
    let zone = zone?;
    let window = match &section.days {
        Some(d) => c.check("pacing.days", d, |days| WorkingHours::new(days, from, until, zone))?,
        None => match WorkingHours::new("mon-fri", from, until, zone) {
            Ok(window) => window,
            Err(e) => {
                c.fail("pacing.until", section.until.as_ref(), e.to_string());
                return None;
            }
        },
    };
    Some(Pacing { daily_cap, per_minute, window })
}
