//! Rotations: each turn taken once, per tenant and rotation.

use super::prelude::*;

/// A rotation's turns count 1, 2, 3 ... with no turn given twice, even to two callers at
/// once, and each tenant and rotation counts on its own; counters of days are not disturbed.
pub async fn turns_are_taken_once_each_per_tenant_and_rotation(store: &dyn LeadStore) {
    let (tenant, other) = (fresh_tenant(), fresh_tenant());
    let turn = |tenant: &TenantId, rotation: &'static str| {
        let tenant = tenant.clone();
        async move { ok(store.next_turn(&tenant, rotation).await, "next_turn") }
    };
    assert_eq!(turn(&tenant, "reps").await, 1, "a rotation's first turn is 1");
    assert_eq!(turn(&tenant, "reps").await, 2, "the next turn is one more");
    let (a, b) = both(turn(&tenant, "reps"), turn(&tenant, "reps")).await;
    let mut concurrent = [a, b];
    concurrent.sort_unstable();
    assert_eq!(concurrent, [3, 4], "two turns taken at once must be different turns");
    assert_eq!(turn(&other, "reps").await, 1, "another tenant's rotation counts on its own");
    assert_eq!(turn(&tenant, "managers").await, 1, "another rotation counts on its own");
    let day = NaiveDate::from_ymd_opt(2026, 2, 26).expect("a date");
    assert_eq!(
        ok(store.counts(&tenant, day, day + chrono::Days::new(400)).await, "counts"),
        vec![],
        "turns are not day counters"
    );
}
