//! Short tokens only this stack can mint: a payload and a truncated HMAC-SHA256 of it, in
//! URL-safe base64. One key serves every purpose (tracked links, a one-click unsubscribe);
//! the purpose is signed with the payload, so a token minted for one is worthless for another.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

/// How much of the HMAC a token keeps: 80 bits, so guessing one takes 2^79 tries on average,
/// each a request to the stack.
const TAG_BYTES: usize = 10;

/// The stack's token key (`LEADFLOW_LINK_SECRET`). `Debug` never shows it.
#[derive(Clone)]
pub struct TokenKey(Vec<u8>);

impl TokenKey {
    /// A key from the secret's bytes.
    pub fn new(secret: &[u8]) -> Self {
        Self(secret.to_vec())
    }

    fn mac(&self, purpose: &str, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        // The purpose's length first, so ("ab", "c…") and ("a", "bc…") sign different bytes.
        mac.update(&(purpose.len() as u32).to_be_bytes());
        mac.update(purpose.as_bytes());
        mac.update(payload);
        mac
    }

    /// `payload` and its tag for `purpose`, as URL-safe base64 without padding.
    pub fn seal(&self, purpose: &str, payload: &[u8]) -> String {
        let tag = self.mac(purpose, payload).finalize().into_bytes();
        let mut bytes = payload.to_vec();
        bytes.extend_from_slice(&tag[..TAG_BYTES]);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The payload of a token this key sealed for `purpose`; `None` for anything else.
    pub fn open(&self, purpose: &str, token: &str) -> Option<Vec<u8>> {
        let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
        let split = bytes.len().checked_sub(TAG_BYTES)?;
        let (payload, tag) = bytes.split_at(split);
        // Constant time: a forger learns nothing from how long a wrong tag took to refuse.
        self.mac(purpose, payload).verify_truncated_left(tag).ok()?;
        Some(payload.to_vec())
    }
}

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenKey(redacted)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> TokenKey {
        TokenKey::new(b"a stack's secret")
    }

    #[test]
    fn a_sealed_payload_opens_with_the_same_key_and_purpose() {
        let token = key().seal("click", b"payload");
        assert_eq!(key().open("click", &token), Some(b"payload".to_vec()));
        assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{token}");
    }

    #[test]
    fn another_key_or_purpose_opens_nothing() {
        let token = key().seal("click", b"payload");
        assert_eq!(TokenKey::new(b"another stack").open("click", &token), None);
        assert_eq!(key().open("unsubscribe", &token), None);
    }

    #[test]
    fn a_changed_payload_or_tag_opens_nothing() {
        let token = key().seal("click", b"payload");
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        for i in 0..bytes.len() {
            bytes[i] ^= 1;
            assert_eq!(key().open("click", &URL_SAFE_NO_PAD.encode(&bytes)), None, "byte {i} flipped");
            bytes[i] ^= 1;
        }
        let forged = key().seal("click", b"other");
        let (head, _) = token.split_at(token.len() - 4);
        assert_eq!(key().open("click", &format!("{head}{}", &forged[forged.len() - 4..])), None);
    }

    #[test]
    fn garbage_opens_nothing() {
        for token in ["", "a", "!!!!", "not base64 at all", "AAAAAAAAAAAAAA"] {
            assert_eq!(key().open("click", token), None, "{token:?}");
        }
    }
}
