//! Leads: versions, contact uniqueness, tenants.

use super::prelude::*;

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

/// Another lead of the tenant cannot take a contact of `kind` a lead owns, by creation or by
/// update; the owner keeps its own through updates; a free one can be added.
async fn contact_is_unique_within_a_tenant(store: &dyn LeadStore, kind: Kind) {
    let name = kind.name();
    let tenant = fresh_tenant();
    let contact = kind.fresh();
    let mut owner = new_lead(&tenant, None, None);
    contact.put_on(&mut owner);
    assert_eq!(store.write_lead(create(&owner)).await, Ok(()), "creating the owner must succeed");

    let mut rival = new_lead(&tenant, None, None);
    contact.put_on(&mut rival);
    kind.other().fresh().put_on(&mut rival);
    assert_eq!(
        store.write_lead(create(&rival)).await,
        Err(StoreError::Duplicate(name)),
        "creating a lead with a {name} another lead of the tenant owns must fail with Duplicate(\"{name}\")"
    );
    assert_eq!(ok(store.lead(&tenant, &rival.id).await, "lead"), None, "the refused lead must not exist");

    let other = new_lead(&tenant, None, None);
    assert_eq!(store.write_lead(create(&other)).await, Ok(()), "creating a lead without a {name} must succeed");
    let mut taking = bumped(&other);
    contact.put_on(&mut taking);
    assert_eq!(
        store.write_lead(create(&taking)).await,
        Err(StoreError::Duplicate(name)),
        "updating a lead to a {name} another lead owns must fail with Duplicate(\"{name}\")"
    );
    assert_eq!(
        ok(store.lead(&tenant, &other.id).await, "lead"),
        Some(other.clone()),
        "the refused update changes nothing"
    );

    let mut owner_v2 = bumped(&owner);
    owner_v2.needs_human = true;
    assert_eq!(store.write_lead(create(&owner_v2)).await, Ok(()), "a lead must be able to keep its own {name}");
    assert_eq!(contact.owner(store, &tenant).await, Some(owner_v2), "the {name} must still belong to its owner");

    let free = kind.fresh();
    let mut adding = bumped(&other);
    free.put_on(&mut adding);
    assert_eq!(store.write_lead(create(&adding)).await, Ok(()), "adding a free {name} on update must succeed");
    assert_eq!(free.owner(store, &tenant).await, Some(adding), "a {name} added on update must find its lead");
}

/// Another lead of the tenant cannot take an email a lead owns, by creation or by update;
/// the owner keeps its own through updates; a free email can be added.
pub async fn email_is_unique_within_a_tenant(store: &dyn LeadStore) {
    contact_is_unique_within_a_tenant(store, Kind::Email).await;
}

/// The same for a phone.
pub async fn phone_is_unique_within_a_tenant(store: &dyn LeadStore) {
    contact_is_unique_within_a_tenant(store, Kind::Phone).await;
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
        waiting: Vec::new(),
        lists: Vec::new(),
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
