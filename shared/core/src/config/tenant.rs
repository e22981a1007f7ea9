//! A validated tenant: `parse` reads each section of the file with its own reader (one file
//! per section beside this one), then assembles what they found, or every problem at once.

use super::booking::booking_settings;
use super::cadences::{cadences, guards_need_scoring};
use super::channels::{email_settings, handoff_chat, sms_settings, EmailSettings, HandoffChat};
use super::checker::{line_of, Checker};
use super::experiments::experiments as experiments_section;
use super::file::RawTenantFile;
use super::forms::{forms as forms_section, FormSettings};
use super::google_ads::{google_ads_settings, GoogleAdsSettings};
use super::links::tracked_links;
use super::meta::{meta_settings, MetaSettings};
use super::missed_calls::{missed_call_settings, MissedCallSettings};
use super::pipeline::pipeline as pipeline_section;
use super::policy::contact_policy;
use super::reactivation::{pacing as pacing_section, reactivation as reactivation_section, Reactivation};
use super::report_settings::{report_settings, ReportSettings};
use super::scoring::{dormant_thresholds, scoring};
use super::segments::{segments, Segment};
use super::targets::{targets as targets_section, Targets};
use super::team::{team, Team};
use super::templates::templates;
use super::triggers::triggers as triggers_section;
use super::voice::{voice_settings, VoiceSettings};
use super::voicemail::{voicemail_settings, VoicemailSettings};
use super::{
    ApiKey, ApiKeyHash, BookingSettings, ConfigError, ConfigErrors, Ed25519PublicKey, FormId, KeyScope, Rendered,
    Secret, SecretError, SmsProvider, SmsSettings, TemplateError, Templates, TrackedLinks,
};
use crate::domain::{
    Cadence, Condition, ContactPolicy, Cue, Experiment, Guard, Lead, LeadZone, Pacing, PhoneNumber, Pipeline, Region,
    Scoring, Signal, TenantId, Trigger,
};
use crate::engine::Rules;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};

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
    pub api_keys: Vec<ApiKey>,
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
    /// The reps hand-offs are assigned to in turn, the hand-off SLA and the manager.
    pub team: Team,
    /// The Google Ads lead form webhook's key and consent, if the tenant takes those leads.
    pub google_ads: Option<GoogleAdsSettings>,
    /// The forms the tenant takes leads from (`[[forms]]`): HTML forms and signed form tools.
    pub forms: Vec<FormSettings>,
    /// Facebook and Instagram lead ads (`[meta]`), if the tenant takes them.
    pub meta: Option<MetaSettings>,
    /// Inbound calls forwarded to the office, missed ones texted back (`[missed_calls]`).
    pub missed_calls: Option<MissedCallSettings>,
    /// Database reactivation: consent's age, tiers by the age of the last activity.
    pub reactivation: Reactivation,
    /// How an import's first texts are spread (`[pacing]`, 10DLC defaults).
    pub pacing: Pacing,
    /// The office hours and source costs the reports measure against.
    pub reports: ReportSettings,
    /// The booking link, the cadences around a booking, the booking tools' webhook secrets.
    pub booking: BookingSettings,
    /// The links messages carry, each tracked by `/r/{token}`.
    pub links: TrackedLinks,
    /// The provider call steps go out through; none: the runtime's default channel.
    pub voice: Option<VoiceSettings>,
    /// The ringless-voicemail vendor; none: the runtime's default channel.
    pub voicemail: Option<VoicemailSettings>,
    /// HIPAA mode: templates may use only [`HIPAA_MERGE_FIELDS`](super::HIPAA_MERGE_FIELDS),
    /// and logs show no message bodies, phone numbers or email addresses of this tenant's leads.
    pub hipaa: bool,
    pub segments: Vec<Segment>,
    pub default_cadence: String,
    pub cadences: BTreeMap<String, Cadence>,
    /// The signals that start a cadence: the `[booking]` cadences' (nudge, reminders, rebook),
    /// then the file's `[[triggers]]` in order.
    pub triggers: Vec<Trigger>,
    /// How leads are scored and tiered (`[scoring]`); none: no scores, and guards on `score`
    /// or `tier` are refused at load.
    pub scoring: Option<Scoring>,
    /// The sales pipeline's stages (`[[pipeline.stages]]`), else the default seven.
    pub pipeline: Pipeline,
    pub templates: Templates,
    /// What the dashboard colours figures against (`[targets]`).
    pub targets: Targets,
    /// A/B tests (`[experiments.NAME]`), each with the step that carries its variants.
    pub experiments: BTreeMap<String, Experiment>,
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
        let mut c = Checker::new(source);
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
                let hash = c.check(&format!("api_keys[{i}].hash"), &k.hash, |s| {
                    ApiKeyHash::parse(s).ok_or("must be `sha256:` and 64 hex digits (see `leadflow hash-key`)")
                });
                let scope = match &k.scope {
                    Some(raw) => c.check(&format!("api_keys[{i}].scope"), raw, |s| KeyScope::parse(s)),
                    None => Some(KeyScope::Full),
                };
                Some(ApiKey { name: k.name.clone(), hash: hash?, scope: scope? })
            })
            .collect();
        let targets = targets_section(&mut c, &raw);

        let policy = contact_policy(&mut c, &raw);
        let hipaa = t.hipaa.unwrap_or(false);
        let templates = templates(&mut c, &raw, hipaa);
        let booking = booking_settings(&mut c, &raw);
        let links = tracked_links(&mut c, &raw, &booking, &templates);
        let cadences = cadences(&mut c, &raw, booking.cadences.reminders.as_deref());
        let experiments = experiments_section(&mut c, &raw);
        let scoring = scoring(&mut c, &raw);
        let segments = segments(&mut c, &raw, scoring.is_some());
        guards_need_scoring(&mut c, &raw, scoring.is_some());
        let mut triggers = booking.cadences.triggers();
        triggers.extend(triggers_section(&mut c, &raw, &dormant_thresholds(&raw), scoring.is_some()));
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
        let team = team(&mut c, &raw, region, zone);
        let google_ads = google_ads_settings(&mut c, &raw);
        let forms = forms_section(&mut c, &raw);
        let meta = meta_settings(&mut c, &raw);
        let missed_calls = missed_call_settings(&mut c, &raw, zone);
        let reactivation = reactivation_section(&mut c, &raw);
        let pacing = pacing_section(&mut c, &raw, zone);
        let reports = report_settings(&mut c, &raw, zone);
        let voice = voice_settings(&mut c, &raw);
        if let (Some(voice), Some(raw_voice)) = (&voice, &raw.voice) {
            // The gather webhook finds the tenant by the number the call came from.
            let caller = voice.from.as_ref().or(sending_numbers.first());
            if !caller.is_some_and(|number| sending_numbers.contains(number)) {
                let at = raw_voice.from.as_ref().unwrap_or(&raw_voice.provider);
                c.fail("voice.from", Some(at), "the caller ID must be one of tenant.sending_numbers");
            }
        }
        let voicemail = voicemail_settings(&mut c, &raw);
        let pipeline = pipeline_section(&mut c, &raw);

        match (id, region, zone, policy, pacing, reports) {
            (Some(id), Some(default_region), Some(default_zone), Some(policy), Some(pacing), Some(reports))
                if c.is_clean() =>
            {
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
                    policy,
                    twilio_auth_token,
                    telnyx_public_key,
                    sms,
                    email,
                    handoff,
                    team,
                    google_ads,
                    forms,
                    meta,
                    missed_calls,
                    reactivation,
                    pacing,
                    reports,
                    booking,
                    links,
                    voice,
                    voicemail,
                    hipaa,
                    segments,
                    default_cadence: t.default_cadence.get_ref().clone(),
                    cadences,
                    triggers,
                    scoring,
                    pipeline,
                    templates,
                    targets,
                    experiments,
                })
            }
            _ => Err(ConfigErrors { origin: origin.to_owned(), errors: c.into_errors() }),
        }
    }

    /// The demo tenant `leadflow dev` runs by default.
    pub fn demo() -> Self {
        Self::parse(super::DEMO_TENANT, "demo.toml").expect("the embedded demo tenant is valid")
    }

    /// The first segment `lead` belongs to at `now`, if any.
    pub fn segment_for(&self, lead: &Lead, now: DateTime<Utc>) -> Option<&Segment> {
        self.segments.iter().find(|s| s.matches(lead, self.scoring.as_ref(), now))
    }

    /// The cadence a new `lead` is enrolled in: its segment's, else the default.
    pub fn cadence_for(&self, lead: &Lead, now: DateTime<Utc>) -> &str {
        self.segment_for(lead, now).map_or(&self.default_cadence, |s| s.cadence.as_str())
    }

    /// Visits every secret of this tenant with the field that holds it. The one list of the
    /// config's secrets: a secret field added here is named and resolved everywhere (a test
    /// checks that no `Secret` of the config is left out).
    fn visit_secrets(&mut self, mut visit: impl FnMut(&str, &mut Secret)) {
        if let Some(token) = &mut self.twilio_auth_token {
            visit("twilio.auth_token", token);
        }
        if let Some(SmsSettings { provider: SmsProvider::Telnyx { api_key, .. }, .. }) = &mut self.sms {
            visit("telnyx.api_key", api_key);
        }
        if let Some(chat) = &mut self.handoff {
            visit(chat.field(), chat.webhook_mut());
        }
        if let Some(key) = &mut self.booking.calendly_signing_key {
            visit("booking.calendly_signing_key", key);
        }
        if let Some(secret) = &mut self.booking.calcom_secret {
            visit("booking.calcom_secret", secret);
        }
        if let Some(google_ads) = &mut self.google_ads {
            visit("google_ads.key", &mut google_ads.key);
        }
        if let Some(voicemail) = &mut self.voicemail {
            visit("voicemail.secret", voicemail.auth.secret_mut());
        }
        if let Some(meta) = &mut self.meta {
            visit("meta.app_secret", &mut meta.app_secret);
            visit("meta.verify_token", &mut meta.verify_token);
            for page in &mut meta.pages {
                let field = format!("meta.pages.{}.access_token", page.id);
                visit(&field, &mut page.access_token);
            }
        }
        for form in &mut self.forms {
            let field = format!("forms.{}.secret", form.id);
            if let Some(secret) = form.secret_mut() {
                visit(&field, secret);
            }
        }
    }

    /// The form with this public id, if the tenant has it.
    pub fn form(&self, id: &FormId) -> Option<&FormSettings> {
        self.forms.iter().find(|form| &form.id == id)
    }

    /// The SSM parameters this tenant's secrets are read from.
    pub fn secret_parameters(&self) -> Vec<String> {
        // The visitor only reads here; it walks a copy so that the list of secrets stays one.
        let mut parameters = Vec::new();
        self.clone().visit_secrets(|_, secret| parameters.extend(secret.parameter().map(str::to_owned)));
        parameters
    }

    /// Fills in every secret: `env:` ones from the process environment, `ssm:` ones from
    /// `parameters` (name to value, as fetched from Parameter Store).
    pub fn resolve_secrets(&mut self, parameters: &HashMap<String, String>) -> Result<(), SecretError> {
        let tenant = self.id.clone();
        let mut resolved = Ok(());
        self.visit_secrets(|field, secret| {
            if resolved.is_ok() {
                resolved = secret.resolve(&format!("tenant {tenant}: {field}"), parameters);
            }
        });
        resolved
    }

    /// The experiment whose variants step `step` of `cadence` carries, if one does.
    pub fn experiment_at(&self, cadence: &str, step: usize) -> Option<&Experiment> {
        self.experiments.values().find(|e| e.step.as_ref().is_some_and(|(c, s)| c == cadence && *s == step))
    }

    /// The rules the engine reads.
    pub fn rules(&self) -> Rules<'_> {
        Rules {
            policy: &self.policy,
            cadences: &self.cadences,
            triggers: &self.triggers,
            scoring: self.scoring.as_ref(),
        }
    }

    /// Whether anything of the tenant file waits for every occurrence of `signal`: a trigger
    /// on it, or a step's or a trigger's condition naming it (which reads the signals since an
    /// enrolment, so a repeat may matter).
    pub fn waits_for(&self, signal: Signal) -> bool {
        let names = |guard: &Guard| matches!(guard.condition, Condition::Signal(named) if named.covers(signal));
        self.triggers.iter().any(|t| t.when.covers(Cue::Signal(signal)) || t.unless.as_ref().is_some_and(names))
            || self.cadences.values().flat_map(|c| &c.steps).any(|step| step.guard.as_ref().is_some_and(names))
    }

    /// Renders `template` for `lead`, its links as written (see `TrackedLinks::rewrite`).
    pub fn render(&self, template: &str, lead: &Lead) -> Result<Rendered, TemplateError> {
        let booking_link = self.booking.url.as_deref().unwrap_or_default();
        self.templates.render(template, lead, &self.name, booking_link)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{without_demo_team, VoiceProvider, VoicemailAuth, DEFAULT_CALL_PROMPT, DEMO_TENANT};

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
    fn the_demo_runs_the_playbook_triggers_and_guards() {
        let demo = TenantConfig::demo();
        let whens: Vec<String> = demo.triggers.iter().map(|t| format!("{} -> {}", t.when, t.enrol)).collect();
        let booking = ["booking_clicked -> nudge", "booked -> reminders", "no_show -> rebook"];
        assert_eq!(whens[..3], booking, "the booking cadences are triggers too, first");
        let playbook = [
            "call_missed -> missed_call",
            "email_opened -> opened_no_click",
            "dormant:60d -> checkin",
            "dormant:180d -> reset",
        ];
        assert_eq!(whens[3..], playbook);
        let opened = &demo.triggers[4];
        assert_eq!(opened.after, Some(chrono::Duration::hours(2)));
        assert_eq!(opened.unless.as_ref().map(ToString::to_string).as_deref(), Some("unless clicked"));
    }

    #[test]
    fn the_demo_scores_its_leads() {
        let scoring = TenantConfig::demo().scoring.unwrap();
        assert_eq!((scoring.hot, scoring.cold_below, scoring.half_life), (60.0, 20.0, chrono::Duration::days(30)));
        assert_eq!(scoring.dormant_after, [chrono::Duration::days(60), chrono::Duration::days(180)]);
        assert_eq!(scoring.signal_points[&crate::domain::Signal::Booked], 30.0);
        assert_eq!(scoring.fit.len(), 1);
    }

    #[test]
    fn a_bad_scoring_section_names_its_field_and_line() {
        let cases = [
            (r#"half_life = "30d""#, r#"half_life = "soon""#, "scoring.half_life", "not a span"),
            ("cold_below = 20", "cold_below = 80", "scoring.cold_below", "must not be above hot"),
            ("booked = 30", "bookd = 30", "scoring.points.bookd", "not a signal"),
            (
                "if = \"fields.treatment in ['implants', 'invisalign']\"\npoints",
                "if = \"call_missed\"\npoints",
                "scoring.fit[0].if",
                "fit points come from form fields",
            ),
        ];
        for (from, to, field, says) in cases {
            let source = DEMO_TENANT.replacen(from, to, 1);
            let errors = TenantConfig::parse(&source, "acme.toml").unwrap_err();
            let first = to.lines().next().unwrap();
            let line = source.lines().position(|l| l.contains(first)).unwrap() + 1;
            assert_eq!(errors.errors.len(), 1, "{to}: {errors}");
            assert_eq!((errors.errors[0].field.as_str(), errors.errors[0].line), (field, Some(line)), "{to}");
            assert!(errors.errors[0].message.contains(says), "{to}: {}", errors.errors[0].message);
        }
        // Without [scoring], a guard on a score or a tier is refused where it is written.
        // (The reactivation tiers name cadences of the cut, so they go too.)
        let (tiers, tiers_end) =
            (DEMO_TENANT.find("[reactivation]").unwrap(), DEMO_TENANT.find("# Facebook and Instagram").unwrap());
        let demo = format!("{}{}", &DEMO_TENANT[..tiers], &DEMO_TENANT[tiers_end..]);
        let (start, end) = (demo.find("[scoring]").unwrap(), demo.find("# A missed call").unwrap());
        let unscored = format!("{}{}", &demo[..start], &demo[end..])
            .replacen(r#"template = "opened_sms" }"#, r#"template = "opened_sms", if = "tier:hot" }"#, 1)
            .replacen(r#"unless = "clicked""#, r#"unless = "score >= 40""#, 1);
        let errors = TenantConfig::parse(&unscored, "acme.toml").unwrap_err();
        let mut fields: Vec<&str> = errors.errors.iter().map(|e| e.field.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["cadences.opened_no_click.steps[0].if", "triggers[1].unless"], "{errors}");
        assert!(errors.errors.iter().all(|e| e.message.contains("need a [scoring] section")), "{errors}");
    }

    #[test]
    fn segments_match_on_source_campaign_form_and_consent_and_may_name_an_owner() {
        let demo = TenantConfig::demo();
        let now = chrono::Utc::now();
        let mut lead = crate::domain::fixtures::lead(&demo.id, now);
        lead.profile.source = "google-ads".to_owned();
        lead.profile.fields.insert("treatment".to_owned(), "implants".to_owned());
        assert_eq!(demo.cadence_for(&lead, now), "fast");
        lead.consent.voice = false;
        assert_eq!(demo.cadence_for(&lead, now), "standard", "the fast segment needs consent to calls");
        lead.profile.source = "partner-smiles".to_owned();
        assert_eq!(demo.cadence_for(&lead, now), "warm");
        lead.profile.source = "csv-2024-list".to_owned();
        assert_eq!(demo.cadence_for(&lead, now), "reactivation");

        let with_owner = DEMO_TENANT
            .replacen("cadence = \"social\"", "cadence = \"social\"\ncampaigns = [\"spring-*\"]\nowner = \"Dana\"", 1)
            .replacen("[booking]", "[[reps]]\nname = \"Dana\"\n\n[booking]", 1);
        let tenant = TenantConfig::parse(&with_owner, "demo.toml").unwrap();
        lead.profile.source = "instagram".to_owned();
        lead.profile.campaign = Some("Spring Promo".to_owned());
        let segment = tenant.segment_for(&lead, now).unwrap();
        assert_eq!((segment.name.as_str(), segment.owner.as_deref()), ("social-forms", Some("Dana")));
        lead.profile.campaign = Some("autumn".to_owned());
        assert_eq!(tenant.cadence_for(&lead, now), "standard", "campaign spring-* only");

        let cases = [
            ("cadence = \"social\"", "cadence = \"social\"\nowner = \"Zed\"", "segments[3].owner", "no rep named"),
            (
                "cadence = \"social\"",
                "cadence = \"social\"\nchannels = [\"fax\"]",
                "segments[3].channels[0]",
                "must be",
            ),
            ("sources = [\"instagram\", \"tiktok\"]\n", "", "segments[3]", "needs sources, campaigns, if or channels"),
            ("sources = [\"instagram\", \"tiktok\"]", "if = \"call_missed\"", "segments[3].if", "no signals yet"),
        ];
        for (from, to, field, says) in cases {
            let source = DEMO_TENANT.replacen(from, to, 1);
            let errors = TenantConfig::parse(&source, "acme.toml").unwrap_err();
            assert_eq!(errors.errors.len(), 1, "{to}: {errors}");
            assert_eq!(errors.errors[0].field, field, "{to}");
            assert!(errors.errors[0].line.is_some(), "{to}");
            assert!(errors.errors[0].message.contains(says), "{to}: {}", errors.errors[0].message);
        }
    }

    #[test]
    fn a_preferred_step_names_its_fallback_and_a_template_with_a_subject() {
        let step = &TenantConfig::demo().cadences["reactivation"].steps[2];
        assert!(step.preferred && step.channel == crate::domain::Channel::Email);
        let line = r#"channel = "preferred", fallback = "email", template = "reactivation_last""#;
        let cases = [
            (r#"channel = "preferred", template = "reactivation_last""#, ".fallback", "needs a fallback"),
            (r#"channel = "preferred", fallback = "fax", template = "reactivation_last""#, ".fallback", "must be"),
            (r#"channel = "preferred", fallback = "sms", template = "social_sms""#, ".template", "needs a subject"),
            (r#"channel = "sms", fallback = "email", template = "reactivation_last""#, ".fallback", "only a step"),
        ];
        for (to, field, says) in cases {
            let source = DEMO_TENANT.replacen(line, to, 1);
            let errors = TenantConfig::parse(&source, "acme.toml").unwrap_err();
            assert_eq!(errors.errors.len(), 1, "{to}: {errors}");
            assert_eq!(errors.errors[0].field, format!("cadences.reactivation.steps[2]{field}"), "{to}");
            assert!(errors.errors[0].line.is_some(), "{to}");
            assert!(errors.errors[0].message.contains(says), "{to}: {}", errors.errors[0].message);
        }
    }

    #[test]
    fn a_bad_trigger_or_guard_names_its_field_and_line() {
        let cases = [
            (r#"when = "call_missed""#, r#"when = "call_mised""#, "triggers[0].when", "is not a signal"),
            (r#"when = "call_missed""#, r#"when = "replied""#, "triggers[0].when", "no cadence starts on replied"),
            (r#"enrol = "missed_call""#, r#"enrol = "nowhere""#, "triggers[0].enrol", "no cadence named"),
            (
                r#"when = "dormant:60d""#,
                r#"when = "dormant:30d""#,
                "triggers[2].when",
                "not one of [scoring] dormant_after",
            ),
            (r#"when = "dormant:60d""#, r#"when = "dormant:soon""#, "triggers[2].when", "write dormant:<span>"),
            (r#"after = "2h""#, r#"after = "2x""#, "triggers[1].after", "a wait from `1m` to `90d`"),
            (r#"after = "2h""#, r#"after = "30s""#, "triggers[1].after", "a wait from `1m` to `90d`"),
            (
                r#"unless = "clicked""#,
                "stop_others = true\nunless = \"clicked\"",
                "triggers[1].unless",
                "not with stop_others",
            ),
            (r#"after = "2h""#, r#"after = "91d""#, "triggers[1].after", "a wait from `1m` to `90d`"),
            (r#"unless = "clicked""#, r#"unless = "fields.budget >= 'lots'""#, "triggers[1].unless", "not a number"),
            (r#"unless = "clicked""#, r#"unless = "clickd""#, "triggers[1].unless", "neither a signal"),
            (
                r#"template = "opened_sms" }"#,
                r#"template = "opened_sms", unless = "fields.budget >= 'lots'" }"#,
                "cadences.opened_no_click.steps[0].unless",
                "not a number",
            ),
            (
                r#"template = "opened_sms" }"#,
                r#"template = "opened_sms", unless = "clicked", if = "call_missed" }"#,
                "cadences.opened_no_click.steps[0].unless",
                "not both",
            ),
        ];
        for (from, to, field, says) in cases {
            let source = DEMO_TENANT.replacen(from, to, 1);
            let errors = TenantConfig::parse(&source, "acme.toml").expect_err(to);
            let last = to.lines().last().unwrap();
            let line = source.lines().position(|l| l.contains(last)).unwrap() + 1;
            assert_eq!(errors.errors.len(), 1, "{to}: {errors}");
            assert_eq!(errors.errors[0].field, field, "{to}");
            assert_eq!(errors.errors[0].line, Some(line), "{to}");
            assert!(errors.errors[0].message.contains(says), "{to}: {}", errors.errors[0].message);
        }
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
        let slack =
            format!("[handoff]\nslack_webhook = \"ssm:/leadflow/demo/slack\"\n\n{}", without_demo_team(DEMO_TENANT));
        let tenant = TenantConfig::parse(&slack, "demo.toml").unwrap();
        assert!(matches!(tenant.handoff, Some(HandoffChat::Slack(_))));
        assert!(tenant.secret_parameters().iter().any(|p| p == "/leadflow/demo/slack"));

        let both =
            format!("[handoff]\nslack_webhook = \"a\"\nteams_webhook = \"b\"\n\n{}", without_demo_team(DEMO_TENANT));
        let errors = TenantConfig::parse(&both, "demo.toml").unwrap_err();
        assert_eq!(errors.errors[0].field, "handoff");
    }

    #[test]
    fn the_demo_pipeline_has_slas_on_new_and_conversation_and_a_file_without_one_gets_the_default() {
        let pipeline = TenantConfig::demo().pipeline;
        assert_eq!(pipeline.names(), "new, contacted, conversation, booked, showed, won, lost");
        let slas: Vec<_> = pipeline.stages().iter().filter_map(|s| Some((s.name.as_str(), s.sla?))).collect();
        assert_eq!(slas, [("new", chrono::Duration::days(1)), ("conversation", chrono::Duration::days(3))]);
        let start = DEMO_TENANT.find("[[pipeline.stages]]").unwrap();
        let end = DEMO_TENANT[start..].find("# Merge fields").unwrap() + start;
        let without = format!("{}{}", &DEMO_TENANT[..start], &DEMO_TENANT[end..]);
        assert_eq!(TenantConfig::parse(&without, "demo.toml").unwrap().pipeline, crate::domain::Pipeline::default());
    }

    #[test]
    fn a_bad_pipeline_stage_names_its_field_and_line() {
        let cases = [
            ("name = \"contacted\"", "name = \"Contacted\"", "pipeline.stages[1].name", "lowercase"),
            ("name = \"booked\"", "name = \"new\"", "pipeline.stages[3].name", "\"new\" is named twice"),
            ("sla = \"3d\"", "sla = \"soon\"", "pipeline.stages[2].sla", "must be a duration"),
            ("sla = \"1d\"", "sla = \"30s\"", "pipeline.stages[0].sla", "must be a duration"),
        ];
        for (from, to, field, message) in cases {
            let start = DEMO_TENANT.find("[[pipeline.stages]]").unwrap();
            let at = DEMO_TENANT[start..].find(from).unwrap() + start;
            let source = format!("{}{to}{}", &DEMO_TENANT[..at], &DEMO_TENANT[at + from.len()..]);
            let errors = TenantConfig::parse(&source, "demo.toml").unwrap_err();
            assert_eq!(errors.errors.len(), 1, "{errors}");
            let error = &errors.errors[0];
            assert_eq!(error.field, field, "{errors}");
            assert!(error.message.contains(message), "{errors}");
            assert!(error.line.is_some_and(|line| source.lines().nth(line - 1).unwrap().contains(to)), "{errors}");
        }
        let start = DEMO_TENANT.find("[[pipeline.stages]]").unwrap();
        let end = DEMO_TENANT[start..].find("# Merge fields").unwrap() + start;
        let empty = format!("{}[pipeline]\nstages = []\n\n{}", &DEMO_TENANT[..start], &DEMO_TENANT[end..]);
        let errors = TenantConfig::parse(&empty, "demo.toml").unwrap_err();
        assert_eq!((errors.errors[0].field.as_str(), errors.errors.len()), ("pipeline.stages", 1), "{errors}");
        assert!(errors.errors[0].message.contains("at least one stage"), "{errors}");
    }

    #[test]
    fn the_team_reads_reps_in_order_with_an_sla_and_a_manager() {
        let team = "[handoff]\nsla = \"30m\"\nmanager = \"<@UMARA>\"\n\n[[reps]]\nname = \"Dana\"\n\
                    phone = \"(415) 555-0111\"\nmention = \"<@UDANA>\"\n\n[[reps]]\nname = \"Eli\"\n\n";
        let tenant = TenantConfig::parse(&format!("{team}{}", without_demo_team(DEMO_TENANT)), "demo.toml").unwrap();
        assert_eq!(tenant.team.sla, chrono::Duration::minutes(30));
        assert_eq!(tenant.team.manager.as_deref(), Some("<@UMARA>"));
        let names: Vec<&str> = tenant.team.reps.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Dana", "Eli"]);
        assert_eq!(tenant.team.reps[0].phone.as_ref().unwrap().to_string(), "+14155550111");
        assert_eq!(TenantConfig::demo().team.sla, chrono::Duration::minutes(15), "the default SLA");
    }

    #[test]
    fn a_bad_rep_or_sla_is_named_with_its_field() {
        let cases = [
            ("[handoff]\nsla = \"soon\"\n\n", "handoff.sla"),
            ("[handoff]\nsla = \"30s\"\n\n", "handoff.sla"),
            ("[[reps]]\nname = \"Dana\"\nphone = \"12\"\n\n", "reps[0].phone"),
            ("[[reps]]\nname = \"  \"\n\n", "reps[0].name"),
            ("[[reps]]\nname = \"Dana\"\n\n[[reps]]\nname = \"Dana\"\n\n", "reps[1].name"),
        ];
        for (team, field) in cases {
            let errors =
                TenantConfig::parse(&format!("{team}{}", without_demo_team(DEMO_TENANT)), "demo.toml").unwrap_err();
            assert_eq!(errors.errors[0].field, field, "{team}");
            assert!(errors.errors[0].line.is_some(), "{team}");
        }
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
        format!("{sections}\n{}", without_demo_team(DEMO_TENANT))
    }

    const PUBLIC_KEY: &str = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

    /// Every `Secret` in the config is visited: the file sets each secret-bearing key to its
    /// own SSM parameter, and the visitor must name as many as the config's debug form shows
    /// `Secret`s (so a secret field added to the config but not to the visitor fails here).
    #[test]
    fn every_secret_of_the_config_is_visited() {
        let sections = "[sms]\nprovider = \"telnyx\"\n\n[telnyx]\napi_key = \"ssm:/t/telnyx\"\n\n\
                        [handoff]\nslack_webhook = \"ssm:/t/slack\"\n\n\
                        [voicemail]\nurl = \"https://rvm.example/drops\"\nauth = \"bearer\"\nsecret = \"ssm:/t/rvm\"\n\
                        audio_url = \"https://cdn.example/vm.mp3\"\nbody = { phone = \"{to}\", audio = \"{audio_url}\" }\n\
                        [[forms]]\nid = \"typeform-test-1\"\nkind = \"typeform\"\nsecret = \"ssm:/t/typeform\"\n";
        let source = demo_with(sections)
            .replace(r#"auth_token = "demo_twilio_auth_token""#, r#"auth_token = "ssm:/t/twilio""#)
            .replace(
                r#"calendly_signing_key = "demo_calendly_signing_key""#,
                r#"calendly_signing_key = "ssm:/t/calendly""#,
            )
            .replace(r#"calcom_secret = "demo_calcom_secret""#, r#"calcom_secret = "ssm:/t/calcom""#)
            .replace(r#"key = "demo_google_key""#, r#"key = "ssm:/t/google""#);
        let mut tenant = TenantConfig::parse(&source, "t").unwrap();
        let in_config = format!("{tenant:?}").matches("Secret(").count();
        let mut visited = Vec::new();
        tenant.visit_secrets(|field, secret| visited.push((field.to_owned(), secret.parameter().map(str::to_owned))));
        assert_eq!(visited.len(), 14, "the demo's Meta app and page, three signed forms too: {visited:?}");
        assert_eq!(visited.len(), in_config, "every Secret of the config is visited: {visited:?}");
        let mut parameters = tenant.secret_parameters();
        parameters.sort();
        assert_eq!(
            parameters,
            ["/t/calcom", "/t/calendly", "/t/google", "/t/rvm", "/t/slack", "/t/telnyx", "/t/twilio", "/t/typeform"]
        );
    }

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
    fn the_demo_tenant_tracks_its_booking_link_and_names_its_booking_cadences() {
        let tenant = TenantConfig::demo();
        let url = "https://calendly.com/bright-smile-dental/consultation";
        assert_eq!(tenant.booking.url.as_deref(), Some(url));
        assert!(tenant.links.is_booking(crate::domain::LinkId::of(url)));
        assert_eq!(tenant.booking.cadences.reminders.as_deref(), Some("reminders"));
        assert!(tenant.secret_parameters().is_empty(), "the demo's webhook secrets are inline");
    }

    /// The demo tenant with its `[booking]` section's lines replaced by `section`.
    fn demo_with_booking(section: &str) -> String {
        let start = DEMO_TENANT.find("[booking]").unwrap();
        let end = start + DEMO_TENANT[start..].find("\n\n").unwrap();
        format!("{}{section}{}", &DEMO_TENANT[..start], &DEMO_TENANT[end..])
    }

    #[test]
    fn booking_settings_name_their_field_and_line() {
        let source = demo_with_booking(
            "[booking]\nurl = \"calendly.com/x\"\nnudge_cadence = \"nope\"\ncalcom_secret = \"env:\"\nreminder_cadence = \"reminders\"",
        );
        let errors = TenantConfig::parse(&source, "t").unwrap_err();
        let fields: Vec<&str> = errors.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["booking.url", "booking.nudge_cadence", "booking.calcom_secret"], "{errors}");
        assert!(errors.errors.iter().all(|e| e.line.is_some()), "{errors}");
    }

    #[test]
    fn only_the_reminder_cadence_may_count_back_from_a_slot() {
        // Without [booking], the demo's reminders cadence has no slot to count back from.
        let source = demo_with_booking("");
        let errors = TenantConfig::parse(&source, "t").unwrap_err();
        let before: Vec<&ConfigError> = errors.errors.iter().filter(|e| e.field.ends_with(".at")).collect();
        assert_eq!(before.len(), 2, "{errors}");
        assert!(before[0].field.starts_with("cadences.reminders.steps["), "{errors}");
        assert!(before[0].message.contains("reminder_cadence"), "{errors}");
    }

    #[test]
    fn a_template_with_a_booking_link_needs_a_booking_url() {
        let source = demo_with_booking("[booking]\nreminder_cadence = \"reminders\"");
        let errors = TenantConfig::parse(&source, "t").unwrap_err();
        assert_eq!(errors.errors.len(), 1, "{errors}");
        assert_eq!(errors.errors[0].field, "booking.url");
        assert!(errors.errors[0].message.contains("{{booking_link}}"), "{errors}");
    }

    /// The demo tenant with `hipaa = true`, and its one template that names a form field made
    /// to name only first_name and business_name.
    fn hipaa_demo() -> String {
        DEMO_TENANT.replace("[tenant]\n", "[tenant]\nhipaa = true\n").replace(
            "Thanks for your enquiry{% if fields.treatment %} about {{fields.treatment}}{% endif %}.",
            "Thanks for your enquiry.",
        )
    }

    #[test]
    fn a_hipaa_tenant_may_use_only_the_allowed_merge_fields() {
        let tenant = TenantConfig::parse(&hipaa_demo(), "clinic.toml").unwrap();
        assert!(tenant.hipaa);

        let source = hipaa_demo().replace(
            "body = \"Hi {{first_name}}, just checking in",
            "body = \"Hi {{first_name}} {{last_name}}, just checking in",
        );
        let errors = TenantConfig::parse(&source, "clinic.toml").unwrap_err();
        let line = source.lines().position(|l| l.contains("{{last_name}}")).unwrap() + 1;
        assert_eq!(errors.errors.len(), 1, "{errors}");
        assert_eq!(errors.errors[0].field, "templates.weekly_sms");
        assert_eq!(errors.errors[0].line, Some(line));
        assert!(errors.errors[0].message.contains("\"last_name\" is not allowed with hipaa = true"), "{errors}");

        // The same template is fine for a tenant without HIPAA mode, and form fields are not.
        assert!(TenantConfig::parse(&source.replace("hipaa = true\n", ""), "t").is_ok());
        let errors =
            TenantConfig::parse(&DEMO_TENANT.replace("[tenant]\n", "[tenant]\nhipaa = true\n"), "t").unwrap_err();
        assert_eq!(errors.errors[0].field, "templates.welcome_email");
        assert!(errors.errors[0].message.contains("\"fields\""), "{errors}");
    }

    #[test]
    fn a_hipaa_refusal_in_a_subject_names_the_subjects_line() {
        let source =
            hipaa_demo().replace("subject = \"A quick question, {{first_name}}\"", "subject = \"About {{source}}\"");
        let errors = TenantConfig::parse(&source, "t").unwrap_err();
        let line = source.lines().position(|l| l.contains("About {{source}}")).unwrap() + 1;
        assert_eq!(errors.errors[0].field, "templates.day10_email");
        assert_eq!(errors.errors[0].line, Some(line));
        assert!(errors.errors[0].message.starts_with("subject: "), "{errors}");
    }

    const TWILIO_SENDING: &str = "[twilio]\nauth_token = \"t\"\naccount_sid = \"AC0123456789abcdef0123456789abcdef\"\n";

    fn with_twilio(sections: &str) -> String {
        demo_with(sections).replace("[twilio]\nauth_token = \"demo_twilio_auth_token\"\n", "")
    }

    #[test]
    fn a_voice_section_calls_through_twilio_from_a_sending_number() {
        let source =
            with_twilio(&format!("[voice]\nprovider = \"twilio\"\ntransfer_to = \"+14155550199\"\n\n{TWILIO_SENDING}"));
        let tenant = TenantConfig::parse(&source, "t").unwrap();
        let voice = tenant.voice.unwrap();
        assert!(matches!(voice.provider, VoiceProvider::Twilio { .. }));
        assert_eq!(voice.transfer_to.to_string(), "+14155550199");
        assert_eq!(voice.calls_per_second, 1.0);
        assert_eq!(voice.prompt, DEFAULT_CALL_PROMPT);

        let first_error = |voice: &str| {
            let errors = TenantConfig::parse(&with_twilio(&format!("{voice}\n{TWILIO_SENDING}")), "t").unwrap_err();
            assert_eq!(errors.errors.len(), 1, "{errors}");
            (errors.errors[0].field.clone(), errors.errors[0].line)
        };
        let bad_transfer = "[voice]\nprovider = \"twilio\"\ntransfer_to = \"0800 OFFICE\"\n";
        assert_eq!(first_error(bad_transfer), ("voice.transfer_to".to_owned(), Some(3)));
        // The gather webhook finds the tenant by the caller ID, so it must be the tenant's.
        let foreign_caller =
            "[voice]\nprovider = \"twilio\"\nfrom = \"+14155550111\"\ntransfer_to = \"+14155550199\"\n";
        assert_eq!(first_error(foreign_caller), ("voice.from".to_owned(), Some(3)));

        let no_account = demo_with("[voice]\nprovider = \"twilio\"\ntransfer_to = \"+14155550199\"");
        let errors = TenantConfig::parse(&no_account, "t").unwrap_err();
        assert_eq!(errors.errors[0].field, "voice.provider");
        assert_eq!(errors.errors[0].message, "twilio needs [twilio] account_sid to send");
    }

    const VOICEMAIL: &str = r#"[voicemail]
url = "https://rvm.example.com/v1/drops"
auth = "header"
header = "X-Api-Key"
secret = "ssm:/leadflow/demo/rvm"
audio_url = "https://cdn.example.com/demo.mp3"
body = { phone = "{to}", caller_id = "{from}", recording = "{audio_url}", reference = "{touch_id}" }
"#;

    #[test]
    fn a_voicemail_vendor_is_read_with_its_secret_and_body() {
        let tenant = TenantConfig::parse(&demo_with(VOICEMAIL), "t").unwrap();
        let voicemail = tenant.voicemail.as_ref().unwrap();
        assert!(matches!(&voicemail.auth, VoicemailAuth::Header { name, .. } if name == "X-Api-Key"));
        assert!(voicemail.body.uses("touch_id"));
        assert!(tenant.secret_parameters().iter().any(|p| p == "/leadflow/demo/rvm"));
    }

    #[test]
    fn a_voicemail_body_with_an_unknown_placeholder_or_no_audio_names_its_line() {
        let unknown = demo_with(&VOICEMAIL.replace("{touch_id}", "{lead_email}"));
        let errors = TenantConfig::parse(&unknown, "t").unwrap_err();
        assert_eq!(errors.errors.len(), 1, "{errors}");
        assert_eq!((errors.errors[0].field.as_str(), errors.errors[0].line), ("voicemail.body", Some(7)));
        assert!(errors.errors[0].message.contains("{lead_email}"), "{errors}");

        let no_audio = demo_with(&VOICEMAIL.replace("audio_url = \"https://cdn.example.com/demo.mp3\"\n", ""));
        let errors = TenantConfig::parse(&no_audio, "t").unwrap_err();
        assert_eq!(errors.errors[0].message, "uses {audio_url}: set voicemail.audio_url");

        let basic = demo_with(&VOICEMAIL.replace("auth = \"header\"", "auth = \"basic\""));
        let errors = TenantConfig::parse(&basic, "t").unwrap_err();
        assert_eq!((errors.errors[0].field.as_str(), errors.errors[0].line), ("voicemail.username", Some(3)));
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
