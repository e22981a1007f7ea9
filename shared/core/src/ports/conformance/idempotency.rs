//! Idempotency records: kept until they expire, unique while they last.

use super::prelude::*;

/// A receipt is found from its creation until just before `expires_at`, and not at or after it.
pub async fn receipts_are_kept_until_they_expire(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let lead = new_lead(&tenant, Some(fresh_email()), None);
    let key = fresh_key();
    let rec = record(&key, &lead, t0(), Duration::hours(24));
    let expires_at = rec.expires_at;
    let write = LeadWrite { idempotency: Some(rec), ..create(&lead) };
    assert_eq!(store.write_lead(write).await, Ok(()), "a write with an idempotency record must succeed");

    let receipt = Some(receipt_for(&lead));
    for (now, when) in [(t0(), "when it was created"), (expires_at - Duration::seconds(1), "just before it expires")] {
        assert_eq!(ok(store.receipt(&tenant, &key, now).await, "receipt"), receipt, "the receipt must be found {when}");
    }
    for (now, when) in [(expires_at, "at its expiry"), (expires_at + Duration::days(3), "after its expiry")] {
        assert_eq!(ok(store.receipt(&tenant, &key, now).await, "receipt"), None, "the receipt must be ignored {when}");
    }
    assert_eq!(
        ok(store.receipt(&tenant, &fresh_key(), t0()).await, "receipt"),
        None,
        "an unknown idempotency key must have no receipt"
    );
}

/// A second record under an unexpired key is `Duplicate("idempotency key")`, and that failed
/// write leaves nothing behind; the first receipt stays.
pub async fn an_unexpired_idempotency_key_is_duplicate(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let first = new_lead(&tenant, Some(fresh_email()), None);
    let key = fresh_key();
    let write = LeadWrite { idempotency: Some(record(&key, &first, t0(), Duration::hours(24))), ..create(&first) };
    assert_eq!(store.write_lead(write).await, Ok(()), "the first write under the key must succeed");

    let mut second = full_write(&new_lead(&tenant, Some(fresh_email()), Some(fresh_phone())));
    second.idempotency = Some(record(&key, &second.lead, t0() + Duration::hours(23), Duration::hours(24)));
    let before = snapshot(store, &second).await;
    assert_eq!(
        store.write_lead(second.clone()).await,
        Err(StoreError::Duplicate("idempotency key")),
        "a second record under an unexpired key must fail with Duplicate(\"idempotency key\")"
    );
    assert_eq!(
        snapshot(store, &second).await,
        before,
        "a write failing on Duplicate(\"idempotency key\") must leave no lead, contacts, enrolments or timeline"
    );
    assert_eq!(
        ok(store.receipt(&tenant, &key, t0() + Duration::hours(23)).await, "receipt"),
        Some(receipt_for(&first)),
        "the first receipt must stay under the key"
    );
    let mut without_key = second.clone();
    without_key.idempotency = None;
    assert_keys_free(store, &without_key, &before, "after a write failing on Duplicate(\"idempotency key\")").await;
}

/// Once a record has expired (at its `expires_at` or later) its key takes a new record.
pub async fn an_expired_idempotency_key_may_be_reused(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let key = fresh_key();
    let first = new_lead(&tenant, Some(fresh_email()), None);
    let first_record = record(&key, &first, t0(), Duration::hours(1));
    let expiry = first_record.expires_at;
    let write = LeadWrite { idempotency: Some(first_record), ..create(&first) };
    assert_eq!(store.write_lead(write).await, Ok(()), "the first write under the key must succeed");

    // At its expiry `receipt` already ignores the record, so a retry then must be able to
    // write its own.
    let second = new_lead(&tenant, Some(fresh_email()), None);
    let write = LeadWrite { idempotency: Some(record(&key, &second, expiry, Duration::hours(1))), ..create(&second) };
    assert_eq!(store.write_lead(write).await, Ok(()), "a key whose record expired (at its expiry) must be reusable");
    assert_eq!(
        ok(store.receipt(&tenant, &key, expiry).await, "receipt"),
        Some(receipt_for(&second)),
        "the key must now answer with the new receipt"
    );

    let third = new_lead(&tenant, Some(fresh_email()), None);
    let later = expiry + Duration::hours(1) + Duration::seconds(1);
    let write = LeadWrite { idempotency: Some(record(&key, &third, later, Duration::hours(1))), ..create(&third) };
    assert_eq!(store.write_lead(write).await, Ok(()), "a key whose record expired earlier must be reusable");
    assert_eq!(
        ok(store.receipt(&tenant, &key, later).await, "receipt"),
        Some(receipt_for(&third)),
        "the key must now answer with the newest receipt"
    );
    assert_eq!(ok(store.lead(&tenant, &second.id).await, "lead"), Some(second), "reusing a key keeps earlier leads");
}
