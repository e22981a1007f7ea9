//! A validated tenant.

use super::channels::{email_settings, handoff_chat, sms_settings, EmailSettings, HandoffChat};
use super::errors::line_of;
use super::file::RawTenantFile;
use super::{
    ApiKeyHash, ConfigError, ConfigErrors, Ed25519PublicKey, Secret, SecretError, SmsProvider, SmsSettings, Templates,
};
use crate::domain::{
    source_slug, Cadence, Channel, ContactPolicy, FrequencyCap, LeadZone, PhoneNumber, QuietHours, Region, Step,
    StepTime, TenantId,
};
use crate::engine::Rules;
use chrono::NaiveTime;
use std::collections::{BTreeMap, HashMap};
use toml::Spanned;

/// Routes leads whose source matches to a cadence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub name: String,
    /// Lowercase source names; a trailing `*` matches any suffix (`fb-*`).
    pub sources: Vec<String>,
    pub cadence: String,
}

impl Segment {
    /// Whether a lead from `source` belongs to this segment.
    pub fn matches(&self, source: &str) -> bool {
        let source = source.to_lowercase();
        self.sources.iter().any(|pattern| match pattern.strip_suffix('*') {
            Some(prefix) => source.starts_with(prefix),
            None => *pattern == source,
        })
    }
}

/// Everything leadflow knows about one tenant.
#[derive(Debug, Clone)]
pub struct TenantConfig {
    pub id: TenantId,
    pub name: String,
    pub default_region: Region,
    pub default_zone: LeadZone,
    pub sending_numbers: Vec<PhoneNumber>,
    pub help_text: String,
    /// The one confirmation of an opt-out leadflow sends itself.
    pub opt_out_text: String,
    /// The confirmation of a re-opt-in leadflow sends itself.
    pub opt_in_text: String,
    /// Whether the carrier answers STOP/START keywords itself (Twilio Advanced Opt-Out, AWS
    /// End User Messaging keywords; default true). leadflow then confirms only what the
    /// carrier cannot recognise: revocations in words and a YES after an opt-out.
    pub carrier_confirms_keywords: bool,
    pub api_keys: Vec<(String, ApiKeyHash)>,
    pub policy: ContactPolicy,
    /// Verifies Twilio's webhook signatures (X-Twilio-Signature) and, with an account SID,
    /// authenticates its sends.
    pub twilio_auth_token: Option<Secret>,
    /// Verifies Telnyx's webhook signatures (telnyx-signature-ed25519): the account's public
    /// key, from `[telnyx] public_key`. Public, so not a secret.
    pub telnyx_public_key: Option<Ed25519PublicKey>,
    /// The SMS provider touches go out through; none: the runtime's default channel (the
    /// outbox locally, the log channel on AWS).
    pub sms: Option<SmsSettings>,
    /// The email provider email touches go out through; none: the runtime's default channel.
    pub email: Option<EmailSettings>,
    /// The team chat hand-offs are posted to; none: they are logged.
    pub handoff: Option<HandoffChat>,
    pub segments: Vec<Segment>,
    pub default_cadence: String,
    pub cadences: BTreeMap<String, Cadence>,
    pub templates: Templates,
}

pub(super) struct Checker<'s> {
    source: &'s str,
    errors: Vec<ConfigError>,
}

impl Checker<'_> {
    pub(super) fn fail<T>(
        &mut self,
        field: impl Into<String>,
        spanned: Option<&Spanned<T>>,
        message: impl Into<String>,
    ) {
        self.errors.push(ConfigError {
            line: spanned.map(|s| line_of(self.source, s.span().start)),
            field: field.into(),
            message: message.into(),
        });
    }

    pub(super) fn check<T, V, E: std::fmt::Display>(
        &mut self,
        field: &str,
        spanned: &Spanned<V>,
        parse: impl FnOnce(&V) -> Result<T, E>,
    ) -> Option<T> {
        match parse(spanned.get_ref()) {
            Ok(value) => Some(value),
            Err(e) => {
                self.fail(field, Some(spanned), e.to_string());
                None
            }
        }
    }
}

