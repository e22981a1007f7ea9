//! The lead form as posted to `POST /v1/leads`, and its parsing into domain types.
//!
//! Strings stop here: what leaves this file is a `ParsedLead` whose every part carries its
//! invariant, or the list of fields that were wrong and why.

use crate::config::{SourceConsent, TenantConfig};
use crate::domain::{
    source_slug, Channel, Consent, ConsentEvidence, Email, LeadProfile, LeadZone, PersonName, PhoneNumber, Region,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// One wrong field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    /// A field and why it was refused.
    pub fn new(field: impl Into<String>, message: impl ToString) -> Self {
        Self { field: field.into(), message: message.to_string() }
    }
}

/// The JSON body of `POST /v1/leads`. Every field is optional here so that a missing one is
/// reported by name (422) rather than as a parse failure (400).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LeadForm {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub source: Option<String>,
    pub campaign: Option<String>,
    pub timezone: Option<String>,
    pub postcode: Option<String>,
    pub country: Option<String>,
    pub consent: Option<ConsentForm>,
    pub fields: Option<BTreeMap<String, serde_json::Value>>,
}

/// The `consent` object of a lead form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ConsentForm {
    pub sms: Option<bool>,
    pub email: Option<bool>,
    pub voice: Option<bool>,
    pub text: Option<String>,
    pub captured_at: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl ConsentForm {
    /// What a lead source's form consents to (its channels and wording, from the tenant file)
    /// when the lead `gave` it (ticked the box, where the form has one); nothing otherwise.
    pub fn from_source(consent: &SourceConsent, gave: bool) -> Self {
        let covers = |channel| Some(gave && consent.covers(channel));
        Self {
            sms: covers(Channel::Sms),
            email: covers(Channel::Email),
            voice: covers(Channel::Voice),
            text: consent.text.clone().filter(|_| gave),
            ..Self::default()
        }
    }
}

/// A lead form that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedLead {
    pub profile: LeadProfile,
    pub consent: Consent,
}

/// Keeps a parsed value, or records why its field was refused.
fn check<T>(errors: &mut Vec<FieldError>, field: &str, result: Result<Option<T>, String>) -> Option<T> {
    result.unwrap_or_else(|message| {
        errors.push(FieldError::new(field, message));
        None
    })
}

const MAX_FIELDS: usize = 50;
const MAX_FIELD_VALUE: usize = 1_000;
const MAX_LABEL: usize = 100;

fn short_text(raw: &str, max: usize) -> Result<Option<String>, String> {
    let trimmed = raw.trim();
    if trimmed.chars().any(char::is_control) {
        return Err("contains control characters".to_owned());
    }
    if trimmed.chars().count() > max {
        return Err(format!("is longer than {max} characters"));
    }
    Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
}

impl LeadForm {
    /// Parses the form for `tenant`, received at `now`.
    pub fn parse(self, tenant: &TenantConfig, now: DateTime<Utc>) -> Result<ParsedLead, Vec<FieldError>> {
        let mut errors = Vec::new();
        let present = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);

