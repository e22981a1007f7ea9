//! The `LeadStore` contract as checks that every adapter runs against itself: the embedded
//! redb store now, DynamoDB later, the same checks for both.
//!
//! Each check takes nothing but the port, builds its fixtures under fresh tenants and ids
//! (so all of them can share one store, a real table included) and panics with a message
//! naming the rule that broke. `run_all` runs every check; an adapter's tests also call each
//! one on its own so that a failure is named.
//!
//! Compiled only with the `conformance` feature (a dev-dependency of each adapter).

use super::{Claim, EnrolmentWrite, IdempotencyRecord, LeadStore, LeadWrite, StoreError};
use crate::domain::{
    Channel, Consent, ConsentEvidence, Email, Enrolment, EnrolmentId, EnrolmentStatus, IdempotencyKey, IntakeReceipt,
    IntakeStatus, Lead, LeadId, LeadProfile, LeadZone, OptOutRecord, OutcomeKind, PersonName, PhoneNumber, StopReason,
    TenantId, TimelineEntry, TimelineKind, Touch, TouchId, TouchStatus, Undeliverable,
};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::task::Poll;

/// Runs every check, one after another, against one store.
pub async fn run_all(store: &dyn LeadStore) {
    lead_round_trips(store).await;
    creating_an_existing_lead_is_duplicate(store).await;
    updates_are_conditional_on_the_version(store).await;
    email_is_unique_within_a_tenant(store).await;
    phone_is_unique_within_a_tenant(store).await;
    the_same_contacts_in_two_tenants_are_separate_leads(store).await;
    tenants_are_isolated(store).await;
    receipts_are_kept_until_they_expire(store).await;
    an_unexpired_idempotency_key_is_duplicate(store).await;
    an_expired_idempotency_key_may_be_reused(store).await;
    a_write_failing_on_a_duplicate_phone_leaves_nothing(store).await;
    a_write_failing_on_a_duplicate_email_leaves_nothing(store).await;
    a_write_failing_on_an_enrolment_version_leaves_nothing(store).await;
    a_stale_write_leaves_nothing(store).await;
    claims_are_conditional_on_the_enrolment_version(store).await;
    concurrent_claims_have_one_winner(store).await;
    concurrent_writes_keep_their_conditions(store).await;
    record_touch_replaces_the_status(store).await;
    a_touch_is_settled_only_from_the_status_it_has(store).await;
    enrolments_are_oldest_first(store).await;
    active_enrolments_are_the_tenants_active_ones(store).await;
    touches_are_oldest_first(store).await;
    the_timeline_keeps_insertion_order(store).await;
    counts_add_up_within_the_days_and_the_tenant(store).await;
    a_number_opt_out_keeps_its_first_evidence_until_lifted(store).await;
    writes_unless_opted_out_fail_once_the_number_opted_out(store).await;
    an_opt_out_and_a_lead_write_at_once_never_miss_each_other(store).await;
    turns_are_taken_once_each_per_tenant_and_rotation(store).await;
    an_inbound_message_is_claimed_once_until_it_expires_or_is_released(store).await;
}

// ---------------------------------------------------------------------------------------
// Leads and their versions
// ---------------------------------------------------------------------------------------

/// A created lead reads back unchanged, by id, email and phone; unknown ones are absent,
/// and leads without an email or a phone do not collide on the missing key.
pub async fn lead_round_trips(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let mut lead = new_lead(&tenant, Some(fresh_email()), Some(fresh_phone()));
    lead.opted_out.insert(Channel::Voice);
    lead.replied_at = Some(t0() + Duration::minutes(3));
    lead.outcome = Some(OutcomeKind::Booked);
    assert_eq!(store.write_lead(create(&lead)).await, Ok(()), "creating a new lead (version 1) must succeed");

    assert_eq!(
        ok(store.lead(&tenant, &lead.id).await, "lead"),
        Some(lead.clone()),
        "lead() must return the lead as written"
    );
    let email = lead.profile.email.clone().expect("the fixture has an email");
    let phone = lead.profile.phone.clone().expect("the fixture has a phone");
    assert_eq!(
        ok(store.lead_by_email(&tenant, &email).await, "lead_by_email"),
        Some(lead.clone()),
        "lead_by_email() must find the lead by its email"
    );
    assert_eq!(
        ok(store.lead_by_phone(&tenant, &phone).await, "lead_by_phone"),
        Some(lead.clone()),
        "lead_by_phone() must find the lead by its phone"
    );

    assert_eq!(ok(store.lead(&tenant, &LeadId::new()).await, "lead"), None, "an unknown lead id must read as None");
    assert_eq!(
        ok(store.lead_by_email(&tenant, &fresh_email()).await, "lead_by_email"),
        None,
        "an unknown email must read as None"
    );
    assert_eq!(
        ok(store.lead_by_phone(&tenant, &fresh_phone()).await, "lead_by_phone"),
        None,
        "an unknown phone must read as None"
    );

    let bare_a = new_lead(&tenant, None, None);
    let bare_b = new_lead(&tenant, None, None);
    assert_eq!(store.write_lead(create(&bare_a)).await, Ok(()), "a lead with no email and no phone must be stored");
    assert_eq!(
        store.write_lead(create(&bare_b)).await,
        Ok(()),
        "a second lead with no email and no phone must not collide with the first"
    );
    assert_eq!(ok(store.lead(&tenant, &bare_a.id).await, "lead"), Some(bare_a), "a lead without contacts reads back");
    assert_eq!(ok(store.lead(&tenant, &bare_b.id).await, "lead"), Some(bare_b), "a lead without contacts reads back");
}

/// Creating (version 1) a lead id that exists is `Duplicate("lead id")`, and the failed write
/// leaves nothing behind.
pub async fn creating_an_existing_lead_is_duplicate(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let lead = new_lead(&tenant, Some(fresh_email()), Some(fresh_phone()));
    let first = LeadWrite { timeline: vec![entry(t0(), "received")], ..create(&lead) };
    assert_eq!(store.write_lead(first).await, Ok(()), "creating a new lead must succeed");

    // The same id again, as if minted twice, with every other kind of item in the write.
    let mut again = new_lead(&tenant, Some(fresh_email()), Some(fresh_phone()));
    again.id = lead.id.clone();
    let write = full_write(&again);
    let before = snapshot(store, &write).await;
    assert_eq!(
        store.write_lead(write.clone()).await,
        Err(StoreError::Duplicate("lead id")),
        "creating (version 1) a lead id that exists must fail with Duplicate(\"lead id\")"
    );
    assert_eq!(
        snapshot(store, &write).await,
        before,
        "a write failing on Duplicate(\"lead id\") must leave the lead, its contacts, enrolments, \
         timeline and the idempotency key as they were"
    );
    assert_eq!(ok(store.lead(&tenant, &lead.id).await, "lead"), Some(lead.clone()), "the first lead must be unchanged");
    assert_keys_free(store, &write, &before, "after a write failing on Duplicate(\"lead id\")").await;
}

