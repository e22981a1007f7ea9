//! Inbound message ids: claimed once until they expire or are released.

use super::prelude::*;

/// An inbound message id is claimed once: a repeat (or a concurrent twin) is refused until
/// the claim expires or is released, and each tenant claims its own ids.
pub async fn an_inbound_message_is_claimed_once_until_it_expires_or_is_released(store: &dyn LeadStore) {
    let (tenant, other) = (fresh_tenant(), fresh_tenant());
    let until = t0() + Duration::days(7);
    let claim = |tenant: &TenantId, id: &'static str, now: DateTime<Utc>| {
        let tenant = tenant.clone();
        async move { ok(store.claim_inbound(&tenant, id, now, until).await, "claim_inbound") }
    };
    assert!(claim(&tenant, "SM1", t0()).await, "the first claim of an id succeeds");
    assert!(!claim(&tenant, "SM1", t0() + Duration::hours(1)).await, "a repeat before the expiry is refused");
    assert!(claim(&other, "SM1", t0()).await, "another tenant's id is its own");
    let (a, b) = both(claim(&tenant, "SM2", t0()), claim(&tenant, "SM2", t0())).await;
    assert!(a ^ b, "of two claims at once exactly one succeeds ({a}, {b})");
    assert_eq!(store.release_inbound(&tenant, "SM1").await, Ok(()), "release_inbound must succeed");
    assert!(claim(&tenant, "SM1", t0() + Duration::hours(2)).await, "a released id may be claimed again");
    assert!(claim(&tenant, "SM2", until).await, "an expired claim may be claimed again");
    assert_eq!(store.release_inbound(&tenant, "never-claimed").await, Ok(()), "releasing nothing is fine");
}
