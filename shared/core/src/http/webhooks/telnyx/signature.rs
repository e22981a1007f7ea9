//! Telnyx's webhook signature: ed25519, by the account's key pair, over `"{timestamp}|{raw
//! body}"`, sent base64 in `telnyx-signature-ed25519` with the Unix seconds in
//! `telnyx-timestamp`.
//!
//! Sources: the headers and the signed `timestamp|payload` in Telnyx's webhook reference
//! (<https://developers.telnyx.com/api-reference/callbacks/inbound-message>); "verify the
//! signature before trusting the event, and reject signatures outside the application's
//! replay window" (<https://developers.telnyx.com/docs/development/api-fundamentals/webhooks>);
//! the 300 s tolerance either way, the 32-byte base64 public key and the 64-byte signature as
//! Telnyx's own SDK checks them (team-telnyx/telnyx-python, `src/telnyx/lib/webhook_verification.py`).

use axum::http::HeaderMap;
use base64::Engine;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, VerifyingKey};

/// The header holding the base64 signature.
pub const SIGNATURE_HEADER: &str = "telnyx-signature-ed25519";
/// The header holding the Unix seconds the event was signed at.
pub const TIMESTAMP_HEADER: &str = "telnyx-timestamp";
/// How far a signed timestamp may be from our clock, either way, in seconds: an event
/// captured and replayed later than this is refused.
pub const REPLAY_WINDOW_SECS: u64 = 300;

/// Why a Telnyx webhook is not taken as Telnyx's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TelnyxSignatureError {
    #[error("no telnyx-signature-ed25519 header")]
    MissingSignature,
    #[error("no telnyx-timestamp header")]
    MissingTimestamp,
    #[error("telnyx-timestamp is not Unix seconds")]
    MalformedTimestamp,
    #[error("telnyx-signature-ed25519 is not a base64 ed25519 signature")]
    MalformedSignature,
    #[error("telnyx-timestamp is more than 300 s from now")]
    OutsideWindow,
    #[error("the signature does not match the body and timestamp")]
    Mismatch,
}

