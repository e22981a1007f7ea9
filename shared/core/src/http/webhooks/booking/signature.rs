//! The booking tools' webhook signatures, both hex HMAC-SHA256 with a secret the tenant file
//! holds:
//!
//! - Calendly: `Calendly-Webhook-Signature: t=<unix seconds>,v1=<hex>` over `"{t}.{raw body}"`
//!   with the subscription's webhook signing key; a `t` more than 3 minutes from our clock is
//!   refused, as Calendly advises, so a captured event cannot be replayed later
//!   (<https://developer.calendly.com/api-docs/overview/webhooks/webhook-signatures>).
//! - Cal.com: `X-Cal-Signature-256: <hex>` over the raw body with the webhook's secret
//!   (<https://cal.com/docs/developing/guides/automation/webhooks>). Cal.com signs no time, so
//!   there is no window: a replayed booking records the same booking again.

use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Calendly's signature header.
pub const CALENDLY_HEADER: &str = "calendly-webhook-signature";
/// Cal.com's signature header.
pub const CALCOM_HEADER: &str = "x-cal-signature-256";
/// How far Calendly's `t` may be from our clock, either way, in seconds.
pub const CALENDLY_WINDOW_SECS: u64 = 180;

/// Why a booking webhook is not taken as its tool's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BookingSignatureError {
    #[error("no signature header")]
    Missing,
    #[error("the signature header is not t=<seconds>,v1=<hex>")]
    Malformed,
    #[error("the signed time is more than 180 s from now")]
    OutsideWindow,
    #[error("the signature does not match the body")]
    Mismatch,
}

/// Whether `hex_signature` is the HMAC-SHA256 of `parts` (in order) under `key`, compared in
/// constant time.
fn matches(key: &str, parts: &[&[u8]], hex_signature: &str) -> Result<(), BookingSignatureError> {
    let presented = hex::decode(hex_signature.trim()).map_err(|_| BookingSignatureError::Malformed)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    for part in parts {
        mac.update(part);
    }
    mac.verify_slice(&presented).map_err(|_| BookingSignatureError::Mismatch)
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Result<&'h str, BookingSignatureError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or(BookingSignatureError::Missing)
}

/// Checks Calendly's signature of `body` with the signing key, signed within the window of `now`.
pub fn verify_calendly_signature(
    key: &str,
    headers: &HeaderMap,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), BookingSignatureError> {
    let value = header(headers, CALENDLY_HEADER)?;
    let field = |name: &str| {
        value.split(',').filter_map(|part| part.trim().split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| v)
    };
    let (Some(t), Some(v1)) = (field("t"), field("v1")) else { return Err(BookingSignatureError::Malformed) };
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BookingSignatureError::Malformed);
    }
    let signed_at: i64 = t.parse().map_err(|_| BookingSignatureError::Malformed)?;
    if now.timestamp().abs_diff(signed_at) > CALENDLY_WINDOW_SECS {
        return Err(BookingSignatureError::OutsideWindow);
    }
    matches(key, &[t.as_bytes(), b".", body], v1)
}

/// Checks Cal.com's signature of `body` with the webhook's secret.
pub fn verify_calcom_signature(secret: &str, headers: &HeaderMap, body: &[u8]) -> Result<(), BookingSignatureError> {
    matches(secret, &[body], header(headers, CALCOM_HEADER)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use chrono::TimeZone;

    const BODY: &[u8] = br#"{"event":"invitee.created","payload":{"email":"ann@example.com"}}"#;
    const KEY: &str = "calendly signing key";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 5, 15, 0, 0).unwrap()
    }

    fn hmac_hex(key: &str, message: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
        mac.update(message);
        hex::encode(mac.finalize().into_bytes())
    }

    fn with(name: &'static str, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_str(value).unwrap());
        headers
    }

    fn calendly(key: &str, t: i64, body: &[u8]) -> HeaderMap {
        let mut message = format!("{t}.").into_bytes();
        message.extend_from_slice(body);
        with(CALENDLY_HEADER, &format!("t={t},v1={}", hmac_hex(key, &message)))
    }

    #[test]
    fn calendly_s_signature_of_the_body_and_time_is_accepted_within_three_minutes() {
        let t = now().timestamp();
        for at in [t, t - 180, t + 180] {
            assert_eq!(verify_calendly_signature(KEY, &calendly(KEY, at, BODY), BODY, now()), Ok(()));
        }
        for at in [t - 181, t + 181, 0] {
            let result = verify_calendly_signature(KEY, &calendly(KEY, at, BODY), BODY, now());
            assert_eq!(result, Err(BookingSignatureError::OutsideWindow));
        }
    }

    #[test]
    fn a_forged_calendly_signature_is_refused() {
        let t = now().timestamp();
        let wrong_key = calendly("guessed key", t, BODY);
        assert_eq!(verify_calendly_signature(KEY, &wrong_key, BODY, now()), Err(BookingSignatureError::Mismatch));
        let tampered = br#"{"event":"invitee.created","payload":{"email":"eve@example.com"}}"#;
        let headers = calendly(KEY, t, BODY);
        assert_eq!(verify_calendly_signature(KEY, &headers, tampered, now()), Err(BookingSignatureError::Mismatch));
        // The time is signed too: moving it invalidates the signature.
        let value = headers[CALENDLY_HEADER].to_str().unwrap().replace(&format!("t={t}"), &format!("t={}", t - 1));
        let moved = with(CALENDLY_HEADER, &value);
        assert_eq!(verify_calendly_signature(KEY, &moved, BODY, now()), Err(BookingSignatureError::Mismatch));
    }

    #[test]
    fn malformed_calendly_headers_are_refused() {
        let cases = [
            (HeaderMap::new(), BookingSignatureError::Missing),
            (with(CALENDLY_HEADER, "v1=abcd"), BookingSignatureError::Malformed),
            (with(CALENDLY_HEADER, "t=1772722800"), BookingSignatureError::Malformed),
            (with(CALENDLY_HEADER, "t=soon,v1=abcd"), BookingSignatureError::Malformed),
            (with(CALENDLY_HEADER, "t=1772722800,v1=not hex"), BookingSignatureError::Malformed),
        ];
        for (headers, expected) in cases {
            assert_eq!(verify_calendly_signature(KEY, &headers, BODY, now()), Err(expected), "{headers:?}");
        }
    }

    #[test]
    fn cal_com_s_signature_of_the_body_is_accepted_and_a_forgery_refused() {
        let good = with(CALCOM_HEADER, &hmac_hex("cal secret", BODY));
        assert_eq!(verify_calcom_signature("cal secret", &good, BODY), Ok(()));
        assert_eq!(verify_calcom_signature("other secret", &good, BODY), Err(BookingSignatureError::Mismatch));
        assert_eq!(verify_calcom_signature("cal secret", &good, b"{}"), Err(BookingSignatureError::Mismatch));
        assert_eq!(verify_calcom_signature("cal secret", &HeaderMap::new(), BODY), Err(BookingSignatureError::Missing));
    }
}
