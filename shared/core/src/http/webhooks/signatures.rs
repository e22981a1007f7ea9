//! The lead sources' webhook signatures, all HMAC-SHA256 with a secret the tenant file holds,
//! each checked on the raw body bytes as they arrived: a body parsed and serialised again is
//! other bytes (key order, spacing, `\u00e4` against `ä`) and would refuse genuine leads.
//!
//! - Meta (Facebook, Instagram lead ads): `X-Hub-Signature-256: sha256=<hex>` over the body with
//!   the app secret. Meta signs the body as sent, non-ASCII escaped as `\u00e4`
//!   (<https://developers.facebook.com/docs/graph-api/webhooks/getting-started/>).
//! - Typeform: `Typeform-Signature: sha256=<base64>` over the body with the webhook's secret
//!   (<https://www.typeform.com/developers/webhooks/secure-your-webhooks/>).
//! - Webflow: `x-webflow-signature: <hex>` over `"{x-webflow-timestamp}:{body}"`, the timestamp
//!   in milliseconds, with the webhook's secret or the OAuth app's client secret
//!   (<https://developers.webflow.com/data/docs/working-with-webhooks>).
//! - Standard Webhooks (Make, Svix and the senders built on them): `webhook-signature` holds
//!   space-separated `v1,<base64>` over `"{webhook-id}.{webhook-timestamp}.{body}"`, keyed with
//!   the base64 behind `whsec_` (<https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md>).
//! - Any other sender that can sign: HMAC-SHA256 of the body in a header the tenant names.
//! - A sender that cannot sign at all: a long random secret in its URL ([`same_secret`]).
//!
//! The timestamped schemes are refused more than [`WINDOW_SECS`] from our clock either way, so a
//! captured delivery cannot be replayed later. Meta, Typeform and the generic scheme sign no
//! time, so a replayed delivery within them records the same lead again.

use axum::http::HeaderMap;
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Meta's signature header.
pub const META_HEADER: &str = "x-hub-signature-256";
/// Typeform's signature header.
pub const TYPEFORM_HEADER: &str = "typeform-signature";
/// Webflow's signature header.
pub const WEBFLOW_SIGNATURE_HEADER: &str = "x-webflow-signature";
/// Webflow's signed time header, in milliseconds since the epoch.
pub const WEBFLOW_TIMESTAMP_HEADER: &str = "x-webflow-timestamp";
/// Standard Webhooks' message id header, signed with the body.
pub const WEBHOOK_ID_HEADER: &str = "webhook-id";
/// Standard Webhooks' signed time header, in seconds since the epoch.
pub const WEBHOOK_TIMESTAMP_HEADER: &str = "webhook-timestamp";
/// Standard Webhooks' signature header: space-separated `<version>,<base64>` entries.
pub const WEBHOOK_SIGNATURE_HEADER: &str = "webhook-signature";
/// How far a signed time may be from our clock, either way, in seconds (Webflow and Standard
/// Webhooks both advise 5 minutes).
pub const WINDOW_SECS: i64 = 300;

/// The prefix Meta and Typeform put before the signature, and generic senders often do.
const SHA256_PREFIX: &str = "sha256=";
/// The prefix Standard Webhooks puts before a symmetric secret's base64.
const WHSEC_PREFIX: &str = "whsec_";

/// Base64 with or without its `=` padding, for generic senders whose encoders differ on it.
const BASE64_PADDING_OPTIONAL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why a lead source's webhook is not taken as signed by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("a signature header this source sends is missing or empty")]
    Missing,
    #[error("a signature header is not in the form the source documents (prefix, encoding, digits-only time)")]
    Malformed,
    #[error("the signed time is more than 5 minutes from now; send a fresh delivery, and check the sender's clock")]
    OutsideWindow,
    #[error("the signature does not match the body under the configured secret")]
    Mismatch,
}

/// Whether `presented` is the HMAC-SHA256 of `parts` (in order) under `key`, compared in
/// constant time; a truncated or overlong signature is a mismatch, not a shorter check.
fn signed(key: &[u8], parts: &[&[u8]], presented: &[u8]) -> Result<(), SignatureError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        mac.update(part);
    }
    mac.verify_slice(presented).map_err(|_| SignatureError::Mismatch)
}