/// Checks that Telnyx signed `body` (the raw bytes, as received) with `key`'s private half, at
/// a timestamp within [`REPLAY_WINDOW_SECS`] of `now`.
pub fn verify_telnyx_signature(
    key: &VerifyingKey,
    headers: &HeaderMap,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), TelnyxSignatureError> {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty());
    let signature = header(SIGNATURE_HEADER).ok_or(TelnyxSignatureError::MissingSignature)?;
    let timestamp = header(TIMESTAMP_HEADER).ok_or(TelnyxSignatureError::MissingTimestamp)?;

    if !timestamp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TelnyxSignatureError::MalformedTimestamp);
    }
    let signed_at: i64 = timestamp.parse().map_err(|_| TelnyxSignatureError::MalformedTimestamp)?;
    if now.timestamp().abs_diff(signed_at) > REPLAY_WINDOW_SECS {
        return Err(TelnyxSignatureError::OutsideWindow);
    }

    let signature = base64::engine::general_purpose::STANDARD
        .decode(signature)
        .ok()
        .and_then(|bytes| Signature::from_slice(&bytes).ok())
        .ok_or(TelnyxSignatureError::MalformedSignature)?;
    let mut message = Vec::with_capacity(timestamp.len() + 1 + body.len());
    message.extend_from_slice(timestamp.as_bytes());
    message.push(b'|');
    message.extend_from_slice(body);
    // Strict: no small-order keys, no malleable (non-canonical) signatures, as libsodium.
    key.verify_strict(&message, &signature).map_err(|_| TelnyxSignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use chrono::TimeZone;
    use ed25519_dalek::{Signer, SigningKey};

    const BODY: &[u8] = br#"{"data":{"event_type":"message.received","payload":{"text":"STOP"}}}"#;

    fn telnyx() -> SigningKey {
        SigningKey::from_bytes(&[7; 32])
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 5, 15, 0, 0).unwrap()
    }

    /// The headers Telnyx would send for `body` signed by `key` at `at`.
    fn signed(key: &SigningKey, at: i64, body: &[u8]) -> HeaderMap {
        let mut message = format!("{at}|").into_bytes();
        message.extend_from_slice(body);
        let signature = base64::engine::general_purpose::STANDARD.encode(key.sign(&message).to_bytes());
        headers(Some(&signature), Some(&at.to_string()))
    }

    fn headers(signature: Option<&str>, timestamp: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(signature) = signature {
            headers.insert(SIGNATURE_HEADER, HeaderValue::from_str(signature).unwrap());
        }
        if let Some(timestamp) = timestamp {
            headers.insert(TIMESTAMP_HEADER, HeaderValue::from_str(timestamp).unwrap());
        }
        headers
    }

    fn verify(headers: &HeaderMap, body: &[u8]) -> Result<(), TelnyxSignatureError> {
        verify_telnyx_signature(&telnyx().verifying_key(), headers, body, now())
    }

    #[test]
    fn a_body_signed_by_telnyx_now_is_accepted() {
        assert_eq!(verify(&signed(&telnyx(), now().timestamp(), BODY), BODY), Ok(()));
    }

    #[test]
    fn a_signature_by_another_key_is_refused() {
        let other = SigningKey::from_bytes(&[8; 32]);
        assert_eq!(verify(&signed(&other, now().timestamp(), BODY), BODY), Err(TelnyxSignatureError::Mismatch));
    }

    #[test]
    fn a_body_changed_after_signing_is_refused() {
        let headers = signed(&telnyx(), now().timestamp(), BODY);
        let tampered = String::from_utf8(BODY.to_vec()).unwrap().replace("STOP", "START");
        assert_eq!(verify(&headers, tampered.as_bytes()), Err(TelnyxSignatureError::Mismatch));
        // Re-serialised JSON is another body: Telnyx signs the bytes it sent.
        let spaced = String::from_utf8(BODY.to_vec()).unwrap().replace(':', ": ");
        assert_eq!(verify(&headers, spaced.as_bytes()), Err(TelnyxSignatureError::Mismatch));
    }

    #[test]
    fn the_timestamp_is_signed_too() {
        let mut headers = signed(&telnyx(), now().timestamp(), BODY);
        headers.insert(TIMESTAMP_HEADER, HeaderValue::from(now().timestamp() - 1));
        assert_eq!(verify(&headers, BODY), Err(TelnyxSignatureError::Mismatch));
    }

    #[test]
    fn the_replay_window_is_300_seconds_either_way() {
        let at = now().timestamp();
        for inside in [at - 300, at + 300] {
            assert_eq!(verify(&signed(&telnyx(), inside, BODY), BODY), Ok(()), "{}", inside - at);
        }
        for outside in [at - 301, at + 301, at - 86_400, 0] {
            assert_eq!(
                verify(&signed(&telnyx(), outside, BODY), BODY),
                Err(TelnyxSignatureError::OutsideWindow),
                "{}",
                outside - at
            );
        }
    }

    #[test]
    fn missing_or_malformed_headers_are_refused() {
        let at = now().timestamp().to_string();
        let good = signed(&telnyx(), now().timestamp(), BODY);
        let signature = good[SIGNATURE_HEADER].to_str().unwrap();
        let cases = [
            (headers(None, Some(&at)), TelnyxSignatureError::MissingSignature),
            (headers(Some(""), Some(&at)), TelnyxSignatureError::MissingSignature),
            (headers(Some(signature), None), TelnyxSignatureError::MissingTimestamp),
            (headers(Some(signature), Some("soon")), TelnyxSignatureError::MalformedTimestamp),
            (headers(Some(signature), Some("-1772722800")), TelnyxSignatureError::MalformedTimestamp),
            (headers(Some(signature), Some("99999999999999999999999")), TelnyxSignatureError::MalformedTimestamp),
            (headers(Some("not base64!"), Some(&at)), TelnyxSignatureError::MalformedSignature),
            (headers(Some("c2hvcnQ="), Some(&at)), TelnyxSignatureError::MalformedSignature),
        ];
        for (headers, expected) in cases {
            assert_eq!(verify(&headers, BODY), Err(expected), "{headers:?}");
        }
    }
}