        let first_name = check(
            &mut errors,
            "first_name",
            match present(&self.first_name) {
                None => Err("is required".to_owned()),
                Some(raw) => PersonName::parse(&raw).map(Some).map_err(|e| e.to_string()),
            },
        );
        let last_name = check(
            &mut errors,
            "last_name",
            present(&self.last_name).map(|raw| PersonName::parse(&raw)).transpose().map_err(|e| e.to_string()),
        );
        let country = check(
            &mut errors,
            "country",
            present(&self.country)
                .map(|raw| Region::parse(&raw).map(|r| (r, raw.to_ascii_uppercase())))
                .transpose()
                .map_err(|_| "is not an ISO 3166 country code (like US or GB)".to_owned()),
        );
        let region = country.as_ref().map(|(r, _)| *r).unwrap_or(tenant.default_region);
        let email = check(
            &mut errors,
            "email",
            present(&self.email).map(|raw| Email::parse(&raw)).transpose().map_err(|e| e.to_string()),
        );
        let phone = check(
            &mut errors,
            "phone",
            present(&self.phone).map(|raw| PhoneNumber::parse(&raw, region)).transpose().map_err(|e| e.to_string()),
        );
        if present(&self.email).is_none() && present(&self.phone).is_none() {
            errors.push(FieldError::new("email", "an email or a phone is required"));
        }
        let zone = check(
            &mut errors,
            "timezone",
            present(&self.timezone).map(|raw| LeadZone::parse(&raw)).transpose().map_err(|e| e.to_string()),
        );
        let source = check(
            &mut errors,
            "source",
            present(&self.source).map(|raw| source_slug(&raw)).transpose().map_err(str::to_owned),
        )
        .unwrap_or_else(|| "direct".to_owned());
        let campaign = check(
            &mut errors,
            "campaign",
            self.campaign.as_deref().map(|c| short_text(c, MAX_LABEL)).transpose().map(Option::flatten),
        );
        let postcode = check(
            &mut errors,
            "postcode",
            self.postcode.as_deref().map(|c| short_text(c, 16)).transpose().map(Option::flatten),
        );

        let consent_form = self.consent.unwrap_or_default();
        let consent_text = check(
            &mut errors,
            "consent.text",
            consent_form.text.as_deref().map(|t| short_text(t, 2_000)).transpose().map(Option::flatten),
        );
        let captured_at = check(
            &mut errors,
            "consent.captured_at",
            consent_form
                .captured_at
                .as_deref()
                .map(|raw| {
                    let at = DateTime::parse_from_rfc3339(raw.trim())
                        .map_err(|_| "is not an RFC 3339 timestamp".to_owned())?
                        .with_timezone(&Utc);
                    if at > now + chrono::Duration::minutes(5) {
                        return Err("is in the future".to_owned());
                    }
                    Ok(at)
                })
                .transpose(),
        );
        let ip = check(
            &mut errors,
            "consent.ip",
            consent_form
                .ip
                .as_deref()
                .map(|raw| {
                    raw.trim().parse::<IpAddr>().map(|ip| ip.to_string()).map_err(|_| "is not an IP address".to_owned())
                })
                .transpose(),
        );
        let user_agent = check(
            &mut errors,
            "consent.user_agent",
            consent_form.user_agent.as_deref().map(|ua| short_text(ua, 500)).transpose().map(Option::flatten),
        );

        let mut fields = BTreeMap::new();
        let raw_fields = self.fields.unwrap_or_default();
        if raw_fields.len() > MAX_FIELDS {
            errors.push(FieldError::new("fields", format!("has more than {MAX_FIELDS} entries")));
        }
        for (key, value) in raw_fields.into_iter().take(MAX_FIELDS) {
            let field = format!("fields.{key}");
            let valid_key =
                !key.is_empty() && key.len() <= 64 && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid_key {
                errors.push(FieldError::new(field, "names must be 1 to 64 letters, digits or '_'"));
                continue;
            }
            let text = match value {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Null => continue,
                _ => {
                    errors.push(FieldError::new(field, "must be a string, number or boolean"));
                    continue;
                }
            };
            match short_text(&text, MAX_FIELD_VALUE) {
                Ok(Some(text)) => {
                    fields.insert(key, text);
                }
                Ok(None) => {}
                Err(message) => errors.push(FieldError::new(field, message)),
            }
        }

        let zone =
            zone.unwrap_or_else(|| infer_zone(country.as_ref().map(|(_, code)| code.as_str()), phone.as_ref(), tenant));
        match first_name {
            Some(first_name) if errors.is_empty() => Ok(ParsedLead {
                consent: Consent {
                    sms: consent_form.sms.unwrap_or(false),
                    email: consent_form.email.unwrap_or(false),
                    voice: consent_form.voice.unwrap_or(false),
                    evidence: ConsentEvidence {
                        text: consent_text,
                        captured_at: captured_at.unwrap_or(now),
                        ip,
                        user_agent,
                        source: source.clone(),
                    },
                },
                profile: LeadProfile {
                    first_name,
                    last_name,
                    email,
                    phone,
                    source,
                    campaign,
                    zone,
                    postcode,
                    country: country.map(|(_, code)| code),
                    fields,
                },
            }),
            _ => Err(errors),
        }
    }
}

