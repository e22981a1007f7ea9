//! Tenant configuration: a TOML file per tenant, parsed once into validated types.
//!
//! The format is documented in the README and shown in full by `demo.toml`, the demo tenant
//! that `leadflow dev` runs when no `--config` is given.

mod api_key;
mod channels;
mod directory;
mod ed25519_key;
mod errors;
mod file;
mod secret;
mod templates;
mod tenant;

pub use api_key::{hash_api_key, ApiKeyHash};
pub use channels::{EmailSettings, HandoffChat, SmsProvider, SmsSettings};
pub use directory::{DirectoryError, TenantDirectory};
pub use ed25519_key::Ed25519PublicKey;
pub use errors::{ConfigError, ConfigErrors};
pub use secret::{Secret, SecretError, SecretRef};
pub use templates::{Rendered, TemplateError, Templates, MERGE_FIELDS};
pub use tenant::{Segment, TenantConfig};

/// The demo tenant's file, embedded so that `leadflow dev` runs with no arguments.
pub const DEMO_TENANT: &str = include_str!("demo.toml");

/// The demo tenant's API key (its hash is in `demo.toml`). For local use only.
pub const DEMO_API_KEY: &str = "lf_demo_key_change_me";