impl TenantConfig {
    /// Parses and validates a tenant file; `origin` names it in errors (a path).
    pub fn parse(source: &str, origin: &str) -> Result<Self, ConfigErrors> {
        let raw: RawTenantFile = toml::from_str(source).map_err(|e| ConfigErrors {
            origin: origin.to_owned(),
            errors: vec![ConfigError {
                line: e.span().map(|s| line_of(source, s.start)),
                field: "(syntax)".to_owned(),
                message: e.message().to_owned(),
            }],
        })?;
        let mut c = Checker { source, errors: Vec::new() };
        let t = &raw.tenant;
        let id = c.check("tenant.id", &t.id, |s| TenantId::parse(s));
        let region = c.check("tenant.default_region", &t.default_region, |s| Region::parse(s));
        let zone = c.check("tenant.default_timezone", &t.default_timezone, |s| LeadZone::parse(s));
        let sending_numbers: Vec<PhoneNumber> = t
            .sending_numbers
            .iter()
            .enumerate()
            .filter_map(|(i, n)| c.check(&format!("tenant.sending_numbers[{i}]"), n, |s| PhoneNumber::from_e164(s)))
            .collect();

        let api_keys = raw
            .api_keys
            .iter()
            .enumerate()
            .filter_map(|(i, k)| {
                c.check(&format!("api_keys[{i}].hash"), &k.hash, |s| {
                    ApiKeyHash::parse(s).ok_or("must be `sha256:` and 64 hex digits (see `leadflow hash-key`)")
                })
                .map(|hash| (k.name.clone(), hash))
            })
            .collect();

        let quiet_hours = match &raw.quiet_hours {
            None => Some(QuietHours::default()),
            Some(q) => {
                let time =
                    |s: &String| NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| "must be HH:MM (24-hour)");
                let from = c.check("quiet_hours.allowed_from", &q.allowed_from, time);
                let until = c.check("quiet_hours.allowed_until", &q.allowed_until, time);
                match (from, until) {
                    (Some(from), Some(until)) => c.check("quiet_hours.allowed_until", &q.allowed_until, |_| {
                        QuietHours::allowed_between(from, until)
                    }),
                    _ => None,
                }
            }
        };

        let caps = raw
            .caps
            .iter()
            .enumerate()
            .filter_map(|(i, cap)| {
                let per = c.check(&format!("caps[{i}].per"), &cap.per, |s| match StepTime::parse(s) {
                    Ok(StepTime::After(d)) if d > chrono::Duration::zero() => Ok(d),
                    _ => Err("must be a duration like `1h` or `1d`"),
                });
                let max = c.check(&format!("caps[{i}].max"), &cap.max, |m| {
                    if *m >= 1 {
                        Ok(*m)
                    } else {
                        Err("must be at least 1")
                    }
                });
                Some(FrequencyCap { per: per?, max: max? })
            })
            .collect();

        let mut templates = Templates::new();
        for (name, template) in &raw.templates {
            let subject = template.subject.as_ref().map(|s| s.get_ref().as_str());
            if let Err(e) = templates.add(name, subject, template.body.get_ref()) {
                c.fail(format!("templates.{name}"), Some(&template.body), e.to_string());
            }
        }

        let mut cadences = BTreeMap::new();
        for (name, cadence) in &raw.cadences {
            if cadence.steps.get_ref().is_empty() {
                c.fail(format!("cadences.{name}.steps"), Some(&cadence.steps), "a cadence needs at least one step");
            }
            let mut steps = Vec::new();
            for (i, step) in cadence.steps.get_ref().iter().enumerate() {
                let field = format!("cadences.{name}.steps[{i}]");
                let at = c.check(&format!("{field}.at"), &step.at, |s| StepTime::parse(s));
                let channel = c.check(&format!("{field}.channel"), &step.channel, |s| {
                    Channel::ALL.into_iter().find(|ch| ch.as_str() == s).ok_or("must be sms, email or voice")
                });
                let template = step.template.get_ref();
                if !raw.templates.contains_key(template) {
                    c.fail(
                        format!("{field}.template"),
                        Some(&step.template),
                        format!("no template named {template:?}"),
                    );
                } else if channel == Some(Channel::Email) && raw.templates[template].subject.is_none() {
                    c.fail(
                        format!("{field}.template"),
                        Some(&step.template),
                        format!("email template {template:?} needs a subject"),
                    );
                }
                if let (Some(at), Some(channel)) = (at, channel) {
                    steps.push(Step { channel, template: template.clone(), at });
                }
            }
            cadences.insert(name.clone(), Cadence { name: name.clone(), steps });
        }

