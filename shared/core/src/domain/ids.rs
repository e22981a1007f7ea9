//! Identifiers. Tenant ids come from config; the others are minted here (UUID v7, so they
//! sort by creation time).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("must be 1 to {max} characters of a-z, 0-9, '-' or '_'")]
    Malformed { max: usize },
}

fn check_slug(raw: &str, max: usize) -> Result<(), IdError> {
    let ok = !raw.is_empty()
        && raw.len() <= max
        && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(IdError::Malformed { max })
    }
}

macro_rules! minted_id {
    ($name:ident, $prefix:literal, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(format!(concat!($prefix, "{}"), uuid::Uuid::now_v7().simple()))
            }

            /// Parses an id that came from outside (a URL, a stored item).
            pub fn parse(raw: &str) -> Result<Self, IdError> {
                let rest = raw.strip_prefix($prefix).ok_or(IdError::Malformed { max: 64 })?;
                if rest.len() == 32 && rest.bytes().all(|b| b.is_ascii_hexdigit()) {
                    Ok(Self(raw.to_owned()))
                } else {
                    Err(IdError::Malformed { max: 64 })
                }
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

minted_id!(LeadId, "ld_", "A lead, unique across tenants.");
minted_id!(EnrolmentId, "en_", "One run of a cadence for one lead.");
minted_id!(TouchId, "tc_", "One message, call or voicemail handed to a channel.");

/// A tenant (an agency's client): lowercase slug from the tenant file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantId(String);

impl TenantId {
    /// Parses a tenant slug.
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        check_slug(raw, 64).map(|_| Self(raw.to_owned()))
    }

    /// The slug.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TenantId {
    type Error = IdError;
    fn try_from(raw: String) -> Result<Self, IdError> {
        Self::parse(&raw)
    }
}

impl From<TenantId> for String {
    fn from(id: TenantId) -> String {
        id.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A client-chosen key that makes a POST safe to retry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Printable ASCII, 1 to 255 characters (what Stripe and most form providers send).
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        let raw = raw.trim();
        if !raw.is_empty() && raw.len() <= 255 && raw.bytes().all(|b| (0x21..0x7f).contains(&b)) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(IdError::Malformed { max: 255 })
        }
    }

    /// The key as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_ids_parse_back_and_sort_by_time() {
        let a = LeadId::new();
        let b = LeadId::new();
        assert_eq!(LeadId::parse(a.as_str()).unwrap(), a);
        assert!(a < b);
    }

    #[test]
    fn a_lead_id_with_a_foreign_prefix_is_refused() {
        assert!(LeadId::parse(EnrolmentId::new().as_str()).is_err());
        assert!(LeadId::parse("ld_../../etc").is_err());
    }

    #[test]
    fn tenant_slugs_are_lowercase() {
        assert!(TenantId::parse("acme-dental").is_ok());
        assert!(TenantId::parse("Acme").is_err());
        assert!(TenantId::parse("").is_err());
    }

    #[test]
    fn idempotency_keys_refuse_spaces_inside_and_overlong_keys() {
        assert!(IdempotencyKey::parse("form-123").is_ok());
        assert!(IdempotencyKey::parse("a b").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(256)).is_err());
    }
}