/// A lead that sends no zone: the zone of its country (the `country` field, else its
/// phone's) when that country keeps one zone and is not the tenant's own, else the tenant's
/// default. Within the tenant's own country the tenant's default is the better guess.
fn infer_zone(country: Option<&str>, phone: Option<&PhoneNumber>, tenant: &TenantConfig) -> LeadZone {
    let home = String::from(tenant.default_region);
    country
        .map(str::to_owned)
        .or_else(|| phone.and_then(PhoneNumber::country))
        .filter(|code| !code.eq_ignore_ascii_case(&home))
        .and_then(|code| LeadZone::of_country(&code))
        .unwrap_or(tenant.default_zone)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> LeadForm {
        LeadForm {
            first_name: Some(" Ann ".into()),
            phone: Some("(415) 555-2671".into()),
            source: Some("Facebook Ads".into()),
            ..Default::default()
        }
    }

    fn errors_of(form: LeadForm) -> Vec<String> {
        form.parse(&TenantConfig::demo(), Utc::now()).unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_minimal_form_parses_with_the_tenants_defaults() {
        let lead = form().parse(&TenantConfig::demo(), Utc::now()).unwrap();
        assert_eq!(lead.profile.first_name.as_str(), "Ann");
        assert_eq!(lead.profile.phone.unwrap().as_str(), "+14155552671");
        assert_eq!(lead.profile.source, "facebook-ads");
        assert_eq!(String::from(lead.profile.zone), "America/New_York");
        assert!(!lead.consent.sms, "consent is never assumed");
    }

    #[test]
    fn the_country_sets_the_region_for_national_numbers() {
        let lead = LeadForm { phone: Some("020 7946 0958".into()), country: Some("gb".into()), ..form() }
            .parse(&TenantConfig::demo(), Utc::now())
            .unwrap();
        assert_eq!(lead.profile.phone.unwrap().as_str(), "+442079460958");
    }

    #[test]
    fn a_lead_abroad_without_a_zone_gets_its_countrys_zone() {
        let tenant = TenantConfig::demo();
        let by_phone =
            LeadForm { phone: Some("+44 20 7946 0958".into()), ..form() }.parse(&tenant, Utc::now()).unwrap();
        assert_eq!(String::from(by_phone.profile.zone), "Europe/London");
        let by_country = LeadForm { phone: None, email: Some("a@b.co".into()), country: Some("JP".into()), ..form() }
            .parse(&tenant, Utc::now())
            .unwrap();
        assert_eq!(String::from(by_country.profile.zone), "Asia/Tokyo");
        let at_home = form().parse(&tenant, Utc::now()).unwrap();
        assert_eq!(String::from(at_home.profile.zone), "America/New_York", "the tenant's default at home");
    }

    #[test]
    fn a_form_without_a_first_name_or_any_contact_names_both_fields() {
        let errors = errors_of(LeadForm { first_name: None, phone: None, ..form() });
        assert_eq!(errors, vec!["first_name", "email"]);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = errors_of(LeadForm {
            email: Some("not-an-email".into()),
            phone: Some("123".into()),
            timezone: Some("Moon/Base".into()),
            consent: Some(ConsentForm {
                captured_at: Some("yesterday".into()),
                ip: Some("1.2.3".into()),
                ..Default::default()
            }),
            fields: Some(BTreeMap::from([
                ("bad key".to_owned(), serde_json::json!(1)),
                ("nested".to_owned(), serde_json::json!({"a": 1})),
            ])),
            ..form()
        });
        assert_eq!(
            errors,
            vec!["email", "phone", "timezone", "consent.captured_at", "consent.ip", "fields.bad key", "fields.nested"]
        );
    }
}