/// An update replaces version `n - 1` with version `n`; any other version is `Stale`, and
/// so is updating a lead that does not exist. Lookups by contact return the current version.
pub async fn updates_are_conditional_on_the_version(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let v1 = new_lead(&tenant, Some(fresh_email()), Some(fresh_phone()));
    assert_eq!(store.write_lead(create(&v1)).await, Ok(()), "creating a new lead must succeed");

    let mut v2 = bumped(&v1);
    v2.needs_human = true;
    assert_eq!(store.write_lead(create(&v2)).await, Ok(()), "updating version 1 to version 2 must succeed");
    assert_eq!(ok(store.lead(&tenant, &v1.id).await, "lead"), Some(v2.clone()), "lead() must return the update");
    let email = v1.profile.email.clone().expect("the fixture has an email");
    let phone = v1.profile.phone.clone().expect("the fixture has a phone");
    assert_eq!(
        ok(store.lead_by_email(&tenant, &email).await, "lead_by_email"),
        Some(v2.clone()),
        "lead_by_email() must return the current version of the lead"
    );
    assert_eq!(
        ok(store.lead_by_phone(&tenant, &phone).await, "lead_by_phone"),
        Some(v2.clone()),
        "lead_by_phone() must return the current version of the lead"
    );

    // A second writer that also read version 1.
    let mut rival = bumped(&v1);
    rival.outcome = Some(OutcomeKind::Won);
    assert_eq!(
        store.write_lead(create(&rival)).await,
        Err(StoreError::Stale),
        "an update from a version that was already replaced must fail with Stale"
    );
    let mut ahead = v2.clone();
    ahead.version = 4;
    assert_eq!(
        store.write_lead(create(&ahead)).await,
        Err(StoreError::Stale),
        "an update that skips a version must fail with Stale"
    );
    assert_eq!(ok(store.lead(&tenant, &v1.id).await, "lead"), Some(v2.clone()), "failed updates must change nothing");

    let ghost = bumped(&new_lead(&tenant, None, None));
    assert_eq!(
        store.write_lead(create(&ghost)).await,
        Err(StoreError::Stale),
        "updating (version 2) a lead that does not exist must fail with Stale"
    );
    assert_eq!(ok(store.lead(&tenant, &ghost.id).await, "lead"), None, "a failed update must not create the lead");

    let mut v3 = bumped(&v2);
    v3.needs_human = false;
    v3.outcome = Some(OutcomeKind::Contacted);
    assert_eq!(store.write_lead(create(&v3)).await, Ok(()), "updating version 2 to version 3 must succeed");
    assert_eq!(ok(store.lead(&tenant, &v1.id).await, "lead"), Some(v3), "lead() must return version 3");
}

// ---------------------------------------------------------------------------------------
// Contact uniqueness and tenants
// ---------------------------------------------------------------------------------------

/// Another lead of the tenant cannot take an email a lead owns, by creation or by update;
/// the owner keeps its own through updates; a free email can be added.
pub async fn email_is_unique_within_a_tenant(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let email = fresh_email();
    let owner = new_lead(&tenant, Some(email.clone()), None);
    assert_eq!(store.write_lead(create(&owner)).await, Ok(()), "creating the owner must succeed");

    let rival = new_lead(&tenant, Some(email.clone()), Some(fresh_phone()));
    assert_eq!(
        store.write_lead(create(&rival)).await,
        Err(StoreError::Duplicate("email")),
        "creating a lead with an email another lead of the tenant owns must fail with Duplicate(\"email\")"
    );
    assert_eq!(ok(store.lead(&tenant, &rival.id).await, "lead"), None, "the refused lead must not exist");

    let other = new_lead(&tenant, None, None);
    assert_eq!(store.write_lead(create(&other)).await, Ok(()), "creating a lead without an email must succeed");
    let mut taking = bumped(&other);
    taking.profile.email = Some(email.clone());
    assert_eq!(
        store.write_lead(create(&taking)).await,
        Err(StoreError::Duplicate("email")),
        "updating a lead to an email another lead owns must fail with Duplicate(\"email\")"
    );
    assert_eq!(
        ok(store.lead(&tenant, &other.id).await, "lead"),
        Some(other.clone()),
        "the refused update changes nothing"
    );

    let mut owner_v2 = bumped(&owner);
    owner_v2.needs_human = true;
    assert_eq!(store.write_lead(create(&owner_v2)).await, Ok(()), "a lead must be able to keep its own email");
    assert_eq!(
        ok(store.lead_by_email(&tenant, &email).await, "lead_by_email"),
        Some(owner_v2),
        "the email must still belong to its owner"
    );

    let free = fresh_email();
    let mut adding = bumped(&other);
    adding.profile.email = Some(free.clone());
    assert_eq!(store.write_lead(create(&adding)).await, Ok(()), "adding a free email on update must succeed");
    assert_eq!(
        ok(store.lead_by_email(&tenant, &free).await, "lead_by_email"),
        Some(adding),
        "an email added on update must find its lead"
    );
}

/// Another lead of the tenant cannot take a phone a lead owns, by creation or by update;
/// the owner keeps its own through updates; a free phone can be added.
pub async fn phone_is_unique_within_a_tenant(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let phone = fresh_phone();
    let owner = new_lead(&tenant, None, Some(phone.clone()));
    assert_eq!(store.write_lead(create(&owner)).await, Ok(()), "creating the owner must succeed");

    let rival = new_lead(&tenant, Some(fresh_email()), Some(phone.clone()));
    assert_eq!(
        store.write_lead(create(&rival)).await,
        Err(StoreError::Duplicate("phone")),
        "creating a lead with a phone another lead of the tenant owns must fail with Duplicate(\"phone\")"
    );
    assert_eq!(ok(store.lead(&tenant, &rival.id).await, "lead"), None, "the refused lead must not exist");

    let other = new_lead(&tenant, None, None);
    assert_eq!(store.write_lead(create(&other)).await, Ok(()), "creating a lead without a phone must succeed");
    let mut taking = bumped(&other);
    taking.profile.phone = Some(phone.clone());
    assert_eq!(
        store.write_lead(create(&taking)).await,
        Err(StoreError::Duplicate("phone")),
        "updating a lead to a phone another lead owns must fail with Duplicate(\"phone\")"
    );
    assert_eq!(
        ok(store.lead(&tenant, &other.id).await, "lead"),
        Some(other.clone()),
        "the refused update changes nothing"
    );

    let mut owner_v2 = bumped(&owner);
    owner_v2.needs_human = true;
    assert_eq!(store.write_lead(create(&owner_v2)).await, Ok(()), "a lead must be able to keep its own phone");
    assert_eq!(
        ok(store.lead_by_phone(&tenant, &phone).await, "lead_by_phone"),
        Some(owner_v2),
        "the phone must still belong to its owner"
    );

    let free = fresh_phone();
    let mut adding = bumped(&other);
    adding.profile.phone = Some(free.clone());
    assert_eq!(store.write_lead(create(&adding)).await, Ok(()), "adding a free phone on update must succeed");
    assert_eq!(
        ok(store.lead_by_phone(&tenant, &free).await, "lead_by_phone"),
        Some(adding),
        "a phone added on update must find its lead"
    );
}

/// The same email and phone in two tenants are two leads, each found in its own tenant.
pub async fn the_same_contacts_in_two_tenants_are_separate_leads(store: &dyn LeadStore) {
    let (first, second) = (fresh_tenant(), fresh_tenant());
    let (email, phone) = (fresh_email(), fresh_phone());
    let a = new_lead(&first, Some(email.clone()), Some(phone.clone()));
    let b = new_lead(&second, Some(email.clone()), Some(phone.clone()));
    assert_eq!(store.write_lead(create(&a)).await, Ok(()), "creating the lead in the first tenant must succeed");
    assert_eq!(
        store.write_lead(create(&b)).await,
        Ok(()),
        "the same email and phone in another tenant must not be a duplicate"
    );
    for (tenant, lead) in [(&first, &a), (&second, &b)] {
        assert_eq!(
            ok(store.lead_by_email(tenant, &email).await, "lead_by_email"),
            Some(lead.clone()),
            "lead_by_email() must return the lead of the tenant asked about"
        );
        assert_eq!(
            ok(store.lead_by_phone(tenant, &phone).await, "lead_by_phone"),
            Some(lead.clone()),
            "lead_by_phone() must return the lead of the tenant asked about"
        );
    }
}

/// No read of one tenant sees another tenant's lead, contacts, receipt, enrolments, touches,
/// timeline or counters, even when one tenant's id is a prefix of the other's.
pub async fn tenants_are_isolated(store: &dyn LeadStore) {
    let short = fresh_tenant();
    let long = TenantId::parse(&format!("{short}-b")).expect("a tenant slug");
    let unrelated = fresh_tenant();
    let (email, phone, key) = (fresh_email(), fresh_phone(), fresh_key());

    let in_long = populate(store, &long, &email, &phone, &key).await;
    assert_sees_only(store, &short, None, &in_long, "a tenant whose id is a prefix of the writer's").await;
    assert_sees_only(store, &unrelated, None, &in_long, "an unrelated tenant").await;

    let in_short = populate(store, &short, &email, &phone, &key).await;
    assert_sees_only(store, &short, Some(&in_short), &in_long, "the tenant with the shorter id").await;
    assert_sees_only(store, &long, Some(&in_long), &in_short, "the tenant with the longer id").await;
    assert_sees_only(store, &unrelated, None, &in_short, "an unrelated tenant").await;
}

