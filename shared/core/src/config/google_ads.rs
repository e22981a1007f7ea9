//! `[google_ads] key, source, consent, consent_text`: a tenant's Google Ads lead form
//! webhook — the key Google puts in every lead (`google_key`), and what a lead form's
//! submission consents to.

use super::checker::Checker;
use super::file::{RawGoogleAds, RawTenantFile};
use super::Secret;
use crate::domain::{source_slug, Channel};

/// The source name of Google Ads leads unless the tenant file names another.
pub const DEFAULT_GOOGLE_ADS_SOURCE: &str = "google-ads";

/// How a tenant takes Google Ads lead form leads.
#[derive(Debug, Clone)]
pub struct GoogleAdsSettings {
    /// Compared, in constant time, with the lead's `google_key` (set on the form in Google Ads).
    pub key: Secret,
    /// The leads' source (segments match on it): `google-ads` by default.
    pub source: String,
    /// What a submission consents to, and the form's wording kept as the evidence.
    pub consent: SourceConsent,
}

/// The consent a lead source's form gives: the channels its wording covers, and the wording.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceConsent {
    pub channels: Vec<Channel>,
    pub text: Option<String>,
}

impl SourceConsent {
    /// Whether the form's wording covers `channel`.
    pub fn covers(&self, channel: Channel) -> bool {
        self.channels.contains(&channel)
    }
}

/// Reads `consent = ["sms", "email"]` and `consent_text` of a lead source's section.
pub(super) fn source_consent(
    c: &mut Checker,
    field: &str,
    channels: &[toml::Spanned<String>],
    text: Option<&String>,
) -> SourceConsent {
    let channels = channels
        .iter()
        .enumerate()
        .filter_map(|(i, name)| {
            c.check(&format!("{field}.consent[{i}]"), name, |n| {
                Channel::ALL
                    .into_iter()
                    .find(|ch| ch.as_str() == n.trim())
                    .ok_or("must be sms, email, voice or voicemail")
            })
        })
        .collect();
    SourceConsent { channels, text: text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()) }
}

/// Reads `[google_ads]`, if the tenant takes Google Ads leads.
pub(super) fn google_ads_settings(c: &mut Checker, raw: &RawTenantFile) -> Option<GoogleAdsSettings> {
    let RawGoogleAds { key, source, consent, consent_text } = raw.google_ads.as_ref()?;
    let key = c.check("google_ads.key", key, |k| Secret::parse(k));
    let source = match source {
        Some(source) => c.check("google_ads.source", source, |s| source_slug(s))?,
        None => DEFAULT_GOOGLE_ADS_SOURCE.to_owned(),
    };
    let consent = source_consent(c, "google_ads", consent, consent_text.as_ref());
    Some(GoogleAdsSettings { key: key?, source, consent })
}
