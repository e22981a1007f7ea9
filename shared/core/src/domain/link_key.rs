//! The per-stack key that signs leadflow's public links (one-click unsubscribe), so a link
//! names its lead without being guessable or forgeable.
//!
//! HMAC-SHA256 over a purpose and a message, truncated to 128 bits (22 base64url characters
//! in a URL): plenty against forgery online, where every guess costs a request.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

/// Bytes of the MAC kept in a link.
const MAC_BYTES: usize = 16;

/// The shortest key accepted: a guessable key would make every link forgeable.
pub const MIN_KEY_CHARS: usize = 16;

/// The key `leadflow dev` signs links with unless given one. Public, so links signed with it
/// are forgeable: for local runs only.
pub const DEV_LINK_KEY: &str = "leadflow-dev-link-key-not-for-production";

/// Why a key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a link signing key needs at least {MIN_KEY_CHARS} characters (e.g. `openssl rand -hex 32`)")]
pub struct LinkKeyError;

/// The signing key. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkKey(Vec<u8>);

impl LinkKey {
    /// A key from its secret text.
    pub fn new(secret: &str) -> Result<Self, LinkKeyError> {
        if secret.chars().count() < MIN_KEY_CHARS {
            return Err(LinkKeyError);
        }
        Ok(Self(secret.as_bytes().to_vec()))
    }

    fn mac(&self, purpose: &str, message: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        // The purpose keeps a signature for one kind of link from serving another.
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(message.as_bytes());
        mac
    }

    /// The signature of `message` for `purpose`, as URL-safe text.
    pub fn sign(&self, purpose: &str, message: &str) -> String {
        URL_SAFE_NO_PAD.encode(&self.mac(purpose, message).finalize().into_bytes()[..MAC_BYTES])
    }

    /// Whether `signature` is `sign(purpose, message)`, compared in constant time.
    pub fn verify(&self, purpose: &str, message: &str, signature: &str) -> bool {
        match URL_SAFE_NO_PAD.decode(signature) {
            Ok(bytes) if bytes.len() == MAC_BYTES => self.mac(purpose, message).verify_truncated_left(&bytes).is_ok(),
            _ => false,
        }
    }
}

impl fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkKey(redacted)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(secret: &str) -> LinkKey {
        LinkKey::new(secret).unwrap()
    }

    #[test]
    fn a_signature_verifies_only_for_its_purpose_message_and_key() {
        let a = key("0123456789abcdef-a");
        let signature = a.sign("unsubscribe", "acme.ld_1");
        assert_eq!(signature.len(), 22);
        assert!(a.verify("unsubscribe", "acme.ld_1", &signature));
        assert!(!a.verify("click", "acme.ld_1", &signature));
        assert!(!a.verify("unsubscribe", "acme.ld_2", &signature));
        assert!(!key("0123456789abcdef-b").verify("unsubscribe", "acme.ld_1", &signature));
    }

    #[test]
    fn a_tampered_or_malformed_signature_is_refused() {
        let a = key("0123456789abcdef");
        let mut signature = a.sign("p", "m").into_bytes();
        signature[0] = if signature[0] == b'A' { b'B' } else { b'A' };
        assert!(!a.verify("p", "m", std::str::from_utf8(&signature).unwrap()));
        for bad in ["", "!!!", "AAAA", &"A".repeat(64)] {
            assert!(!a.verify("p", "m", bad), "{bad:?}");
        }
    }

    #[test]
    fn a_short_key_is_refused_and_a_key_is_never_printed() {
        assert_eq!(LinkKey::new("short"), Err(LinkKeyError));
        assert!(!format!("{:?}", key(DEV_LINK_KEY)).contains("leadflow"));
    }
}
