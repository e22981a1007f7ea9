//! A provider's ed25519 public key, which verifies its webhooks (Telnyx signs each one). Not a
//! secret: it can only check signatures, never make one.

use base64::Engine;
use ed25519_dalek::VerifyingKey;
use std::fmt;

/// An ed25519 public key, checked to be a point on the curve when the tenant file is read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Ed25519PublicKey(VerifyingKey);

impl Ed25519PublicKey {
    /// Reads a key as the Telnyx portal shows it: 32 bytes, base64.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(raw.trim())
            .map_err(|_| "must be base64 (the public key from the Telnyx portal)".to_owned())?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| format!("must be a 32-byte ed25519 public key, not {} bytes", b.len()))?;
        VerifyingKey::from_bytes(&bytes).map(Self).map_err(|_| "is not a valid ed25519 public key".to_owned())
    }

    /// The key, to verify with.
    pub fn key(&self) -> &VerifyingKey {
        &self.0
    }
}

impl From<VerifyingKey> for Ed25519PublicKey {
    fn from(key: VerifyingKey) -> Self {
        Self(key)
    }
}

impl fmt::Debug for Ed25519PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let encoded = base64::engine::general_purpose::STANDARD.encode(self.0.as_bytes());
        write!(f, "Ed25519PublicKey({encoded})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 8032 section 7.1, test 1: a known-good public key.
    const RFC8032_KEY: &str = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

    #[test]
    fn a_32_byte_base64_key_is_read() {
        let key = Ed25519PublicKey::parse(RFC8032_KEY).unwrap();
        assert_eq!(
            hex::encode(key.key().as_bytes()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        assert_eq!(format!("{key:?}"), format!("Ed25519PublicKey({RFC8032_KEY})"));
    }

    #[test]
    fn anything_else_is_refused_with_its_reason() {
        assert!(Ed25519PublicKey::parse("not base64!").unwrap_err().contains("base64"));
        let short = base64::engine::general_purpose::STANDARD.encode([7u8; 31]);
        assert!(Ed25519PublicKey::parse(&short).unwrap_err().contains("not 31 bytes"));
        assert!(Ed25519PublicKey::parse("").unwrap_err().contains("not 0 bytes"));
    }
}
