//! What lead sources keep: rate windows and raw requests.

use super::super::RawPayload;
use super::prelude::*;

/// A rate's hits count 1, 2, 3 ... within its window, two at once never the same; a new
/// window, another rate or another tenant counts from one.
pub async fn rate_windows_count_each_hit_once(store: &dyn LeadStore) {
    let (tenant, other) = (fresh_tenant(), fresh_tenant());
    let minute = t0();
    let until = minute + Duration::minutes(2);
    let hit = |tenant: &TenantId, rate: &'static str, start: DateTime<Utc>| {
        let tenant = tenant.clone();
        async move { ok(store.count_hit(&tenant, rate, start, until).await, "count_hit") }
    };
    assert_eq!(hit(&tenant, "form:a", minute).await, 1, "a window's first hit is 1");
    assert_eq!(hit(&tenant, "form:a", minute).await, 2);
    let (a, b) = both(hit(&tenant, "form:a", minute), hit(&tenant, "form:a", minute)).await;
    let mut concurrent = [a, b];
    concurrent.sort_unstable();
    assert_eq!(concurrent, [3, 4], "two hits at once are counted apart");
    assert_eq!(hit(&tenant, "form:a", minute + Duration::minutes(1)).await, 1, "the next window starts again");
    assert_eq!(hit(&tenant, "form:b", minute).await, 1, "another rate counts on its own");
    assert_eq!(hit(&other, "form:a", minute).await, 1, "another tenant counts on its own");
}

/// A raw request reads back byte for byte until it expires, within its tenant only; a second
/// one under the same key leaves the first, until the first expired.
pub async fn raw_payloads_read_back_until_they_expire(store: &dyn LeadStore) {
    let (tenant, other) = (fresh_tenant(), fresh_tenant());
    let payload = RawPayload {
        key: "typeform:a1b2c3".to_owned(),
        received_at: t0(),
        content_type: "application/json".to_owned(),
        body: "{\"name\":\"Zo\u{eb}\",\"bytes\":\"\u{0}\u{ff}\"}".as_bytes().to_vec(),
        expires_at: t0() + Duration::days(30),
    };
    ok(store.keep_payload(&tenant, &payload).await, "keep_payload");
    let read = |tenant: &TenantId, at: DateTime<Utc>| {
        let tenant = tenant.clone();
        async move { ok(store.payload(&tenant, "typeform:a1b2c3", at).await, "payload") }
    };
    assert_eq!(read(&tenant, t0()).await.as_ref(), Some(&payload), "read back as kept");
    assert_eq!(read(&other, t0()).await, None, "another tenant never reads it");
    assert_eq!(read(&tenant, payload.expires_at).await, None, "gone once expired");
    let again = RawPayload { body: b"replayed with another body".to_vec(), ..payload.clone() };
    ok(store.keep_payload(&tenant, &again).await, "keep_payload");
    assert_eq!(read(&tenant, t0()).await.as_ref(), Some(&payload), "the first request stands");
    let later = RawPayload {
        body: b"a new request".to_vec(),
        received_at: payload.expires_at,
        expires_at: payload.expires_at + Duration::days(30),
        ..payload.clone()
    };
    ok(store.keep_payload(&tenant, &later).await, "keep_payload");
    let read_later = ok(store.payload(&tenant, "typeform:a1b2c3", payload.expires_at).await, "payload");
    assert_eq!(read_later.map(|p| p.body), Some(b"a new request".to_vec()), "an expired one is replaced");
    let missing = ok(store.payload(&tenant, "typeform:nope", t0()).await, "payload");
    assert_eq!(missing, None);
}
