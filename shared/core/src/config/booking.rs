//! `[booking]`: the tenant's booking link, the cadences around a booking, and the secrets that
//! verify its booking tool's webhooks (Calendly, Cal.com).

use super::checker::Checker;
use super::file::RawTenantFile;
use super::Secret;
use crate::domain::BookingCadences;

/// A tenant's booking settings; all empty without a `[booking]` section.
#[derive(Debug, Clone, Default)]
pub struct BookingSettings {
    /// The booking page (`{{booking_link}}` in templates), tracked like every link.
    pub url: Option<String>,
    pub cadences: BookingCadences,
    /// Verifies `Calendly-Webhook-Signature`: the subscription's webhook signing key.
    pub calendly_signing_key: Option<Secret>,
    /// Verifies `X-Cal-Signature-256`: the Cal.com webhook's secret.
    pub calcom_secret: Option<Secret>,
}

/// Reads `[booking]`, checking that each cadence it names exists.
pub(super) fn booking_settings(c: &mut Checker, raw: &RawTenantFile) -> BookingSettings {
    let Some(booking) = &raw.booking else { return BookingSettings::default() };
    let url = booking.url.as_ref().and_then(|url| {
        c.check("booking.url", url, |u| {
            if u.starts_with("https://") && u.len() > "https://".len() && !u.contains(char::is_whitespace) {
                Ok(u.clone())
            } else {
                Err("must be an https:// URL")
            }
        })
    });
    let mut cadence = |field: &str, name: &Option<toml::Spanned<String>>| {
        let name = name.as_ref()?;
        c.check(field, name, |n| {
            if raw.cadences.contains_key(n) {
                Ok(n.clone())
            } else {
                Err(format!("no cadence named {n:?}"))
            }
        })
    };
    let cadences = BookingCadences {
        nudge: cadence("booking.nudge_cadence", &booking.nudge_cadence),
        reminders: cadence("booking.reminder_cadence", &booking.reminder_cadence),
        rebook: cadence("booking.rebook_cadence", &booking.rebook_cadence),
    };
    let secret = |c: &mut Checker, field: &str, raw: &Option<toml::Spanned<String>>| {
        raw.as_ref().and_then(|raw| c.check(field, raw, |s| Secret::parse(s)))
    };
    BookingSettings {
        url,
        cadences,
        calendly_signing_key: secret(c, "booking.calendly_signing_key", &booking.calendly_signing_key),
        calcom_secret: secret(c, "booking.calcom_secret", &booking.calcom_secret),
    }
}