/// One tenant's full set of items, written through every write operation.
struct Populated {
    lead: Lead,
    key: IdempotencyKey,
    enrolment: Enrolment,
    touch: Touch,
    timeline: Vec<TimelineEntry>,
    day: NaiveDate,
}

async fn populate(
    store: &dyn LeadStore,
    tenant: &TenantId,
    email: &Email,
    phone: &PhoneNumber,
    key: &IdempotencyKey,
) -> Populated {
    let lead = new_lead(tenant, Some(email.clone()), Some(phone.clone()));
    let enrolment = new_enrolment(&lead, t0());
    let write = LeadWrite {
        lead: lead.clone(),
        enrolments: vec![EnrolmentWrite { enrolment: enrolment.clone(), expected_version: None }],
        idempotency: Some(record(key, &lead, t0(), Duration::days(1))),
        timeline: vec![entry(t0(), "received")],
        unless_opted_out: None,
    };
    assert_eq!(store.write_lead(write).await, Ok(()), "writing tenant {tenant}'s lead must succeed");
    let noted = entry(t0() + Duration::seconds(1), "noted");
    assert_eq!(
        store.append_timeline(tenant, &lead.id, std::slice::from_ref(&noted)).await,
        Ok(()),
        "appending to tenant {tenant}'s timeline must succeed"
    );
    let touch = new_touch(&enrolment, 0, t0() + Duration::seconds(2));
    let claimed = entry(t0() + Duration::seconds(2), "claimed");
    let moved = advanced(&enrolment, t0() + Duration::seconds(2));
    let claim = claim_of(&enrolment, moved.clone(), Some(touch.clone()), vec![claimed.clone()]);
    assert_eq!(store.claim(claim).await, Ok(()), "claiming tenant {tenant}'s step must succeed");
    let day = t0().date_naive();
    assert_eq!(
        store.add_counts(tenant, day, &[("leads|web-form".to_owned(), 1)]).await,
        Ok(()),
        "counting for tenant {tenant} must succeed"
    );
    let timeline = vec![entry(t0(), "received"), noted, claimed];
    Populated { lead, key: key.clone(), enrolment: moved, touch, timeline, day }
}

