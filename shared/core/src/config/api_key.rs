//! API keys are stored hashed. Keys are long random tokens, so a plain SHA-256 is the right
//! tool (a slow password hash buys nothing against 128 bits of entropy and costs latency on
//! every request).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The stored form of an API key: `sha256:<64 hex digits>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ApiKeyHash(String);

impl ApiKeyHash {
    /// Parses the stored form.
    pub fn parse(raw: &str) -> Option<Self> {
        let hex = raw.strip_prefix("sha256:")?;
        (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Self(format!("sha256:{}", hex.to_ascii_lowercase())))
    }

    /// The stored form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a key may do: `full` (the default) posts leads and events and reads everything;
/// `read` (a dashboard key) signs in to the dashboard and reads reports, and every route that
/// changes something refuses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum KeyScope {
    #[default]
    Full,
    Read,
}

impl KeyScope {
    /// Parses `scope = "full" | "read"`.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        match raw {
            "full" => Ok(KeyScope::Full),
            "read" => Ok(KeyScope::Read),
            _ => Err("must be \"full\" (the default) or \"read\" (reports and the dashboard only)"),
        }
    }
}

/// A tenant's API key as configured: its name (for people), its hash and its scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub name: String,
    pub hash: ApiKeyHash,
    pub scope: KeyScope,
}

/// Hashes a presented key into its stored form.
pub fn hash_api_key(key: &str) -> ApiKeyHash {
    ApiKeyHash(format!("sha256:{}", hex::encode(Sha256::digest(key.as_bytes()))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_hashes_to_its_stored_form() {
        let hash = hash_api_key("secret");
        assert_eq!(ApiKeyHash::parse(hash.as_str()), Some(hash));
        assert_ne!(hash_api_key("secret2"), hash_api_key("secret"));
    }

    #[test]
    fn a_scope_is_full_or_read() {
        assert_eq!(KeyScope::parse("read"), Ok(KeyScope::Read));
        assert_eq!(KeyScope::parse("full"), Ok(KeyScope::Full));
        assert!(KeyScope::parse("write").is_err());
        assert_eq!(KeyScope::default(), KeyScope::Full);
    }

    #[test]
    fn a_plaintext_key_is_not_a_stored_hash() {
        assert_eq!(ApiKeyHash::parse("secret"), None);
        assert_eq!(ApiKeyHash::parse("sha256:abc"), None);
    }
}
