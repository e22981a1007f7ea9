//! Tenant configuration: a TOML file per tenant, parsed once into validated types.
//!
//! The format is documented in docs/tenant-file.md and shown in full by `demo.toml`, the demo tenant
//! that `leadflow dev` runs when no `--config` is given.

mod api_key;
mod booking;
mod cadences;
mod channels;
mod checker;
mod directory;
mod ed25519_key;
mod errors;
mod experiments;
mod file;
mod forms;
mod google_ads;
mod links;
mod meta;
mod missed_calls;
mod pipeline;
mod policy;
mod reactivation;
mod report_settings;
mod scoring;
mod secret;
mod segments;
mod targets;
mod team;
mod templates;
mod tenant;
mod triggers;
mod voice;
mod voicemail;

pub use api_key::{hash_api_key, ApiKey, ApiKeyHash, KeyScope};
pub use booking::BookingSettings;
pub use channels::{EmailSettings, HandoffChat, SmsProvider, SmsSettings};
pub use directory::{DirectoryError, TenantDirectory};
pub use ed25519_key::Ed25519PublicKey;
pub use errors::{ConfigError, ConfigErrors};
pub use experiments::{DEFAULT_ALPHA, DEFAULT_MARGIN, DEFAULT_MAX_SAMPLE, DEFAULT_MIN_SAMPLE};
pub use forms::{
    FormId, FormKind, FormSettings, HtmlForm, WebhookAuth, DEFAULT_FORM_POSTS_PER_MINUTE, DEFAULT_HONEYPOT,
};
pub use google_ads::{GoogleAdsSettings, SourceConsent, DEFAULT_GOOGLE_ADS_SOURCE};
pub use links::TrackedLinks;
pub use meta::{MetaPage, MetaSettings, DEFAULT_GRAPH_URL, DEFAULT_META_SOURCE};
pub use missed_calls::{
    MissedCallSettings, DEFAULT_MISSED_CALL_TEXT, DEFAULT_RING_SECONDS, DEFAULT_VOICEMAIL_PROMPT, TEXTING_YOU,
};
pub use reactivation::{Reactivation, Tier, DEFAULT_DAILY_CAP, DEFAULT_PER_MINUTE};
pub use report_settings::{ReportSettings, SourceCost};
pub use secret::{Secret, SecretError, SecretRef};
pub use segments::Segment;
pub use targets::Targets;
pub use team::{Rep, Team, DEFAULT_SLA};
pub use templates::{Rendered, TemplateError, Templates, HIPAA_MERGE_FIELDS, MERGE_FIELDS};
pub use tenant::TenantConfig;
pub use voice::{VoiceProvider, VoiceSettings, DEFAULT_CALL_PROMPT};
pub use voicemail::{BodyTemplate, VoicemailAuth, VoicemailSettings, VOICEMAIL_PLACEHOLDERS};

/// The demo tenant's file, embedded so that `leadflow dev` runs with no arguments.
pub const DEMO_TENANT: &str = include_str!("demo.toml");

/// Where the demo tenant's team (`[handoff]` and `[[reps]]`) starts: it comes last.
const DEMO_TEAM_MARKER: &str = "# ---- The team";

/// The demo tenant's file without its team, for a file that brings its own `[handoff]` and
/// `[[reps]]` (TOML would add the demo's reps to its own): everything before the team, which
/// comes last. A file without the demo's team is answered whole.
pub fn without_demo_team(demo: &str) -> &str {
    demo.find(DEMO_TEAM_MARKER).map_or(demo, |at| &demo[..at])
}

/// The demo tenant's API key (its hash is in `demo.toml`). For local use only.
pub const DEMO_API_KEY: &str = "lf_demo_key_change_me";

/// The demo tenant's read-only dashboard key (`scope = "read"` in `demo.toml`). For local use only.
pub const DEMO_READ_KEY: &str = "lf_demo_read_key_change_me";

/// The agency key `leadflow dev` takes unless told another: it opens the dashboard's
/// portfolio of every tenant. For local use only.
pub const DEMO_AGENCY_KEY: &str = "lf_demo_agency_key_change_me";
