//! `write_lead` is all or nothing: a write failing on any condition leaves nothing.

use super::prelude::*;

/// A new lead whose phone another lead owns: `Duplicate("phone")`, and nothing of the write
/// (lead, email key, idempotency record, enrolment, timeline) is left behind.
pub async fn a_write_failing_on_a_duplicate_phone_leaves_nothing(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let phone = fresh_phone();
    let owner = new_lead(&tenant, None, Some(phone.clone()));
    assert_eq!(store.write_lead(create(&owner)).await, Ok(()), "creating the phone's owner must succeed");

    let write = full_write(&new_lead(&tenant, Some(fresh_email()), Some(phone)));
    let before = snapshot(store, &write).await;
    assert_eq!(
        store.write_lead(write.clone()).await,
        Err(StoreError::Duplicate("phone")),
        "a new lead with a phone another lead owns must fail with Duplicate(\"phone\")"
    );
    assert_eq!(
        snapshot(store, &write).await,
        before,
        "a write failing on Duplicate(\"phone\") must leave no lead, email, idempotency record, enrolment or timeline"
    );
    assert_keys_free(store, &write, &before, "after a write failing on Duplicate(\"phone\")").await;
}

/// A new lead whose email another lead owns: `Duplicate("email")`, and nothing of the write
/// (lead, phone key, idempotency record, enrolment, timeline) is left behind.
pub async fn a_write_failing_on_a_duplicate_email_leaves_nothing(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let email = fresh_email();
    let owner = new_lead(&tenant, Some(email.clone()), None);
    assert_eq!(store.write_lead(create(&owner)).await, Ok(()), "creating the email's owner must succeed");

    let write = full_write(&new_lead(&tenant, Some(email), Some(fresh_phone())));
    let before = snapshot(store, &write).await;
    assert_eq!(
        store.write_lead(write.clone()).await,
        Err(StoreError::Duplicate("email")),
        "a new lead with an email another lead owns must fail with Duplicate(\"email\")"
    );
    assert_eq!(
        snapshot(store, &write).await,
        before,
        "a write failing on Duplicate(\"email\") must leave no lead, phone, idempotency record, enrolment or timeline"
    );
    assert_keys_free(store, &write, &before, "after a write failing on Duplicate(\"email\")").await;
}

/// An update whose enrolment moved: `AlreadyClaimed`, and nothing of the write (lead
/// version, new phone, idempotency record, the other enrolment, timeline) is left behind.
/// With the right version the same write then succeeds, exactly once.
pub async fn a_write_failing_on_an_enrolment_version_leaves_nothing(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let lead = new_lead(&tenant, Some(fresh_email()), None);
    let enrolment = new_enrolment(&lead, t0());
    let first = LeadWrite {
        enrolments: vec![EnrolmentWrite { enrolment: enrolment.clone(), expected_version: None }],
        timeline: vec![entry(t0(), "received")],
        ..create(&lead)
    };
    assert_eq!(store.write_lead(first).await, Ok(()), "creating the lead with an enrolment must succeed");

    // A merge: a new phone, a new enrolment, the old one stopped, under an idempotency key,
    // but it read the old enrolment at a version it never had. The failing enrolment comes
    // last, after the one that would succeed.
    let mut merged = bumped(&lead);
    merged.profile.phone = Some(fresh_phone());
    let fresh = new_enrolment(&merged, t0() + Duration::hours(1));
    let stopped = finished(&enrolment, EnrolmentStatus::Stopped(StopReason::Replied));
    let mut write = LeadWrite {
        lead: merged.clone(),
        enrolments: vec![
            EnrolmentWrite { enrolment: fresh.clone(), expected_version: None },
            EnrolmentWrite { enrolment: stopped.clone(), expected_version: Some(enrolment.version + 1) },
        ],
        idempotency: Some(record(&fresh_key(), &merged, t0() + Duration::hours(1), Duration::hours(24))),
        timeline: vec![entry(t0() + Duration::hours(1), "merged"), entry(t0() + Duration::hours(1), "enrolled")],
        unless_opted_out: None,
        waiting: Vec::new(),
        lists: Vec::new(),
    };
    let before = snapshot(store, &write).await;
    assert_eq!(
        store.write_lead(write.clone()).await,
        Err(StoreError::AlreadyClaimed),
        "a write replacing an enrolment at a version it does not have must fail with AlreadyClaimed"
    );
    assert_eq!(
        snapshot(store, &write).await,
        before,
        "a write failing on AlreadyClaimed must leave the lead, its new phone, the idempotency key, \
         the enrolments and the timeline as they were"
    );

    write.enrolments[1].expected_version = Some(enrolment.version);
    assert_eq!(store.write_lead(write.clone()).await, Ok(()), "the same write with the right version must succeed");
    assert_eq!(ok(store.lead(&tenant, &lead.id).await, "lead"), Some(merged), "the lead must be the update");
    let mut expected = vec![stopped, fresh];
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(
        ok(store.enrolments(&tenant, &lead.id).await, "enrolments"),
        expected,
        "both enrolments must be written once"
    );
    let mut timeline = before.timeline.clone();
    timeline.extend(write.timeline.iter().cloned());
    assert_eq!(
        ok(store.timeline(&tenant, &lead.id).await, "timeline"),
        timeline,
        "the timeline must hold the successful write's entries once, and none of the failed one"
    );
}

/// A stale update carrying every kind of item: `Stale`, and nothing of it is left behind.
pub async fn a_stale_write_leaves_nothing(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let lead = new_lead(&tenant, Some(fresh_email()), None);
    let first = LeadWrite { timeline: vec![entry(t0(), "received")], ..create(&lead) };
    assert_eq!(store.write_lead(first).await, Ok(()), "creating the lead must succeed");
    let current = bumped(&lead);
    assert_eq!(store.write_lead(create(&current)).await, Ok(()), "updating the lead to version 2 must succeed");

    // A writer that read version 1 adds a phone, an enrolment, a receipt and entries.
    let mut stale = bumped(&lead);
    stale.profile.phone = Some(fresh_phone());
    let write = full_write(&stale);
    let before = snapshot(store, &write).await;
    assert_eq!(store.write_lead(write.clone()).await, Err(StoreError::Stale), "an update from version 1 must be Stale");
    assert_eq!(
        snapshot(store, &write).await,
        before,
        "a write failing on Stale must leave the lead, its new phone, the idempotency key, \
         the enrolments and the timeline as they were"
    );
    assert_keys_free(store, &write, &before, "after a write failing on Stale").await;
}
