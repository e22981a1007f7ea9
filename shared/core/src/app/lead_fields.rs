//! Lead sources that send name/value pairs (an HTML form's keys, Webflow's field names,
//! Typeform's refs, a generic webhook's JSON, a CSV's headers) name a lead's parts in their own
//! words. This file says which part of a lead each name is — by the tenant's field map, else
//! by the common names people give them ("First Name", "E-mail", "Mobile", "Zip") — and
//! gathers the values into a `LeadForm`, anything else kept as an intake-safe custom field.

use super::LeadForm;
use crate::domain::{LeadZone, Region};
use serde_json::Value;
use std::collections::BTreeMap;

/// The part of a lead a source's value fills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeadField {
    FirstName,
    LastName,
    /// A whole name, split at its first space into first and last.
    FullName,
    Email,
    Phone,
    Postcode,
    Country,
    Timezone,
    Campaign,
    /// A custom field, by its intake-safe name.
    Custom(String),
    /// Not kept (a captcha token, a submit button).
    Ignore,
}

impl LeadField {
    /// A field map's target as a tenant file writes it: `first_name`, `last_name`, `name`,
    /// `email`, `phone`, `postcode`, `country`, `timezone`, `campaign`, `fields.<name>` or
    /// `ignore`.
    pub fn parse(target: &str) -> Result<Self, String> {
        let target = target.trim();
        if let Some(name) = target.strip_prefix("fields.") {
            let safe = field_name(name);
            return if !safe.is_empty() && safe == name {
                Ok(Self::Custom(safe))
            } else {
                Err(format!("\"{target}\": a custom field's name is 1 to 64 lowercase letters, digits or _"))
            };
        }
        Ok(match target {
            "first_name" => Self::FirstName,
            "last_name" => Self::LastName,
            "name" | "full_name" => Self::FullName,
            "email" => Self::Email,
            "phone" => Self::Phone,
            "postcode" => Self::Postcode,
            "country" => Self::Country,
            "timezone" => Self::Timezone,
            "campaign" => Self::Campaign,
            "ignore" => Self::Ignore,
            _ => {
                return Err(format!(
                    "\"{target}\" is not a lead field: first_name, last_name, name, email, phone, postcode, \
                     country, timezone, campaign, fields.<name> or ignore"
                ))
            }
        })
    }

    /// The lead field a source's own name for a value means, by the names people commonly give
    /// it; anything else is a custom field under its name made intake-safe.
    pub fn recognise(name: &str) -> Self {
        let squashed: String = name.chars().filter(char::is_ascii_alphanumeric).flat_map(char::to_lowercase).collect();
        match squashed.as_str() {
            "firstname" | "fname" | "first" | "givenname" | "forename" => Self::FirstName,
            "lastname" | "lname" | "last" | "surname" | "familyname" => Self::LastName,
            "name" | "fullname" | "yourname" | "contactname" => Self::FullName,
            "email" | "emailaddress" | "youremail" | "workemail" | "mail" => Self::Email,
            "phone" | "phonenumber" | "mobile" | "mobilephone" | "mobilenumber" | "cell" | "cellphone"
            | "telephone" | "tel" | "yourphone" | "contactnumber" => Self::Phone,
            "zip" | "zipcode" | "postcode" | "postalcode" => Self::Postcode,
            "country" | "countrycode" => Self::Country,
            "timezone" | "tz" => Self::Timezone,
            "campaign" | "utmcampaign" => Self::Campaign,
            _ => match field_name(name) {
                empty if empty.is_empty() => Self::Ignore,
                safe => Self::Custom(safe),
            },
        }
    }
}

/// A source's name for a value, or its wording, as a custom field name intake takes:
/// lowercase letters, digits and `_` (anything else becomes `_`, runs of it one), at most 64.
pub fn field_name(raw: &str) -> String {
    let mut name = String::new();
    for c in raw.trim().chars().flat_map(char::to_lowercase) {
        let c = if c.is_ascii_alphanumeric() { c } else { '_' };
        if !(c == '_' && (name.is_empty() || name.ends_with('_'))) {
            name.push(c);
        }
    }
    name.trim_end_matches('_').chars().take(64).collect::<String>().trim_end_matches('_').to_owned()
}

/// A JSON scalar as a source's value: a string, a number's digits (never rounded), a boolean;
/// null and structures are nothing.
pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Gathers a source's values into a lead form: the first value of each lead field wins, a
/// whole name fills only what first and last names left, and custom fields keep at most what
/// intake keeps, on one line.
#[derive(Debug, Default)]
pub struct LeadFormBuilder {
    form: LeadForm,
    full_name: Option<String>,
    fields: BTreeMap<String, Value>,
}

/// The most custom fields intake keeps; more are dropped rather than cost the lead.
const MAX_CUSTOM_FIELDS: usize = 50;
/// The longest custom value intake keeps.
const MAX_CUSTOM_VALUE: usize = 1_000;

impl LeadFormBuilder {
    /// A form from `source`.
    pub fn new(source: &str) -> Self {
        Self { form: LeadForm { source: Some(source.to_owned()), ..LeadForm::default() }, ..Self::default() }
    }