/// The trimmed value of `name`; absent or blank is missing, and a value that is not visible
/// ASCII cannot be any of the documented forms.
fn header_value<'h>(headers: &'h HeaderMap, name: &str) -> Result<&'h str, SignatureError> {
    let value = headers.get(name).ok_or(SignatureError::Missing)?;
    let value = value.to_str().map_err(|_| SignatureError::Malformed)?.trim();
    if value.is_empty() {
        return Err(SignatureError::Missing);
    }
    Ok(value)
}

/// The bytes of a hex signature; nothing at all after a prefix is no signature either.
fn hex(value: &str) -> Result<Vec<u8>, SignatureError> {
    hex::decode(value).ok().filter(|bytes| !bytes.is_empty()).ok_or(SignatureError::Malformed)
}

/// The bytes of a base64 signature, padded as the documented senders write it.
fn base64(value: &str) -> Result<Vec<u8>, SignatureError> {
    STANDARD.decode(value).ok().filter(|bytes| !bytes.is_empty()).ok_or(SignatureError::Malformed)
}

/// The whole number a timestamp header holds. Digits only, so `+1`, `1.5` or `1e9` is refused
/// rather than read leniently into a time nobody signed.
fn timestamp(value: &str) -> Result<i64, SignatureError> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SignatureError::Malformed);
    }
    // All digits yet beyond i64 is a time far outside any window.
    value.parse().map_err(|_| SignatureError::OutsideWindow)
}

/// Refuses a signed time more than `window` from `now`, both in the same unit.
fn within(signed_at: i64, now: i64, window: i64) -> Result<(), SignatureError> {
    if now.abs_diff(signed_at) > window.unsigned_abs() {
        return Err(SignatureError::OutsideWindow);
    }
    Ok(())
}

/// Checks Meta's signature of `body` with the app secret. The prefix is required: Meta always
/// sends it, and the bare hex of another scheme is not Meta's.
pub fn verify_meta(app_secret: &str, headers: &HeaderMap, body: &[u8]) -> Result<(), SignatureError> {
    let value = header_value(headers, META_HEADER)?;
    let hex_signature = value.strip_prefix(SHA256_PREFIX).ok_or(SignatureError::Malformed)?;
    signed(app_secret.as_bytes(), &[body], &hex(hex_signature)?)
}

/// Checks Typeform's signature of `body` with the webhook's secret: base64, behind a required
/// `sha256=`.
pub fn verify_typeform(secret: &str, headers: &HeaderMap, body: &[u8]) -> Result<(), SignatureError> {
    let value = header_value(headers, TYPEFORM_HEADER)?;
    let base64_signature = value.strip_prefix(SHA256_PREFIX).ok_or(SignatureError::Malformed)?;
    signed(secret.as_bytes(), &[body], &base64(base64_signature)?)
}

/// Checks Webflow's signature of its timestamp and `body`, signed within the window of `now`.
/// Webflow's timestamp is in milliseconds; one in seconds reads as 1970 and is refused.
pub fn verify_webflow(
    secret: &str,
    headers: &HeaderMap,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    let t = header_value(headers, WEBFLOW_TIMESTAMP_HEADER)?;
    let presented = header_value(headers, WEBFLOW_SIGNATURE_HEADER)?;
    within(timestamp(t)?, now.timestamp_millis(), WINDOW_SECS * 1000)?;
    signed(secret.as_bytes(), &[t.as_bytes(), b":", body], &hex(presented)?)
}