/// `tenant` sees its own items (if it has any) and none of `foreign`'s.
async fn assert_sees_only(
    store: &dyn LeadStore,
    tenant: &TenantId,
    own: Option<&Populated>,
    foreign: &Populated,
    who: &str,
) {
    let id = &foreign.lead.id;
    let email = foreign.lead.profile.email.as_ref().expect("populated leads have an email");
    let phone = foreign.lead.profile.phone.as_ref().expect("populated leads have a phone");
    assert_eq!(ok(store.lead(tenant, id).await, "lead"), None, "{who} must not read another tenant's lead by id");
    assert_eq!(
        ok(store.lead_by_email(tenant, email).await, "lead_by_email"),
        own.map(|o| o.lead.clone()),
        "{who} must find only its own lead by email"
    );
    assert_eq!(
        ok(store.lead_by_phone(tenant, phone).await, "lead_by_phone"),
        own.map(|o| o.lead.clone()),
        "{who} must find only its own lead by phone"
    );
    assert_eq!(
        ok(store.receipt(tenant, &foreign.key, t0()).await, "receipt"),
        own.map(|o| receipt_for(&o.lead)),
        "{who} must see only its own receipt under an idempotency key"
    );
    assert_eq!(
        ok(store.enrolments(tenant, id).await, "enrolments"),
        vec![],
        "{who} must not see another tenant's enrolments"
    );
    assert_eq!(ok(store.touches(tenant, id).await, "touches"), vec![], "{who} must not see another tenant's touches");
    assert_eq!(
        ok(store.timeline(tenant, id).await, "timeline"),
        vec![],
        "{who} must not see another tenant's timeline"
    );
    assert_eq!(
        ok(store.active_enrolments(tenant).await, "active_enrolments"),
        own.map(|o| vec![o.enrolment.clone()]).unwrap_or_default(),
        "{who} must see only its own active enrolments"
    );
    assert_eq!(
        ok(store.counts(tenant, foreign.day, foreign.day).await, "counts"),
        own.map(|o| vec![(o.day, "leads|web-form".to_owned(), 1)]).unwrap_or_default(),
        "{who} must see only its own counters"
    );
    if let Some(own) = own {
        let own_id = &own.lead.id;
        assert_eq!(
            ok(store.lead(tenant, own_id).await, "lead"),
            Some(own.lead.clone()),
            "{who} must read its own lead"
        );
        assert_eq!(
            ok(store.enrolments(tenant, own_id).await, "enrolments"),
            vec![own.enrolment.clone()],
            "{who} must see its own enrolments"
        );
        assert_eq!(
            ok(store.touches(tenant, own_id).await, "touches"),
            vec![own.touch.clone()],
            "{who} must see its own touches"
        );
        assert_eq!(
            ok(store.timeline(tenant, own_id).await, "timeline"),
            own.timeline.clone(),
            "{who} must see its own timeline"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Idempotency records
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// Atomicity of write_lead
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// Claims and touches
// ---------------------------------------------------------------------------------------

/// A claim replaces the enrolment at `expected_version`: the first claim wins, a second one
/// with the same version is `AlreadyClaimed` and writes no touch and no timeline; claims of a
/// version the enrolment never had, or of an unknown enrolment, fail the same way.
pub async fn claims_are_conditional_on_the_enrolment_version(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let (lead, enrolment) = lead_with_enrolment(store, &tenant).await;
    let initial = ok(store.timeline(&tenant, &lead.id).await, "timeline");

    let at = t0() + Duration::minutes(5);
    let first_touch = new_touch(&enrolment, 0, at);
    let first_moved = advanced(&enrolment, at);
    let first = claim_of(&enrolment, first_moved.clone(), Some(first_touch.clone()), vec![entry(at, "first claim")]);
    assert_eq!(store.claim(first).await, Ok(()), "the first claim of a version must succeed");
    assert_eq!(
        ok(store.enrolments(&tenant, &lead.id).await, "enrolments"),
        vec![first_moved.clone()],
        "a claim must replace the enrolment"
    );
    assert_eq!(
        ok(store.touches(&tenant, &lead.id).await, "touches"),
        vec![first_touch.clone()],
        "a claim must record its touch"
    );
    let mut timeline = initial.clone();
    timeline.push(entry(at, "first claim"));
    assert_eq!(ok(store.timeline(&tenant, &lead.id).await, "timeline"), timeline, "a claim must append its entries");

    // A second runner of the same step, which also read version 1.
    let late = at + Duration::seconds(1);
    let mut second_moved = advanced(&enrolment, late);
    second_moved.next_due_at = Some(late + Duration::hours(2));
    let second = claim_of(&enrolment, second_moved, Some(new_touch(&enrolment, 0, late)), vec![entry(late, "second")]);
    assert_eq!(
        store.claim(second).await,
        Err(StoreError::AlreadyClaimed),
        "a second claim with the same expected_version must fail with AlreadyClaimed"
    );
    let mut ahead = claim_of(&first_moved, advanced(&first_moved, late), None, vec![entry(late, "ahead")]);
    ahead.expected_version = first_moved.version + 1;
    ahead.touch = Some(new_touch(&first_moved, 1, late));
    assert_eq!(
        store.claim(ahead).await,
        Err(StoreError::AlreadyClaimed),
        "a claim of a version the enrolment does not have yet must fail with AlreadyClaimed"
    );
    let unknown = new_enrolment(&lead, t0());
    let ghost =
        claim_of(&unknown, advanced(&unknown, late), Some(new_touch(&unknown, 0, late)), vec![entry(late, "ghost")]);
    assert_eq!(
        store.claim(ghost).await,
        Err(StoreError::AlreadyClaimed),
        "claiming an enrolment that does not exist must fail with AlreadyClaimed"
    );
    assert_eq!(
        ok(store.enrolments(&tenant, &lead.id).await, "enrolments"),
        vec![first_moved.clone()],
        "failed claims must leave the winner's enrolment and create none"
    );
    assert_eq!(
        ok(store.touches(&tenant, &lead.id).await, "touches"),
        vec![first_touch.clone()],
        "failed claims must write no touch"
    );
    assert_eq!(
        ok(store.timeline(&tenant, &lead.id).await, "timeline"),
        timeline,
        "failed claims must write no timeline"
    );

    // The next version claims on, without a touch (a skipped step), and completes.
    let done = finished(&first_moved, EnrolmentStatus::Completed);
    let finish = claim_of(&first_moved, done.clone(), None, vec![entry(late, "completed")]);
    assert_eq!(store.claim(finish).await, Ok(()), "a claim of the current version must succeed");
    timeline.push(entry(late, "completed"));
    assert_eq!(
        ok(store.enrolments(&tenant, &lead.id).await, "enrolments"),
        vec![done],
        "the claim must replace the enrolment"
    );
    assert_eq!(
        ok(store.touches(&tenant, &lead.id).await, "touches"),
        vec![first_touch],
        "a claim without a touch must write none"
    );
    assert_eq!(ok(store.timeline(&tenant, &lead.id).await, "timeline"), timeline, "the claim must append its entry");
}

/// Two claims of the same version at the same time: exactly one wins, the other is
/// `AlreadyClaimed`, and only the winner's touch and timeline are stored.
pub async fn concurrent_claims_have_one_winner(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let (lead, enrolment) = lead_with_enrolment(store, &tenant).await;
    let initial = ok(store.timeline(&tenant, &lead.id).await, "timeline");

    let at = t0() + Duration::minutes(5);
    let racers: Vec<Claim> = ["racer a", "racer b"]
        .into_iter()
        .map(|name| {
            let mut moved = advanced(&enrolment, at);
            moved.cadence = name.to_owned();
            claim_of(&enrolment, moved, Some(new_touch(&enrolment, 0, at)), vec![entry(at, name)])
        })
        .collect();
    let (a, b) = both(store.claim(racers[0].clone()), store.claim(racers[1].clone())).await;
    let winner = match (&a, &b) {
        (Ok(()), Err(StoreError::AlreadyClaimed)) => &racers[0],
        (Err(StoreError::AlreadyClaimed), Ok(())) => &racers[1],
        other => {
            panic!("of two concurrent claims of one version exactly one must win, the other AlreadyClaimed: {other:?}")
        }
    };
    assert_eq!(
        ok(store.enrolments(&tenant, &lead.id).await, "enrolments"),
        vec![winner.enrolment.clone()],
        "the winner's enrolment must be stored"
    );
    assert_eq!(
        ok(store.touches(&tenant, &lead.id).await, "touches"),
        winner.touch.clone().into_iter().collect::<Vec<_>>(),
        "only the winner's touch must be stored"
    );
    let mut timeline = initial;
    timeline.extend(winner.timeline.iter().cloned());
    assert_eq!(
        ok(store.timeline(&tenant, &lead.id).await, "timeline"),
        timeline,
        "only the winner's entries must be stored"
    );
}

/// Concurrent writes that race on one condition (an email, a phone, an idempotency key, a
/// lead id, a version): exactly one succeeds and the other gets that condition's error.
pub async fn concurrent_writes_keep_their_conditions(store: &dyn LeadStore) {
    let tenant = fresh_tenant();

    let email = fresh_email();
    let pair = [new_lead(&tenant, Some(email.clone()), None), new_lead(&tenant, Some(email.clone()), None)];
    let winner =
        race(store, [create(&pair[0]), create(&pair[1])], StoreError::Duplicate("email"), "the same email").await;
    assert_eq!(
        ok(store.lead_by_email(&tenant, &email).await, "lead_by_email"),
        Some(pair[winner].clone()),
        "the email must belong to the winner"
    );
    assert_eq!(ok(store.lead(&tenant, &pair[1 - winner].id).await, "lead"), None, "the loser must not exist");

    let phone = fresh_phone();
    let pair = [new_lead(&tenant, None, Some(phone.clone())), new_lead(&tenant, None, Some(phone.clone()))];
    let winner =
        race(store, [create(&pair[0]), create(&pair[1])], StoreError::Duplicate("phone"), "the same phone").await;
    assert_eq!(
        ok(store.lead_by_phone(&tenant, &phone).await, "lead_by_phone"),
        Some(pair[winner].clone()),
        "the phone must belong to the winner"
    );
    assert_eq!(ok(store.lead(&tenant, &pair[1 - winner].id).await, "lead"), None, "the loser must not exist");

    let key = fresh_key();
    let pair = [new_lead(&tenant, None, None), new_lead(&tenant, None, None)];
    let writes =
        pair.clone().map(|l| LeadWrite { idempotency: Some(record(&key, &l, t0(), Duration::hours(1))), ..create(&l) });
    let winner = race(store, writes, StoreError::Duplicate("idempotency key"), "the same idempotency key").await;
    assert_eq!(
        ok(store.receipt(&tenant, &key, t0()).await, "receipt"),
        Some(receipt_for(&pair[winner])),
        "the key must answer with the winner's receipt"
    );
    assert_eq!(ok(store.lead(&tenant, &pair[1 - winner].id).await, "lead"), None, "the loser must not exist");

    let lead = new_lead(&tenant, None, None);
    let mut twin = lead.clone();
    twin.needs_human = true;
    let winner =
        race(store, [create(&lead), create(&twin)], StoreError::Duplicate("lead id"), "the same lead id").await;
    let stored = [lead.clone(), twin][winner].clone();
    assert_eq!(
        ok(store.lead(&tenant, &lead.id).await, "lead"),
        Some(stored.clone()),
        "the winner's lead must be stored"
    );

    let mut a = bumped(&stored);
    a.outcome = Some(OutcomeKind::Booked);
    let mut b = bumped(&stored);
    b.outcome = Some(OutcomeKind::Won);
    let pair = [a, b];
    let winner =
        race(store, [create(&pair[0]), create(&pair[1])], StoreError::Stale, "updates of the same version").await;
    assert_eq!(
        ok(store.lead(&tenant, &lead.id).await, "lead"),
        Some(pair[winner].clone()),
        "the winning update must be stored"
    );
}

/// Runs two writes at once; exactly one must succeed and the other fail with `loses`.
async fn race(store: &dyn LeadStore, writes: [LeadWrite; 2], loses: StoreError, what: &str) -> usize {
    let [a, b] = writes;
    match both(store.write_lead(a), store.write_lead(b)).await {
        (Ok(()), Err(e)) if e == loses => 0,
        (Err(e), Ok(())) if e == loses => 1,
        other => {
            panic!("of two concurrent writes with {what} exactly one must succeed, the other {loses:?}: {other:?}")
        }
    }
}

/// `record_touch` replaces the stored touch (its status) and leaves the other touches alone.
pub async fn record_touch_replaces_the_status(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let (lead, enrolment) = lead_with_enrolment(store, &tenant).await;
    let first_at = t0() + Duration::minutes(1);
    let first = new_touch(&enrolment, 0, first_at);
    let moved = advanced(&enrolment, first_at);
    assert_eq!(
        store.claim(claim_of(&enrolment, moved.clone(), Some(first.clone()), vec![])).await,
        Ok(()),
        "claiming the first step must succeed"
    );
    let second_at = t0() + Duration::minutes(2);
    let second = new_touch(&moved, 1, second_at);
    assert_eq!(
        store.claim(claim_of(&moved, advanced(&moved, second_at), Some(second.clone()), vec![])).await,
        Ok(()),
        "claiming the second step must succeed"
    );

    let sent = Touch {
        status: TouchStatus::Sent { sent_at: first_at + Duration::seconds(2), provider_id: "SM123".to_owned() },
        delivery: None,
        ..first.clone()
    };
    assert_eq!(store.record_touch(&sent).await, Ok(()), "recording a sent touch must succeed");
    assert_eq!(
        ok(store.touches(&tenant, &lead.id).await, "touches"),
        vec![sent.clone(), second.clone()],
        "record_touch must replace that touch's status, in place, and leave the other touch alone"
    );

    let failed = Touch {
        status: TouchStatus::Failed { failed_at: second_at + Duration::seconds(3), reason: "bounced".to_owned() },
        delivery: None,
        ..second
    };
    assert_eq!(store.record_touch(&failed).await, Ok(()), "recording a failed touch must succeed");
    assert_eq!(
        ok(store.touches(&tenant, &lead.id).await, "touches"),
        vec![sent.clone(), failed.clone()],
        "record_touch must replace the second touch's status"
    );
    assert_eq!(store.record_touch(&sent).await, Ok(()), "recording the same status again must succeed");
    assert_eq!(
        ok(store.touches(&tenant, &lead.id).await, "touches"),
        vec![sent, failed],
        "recording the same status again must not add a touch"
    );
}

/// `settle_touch` replaces a touch only while its status is the one expected: of two settles
/// at once from the same status exactly one wins; a status that moved on, or a touch that
/// does not exist, answers false and writes nothing.
pub async fn a_touch_is_settled_only_from_the_status_it_has(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let (lead, enrolment) = lead_with_enrolment(store, &tenant).await;
    let at = t0() + Duration::minutes(1);
    let claimed = new_touch(&enrolment, 0, at);
    assert_eq!(
        store.claim(claim_of(&enrolment, advanced(&enrolment, at), Some(claimed.clone()), vec![])).await,
        Ok(()),
        "claiming the step must succeed"
    );

    // Two deliveries find it claimed and both try to take the resend.
    let resends = [1, 2].map(|s| Touch {
        status: TouchStatus::Resending { since: at + Duration::seconds(61) + Duration::microseconds(s) },
        ..claimed.clone()
    });
    let (a, b) = both(
        store.settle_touch(&resends[0], &TouchStatus::Claimed),
        store.settle_touch(&resends[1], &TouchStatus::Claimed),
    )
    .await;
    let taken = match (a, b) {
        (Ok(true), Ok(false)) => &resends[0],
        (Ok(false), Ok(true)) => &resends[1],
        other => panic!("of two settles from the same status exactly one must win: {other:?}"),
    };
    assert_eq!(
        ok(store.touches(&tenant, &lead.id).await, "touches"),
        vec![taken.clone()],
        "the winner's status must be stored"
    );

    let uncertain = Touch {
        status: TouchStatus::Uncertain { since: at + Duration::minutes(5), reason: "late".to_owned() },
        ..claimed.clone()
    };
    assert_eq!(
        store.settle_touch(&uncertain, &TouchStatus::Claimed).await,
        Ok(false),
        "a touch no longer claimed must not be settled from claimed"
    );
    let other_since = TouchStatus::Resending { since: at + Duration::minutes(9) };
    assert_eq!(
        store.settle_touch(&uncertain, &other_since).await,
        Ok(false),
        "a resend taken at another instant is another status: nothing may be settled from it"
    );
    assert_eq!(ok(store.touches(&tenant, &lead.id).await, "touches"), vec![taken.clone()], "nothing must change");

    let sent = Touch {
        status: TouchStatus::Sent { sent_at: at + Duration::minutes(2), provider_id: "SM9".to_owned() },
        ..claimed.clone()
    };
    assert_eq!(
        store.settle_touch(&sent, &taken.status).await,
        Ok(true),
        "settling from the stored status must succeed"
    );
    assert_eq!(ok(store.touches(&tenant, &lead.id).await, "touches"), vec![sent], "the settled status must be stored");

    let stranger = new_touch(&enrolment, 1, at);
    assert_eq!(
        store.settle_touch(&stranger, &TouchStatus::Claimed).await,
        Ok(false),
        "a touch that was never claimed must not be settled"
    );
    assert_eq!(ok(store.touches(&tenant, &lead.id).await, "touches").len(), 1, "nor created by settling it");
}

// ---------------------------------------------------------------------------------------
// Listings and their order
// ---------------------------------------------------------------------------------------

/// A lead's enrolments come back oldest first, whatever order they were written in.
pub async fn enrolments_are_oldest_first(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let lead = new_lead(&tenant, Some(fresh_email()), None);
    let mut enrolments = oldest_first_enrolments(&lead, 3);
    // A reminders enrolment carries its booked slot, and must read back with it.
    enrolments[1].anchor_at = Some(t0() + Duration::days(3));
    let write = LeadWrite {
        enrolments: [&enrolments[2], &enrolments[0]]
            .map(|e| EnrolmentWrite { enrolment: e.clone(), expected_version: None })
            .to_vec(),
        ..create(&lead)
    };
    assert_eq!(store.write_lead(write).await, Ok(()), "creating a lead with two enrolments must succeed");
    let later = LeadWrite {
        enrolments: vec![EnrolmentWrite { enrolment: enrolments[1].clone(), expected_version: None }],
        ..create(&bumped(&lead))
    };
    assert_eq!(store.write_lead(later).await, Ok(()), "adding an enrolment on update must succeed");
    assert_eq!(
        ok(store.enrolments(&tenant, &lead.id).await, "enrolments"),
        enrolments,
        "enrolments() must list the lead's enrolments oldest first"
    );
    let other = new_lead(&tenant, None, None);
    assert_eq!(
        ok(store.enrolments(&tenant, &other.id).await, "enrolments"),
        vec![],
        "a lead without enrolments has none"
    );
}

/// `active_enrolments` lists the tenant's active enrolments, across leads, in their current
/// version, and none that stopped or completed.
pub async fn active_enrolments_are_the_tenants_active_ones(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let first = new_lead(&tenant, Some(fresh_email()), None);
    let [running, to_stop, mut done] = <[Enrolment; 3]>::try_from(oldest_first_enrolments(&first, 3)).expect("three");
    done.status = EnrolmentStatus::Completed;
    done.next_due_at = None;
    let write = LeadWrite {
        enrolments: [&running, &to_stop, &done]
            .map(|e| EnrolmentWrite { enrolment: e.clone(), expected_version: None })
            .to_vec(),
        ..create(&first)
    };
    assert_eq!(store.write_lead(write).await, Ok(()), "creating a lead with three enrolments must succeed");
    let (_, second_enrolment) = lead_with_enrolment(store, &tenant).await;

    let stop = claim_of(&to_stop, finished(&to_stop, EnrolmentStatus::Stopped(StopReason::OptedOut)), None, vec![]);
    assert_eq!(store.claim(stop).await, Ok(()), "stopping an enrolment must succeed");
    let moved = advanced(&second_enrolment, t0() + Duration::minutes(1));
    assert_eq!(
        store.claim(claim_of(&second_enrolment, moved.clone(), None, vec![])).await,
        Ok(()),
        "claiming a step must succeed"
    );

    let mut active = ok(store.active_enrolments(&tenant).await, "active_enrolments");
    active.sort_by(|a, b| a.id.cmp(&b.id));
    let mut expected = vec![running, moved];
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(
        active, expected,
        "active_enrolments() must list exactly the tenant's active enrolments, as last written"
    );
    assert_eq!(
        ok(store.active_enrolments(&fresh_tenant()).await, "active_enrolments"),
        vec![],
        "a tenant without enrolments has no active ones"
    );
}

/// A lead's touches come back oldest first, whatever order they were written in.
pub async fn touches_are_oldest_first(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let (lead, enrolment) = lead_with_enrolment(store, &tenant).await;
    let mut ids: Vec<TouchId> = (0..3).map(|_| TouchId::new()).collect();
    ids.sort();
    let touches: Vec<Touch> = ids
        .into_iter()
        .enumerate()
        .map(|(i, id)| Touch { id, ..new_touch(&enrolment, i, t0() + Duration::minutes(i as i64)) })
        .collect();

    let mut current = enrolment;
    for touch in [&touches[2], &touches[0], &touches[1]] {
        let moved = advanced(&current, touch.claimed_at);
        assert_eq!(
            store.claim(claim_of(&current, moved.clone(), Some(touch.clone()), vec![])).await,
            Ok(()),
            "claiming a step must succeed"
        );
        current = moved;
    }
    assert_eq!(
        ok(store.touches(&tenant, &lead.id).await, "touches"),
        touches,
        "touches() must list the lead's touches oldest first"
    );
}

/// A lead's timeline is every entry from `write_lead`, `claim` and `append_timeline`, in the
/// order they were written, even when many share a timestamp; other leads' entries stay out.
pub async fn the_timeline_keeps_insertion_order(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let lead = new_lead(&tenant, Some(fresh_email()), None);
    let enrolment = new_enrolment(&lead, t0());
    let mut expected = vec![entry(t0(), "received"), entry(t0(), "enrolled")];
    let write = LeadWrite {
        enrolments: vec![EnrolmentWrite { enrolment: enrolment.clone(), expected_version: None }],
        timeline: expected.clone(),
        ..create(&lead)
    };
    assert_eq!(store.write_lead(write).await, Ok(()), "creating the lead must succeed");
    let neighbour = new_lead(&tenant, None, None);
    let neighbour_entries = vec![entry(t0(), "neighbour received")];
    let write = LeadWrite { timeline: neighbour_entries.clone(), ..create(&neighbour) };
    assert_eq!(store.write_lead(write).await, Ok(()), "creating a second lead must succeed");

    // More than ten entries at the same instant, so that order cannot come from the time or
    // from a sequence number compared as text.
    let mut notes: Vec<TimelineEntry> = (0..12).map(|i| entry(t0(), &format!("note {i}"))).collect();
    notes.push(TimelineEntry {
        at: t0(),
        kind: TimelineKind::Outcome { outcome: OutcomeKind::Booked, slot: Some(t0() + Duration::days(3)) },
    });
    notes.push(TimelineEntry {
        at: t0(),
        kind: TimelineKind::LinkClicked { url: "https://calendly.com/acme/intro".to_owned(), booking: true },
    });
    assert_eq!(store.append_timeline(&tenant, &lead.id, &notes).await, Ok(()), "append_timeline must succeed");
    expected.extend(notes);
    let one_more = [entry(t0(), "neighbour note")];
    assert_eq!(store.append_timeline(&tenant, &neighbour.id, &one_more).await, Ok(()), "append_timeline must succeed");

    let claimed = entry(t0(), "claimed");
    let claim = claim_of(&enrolment, advanced(&enrolment, t0()), None, vec![claimed.clone()]);
    assert_eq!(store.claim(claim).await, Ok(()), "claiming must succeed");
    expected.push(claimed);
    assert_eq!(store.append_timeline(&tenant, &lead.id, &[]).await, Ok(()), "appending nothing must succeed");

    let later = t0() + Duration::minutes(1);
    let merged = entry(later, "merged");
    let write = LeadWrite { timeline: vec![merged.clone()], ..create(&bumped(&lead)) };
    assert_eq!(store.write_lead(write).await, Ok(()), "updating the lead must succeed");
    expected.push(merged);
    let last = [entry(later, "last a"), entry(later, "last b")];
    assert_eq!(store.append_timeline(&tenant, &lead.id, &last).await, Ok(()), "append_timeline must succeed");
    expected.extend(last);

    assert_eq!(
        ok(store.timeline(&tenant, &lead.id).await, "timeline"),
        expected,
        "timeline() must return every entry of the lead once, in insertion order"
    );
    let mut neighbour_expected = neighbour_entries;
    neighbour_expected.extend(one_more);
    assert_eq!(
        ok(store.timeline(&tenant, &neighbour.id).await, "timeline"),
        neighbour_expected,
        "another lead's timeline must hold only its own entries"
    );
}

// ---------------------------------------------------------------------------------------
// Counters
// ---------------------------------------------------------------------------------------

/// `add_counts` increments (also when two run at once); `counts` returns the counters of the
/// days `from..=to` of that tenant only.
pub async fn counts_add_up_within_the_days_and_the_tenant(store: &dyn LeadStore) {
    let (tenant, other) = (fresh_tenant(), fresh_tenant());
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 2, 26).expect("a date") + chrono::Days::new(u64::from(d));
    let leads = "leads|web-form".to_owned();
    let touches = "touches|web-form|sms".to_owned();
    let add = move |tenant: &TenantId, d: u32, counts: Vec<(String, u64)>| {
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

// ---------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------

/// A number's opt-out: recorded once with its evidence (a second record, even a concurrent
/// one, answers false and changes nothing), per tenant, and lifted by an opt-in.
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

pub async fn a_number_opt_out_keeps_its_first_evidence_until_lifted(store: &dyn LeadStore) {
    let (tenant, other, phone) = (fresh_tenant(), fresh_tenant(), fresh_phone());
    let record = |message: &str, minutes| OptOutRecord {
        at: t0() + Duration::minutes(minutes),
        channel: Channel::Sms,
        message: message.to_owned(),
    };
    assert_eq!(store.number_opt_out(&tenant, &phone).await, Ok(None), "a number starts opted in");
    assert_eq!(store.lift_number_opt_out(&tenant, &phone).await, Ok(false), "lifting nothing answers false");

    let (a, b) = both(
        store.record_number_opt_out(&tenant, &phone, &record("STOP", 0)),
        store.record_number_opt_out(&tenant, &phone, &record("stop texting me", 0)),
    )
    .await;
    assert!(matches!((&a, &b), (Ok(true), Ok(false)) | (Ok(false), Ok(true))), "exactly one first record: {a:?} {b:?}");
    let first = store.number_opt_out(&tenant, &phone).await.expect("readable").expect("opted out");
    assert!(["STOP", "stop texting me"].contains(&first.message.as_str()), "the evidence is kept: {first:?}");
    assert_eq!(first.at, t0(), "the evidence keeps its time");

    assert_eq!(store.record_number_opt_out(&tenant, &phone, &record("QUIT", 5)).await, Ok(false));
    assert_eq!(store.number_opt_out(&tenant, &phone).await, Ok(Some(first)), "a later STOP keeps the first record");
    assert_eq!(store.number_opt_out(&other, &phone).await, Ok(None), "an opt-out belongs to one tenant");

    assert_eq!(store.lift_number_opt_out(&tenant, &phone).await, Ok(true), "lifting answers that there was one");
    assert_eq!(store.number_opt_out(&tenant, &phone).await, Ok(None), "lifted");
    assert_eq!(store.record_number_opt_out(&tenant, &phone, &record("STOP", 9)).await, Ok(true), "opts out again");
}

/// A lead write or a claim made `unless_opted_out` a number fails with `NumberOptedOut` once
/// that number has an opt-out record, and leaves nothing; without the record (or for another
/// tenant's, or once lifted) it succeeds.
pub async fn writes_unless_opted_out_fail_once_the_number_opted_out(store: &dyn LeadStore) {
    let (tenant, other) = (fresh_tenant(), fresh_tenant());
    let phone = fresh_phone();
    let stop = OptOutRecord { at: t0(), channel: Channel::Sms, message: "STOP".to_owned() };
    assert_eq!(store.record_number_opt_out(&other, &phone, &stop).await, Ok(true), "another tenant's STOP");

    let lead = new_lead(&tenant, Some(fresh_email()), Some(phone.clone()));
    let (lead, enrolment) = {
        let write = LeadWrite { unless_opted_out: Some(phone.clone()), ..full_write(&lead) };
        let enrolment = write.enrolments[0].enrolment.clone();
        assert_eq!(store.write_lead(write).await, Ok(()), "a number without an opt-out record may be written");
        (lead, enrolment)
    };

    assert_eq!(store.record_number_opt_out(&tenant, &phone, &stop).await, Ok(true), "the STOP is recorded");
    let merged = bumped(&lead);
    let refused = LeadWrite { unless_opted_out: Some(phone.clone()), ..full_write(&merged) };
    assert_eq!(store.write_lead(refused).await, Err(StoreError::NumberOptedOut), "a write after the STOP fails");
    assert_eq!(ok(store.lead(&tenant, &lead.id).await, "lead"), Some(lead.clone()), "the refused write left nothing");
    assert_eq!(ok(store.enrolments(&tenant, &lead.id).await, "enrolments"), vec![enrolment.clone()]);

    let at = t0() + Duration::minutes(1);
    let touch = new_touch(&enrolment, 0, at);
    let claim = Claim {
        unless_opted_out: Some(phone.clone()),
        ..claim_of(&enrolment, advanced(&enrolment, at), Some(touch), vec![entry(at, "claimed")])
    };
    assert_eq!(store.claim(claim.clone()).await, Err(StoreError::NumberOptedOut), "a claim after the STOP fails");
    assert_eq!(ok(store.touches(&tenant, &lead.id).await, "touches"), vec![], "the refused claim left no touch");
    assert_eq!(
        store.claim(Claim { unless_opted_out: None, touch: None, ..claim.clone() }).await,
        Ok(()),
        "a claim not conditional on the number (an email, a skip) still goes through"
    );

    assert_eq!(store.lift_number_opt_out(&tenant, &phone).await, Ok(true), "START lifts it");
    let write = LeadWrite { unless_opted_out: Some(phone.clone()), ..create(&merged) };
    assert_eq!(store.write_lead(write).await, Ok(()), "once lifted, the number may be written again");
}

/// A STOP and the intake of its number at the same moment never miss each other: either the
/// lead write (made `unless_opted_out`) fails, or the STOP, looking the number up after its
/// record is stored, finds the lead. Many pairs, each started together.
pub async fn an_opt_out_and_a_lead_write_at_once_never_miss_each_other(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let stop = OptOutRecord { at: t0(), channel: Channel::Sms, message: "STOP".to_owned() };
    for _ in 0..25 {
        let phone = fresh_phone();
        let lead = new_lead(&tenant, Some(fresh_email()), Some(phone.clone()));
        let opt_out = async {
            let recorded = store.record_number_opt_out(&tenant, &phone, &stop).await;
            (recorded, store.lead_by_phone(&tenant, &phone).await)
        };
        let write = store.write_lead(LeadWrite { unless_opted_out: Some(phone.clone()), ..full_write(&lead) });
        let ((recorded, found), written) = both(opt_out, write).await;
        assert_eq!(recorded, Ok(true), "the STOP is recorded");
        let found = ok(found, "lead_by_phone");
        match written {
            Ok(()) => {
                assert_eq!(found.map(|l| l.id), Some(lead.id), "a lead written before the STOP's record is found")
            }
            Err(StoreError::NumberOptedOut) => assert_eq!(found, None, "a refused lead is not stored"),
            Err(e) => panic!("the lead write may only succeed or find the opt-out: {e:?}"),
        }
    }
}

fn unique() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

fn fresh_tenant() -> TenantId {
    TenantId::parse(&format!("conformance-{}", unique())).expect("a tenant slug")
}

fn fresh_email() -> Email {
    Email::parse(&format!("lead-{}@example.com", unique())).expect("an email address")
}

/// A different valid number on each call (uniqueness only matters within a check's tenants).
fn fresh_phone() -> PhoneNumber {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed) % 1000;
    PhoneNumber::parse_e164(&format!("+1415555{:04}", 2000 + n)).expect("a valid phone number")
}

fn fresh_key() -> IdempotencyKey {
    IdempotencyKey::parse(&format!("form-{}", unique())).expect("an idempotency key")
}

/// A fixed instant with a sub-second part, which a round trip must keep. It lies far in the
/// future so that a store expiring records by the real clock (a DynamoDB TTL) cannot drop an
/// idempotency record in the middle of a check.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2099, 3, 2, 9, 30, 0).single().expect("a valid instant") + Duration::milliseconds(125)
}

fn new_lead(tenant: &TenantId, email: Option<Email>, phone: Option<PhoneNumber>) -> Lead {
    Lead {
        id: LeadId::new(),
        tenant: tenant.clone(),
        profile: LeadProfile {
            first_name: PersonName::parse("Ada").expect("a name"),
            last_name: Some(PersonName::parse("Lovelace").expect("a name")),
            email,
            phone,
            source: "web-form".to_owned(),
            campaign: Some("spring".to_owned()),
            zone: LeadZone::parse("Europe/London").expect("a zone"),
            postcode: Some("N1 9GU".to_owned()),
            country: Some("GB".to_owned()),
            fields: BTreeMap::from([("service".to_owned(), "whitening".to_owned())]),
        },
        consent: Consent {
            sms: true,
            email: true,
            voice: false,
            evidence: ConsentEvidence {
                text: Some("Yes, contact me".to_owned()),
                captured_at: t0(),
                ip: Some("203.0.113.7".to_owned()),
                source: "web-form".to_owned(),
            },
        },
        opted_out: BTreeSet::new(),
        // Not empty, so every round trip checks it is kept.
        undeliverable: BTreeMap::from([(Channel::Voice, Undeliverable::Unreachable)]),
        needs_human: false,
        owner: None,
        handed_off_at: None,
        escalated_at: None,
        replied_at: None,
        outcome: None,
        received_at: t0(),
        version: 1,
    }
}

/// A write of just the lead (a creation at version 1, else an update).
fn create(lead: &Lead) -> LeadWrite {
    LeadWrite {
        lead: lead.clone(),
        enrolments: Vec::new(),
        idempotency: None,
        timeline: Vec::new(),
        unless_opted_out: None,
    }
}

/// A write of the lead with an enrolment, an idempotency record and timeline entries.
fn full_write(lead: &Lead) -> LeadWrite {
    let at = lead.received_at + Duration::hours(lead.version as i64);
    LeadWrite {
        lead: lead.clone(),
        enrolments: vec![EnrolmentWrite { enrolment: new_enrolment(lead, at), expected_version: None }],
        idempotency: Some(record(&fresh_key(), lead, at, Duration::hours(24))),
        timeline: vec![entry(at, "received"), entry(at, "enrolled")],
        unless_opted_out: None,
    }
}

/// The next version of the lead, otherwise unchanged.
fn bumped(lead: &Lead) -> Lead {
    Lead { version: lead.version + 1, ..lead.clone() }
}

fn new_enrolment(lead: &Lead, enrolled_at: DateTime<Utc>) -> Enrolment {
    Enrolment {
        id: EnrolmentId::new(),
        tenant: lead.tenant.clone(),
        lead_id: lead.id.clone(),
        cadence: "new-lead".to_owned(),
        enrolled_at,
        anchor_at: None,
        next_step: 0,
        next_due_at: Some(enrolled_at),
        status: EnrolmentStatus::Active,
        version: 1,
    }
}

/// `n` enrolments of the lead whose ids and enrolment times both ascend.
fn oldest_first_enrolments(lead: &Lead, n: usize) -> Vec<Enrolment> {
    let mut ids: Vec<EnrolmentId> = (0..n).map(|_| EnrolmentId::new()).collect();
    ids.sort();
    ids.into_iter()
        .enumerate()
        .map(|(i, id)| Enrolment { id, ..new_enrolment(lead, t0() + Duration::hours(i as i64)) })
        .collect()
}

/// The enrolment after its next step was claimed at `at`.
fn advanced(enrolment: &Enrolment, at: DateTime<Utc>) -> Enrolment {
    Enrolment {
        next_step: enrolment.next_step + 1,
        next_due_at: Some(at + Duration::days(1)),
        version: enrolment.version + 1,
        ..enrolment.clone()
    }
}

/// The enrolment after it ended.
fn finished(enrolment: &Enrolment, status: EnrolmentStatus) -> Enrolment {
    Enrolment { status, next_due_at: None, version: enrolment.version + 1, ..enrolment.clone() }
}

fn claim_of(before: &Enrolment, after: Enrolment, touch: Option<Touch>, timeline: Vec<TimelineEntry>) -> Claim {
    Claim { enrolment: after, expected_version: before.version, touch, timeline, unless_opted_out: None }
}

fn new_touch(enrolment: &Enrolment, step: usize, claimed_at: DateTime<Utc>) -> Touch {
    Touch {
        id: TouchId::new(),
        tenant: enrolment.tenant.clone(),
        lead_id: enrolment.lead_id.clone(),
        enrolment_id: enrolment.id.clone(),
        step,
        channel: Channel::Sms,
        to: "+14155552671".to_owned(),
        template: format!("step-{step}"),
        due_at: claimed_at,
        claimed_at,
        status: TouchStatus::Claimed,
        delivery: None,
    }
}

/// A timeline entry told apart from others by `label`.
fn entry(at: DateTime<Utc>, label: &str) -> TimelineEntry {
    TimelineEntry { at, kind: TimelineKind::HandedOff { reason: label.to_owned() } }
}

fn receipt_for(lead: &Lead) -> IntakeReceipt {
    IntakeReceipt {
        lead_id: lead.id.clone(),
        status: IntakeStatus::Enrolled,
        cadence: Some("new-lead".to_owned()),
        next_touch_at: Some(lead.received_at),
    }
}

fn record(key: &IdempotencyKey, lead: &Lead, created_at: DateTime<Utc>, ttl: Duration) -> IdempotencyRecord {
    IdempotencyRecord { key: key.clone(), receipt: receipt_for(lead), created_at, expires_at: created_at + ttl }
}

/// A stored lead with one active enrolment and a timeline entry.
async fn lead_with_enrolment(store: &dyn LeadStore, tenant: &TenantId) -> (Lead, Enrolment) {
    let lead = new_lead(tenant, Some(fresh_email()), Some(fresh_phone()));
    let enrolment = new_enrolment(&lead, t0());
    let write = LeadWrite {
        enrolments: vec![EnrolmentWrite { enrolment: enrolment.clone(), expected_version: None }],
        timeline: vec![entry(t0(), "enrolled")],
        ..create(&lead)
    };
    assert_eq!(store.write_lead(write).await, Ok(()), "creating a lead with an enrolment must succeed");
    (lead, enrolment)
}

/// Unwraps a read that must not fail.
fn ok<T>(result: Result<T, StoreError>, operation: &str) -> T {
    result.unwrap_or_else(|e| panic!("{operation}() must answer, but failed: {e:?}"))
}

/// Everything a `LeadWrite` could touch, as the port's reads show it.
#[derive(Debug, PartialEq)]
struct Snapshot {
    lead: Option<Lead>,
    by_email: Option<Lead>,
    by_phone: Option<Lead>,
    receipt: Option<IntakeReceipt>,
    enrolments: Vec<Enrolment>,
    active: Vec<Enrolment>,
    touches: Vec<Touch>,
    timeline: Vec<TimelineEntry>,
}

async fn snapshot(store: &dyn LeadStore, write: &LeadWrite) -> Snapshot {
    let lead = &write.lead;
    let tenant = &lead.tenant;
    let by_email = match &lead.profile.email {
        Some(email) => ok(store.lead_by_email(tenant, email).await, "lead_by_email"),
        None => None,
    };
    let by_phone = match &lead.profile.phone {
        Some(phone) => ok(store.lead_by_phone(tenant, phone).await, "lead_by_phone"),
        None => None,
    };
    let receipt = match &write.idempotency {
        Some(record) => ok(store.receipt(tenant, &record.key, record.created_at).await, "receipt"),
        None => None,
    };
    let mut active = ok(store.active_enrolments(tenant).await, "active_enrolments");
    active.sort_by(|a, b| a.id.cmp(&b.id));
    Snapshot {
        lead: ok(store.lead(tenant, &lead.id).await, "lead"),
        by_email,
        by_phone,
        receipt,
        enrolments: ok(store.enrolments(tenant, &lead.id).await, "enrolments"),
        active,
        touches: ok(store.touches(tenant, &lead.id).await, "touches"),
        timeline: ok(store.timeline(tenant, &lead.id).await, "timeline"),
    }
}

/// After a failed `write`, the email, phone and idempotency key it carried that were free
/// before are still free: a fresh lead of the tenant takes them. (A lookup alone could miss
/// a uniqueness key left pointing at a lead that was never written.)
async fn assert_keys_free(store: &dyn LeadStore, failed: &LeadWrite, before: &Snapshot, context: &str) {
    let profile = &failed.lead.profile;
    let mut probe = new_lead(&failed.lead.tenant, None, None);
    probe.profile.email = profile.email.clone().filter(|_| before.by_email.is_none());
    probe.profile.phone = profile.phone.clone().filter(|_| before.by_phone.is_none());
    let idempotency = failed
        .idempotency
        .as_ref()
        .filter(|_| before.receipt.is_none())
        .map(|r| IdempotencyRecord { receipt: receipt_for(&probe), ..r.clone() });
    let write = LeadWrite { idempotency, ..create(&probe) };
    assert_eq!(
        store.write_lead(write).await,
        Ok(()),
        "{context}, another lead must be able to take the email, phone and idempotency key that were free"
    );
}

/// Polls two futures together until both are done (no runtime needed).
async fn both<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (std::pin::pin!(a), std::pin::pin!(b));
    let (mut a_out, mut b_out) = (None, None);
    std::future::poll_fn(|cx| {
        if a_out.is_none() {
            if let Poll::Ready(out) = a.as_mut().poll(cx) {
                a_out = Some(out);
            }
        }
        if b_out.is_none() {
            if let Poll::Ready(out) = b.as_mut().poll(cx) {
                b_out = Some(out);
            }
        }
        if a_out.is_some() && b_out.is_some() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    (a_out.expect("a finished"), b_out.expect("b finished"))
}

/// One `#[tokio::test]` per conformance check, plus one running them all on one store, for
/// the store `$fresh` makes (an expression, awaited inside an async test; it may evaluate to
/// a `(guard, store)` pair where the guard must outlive the store, or to the store alone via
/// `((), store)`).
#[macro_export]
macro_rules! store_conformance_tests {
    ($fresh:expr) => {
        $crate::store_conformance_tests!(@each $fresh; lead_round_trips, creating_an_existing_lead_is_duplicate, updates_are_conditional_on_the_version, email_is_unique_within_a_tenant, phone_is_unique_within_a_tenant, the_same_contacts_in_two_tenants_are_separate_leads, tenants_are_isolated, receipts_are_kept_until_they_expire, an_unexpired_idempotency_key_is_duplicate, an_expired_idempotency_key_may_be_reused, a_write_failing_on_a_duplicate_phone_leaves_nothing, a_write_failing_on_a_duplicate_email_leaves_nothing, a_write_failing_on_an_enrolment_version_leaves_nothing, a_stale_write_leaves_nothing, claims_are_conditional_on_the_enrolment_version, concurrent_claims_have_one_winner, concurrent_writes_keep_their_conditions, record_touch_replaces_the_status, a_touch_is_settled_only_from_the_status_it_has, enrolments_are_oldest_first, active_enrolments_are_the_tenants_active_ones, touches_are_oldest_first, the_timeline_keeps_insertion_order, counts_add_up_within_the_days_and_the_tenant, a_number_opt_out_keeps_its_first_evidence_until_lifted, writes_unless_opted_out_fail_once_the_number_opted_out, an_opt_out_and_a_lead_write_at_once_never_miss_each_other, turns_are_taken_once_each_per_tenant_and_rotation, an_inbound_message_is_claimed_once_until_it_expires_or_is_released);

        #[tokio::test]
        async fn all_checks_share_one_store() {
            let (_guard, store) = $fresh;
            $crate::ports::conformance::run_all(&store).await;
        }
    };
    (@each $fresh:expr; $($check:ident),*) => {
        $(
            #[tokio::test]
            async fn $check() {
                let (_guard, store) = $fresh;
                $crate::ports::conformance::$check(&store).await;
            }
        )*
    };
}