    /// Puts `value` into `field`; blank values are skipped.
    pub fn set(&mut self, field: &LeadField, value: &str) {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        // A country or zone intake would not read (a name, a typo) is kept as a custom field,
        // so an odd answer can never cost the lead.
        match field {
            LeadField::Country if Region::parse(value).is_err() => return self.custom("country", value),
            LeadField::Timezone if LeadZone::parse(value).is_err() => return self.custom("timezone", value),
            _ => {}
        }
        let slot = match field {
            LeadField::FirstName => &mut self.form.first_name,
            LeadField::LastName => &mut self.form.last_name,
            LeadField::FullName => &mut self.full_name,
            LeadField::Email => &mut self.form.email,
            LeadField::Phone => &mut self.form.phone,
            LeadField::Postcode => &mut self.form.postcode,
            LeadField::Country => &mut self.form.country,
            LeadField::Timezone => &mut self.form.timezone,
            LeadField::Campaign => &mut self.form.campaign,
            LeadField::Custom(name) => return self.custom(name, value),
            LeadField::Ignore => return,
        };
        slot.get_or_insert_with(|| value.to_owned());
    }

    /// Keeps `value` as the custom field `name` (a second value of the same name gets `_2`).
    pub fn custom(&mut self, name: &str, value: &str) {
        if self.fields.len() >= MAX_CUSTOM_FIELDS || name.is_empty() {
            return;
        }
        let mut key = name.to_owned();
        let mut n = 2;
        while self.fields.contains_key(&key) {
            key = format!("{}_{n}", name.chars().take(60).collect::<String>());
            n += 1;
        }
        let text: String =
            value.trim().chars().map(|c| if c.is_control() { ' ' } else { c }).take(MAX_CUSTOM_VALUE).collect();
        self.fields.insert(key, Value::String(text));
    }

    /// Whether a value already filled `field`.
    pub fn has(&self, field: &LeadField) -> bool {
        match field {
            LeadField::FirstName => self.form.first_name.is_some(),
            LeadField::Email => self.form.email.is_some(),
            LeadField::Phone => self.form.phone.is_some(),
            _ => false,
        }
    }

    /// The form, with the whole name split into what first and last names left open.
    pub fn build(mut self) -> LeadForm {
        if let Some(full) = self.full_name {
            let mut parts = full.splitn(2, char::is_whitespace);
            self.form.first_name = self.form.first_name.or(parts.next().map(str::to_owned));
            self.form.last_name =
                self.form.last_name.or(parts.next().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()));
        }
        if !self.fields.is_empty() {
            self.form.fields = Some(self.fields);
        }
        self.form
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_names_are_recognised_in_any_spelling() {
        let cases = [
            ("First Name", LeadField::FirstName),
            ("E-mail", LeadField::Email),
            ("Mobile", LeadField::Phone),
            ("Phone Number", LeadField::Phone),
            ("phone_number", LeadField::Phone),
            ("ZIP", LeadField::Postcode),
            ("Your Name", LeadField::FullName),
            ("What service?", LeadField::Custom("what_service".to_owned())),
            ("!!!", LeadField::Ignore),
        ];
        for (name, expected) in cases {
            assert_eq!(LeadField::recognise(name), expected, "{name}");
        }
    }

    #[test]
    fn a_field_map_target_is_a_lead_field_or_refused_by_name() {
        assert_eq!(LeadField::parse("fields.budget"), Ok(LeadField::Custom("budget".to_owned())));
        assert_eq!(LeadField::parse("name"), Ok(LeadField::FullName));
        assert!(LeadField::parse("fields.Budget Range").unwrap_err().contains("custom field"));
        assert!(LeadField::parse("phone_number").unwrap_err().contains("not a lead field"));
    }

    #[test]
    fn a_whole_name_fills_what_first_and_last_left_and_the_first_value_wins() {
        let mut b = LeadFormBuilder::new("web");
        b.set(&LeadField::FullName, "  Zoë  O'Brien-Łukasz ");
        b.set(&LeadField::Email, "a@example.com");
        b.set(&LeadField::Email, "b@example.com");
        b.set(&LeadField::Phone, "   ");
        let form = b.build();
        assert_eq!((form.first_name.as_deref(), form.last_name.as_deref()), (Some("Zoë"), Some("O'Brien-Łukasz")));
        assert_eq!(form.email.as_deref(), Some("a@example.com"));
        assert_eq!((form.phone, form.fields), (None, None));
    }

    #[test]
    fn custom_values_are_kept_on_one_line_with_repeats_numbered() {
        let mut b = LeadFormBuilder::new("web");
        b.custom("service", "whitening");
        b.custom("service", "first line\nsecond");
        let fields = b.build().fields.unwrap();
        assert_eq!(fields["service"], "whitening");
        assert_eq!(fields["service_2"], "first line second");
    }

    #[test]
    fn a_country_or_zone_intake_would_refuse_is_kept_as_a_field() {
        let mut b = LeadFormBuilder::new("web");
        b.set(&LeadField::Country, "United States");
        b.set(&LeadField::Timezone, "Eastern");
        let form = b.build();
        assert_eq!((form.country, form.timezone), (None, None));
        let fields = form.fields.unwrap();
        assert_eq!((fields["country"].as_str(), fields["timezone"].as_str()), (Some("United States"), Some("Eastern")));
        let mut b = LeadFormBuilder::new("web");
        b.set(&LeadField::Country, "GB");
        assert_eq!(b.build().country.as_deref(), Some("GB"));
    }

    #[test]
    fn field_names_are_intake_safe() {
        assert_eq!(field_name("  Ünïcode — and 😀 emoji!! "), "n_code_and_emoji");
        assert_eq!(field_name(&"a".repeat(80)).len(), 64);
    }
}