/// Checks a Standard Webhooks signature of the message id, timestamp and `body`, signed within
/// the window of `now`. Any `v1` entry that matches is enough, so a sender rotating its secret
/// can sign with both; other versions (`v1a` is ed25519) are not ours to check and are skipped.
pub fn verify_standard_webhooks(
    secret: &str,
    headers: &HeaderMap,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    let id = header_value(headers, WEBHOOK_ID_HEADER)?;
    let t = header_value(headers, WEBHOOK_TIMESTAMP_HEADER)?;
    let signatures = header_value(headers, WEBHOOK_SIGNATURE_HEADER)?;
    // The spec keeps `.` out of the id: with one, `{id}.{t}.{body}` could be split another way.
    if id.contains('.') {
        return Err(SignatureError::Malformed);
    }
    within(timestamp(t)?, now.timestamp(), WINDOW_SECS)?;
    let secret = secret.trim();
    // A secret that is not base64 keys nothing any sender signed with: every delivery is refused,
    // which points at the tenant's configuration rather than at the sender.
    let key =
        STANDARD.decode(secret.strip_prefix(WHSEC_PREFIX).unwrap_or(secret)).map_err(|_| SignatureError::Mismatch)?;
    let v1: Vec<Vec<u8>> = signatures
        .split(' ')
        .filter_map(|entry| entry.split_once(','))
        .filter(|(version, _)| *version == "v1")
        .filter_map(|(_, signature)| base64(signature).ok())
        .collect();
    if v1.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let parts: [&[u8]; 5] = [id.as_bytes(), b".", t.as_bytes(), b".", body];
    if v1.iter().any(|signature| signed(&key, &parts, signature).is_ok()) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// Checks a generic sender's signature of `body` in the header the tenant names. Hex is tried
/// first: 64 hex digits also parse as base64, but to 48 bytes that can never be a 32-byte MAC,
/// while the base64 of a MAC (44 characters ending in `=`, or 43 unpadded) is never hex.
pub fn verify_body_hmac(secret: &str, header: &str, headers: &HeaderMap, body: &[u8]) -> Result<(), SignatureError> {
    let value = header_value(headers, header)?;
    let encoded = value.strip_prefix(SHA256_PREFIX).unwrap_or(value);
    let presented = hex::decode(encoded)
        .or_else(|_| BASE64_PADDING_OPTIONAL.decode(encoded))
        .ok()
        .filter(|bytes| !bytes.is_empty())
        .ok_or(SignatureError::Malformed)?;
    signed(secret.as_bytes(), &[body], &presented)
}

/// Whether `given` (a secret from a sender's URL) is the configured `secret`. Their SHA-256
/// digests are compared in constant time, so neither the contents nor the length leak through
/// timing; an empty secret on either side is never a match, so an unset secret opens nothing.
pub fn same_secret(given: Option<&str>, secret: &str) -> bool {
    let Some(given) = given else { return false };
    if given.is_empty() || secret.is_empty() {
        return false;
    }
    Sha256::digest(given.as_bytes()).ct_eq(&Sha256::digest(secret.as_bytes())).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use chrono::TimeZone;

    /// RFC 4231 test case 2 (<https://www.rfc-editor.org/rfc/rfc4231#section-4.3>): the published
    /// HMAC-SHA256 of this data under this key, used where a provider's page shows its format but
    /// no vector.
    const RFC4231_KEY: &str = "Jefe";
    const RFC4231_DATA: &[u8] = b"what do ya want for nothing?";
    const RFC4231_HEX: &str = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    const RFC4231_BASE64: &str = "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=";

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    fn at_secs(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(secs, 0).unwrap()
    }

    fn at_millis(millis: i64) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(millis).unwrap()
    }

    fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
        mac.update(message);
        mac.finalize().into_bytes().to_vec()
    }

    // --- Meta -------------------------------------------------------------------------------

    /// The RFC 4231 vector in Meta's documented form, `sha256=<lowercase hex>`
    /// (<https://developers.facebook.com/docs/graph-api/webhooks/getting-started/>, "Validating
    /// Payloads"; the page gives the format but no signed example).
    #[test]
    fn meta_s_sha256_hex_signature_of_the_body_is_accepted() {
        let signed = headers(&[(META_HEADER, &format!("sha256={RFC4231_HEX}"))]);
        assert_eq!(verify_meta(RFC4231_KEY, &signed, RFC4231_DATA), Ok(()));
        let upper = headers(&[(META_HEADER, &format!("sha256={}", RFC4231_HEX.to_uppercase()))]);
        assert_eq!(verify_meta(RFC4231_KEY, &upper, RFC4231_DATA), Ok(()));
    }

    /// Meta's page: "we generate the signature using an escaped unicode version of the payload,
    /// with lowercase hex digits ... For example, the string äöå should be escaped to
    /// \u00e4\u00f6\u00e5" (<https://developers.facebook.com/docs/graph-api/webhooks/getting-started/>).
    /// The expected hex was computed outside this code, with Python's `hmac` module over these
    /// exact escaped bytes; the same JSON re-serialised with the characters themselves (what a
    /// parse-and-serialise round trip gives) must not verify.
    #[test]
    fn meta_signs_the_escaped_bytes_as_sent_so_a_reserialised_body_is_refused() {
        let raw = br#"{"object":"page","entry":[{"id":"1234","time":1772722800,"messaging":[{"message":{"text":"\u00e4\u00f6\u00e5"}}]}]}"#;
        let sent = headers(&[(META_HEADER, "sha256=7cf3b0e94f1581063ce50b166abdf16c10e117a3cd4f7926c8585e5fe154f2d8")]);
        assert_eq!(verify_meta("meta app secret", &sent, raw), Ok(()));
        let reserialised =
            r#"{"object":"page","entry":[{"id":"1234","time":1772722800,"messaging":[{"message":{"text":"äöå"}}]}]}"#;
        assert_eq!(verify_meta("meta app secret", &sent, reserialised.as_bytes()), Err(SignatureError::Mismatch));
    }

    #[test]
    fn a_forged_or_tampered_meta_delivery_is_refused() {
        let signed = headers(&[(META_HEADER, &format!("sha256={RFC4231_HEX}"))]);
        assert_eq!(verify_meta("guessed secret", &signed, RFC4231_DATA), Err(SignatureError::Mismatch));
        assert_eq!(verify_meta(RFC4231_KEY, &signed, b"what do ya want for something?"), Err(SignatureError::Mismatch));
        let truncated = headers(&[(META_HEADER, &format!("sha256={}", &RFC4231_HEX[..32]))]);
        assert_eq!(verify_meta(RFC4231_KEY, &truncated, RFC4231_DATA), Err(SignatureError::Mismatch));
    }

    #[test]
    fn missing_or_malformed_meta_headers_are_refused() {
        let cases = [
            (HeaderMap::new(), SignatureError::Missing),
            (headers(&[(META_HEADER, "  ")]), SignatureError::Missing),
            (headers(&[(META_HEADER, RFC4231_HEX)]), SignatureError::Malformed),
            (headers(&[(META_HEADER, &format!("sha1={RFC4231_HEX}"))]), SignatureError::Malformed),
            (headers(&[(META_HEADER, "sha256=not hex")]), SignatureError::Malformed),
        ];
        for (headers, expected) in cases {
            assert_eq!(verify_meta(RFC4231_KEY, &headers, RFC4231_DATA), Err(expected), "{headers:?}");
        }
    }

    // --- Typeform ---------------------------------------------------------------------------

    /// Typeform's steps: HMAC-SHA256 of the entire received payload with the secret, base64, then
    /// prefix `sha256=` (<https://www.typeform.com/developers/webhooks/secure-your-webhooks/>; the
    /// page has code in several languages but no signed example). First the RFC 4231 vector in
    /// that form, then a form_response body whose signature was computed with Python's `hmac`.
    #[test]
    fn typeform_s_sha256_base64_signature_of_the_body_is_accepted() {
        let signed = headers(&[(TYPEFORM_HEADER, &format!("sha256={RFC4231_BASE64}"))]);
        assert_eq!(verify_typeform(RFC4231_KEY, &signed, RFC4231_DATA), Ok(()));
        let body = br#"{"event_id":"01HXYZ","event_type":"form_response","form_response":{"form_id":"lT4Z3j","answers":[{"type":"email","email":"ann@example.com"}]}}"#;
        let signed = headers(&[(TYPEFORM_HEADER, "sha256=NCZoyHV9QVGyTl1ZUqVaVMiCC/8Qt0lc9n3zcycstQ8=")]);
        assert_eq!(verify_typeform("typeform secret", &signed, body), Ok(()));
    }

    #[test]
    fn a_forged_or_tampered_typeform_delivery_is_refused() {
        let signed = headers(&[(TYPEFORM_HEADER, &format!("sha256={RFC4231_BASE64}"))]);
        assert_eq!(verify_typeform("guessed secret", &signed, RFC4231_DATA), Err(SignatureError::Mismatch));
        assert_eq!(verify_typeform(RFC4231_KEY, &signed, b"{}"), Err(SignatureError::Mismatch));
        // Meta's hex in Typeform's header is still only a string of the wrong length.
        let hex_instead = headers(&[(TYPEFORM_HEADER, &format!("sha256={RFC4231_HEX}"))]);
        assert_eq!(verify_typeform(RFC4231_KEY, &hex_instead, RFC4231_DATA), Err(SignatureError::Mismatch));
    }

    #[test]
    fn missing_or_malformed_typeform_headers_are_refused() {
        let cases = [
            (HeaderMap::new(), SignatureError::Missing),
            (headers(&[(TYPEFORM_HEADER, RFC4231_BASE64)]), SignatureError::Malformed),
            (headers(&[(TYPEFORM_HEADER, "sha256=not base64!")]), SignatureError::Malformed),
        ];
        for (headers, expected) in cases {
            assert_eq!(verify_typeform(RFC4231_KEY, &headers, RFC4231_DATA), Err(expected), "{headers:?}");
        }
    }

    // --- Webflow ----------------------------------------------------------------------------

    /// The test submission shown on Webflow's page, minified as Webflow sends it, with the page's
    /// example `secretKey` and `x-webflow-timestamp: 1722370035277`
    /// (<https://developers.webflow.com/data/docs/working-with-webhooks>). The page's own
    /// `x-webflow-signature` (cb6162d8...) is illustrative: no secret or body spacing reproduces
    /// it, so the expected hex here was computed with Python's `hmac` over `"{t}:{body}"`.
    const WEBFLOW_SECRET: &str = "2b4acfd1c5518bf03c73a4889d197d77251353857c22694bf150b9e3402ba15f";
    const WEBFLOW_T: i64 = 1_722_370_035_277;
    const WEBFLOW_BODY: &[u8] = br#"{"triggerType":"form_submission","payload":{"name":"Email Form","siteId":"65427cf400e02b306eaa049c","data":{"Email 2":"hello@gmail.com"},"submittedAt":"2024-07-30T20:07:15.220Z","id":"66a947f35b9d7ba400e22733","formId":"65429eadebe8a9f3a30f62d7"}}"#;
    const WEBFLOW_SIGNATURE: &str = "3d2c36d21a1f85c7812f702074afdf7ea44f45f49155d4c0704735d6366295f8";

    fn webflow(t: &str, signature: &str) -> HeaderMap {
        headers(&[(WEBFLOW_TIMESTAMP_HEADER, t), (WEBFLOW_SIGNATURE_HEADER, signature)])
    }

    fn webflow_signed_at(t: i64) -> HeaderMap {
        let signature = hmac(WEBFLOW_SECRET.as_bytes(), &[format!("{t}:").as_bytes(), WEBFLOW_BODY].concat());
        webflow(&t.to_string(), &hex::encode(signature))
    }

    #[test]
    fn webflow_s_signature_of_the_millisecond_timestamp_and_body_is_accepted() {
        let signed = webflow(&WEBFLOW_T.to_string(), WEBFLOW_SIGNATURE);
        assert_eq!(verify_webflow(WEBFLOW_SECRET, &signed, WEBFLOW_BODY, at_millis(WEBFLOW_T)), Ok(()));
    }

    #[test]
    fn webflow_is_accepted_within_five_minutes_either_way_and_refused_beyond() {
        let now = at_millis(WEBFLOW_T);
        for t in [WEBFLOW_T - 300_000, WEBFLOW_T + 300_000] {
            assert_eq!(verify_webflow(WEBFLOW_SECRET, &webflow_signed_at(t), WEBFLOW_BODY, now), Ok(()), "{t}");
        }
        for t in [WEBFLOW_T - 300_001, WEBFLOW_T + 300_001, WEBFLOW_T / 1000] {
            let result = verify_webflow(WEBFLOW_SECRET, &webflow_signed_at(t), WEBFLOW_BODY, now);
            assert_eq!(result, Err(SignatureError::OutsideWindow), "{t}");
        }
    }

    #[test]
    fn a_forged_tampered_or_retimed_webflow_delivery_is_refused() {
        let now = at_millis(WEBFLOW_T);
        let signed = webflow(&WEBFLOW_T.to_string(), WEBFLOW_SIGNATURE);
        assert_eq!(verify_webflow("guessed secret", &signed, WEBFLOW_BODY, now), Err(SignatureError::Mismatch));
        assert_eq!(verify_webflow(WEBFLOW_SECRET, &signed, b"{}", now), Err(SignatureError::Mismatch));
        // The time is signed too: moving it, even within the window, invalidates the signature.
        let moved = webflow(&(WEBFLOW_T - 1).to_string(), WEBFLOW_SIGNATURE);
        assert_eq!(verify_webflow(WEBFLOW_SECRET, &moved, WEBFLOW_BODY, now), Err(SignatureError::Mismatch));
    }

    #[test]
    fn missing_or_malformed_webflow_headers_are_refused() {
        let t = WEBFLOW_T.to_string();
        let cases = [
            (headers(&[(WEBFLOW_SIGNATURE_HEADER, WEBFLOW_SIGNATURE)]), SignatureError::Missing),
            (headers(&[(WEBFLOW_TIMESTAMP_HEADER, &t)]), SignatureError::Missing),
            (webflow("1722370035.277", WEBFLOW_SIGNATURE), SignatureError::Malformed),
            (webflow("-1722370035277", WEBFLOW_SIGNATURE), SignatureError::Malformed),
            (webflow("soon", WEBFLOW_SIGNATURE), SignatureError::Malformed),
            (webflow(&t, "not hex"), SignatureError::Malformed),
            (webflow("99999999999999999999999", WEBFLOW_SIGNATURE), SignatureError::OutsideWindow),
        ];
        for (headers, expected) in cases {
            let result = verify_webflow(WEBFLOW_SECRET, &headers, WEBFLOW_BODY, at_millis(WEBFLOW_T));
            assert_eq!(result, Err(expected), "{headers:?}");
        }
    }

    // --- Standard Webhooks ------------------------------------------------------------------

    /// The reference vector of the Standard Webhooks libraries (`TestWebhookSign` in
    /// <https://github.com/standard-webhooks/standard-webhooks/blob/main/libraries/go/webhook_test.go>,
    /// the same in the PHP and JavaScript tests), and the signature strings their
    /// "valid multi sig is valid" case puts around it.
    const SW_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SW_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SW_T: i64 = 1_614_265_330;
    const SW_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SW_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    const SW_OTHER: &str = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";

    fn standard(id: &str, t: &str, signature: &str) -> HeaderMap {
        headers(&[(WEBHOOK_ID_HEADER, id), (WEBHOOK_TIMESTAMP_HEADER, t), (WEBHOOK_SIGNATURE_HEADER, signature)])
    }

    fn standard_signed_at(t: i64) -> HeaderMap {
        let key = STANDARD.decode(&SW_SECRET[WHSEC_PREFIX.len()..]).unwrap();
        let signature = hmac(&key, &[format!("{SW_ID}.{t}.").as_bytes(), SW_BODY].concat());
        standard(SW_ID, &t.to_string(), &format!("v1,{}", STANDARD.encode(signature)))
    }

    #[test]
    fn the_standard_webhooks_reference_vector_is_accepted_with_or_without_the_whsec_prefix() {
        let signed = standard(SW_ID, &SW_T.to_string(), SW_SIGNATURE);
        assert_eq!(verify_standard_webhooks(SW_SECRET, &signed, SW_BODY, at_secs(SW_T)), Ok(()));
        // The libraries' TestWebhookPrefix: the base64 alone is the same key.
        let bare = &SW_SECRET[WHSEC_PREFIX.len()..];
        assert_eq!(verify_standard_webhooks(bare, &signed, SW_BODY, at_secs(SW_T)), Ok(()));
    }

    #[test]
    fn any_matching_v1_signature_is_enough_and_other_versions_are_skipped() {
        let t = SW_T.to_string();
        let now = at_secs(SW_T);
        let second_valid = standard(SW_ID, &t, &format!("{SW_OTHER} {SW_SIGNATURE}"));
        assert_eq!(verify_standard_webhooks(SW_SECRET, &second_valid, SW_BODY, now), Ok(()));
        // The libraries' "valid multi sig is valid": a v2 entry and invalid v1 entries around it.
        let v2 = SW_OTHER.replacen("v1,", "v2,", 1);
        let mixed = standard(SW_ID, &t, &format!("{SW_OTHER} {v2} {SW_SIGNATURE} {SW_OTHER}"));
        assert_eq!(verify_standard_webhooks(SW_SECRET, &mixed, SW_BODY, now), Ok(()));
        // The right bytes labelled with another version are not a v1 signature.
        let only_v1a = standard(SW_ID, &t, &SW_SIGNATURE.replacen("v1,", "v1a,", 1));
        assert_eq!(verify_standard_webhooks(SW_SECRET, &only_v1a, SW_BODY, now), Err(SignatureError::Malformed));
        let none_valid = standard(SW_ID, &t, &format!("{SW_OTHER} {v2}"));
        assert_eq!(verify_standard_webhooks(SW_SECRET, &none_valid, SW_BODY, now), Err(SignatureError::Mismatch));
    }

    #[test]
    fn standard_webhooks_are_accepted_within_five_minutes_either_way_and_refused_beyond() {
        let now = at_secs(SW_T);
        for t in [SW_T - 300, SW_T + 300] {
            assert_eq!(verify_standard_webhooks(SW_SECRET, &standard_signed_at(t), SW_BODY, now), Ok(()), "{t}");
        }
        for t in [SW_T - 301, SW_T + 301, SW_T * 1000] {
            let result = verify_standard_webhooks(SW_SECRET, &standard_signed_at(t), SW_BODY, now);
            assert_eq!(result, Err(SignatureError::OutsideWindow), "{t}");
        }
    }

    #[test]
    fn a_forged_tampered_or_retimed_standard_webhook_is_refused() {
        let now = at_secs(SW_T);
        let signed = standard(SW_ID, &SW_T.to_string(), SW_SIGNATURE);
        let other_secret = format!("whsec_{}", STANDARD.encode(b"another endpoint's key"));
        assert_eq!(verify_standard_webhooks(&other_secret, &signed, SW_BODY, now), Err(SignatureError::Mismatch));
        assert_eq!(verify_standard_webhooks(SW_SECRET, &signed, br#"{"test": 1}"#, now), Err(SignatureError::Mismatch));
        // The id and the time are signed with the body.
        let moved = standard(SW_ID, &(SW_T - 1).to_string(), SW_SIGNATURE);
        assert_eq!(verify_standard_webhooks(SW_SECRET, &moved, SW_BODY, now), Err(SignatureError::Mismatch));
        let other_id = standard("msg_another", &SW_T.to_string(), SW_SIGNATURE);
        assert_eq!(verify_standard_webhooks(SW_SECRET, &other_id, SW_BODY, now), Err(SignatureError::Mismatch));
        // A secret that is not base64 keys nothing a sender signed with.
        assert_eq!(verify_standard_webhooks("whsec_not base64!", &signed, SW_BODY, now), Err(SignatureError::Mismatch));
    }

    #[test]
    fn missing_or_malformed_standard_webhooks_headers_are_refused() {
        let t = SW_T.to_string();
        let cases = [
            (
                headers(&[(WEBHOOK_TIMESTAMP_HEADER, &t), (WEBHOOK_SIGNATURE_HEADER, SW_SIGNATURE)]),
                SignatureError::Missing,
            ),
            (headers(&[(WEBHOOK_ID_HEADER, SW_ID), (WEBHOOK_SIGNATURE_HEADER, SW_SIGNATURE)]), SignatureError::Missing),
            (headers(&[(WEBHOOK_ID_HEADER, SW_ID), (WEBHOOK_TIMESTAMP_HEADER, &t)]), SignatureError::Missing),
            (standard(SW_ID, "1614265330.5", SW_SIGNATURE), SignatureError::Malformed),
            (standard(SW_ID, "-1614265330", SW_SIGNATURE), SignatureError::Malformed),
            (standard(SW_ID, "2021-02-26T15:02:10Z", SW_SIGNATURE), SignatureError::Malformed),
            (standard("msg.p5jXN8AQM9LWM0D4loKWxJek", &t, SW_SIGNATURE), SignatureError::Malformed),
            (standard(SW_ID, &t, "v1,not base64!"), SignatureError::Malformed),
            (standard(SW_ID, &t, "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="), SignatureError::Malformed),
        ];
        for (headers, expected) in cases {
            let result = verify_standard_webhooks(SW_SECRET, &headers, SW_BODY, at_secs(SW_T));
            assert_eq!(result, Err(expected), "{headers:?}");
        }
    }

    // --- Generic body HMAC ------------------------------------------------------------------

    /// The RFC 4231 vector in every form a generic sender writes it: hex in either case, base64
    /// with or without padding, each with or without `sha256=`; the header name as the tenant
    /// typed it, in any case.
    #[test]
    fn a_generic_signature_is_accepted_as_hex_or_base64_with_or_without_the_prefix() {
        let unpadded = RFC4231_BASE64.trim_end_matches('=');
        let upper_hex = RFC4231_HEX.to_uppercase();
        for signature in [RFC4231_HEX, &upper_hex, RFC4231_BASE64, unpadded] {
            for value in [signature.to_string(), format!("sha256={signature}")] {
                let signed = headers(&[("x-zapier-signature", &value)]);
                let result = verify_body_hmac(RFC4231_KEY, "X-Zapier-Signature", &signed, RFC4231_DATA);
                assert_eq!(result, Ok(()), "{value}");
            }
        }
    }

    #[test]
    fn a_forged_or_tampered_generic_delivery_is_refused() {
        for signature in [RFC4231_HEX, RFC4231_BASE64] {
            let signed = headers(&[("x-signature", signature)]);
            let forged = verify_body_hmac("guessed secret", "x-signature", &signed, RFC4231_DATA);
            assert_eq!(forged, Err(SignatureError::Mismatch));
            let tampered = verify_body_hmac(RFC4231_KEY, "x-signature", &signed, b"what do ya want?");
            assert_eq!(tampered, Err(SignatureError::Mismatch));
        }
    }

    #[test]
    fn missing_or_malformed_generic_headers_are_refused() {
        let signed = headers(&[("x-signature", RFC4231_HEX)]);
        assert_eq!(verify_body_hmac(RFC4231_KEY, "x-other", &signed, RFC4231_DATA), Err(SignatureError::Missing));
        // A header name no request can carry is simply not there.
        assert_eq!(verify_body_hmac(RFC4231_KEY, "not a name", &signed, RFC4231_DATA), Err(SignatureError::Missing));
        for value in ["sha256=", "not hex or base64!"] {
            let malformed = headers(&[("x-signature", value)]);
            let result = verify_body_hmac(RFC4231_KEY, "x-signature", &malformed, RFC4231_DATA);
            assert_eq!(result, Err(SignatureError::Malformed), "{value}");
        }
    }

    // --- Secret in the URL ------------------------------------------------------------------

    #[test]
    fn only_the_whole_secret_is_the_same_secret() {
        let secret = "k3Hq9vX2mP7sT4wZ8bN1cR6yL0aF5dJe";
        assert!(same_secret(Some(secret), secret));
        let longer = format!("{secret}x");
        let refused = [Some(&secret[..secret.len() - 1]), Some(&secret[1..]), Some(longer.as_str()), Some(""), None];
        for given in refused {
            assert!(!same_secret(given, secret), "{given:?}");
        }
        // An unset secret opens nothing, even to an empty one.
        assert!(!same_secret(Some(""), ""));
    }
}
