//! The tenant file as written, before validation. Fields that need checking keep their
//! position (`Spanned`) so an error can name its line.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTenantFile {
    pub tenant: RawTenant,
    #[serde(default)]
    pub api_keys: Vec<RawApiKey>,
    pub quiet_hours: Option<RawQuietHours>,
    #[serde(default)]
    pub caps: Vec<RawCap>,
    pub twilio: Option<RawTwilio>,
    pub telnyx: Option<RawTelnyx>,
    pub sms: Option<RawSms>,
    pub aws_sms: Option<RawAwsSms>,
    pub email: Option<RawEmail>,
    pub handoff: Option<RawHandoff>,
    pub booking: Option<RawBooking>,
    pub google_ads: Option<RawGoogleAds>,
    #[serde(default)]
    pub forms: Vec<RawForm>,
    pub meta: Option<RawMeta>,
    pub missed_calls: Option<RawMissedCalls>,
    pub reactivation: Option<RawReactivation>,
    pub pacing: Option<RawPacing>,
    pub office: Option<RawOffice>,
    #[serde(default)]
    pub sources: Vec<RawSourceCost>,
    #[serde(default)]
    pub reps: Vec<RawRep>,
    pub voice: Option<RawVoice>,
    pub voicemail: Option<RawVoicemail>,
    #[serde(default)]
    pub segments: Vec<RawSegment>,
    pub cadences: BTreeMap<String, RawCadence>,
    #[serde(default)]
    pub triggers: Vec<RawTrigger>,
    pub scoring: Option<RawScoring>,
    pub targets: Option<RawTargets>,
    pub pipeline: Option<RawPipeline>,
    pub templates: BTreeMap<String, RawTemplate>,
    #[serde(default)]
    pub experiments: BTreeMap<String, RawExperiment>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTenant {
    pub id: Spanned<String>,
    pub name: String,
    pub default_region: Spanned<String>,
    pub default_timezone: Spanned<String>,
    #[serde(default)]
    pub sending_numbers: Vec<Spanned<String>>,
    pub help_text: Option<String>,
    pub opt_out_text: Option<String>,
    pub opt_in_text: Option<String>,
    pub carrier_confirms_keywords: Option<bool>,
    pub hipaa: Option<bool>,
    pub default_cadence: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawApiKey {
    pub name: String,
    pub hash: Spanned<String>,
    pub scope: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawQuietHours {
    pub allowed_from: Spanned<String>,
    pub allowed_until: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCap {
    pub per: Spanned<String>,
    pub max: Spanned<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTwilio {
    pub auth_token: Spanned<String>,
    pub account_sid: Option<Spanned<String>>,
    pub messaging_service_sid: Option<String>,
    pub api_url: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTelnyx {
    pub api_key: Option<Spanned<String>>,
    pub public_key: Option<Spanned<String>>,
    pub messaging_profile_id: Option<String>,
    pub api_url: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHandoff {
    pub slack_webhook: Option<Spanned<String>>,
    pub teams_webhook: Option<Spanned<String>>,
    pub sla: Option<Spanned<String>>,
    pub manager: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRep {
    pub name: Spanned<String>,
    pub phone: Option<Spanned<String>>,
    pub mention: Option<String>,
    pub weight: Option<Spanned<i64>>,
    #[serde(default)]
    pub skills: Vec<Spanned<String>>,
    pub hours: Option<RawHours>,
    pub max_open: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHours {
    pub days: Option<Spanned<String>>,
    pub from: Spanned<String>,
    pub until: Spanned<String>,
    pub zone: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBooking {
    pub url: Option<Spanned<String>>,
    pub nudge_cadence: Option<Spanned<String>>,
    pub reminder_cadence: Option<Spanned<String>>,
    pub rebook_cadence: Option<Spanned<String>>,
    pub calendly_signing_key: Option<Spanned<String>>,
    pub calcom_secret: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGoogleAds {
    pub key: Spanned<String>,
    pub source: Option<Spanned<String>>,
    #[serde(default)]
    pub consent: Vec<Spanned<String>>,
    pub consent_text: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawReactivation {
    pub consent_max_age: Option<Spanned<String>>,
    #[serde(default)]
    pub tiers: Vec<RawTier>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTier {
    pub under: Option<Spanned<String>>,
    pub cadence: Spanned<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPacing {
    pub daily_cap: Option<Spanned<i64>>,
    pub per_minute: Option<Spanned<i64>>,
    pub days: Option<Spanned<String>>,
    pub from: Option<Spanned<String>>,
    pub until: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOffice {
    pub hours: RawHours,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSourceCost {
    pub name: Spanned<String>,
    pub cost_per_lead: Option<Spanned<f64>>,
    pub monthly_spend: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMissedCalls {
    pub forward_to: Spanned<String>,
    pub ring_seconds: Option<Spanned<i64>>,
    pub hours: Option<RawHours>,
    pub text_back: Option<bool>,
    pub text: Option<String>,
    pub voicemail_prompt: Option<String>,
    pub source: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMeta {
    pub app_secret: Spanned<String>,
    pub verify_token: Spanned<String>,
    pub graph_url: Option<Spanned<String>>,
    #[serde(default)]
    pub pages: Vec<RawMetaPage>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMetaPage {
    pub id: Spanned<String>,
    pub access_token: Spanned<String>,
    pub source: Option<Spanned<String>>,
    #[serde(default)]
    pub consent: Vec<Spanned<String>>,
    pub consent_text: Option<String>,
    #[serde(default)]
    pub campaigns: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawForm {
    pub id: Spanned<String>,
    pub kind: Option<Spanned<String>>,
    pub source: Option<Spanned<String>>,
    pub campaign: Option<String>,
    #[serde(default)]
    pub consent: Vec<Spanned<String>>,
    pub consent_text: Option<String>,
    pub consent_field: Option<String>,
    pub thank_you: Option<Spanned<String>>,
    #[serde(default)]
    pub allowed_origins: Vec<Spanned<String>>,
    pub honeypot: Option<String>,
    pub max_per_minute: Option<Spanned<i64>>,
    pub secret: Option<Spanned<String>>,
    pub signature: Option<Spanned<String>>,
    pub id_field: Option<String>,
    #[serde(default)]
    pub fields: BTreeMap<String, Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSms {
    pub provider: Spanned<String>,
    pub messages_per_second: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVoice {
    pub provider: Spanned<String>,
    pub from: Option<Spanned<String>>,
    pub transfer_to: Spanned<String>,
    pub calls_per_second: Option<Spanned<f64>>,
    pub prompt: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVoicemail {
    pub url: Spanned<String>,
    pub auth: Spanned<String>,
    pub secret: Spanned<String>,
    pub username: Option<String>,
    pub header: Option<Spanned<String>>,
    pub from: Option<Spanned<String>>,
    pub audio_url: Option<Spanned<String>>,
    pub body: Spanned<toml::Value>,
    pub drops_per_second: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAwsSms {
    pub origination_identity: Option<Spanned<String>>,
    pub configuration_set: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEmail {
    pub provider: Spanned<String>,
    pub from: Option<Spanned<String>>,
    pub configuration_set: Option<Spanned<String>>,
    pub reply_to: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSegment {
    pub name: String,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub campaigns: Vec<String>,
    #[serde(rename = "if")]
    pub if_: Option<Spanned<String>>,
    #[serde(default)]
    pub channels: Vec<Spanned<String>>,
    pub cadence: Spanned<String>,
    pub owner: Option<Spanned<String>>,
    pub team: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCadence {
    pub steps: Spanned<Vec<RawStep>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStep {
    pub at: Spanned<String>,
    pub channel: Spanned<String>,
    /// Absent when the step has `variants` instead.
    pub template: Option<Spanned<String>>,
    pub fallback: Option<Spanned<String>>,
    #[serde(rename = "if")]
    pub if_: Option<Spanned<String>>,
    pub unless: Option<Spanned<String>>,
    pub variants: Option<Spanned<Vec<RawVariant>>>,
    pub experiment: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVariant {
    pub template: Spanned<String>,
    pub weight: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExperiment {
    pub metric: Spanned<String>,
    pub alpha: Option<Spanned<f64>>,
    pub min_sample: Option<Spanned<i64>>,
    pub max_sample: Option<Spanned<i64>>,
    pub margin: Option<Spanned<f64>>,
    pub auto_promote: Option<bool>,
    pub start: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScoring {
    pub half_life: Spanned<String>,
    pub hot: Spanned<f64>,
    pub cold_below: Spanned<f64>,
    #[serde(default)]
    pub dormant_after: Vec<Spanned<String>>,
    pub unengaged_after: Option<Spanned<i64>>,
    #[serde(default)]
    pub points: BTreeMap<String, Spanned<f64>>,
    #[serde(default)]
    pub fit: Vec<RawFit>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFit {
    #[serde(rename = "if")]
    pub if_: Spanned<String>,
    pub points: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTrigger {
    pub when: Spanned<String>,
    pub enrol: Spanned<String>,
    pub stop_others: Option<bool>,
    pub after: Option<Spanned<String>>,
    pub unless: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTemplate {
    pub subject: Option<Spanned<String>>,
    pub body: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTargets {
    pub speed_to_lead_p50: Option<Spanned<String>>,
    pub speed_to_lead_p90: Option<Spanned<String>>,
    pub contact_rate: Option<Spanned<f64>>,
    pub reply_rate: Option<Spanned<f64>>,
    pub booking_rate: Option<Spanned<f64>>,
    pub sla_met_rate: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPipeline {
    pub stages: Spanned<Vec<RawStage>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStage {
    pub name: Spanned<String>,
    pub sla: Option<Spanned<String>>,
}
