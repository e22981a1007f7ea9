//! Day counters: atomic adds, read back by day and tenant.

use super::prelude::*;

/// A negative delta subtracts, exactly, even through a sum below zero (which reads as 0).
pub async fn negative_counts_subtract(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let day = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
    let (booked, new) = ("in_stage|booked".to_owned(), "in_stage|new".to_owned());
    for counts in [vec![(booked.clone(), 3), (new.clone(), -1)], vec![(booked.clone(), -1)]] {
        assert_eq!(store.add_counts(&tenant, day, &counts).await, Ok(()), "add_counts must take negative deltas");
    }
    let mut counts = ok(store.counts(&tenant, day, day).await, "counts");
    counts.sort();
    assert_eq!(counts, vec![(day, booked, 2), (day, new.clone(), 0)], "3 - 1 is 2; a sum below zero reads 0");
    assert_eq!(store.add_counts(&tenant, day, &[(new.clone(), 2)]).await, Ok(()));
    let mut counts = ok(store.counts(&tenant, day, day).await, "counts");
    counts.sort();
    assert_eq!(counts[1], (day, new, 1), "-1 + 2 is 1, not 2");
}

/// `add_counts` increments (also when two run at once); `counts` returns the counters of the
/// days `from..=to` of that tenant only.
pub async fn counts_add_up_within_the_days_and_the_tenant(store: &dyn LeadStore) {
    let (tenant, other) = (fresh_tenant(), fresh_tenant());
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 2, 26).expect("a date") + chrono::Days::new(u64::from(d));
    let leads = "leads|web-form".to_owned();
    let touches = "touches|web-form|sms".to_owned();
    let add = move |tenant: &TenantId, d: u32, counts: Vec<(String, i64)>| {
        let tenant = tenant.clone();
        async move {
            assert_eq!(store.add_counts(&tenant, day(d), &counts).await, Ok(()), "add_counts must succeed");
        }
    };

    add(&tenant, 0, vec![(leads.clone(), 7)]).await;
    add(&tenant, 1, vec![(leads.clone(), 1)]).await;
    add(&tenant, 1, vec![(leads.clone(), 1), (touches.clone(), 3)]).await;
    add(&tenant, 3, vec![(leads.clone(), 5)]).await; // 2026-03-01: across a month end
    add(&tenant, 4, vec![(leads.clone(), 11)]).await;
    add(&other, 1, vec![(leads.clone(), 100)]).await;
    add(&other, 3, vec![(touches.clone(), 200)]).await;
    both(add(&tenant, 3, vec![(leads.clone(), 1)]), add(&tenant, 3, vec![(leads.clone(), 1)])).await;

    let sorted = |mut counts: Vec<(NaiveDate, String, u64)>| {
        counts.sort();
        counts
    };
    assert_eq!(
        sorted(ok(store.counts(&tenant, day(1), day(3)).await, "counts")),
        vec![(day(1), leads.clone(), 2), (day(1), touches.clone(), 3), (day(3), leads.clone(), 7)],
        "counts() must sum every add of a counter (concurrent ones too) and return only the days from..=to"
    );
    assert_eq!(
        sorted(ok(store.counts(&tenant, day(0), day(0)).await, "counts")),
        vec![(day(0), leads.clone(), 7)],
        "counts() of one day must return that day"
    );
    assert_eq!(ok(store.counts(&tenant, day(2), day(2)).await, "counts"), vec![], "a day without counts has none");
    assert_eq!(
        sorted(ok(store.counts(&other, day(0), day(4)).await, "counts")),
        vec![(day(1), leads, 100), (day(3), touches, 200)],
        "counts() must return only the tenant's own counters"
    );
    assert_eq!(
        ok(store.counts(&fresh_tenant(), day(0), day(4)).await, "counts"),
        vec![],
        "a tenant without counts has none"
    );
}