        let known_cadence = |c: &mut Checker, field: &str, name: &Spanned<String>| {
            if !raw.cadences.contains_key(name.get_ref()) {
                c.fail(field, Some(name), format!("no cadence named {:?}", name.get_ref()));
            }
        };
        known_cadence(&mut c, "tenant.default_cadence", &t.default_cadence);
        let segments = raw
            .segments
            .iter()
            .enumerate()
            .map(|(i, s)| {
                known_cadence(&mut c, &format!("segments[{i}].cadence"), &s.cadence);
                let mut sources = Vec::new();
                for (j, pattern) in s.sources.iter().enumerate() {
                    // Patterns are read as sources are, so "Facebook Ads" matches what a form
                    // sends as "facebook ads" (both become "facebook-ads").
                    let (stem, wildcard) = match pattern.trim().strip_suffix('*') {
                        Some(stem) => (stem, "*"),
                        None => (pattern.as_str(), ""),
                    };
                    match source_slug(stem) {
                        Ok(slug) => sources.push(format!("{slug}{wildcard}")),
                        Err(e) => c.fail(format!("segments[{i}].sources[{j}]"), Some(&s.cadence), e),
                    }
                }
                Segment { name: s.name.clone(), sources, cadence: s.cadence.get_ref().clone() }
            })
            .collect();

        let twilio_auth_token =
            raw.twilio.as_ref().and_then(|tw| c.check("twilio.auth_token", &tw.auth_token, |raw| Secret::parse(raw)));
        let telnyx_public_key = raw
            .telnyx
            .as_ref()
            .and_then(|tx| tx.public_key.as_ref())
            .and_then(|key| c.check("telnyx.public_key", key, |raw| Ed25519PublicKey::parse(raw)));
        let sms = sms_settings(&mut c, &raw);
        let email = email_settings(&mut c, &raw);
        let handoff = handoff_chat(&mut c, &raw);

        match (id, region, zone, quiet_hours) {
            (Some(id), Some(default_region), Some(default_zone), Some(quiet_hours)) if c.errors.is_empty() => {
                Ok(Self {
                    id,
                    name: t.name.clone(),
                    default_region,
                    default_zone,
                    sending_numbers,
                    help_text: t
                        .help_text
                        .clone()
                        .unwrap_or_else(|| format!("{}: reply STOP to opt out. Msg & data rates may apply.", t.name)),
                    opt_out_text: t.opt_out_text.clone().unwrap_or_else(|| {
                        format!(
                            "{}: you are unsubscribed and will get no more messages. Reply START to resubscribe.",
                            t.name
                        )
                    }),
                    opt_in_text: t
                        .opt_in_text
                        .clone()
                        .unwrap_or_else(|| format!("{}: you are resubscribed. Reply STOP to opt out.", t.name)),
                    carrier_confirms_keywords: t.carrier_confirms_keywords.unwrap_or(true),
                    api_keys,
                    policy: ContactPolicy { quiet_hours, caps },
                    twilio_auth_token,
                    telnyx_public_key,
                    sms,
                    email,
                    handoff,
                    segments,
                    default_cadence: t.default_cadence.get_ref().clone(),
                    cadences,
                    templates,
                })
            }
            _ => Err(ConfigErrors { origin: origin.to_owned(), errors: c.errors }),
        }
    }

    /// The demo tenant `leadflow dev` runs by default.
    pub fn demo() -> Self {
        Self::parse(super::DEMO_TENANT, "demo.toml").expect("the embedded demo tenant is valid")
    }

    /// The cadence a lead from `source` is enrolled in.
    pub fn cadence_for(&self, source: &str) -> &str {
        self.segments.iter().find(|s| s.matches(source)).map(|s| s.cadence.as_str()).unwrap_or(&self.default_cadence)
    }

    /// Every secret of this tenant, with the field that holds it. (A field added here must be
    /// added to `secrets_mut` too.)
    fn secrets(&self) -> Vec<(&'static str, &Secret)> {
        let telnyx = match &self.sms {
            Some(SmsSettings { provider: SmsProvider::Telnyx { api_key, .. }, .. }) => Some(api_key),
            _ => None,
        };
        let twilio = self.twilio_auth_token.iter().map(|s| ("twilio.auth_token", s));
        let handoff = self.handoff.as_ref().map(|chat| (chat.field(), chat.webhook()));
        twilio.chain(telnyx.map(|s| ("telnyx.api_key", s))).chain(handoff).collect()
    }

    fn secrets_mut(&mut self) -> Vec<(&'static str, &mut Secret)> {
        let telnyx = match &mut self.sms {
            Some(SmsSettings { provider: SmsProvider::Telnyx { api_key, .. }, .. }) => Some(api_key),
            _ => None,
        };
        let twilio = self.twilio_auth_token.iter_mut().map(|s| ("twilio.auth_token", s));
        let handoff = self.handoff.as_mut().map(|chat| (chat.field(), chat.webhook_mut()));
        twilio.chain(telnyx.map(|s| ("telnyx.api_key", s))).chain(handoff).collect()
    }

    /// The SSM parameters this tenant's secrets are read from.
    pub fn secret_parameters(&self) -> Vec<&str> {
        self.secrets().into_iter().filter_map(|(_, s)| s.parameter()).collect()
    }

    /// Fills in every secret: `env:` ones from the process environment, `ssm:` ones from
    /// `parameters` (name to value, as fetched from Parameter Store).
    pub fn resolve_secrets(&mut self, parameters: &HashMap<String, String>) -> Result<(), SecretError> {
        let tenant = self.id.clone();
        for (field, secret) in self.secrets_mut() {
            secret.resolve(&format!("tenant {tenant}: {field}"), parameters)?;
        }
        Ok(())
    }

    /// The rules the engine reads.
    pub fn rules(&self) -> Rules<'_> {
        Rules { policy: &self.policy, cadences: &self.cadences }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DEMO_TENANT;

    fn demo_with_token(token: &str) -> String {
        DEMO_TENANT.replace(r#"auth_token = "demo_twilio_auth_token""#, &format!("auth_token = \"{token}\""))
    }

    #[test]
    fn an_error_names_its_field_and_line() {
        let source =
            DEMO_TENANT.replace(r#"default_timezone = "America/New_York""#, r#"default_timezone = "Mars/Olympus""#);
        let errors = TenantConfig::parse(&source, "acme.toml").unwrap_err();
        let line = source.lines().position(|l| l.contains("Mars/Olympus")).unwrap() + 1;
        assert_eq!(errors.errors.len(), 1, "{errors}");
        assert_eq!(errors.errors[0].field, "tenant.default_timezone");
        assert_eq!(errors.errors[0].line, Some(line));
    }

    #[test]
    fn secrets_kept_in_parameter_store_are_named_then_resolved() {
        let mut tenant = TenantConfig::parse(&demo_with_token("ssm:/leadflow/demo/twilio"), "demo.toml").unwrap();
        assert_eq!(tenant.secret_parameters(), ["/leadflow/demo/twilio"]);
        assert_eq!(tenant.twilio_auth_token.as_ref().unwrap().expose(), None);

        let unresolved = tenant.clone().resolve_secrets(&HashMap::new()).unwrap_err();
        assert!(unresolved.to_string().contains("tenant demo: twilio.auth_token"), "{unresolved}");

        let fetched = HashMap::from([("/leadflow/demo/twilio".to_owned(), "tok".to_owned())]);
        tenant.resolve_secrets(&fetched).unwrap();
        assert_eq!(tenant.twilio_auth_token.unwrap().expose(), Some("tok"));
    }

    #[test]
    fn a_team_chat_webhook_is_a_secret_and_only_one_chat_may_be_named() {
        let slack = format!("[handoff]\nslack_webhook = \"ssm:/leadflow/demo/slack\"\n\n{DEMO_TENANT}");
        let tenant = TenantConfig::parse(&slack, "demo.toml").unwrap();
        assert!(matches!(tenant.handoff, Some(HandoffChat::Slack(_))));
        assert!(tenant.secret_parameters().contains(&"/leadflow/demo/slack"));

        let both = format!("[handoff]\nslack_webhook = \"a\"\nteams_webhook = \"b\"\n\n{DEMO_TENANT}");
        let errors = TenantConfig::parse(&both, "demo.toml").unwrap_err();
        assert_eq!(errors.errors[0].field, "handoff");
    }

    #[test]
    fn a_malformed_secret_reference_is_a_config_error() {
        let source = demo_with_token("ssm:leadflow/no-slash");
        let errors = TenantConfig::parse(&source, "demo.toml").unwrap_err();
        assert_eq!(errors.errors[0].field, "twilio.auth_token");
        assert!(errors.errors[0].line.is_some());
    }

    /// The demo tenant with `sections` (TOML) before it.
    fn demo_with(sections: &str) -> String {
        format!("{sections}\n{DEMO_TENANT}")
    }

    const PUBLIC_KEY: &str = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

    #[test]
    fn a_tenant_may_receive_through_telnyx_without_sending_through_it() {
        let tenant = TenantConfig::parse(&demo_with(&format!("[telnyx]\npublic_key = \"{PUBLIC_KEY}\"")), "t").unwrap();
        assert_eq!(tenant.telnyx_public_key, Some(Ed25519PublicKey::parse(PUBLIC_KEY).unwrap()));
        assert!(tenant.sms.is_none());
        assert_eq!(tenant.secret_parameters(), Vec::<&str>::new(), "a public key is not a secret");
    }

    #[test]
    fn a_telnyx_public_key_that_is_not_32_bytes_of_base64_names_its_line() {
        let source = demo_with("[telnyx]\npublic_key = \"c2hvcnQ=\"");
        let errors = TenantConfig::parse(&source, "t").unwrap_err();
        assert_eq!(errors.errors.len(), 1, "{errors}");
        assert_eq!(errors.errors[0].field, "telnyx.public_key");
        assert_eq!(errors.errors[0].line, Some(2));
        assert!(errors.errors[0].message.contains("32-byte"), "{errors}");
    }

    #[test]
    fn sending_through_telnyx_still_needs_an_api_key() {
        let without_section = TenantConfig::parse(&demo_with("[sms]\nprovider = \"telnyx\""), "t").unwrap_err();
        assert_eq!(without_section.errors[0].field, "sms.provider");
        assert!(without_section.errors[0].message.contains("needs a [telnyx] section with api_key"));

        let source = demo_with(&format!("[sms]\nprovider = \"telnyx\"\n\n[telnyx]\npublic_key = \"{PUBLIC_KEY}\""));
        let without_key = TenantConfig::parse(&source, "t").unwrap_err();
        assert_eq!(without_key.errors.len(), 1, "{without_key}");
        assert_eq!(without_key.errors[0].field, "sms.provider");
        assert_eq!(without_key.errors[0].line, Some(2));
        assert_eq!(without_key.errors[0].message, "telnyx needs [telnyx] api_key to send");

        let source = demo_with("[sms]\nprovider = \"telnyx\"\n\n[telnyx]\napi_key = \"ssm:/leadflow/demo/telnyx\"");
        let tenant = TenantConfig::parse(&source, "t").unwrap();
        assert_eq!(tenant.secret_parameters(), ["/leadflow/demo/telnyx"]);
        assert_eq!(tenant.telnyx_public_key, None);
    }

    #[test]
    fn aws_sms_reads_its_origination_identity_and_configuration_set() {
        let source = demo_with("[sms]\nprovider = \"aws\"\n\n[aws_sms]\norigination_identity = \"pool-0123\"\nconfiguration_set = \"leadflow\"");
        let tenant = TenantConfig::parse(&source, "t").unwrap();
        let Some(SmsSettings { provider: SmsProvider::Aws { origination_identity, configuration_set }, .. }) =
            &tenant.sms
        else {
            panic!("expected the aws provider");
        };
        assert_eq!(origination_identity.as_deref(), Some("pool-0123"));
        assert_eq!(configuration_set.as_deref(), Some("leadflow"));
        assert_eq!(tenant.secret_parameters(), Vec::<&str>::new(), "AWS sends with the function's own role");

        let bare = TenantConfig::parse(&demo_with("[sms]\nprovider = \"aws\""), "t").unwrap();
        assert!(matches!(bare.sms.unwrap().provider, SmsProvider::Aws { origination_identity: None, .. }));
    }

    #[test]
    fn ses_email_needs_a_verified_looking_sender_and_a_configuration_set() {
        let source = demo_with(
            "[email]\nprovider = \"ses\"\nfrom = \"Bright Smile <hello@brightsmile.example>\"\n\
             configuration_set = \"leadflow-events\"\nreply_to = \"Front.Desk@brightsmile.example\"",
        );
        let tenant = TenantConfig::parse(&source, "t").unwrap();
        let Some(EmailSettings::Ses { from, configuration_set, reply_to }) = tenant.email else {
            panic!("expected ses");
        };
        assert_eq!(from, "Bright Smile <hello@brightsmile.example>");
        assert_eq!(configuration_set, "leadflow-events");
        assert_eq!(reply_to.unwrap().to_string(), "front.desk@brightsmile.example");

        let missing = TenantConfig::parse(&demo_with("[email]\nprovider = \"ses\""), "t").unwrap_err();
        let fields: Vec<&str> = missing.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email.from", "email.configuration_set"], "{missing}");
        assert!(missing.errors.iter().all(|e| e.line == Some(2)), "{missing}");

        let bad =
            demo_with("[email]\nprovider = \"ses\"\nfrom = \"Acme <not-an-address>\"\nconfiguration_set = \"a b\"");
        let errors = TenantConfig::parse(&bad, "t").unwrap_err();
        let fields: Vec<(&str, Option<usize>)> = errors.errors.iter().map(|e| (e.field.as_str(), e.line)).collect();
        assert_eq!(fields, [("email.from", Some(3)), ("email.configuration_set", Some(4))], "{errors}");

        let other = TenantConfig::parse(&demo_with("[email]\nprovider = \"sendgrid\""), "t").unwrap_err();
        assert_eq!(other.errors[0].field, "email.provider");
        assert!(other.errors[0].message.contains("use ses"), "{other}");
    }
}
