//! What the checks build their cases from: fresh tenants, contacts and keys (so every check
//! can share one store), leads, enrolments, touches, and the assertions they share.

use super::prelude::*;

pub(super) fn unique() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

pub(super) fn fresh_tenant() -> TenantId {
    TenantId::parse(&format!("conformance-{}", unique())).expect("a tenant slug")
}

pub(super) fn fresh_email() -> Email {
    Email::parse(&format!("lead-{}@example.com", unique())).expect("an email address")
}

/// A different valid number on each call (uniqueness only matters within a check's tenants).
pub(super) fn fresh_phone() -> PhoneNumber {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed) % 1000;
    PhoneNumber::parse_e164(&format!("+1415555{:04}", 2000 + n)).expect("a valid phone number")
}

pub(super) fn fresh_key() -> IdempotencyKey {
    IdempotencyKey::parse(&format!("form-{}", unique())).expect("an idempotency key")
}

/// A fixed instant with a sub-second part, which a round trip must keep. It lies far in the
/// future so that a store expiring records by the real clock (a DynamoDB TTL) cannot drop an
/// idempotency record in the middle of a check.
pub(super) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2099, 3, 2, 9, 30, 0).single().expect("a valid instant") + Duration::milliseconds(125)
}

/// The shared lead fixture with every optional field filled, so every round trip checks that
/// each one is kept.
pub(super) fn new_lead(tenant: &TenantId, email: Option<Email>, phone: Option<PhoneNumber>) -> Lead {
    let mut lead = crate::domain::fixtures::lead(tenant, t0());
    let profile = &mut lead.profile;
    profile.first_name = PersonName::parse("Ada").expect("a name");
    profile.last_name = Some(PersonName::parse("Lovelace").expect("a name"));
    (profile.email, profile.phone) = (email, phone);
    profile.source = "web-form".to_owned();
    profile.campaign = Some("spring".to_owned());
    profile.zone = LeadZone::parse("Europe/London").expect("a zone");
    profile.postcode = Some("N1 9GU".to_owned());
    profile.country = Some("GB".to_owned());
    profile.fields = BTreeMap::from([("service".to_owned(), "whitening".to_owned())]);
    lead.consent.voice = false;
    lead.consent.evidence = ConsentEvidence {
        text: Some("Yes, contact me".to_owned()),
        captured_at: t0(),
        ip: Some("203.0.113.7".to_owned()),
        user_agent: Some("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)".to_owned()),
        source: "web-form".to_owned(),
    };
    lead.undeliverable = BTreeMap::from([(Channel::Voice, Undeliverable::Unreachable)]);
    lead
}

/// A write of just the lead (a creation at version 1, else an update).
pub(super) fn create(lead: &Lead) -> LeadWrite {
    LeadWrite {
        lead: lead.clone(),
        enrolments: Vec::new(),
        idempotency: None,
        timeline: Vec::new(),
        unless_opted_out: None,
        waiting: Vec::new(),
        lists: Vec::new(),
    }
}

/// A write of the lead with an enrolment, an idempotency record and timeline entries.
pub(super) fn full_write(lead: &Lead) -> LeadWrite {
    let at = lead.received_at + Duration::hours(lead.version as i64);
    LeadWrite {
        lead: lead.clone(),
        enrolments: vec![EnrolmentWrite { enrolment: new_enrolment(lead, at), expected_version: None }],
        idempotency: Some(record(&fresh_key(), lead, at, Duration::hours(24))),
        timeline: vec![entry(at, "received"), entry(at, "enrolled")],
        unless_opted_out: None,
        waiting: Vec::new(),
        lists: Vec::new(),
    }
}

/// The next version of the lead, otherwise unchanged.
pub(super) fn bumped(lead: &Lead) -> Lead {
    Lead { version: lead.version + 1, ..lead.clone() }
}

pub(super) fn new_enrolment(lead: &Lead, enrolled_at: DateTime<Utc>) -> Enrolment {
    Enrolment {
        id: EnrolmentId::new(),
        tenant: lead.tenant.clone(),
        lead_id: lead.id.clone(),
        cadence: "new-lead".to_owned(),
        enrolled_at,
        anchor_at: None,
        gate: None,
        next_step: 0,
        next_due_at: Some(enrolled_at),
        status: EnrolmentStatus::Active,
        version: 1,
    }
}

/// `n` enrolments of the lead whose ids and enrolment times both ascend.
pub(super) fn oldest_first_enrolments(lead: &Lead, n: usize) -> Vec<Enrolment> {
    let mut ids: Vec<EnrolmentId> = (0..n).map(|_| EnrolmentId::new()).collect();
    ids.sort();
    ids.into_iter()
        .enumerate()
        .map(|(i, id)| Enrolment { id, ..new_enrolment(lead, t0() + Duration::hours(i as i64)) })
        .collect()
}

/// The enrolment after its next step was claimed at `at`.
pub(super) fn advanced(enrolment: &Enrolment, at: DateTime<Utc>) -> Enrolment {
    Enrolment {
        next_step: enrolment.next_step + 1,
        next_due_at: Some(at + Duration::days(1)),
        version: enrolment.version + 1,
        ..enrolment.clone()
    }
}

/// The enrolment after it ended.
pub(super) fn finished(enrolment: &Enrolment, status: EnrolmentStatus) -> Enrolment {
    Enrolment { status, next_due_at: None, version: enrolment.version + 1, ..enrolment.clone() }
}

pub(super) fn claim_of(
    before: &Enrolment,
    after: Enrolment,
    touch: Option<Touch>,
    timeline: Vec<TimelineEntry>,
) -> Claim {
    Claim { enrolment: after, expected_version: before.version, touch, timeline, unless_opted_out: None }
}

pub(super) fn new_touch(enrolment: &Enrolment, step: usize, claimed_at: DateTime<Utc>) -> Touch {
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
pub(super) fn entry(at: DateTime<Utc>, label: &str) -> TimelineEntry {
    TimelineEntry { at, kind: TimelineKind::HandedOff { reason: label.to_owned() } }
}

pub(super) fn receipt_for(lead: &Lead) -> IntakeReceipt {
    IntakeReceipt {
        lead_id: lead.id.clone(),
        status: IntakeStatus::Enrolled,
        cadence: Some("new-lead".to_owned()),
        next_touch_at: Some(lead.received_at),
    }
}

pub(super) fn record(key: &IdempotencyKey, lead: &Lead, created_at: DateTime<Utc>, ttl: Duration) -> IdempotencyRecord {
    IdempotencyRecord { key: key.clone(), receipt: receipt_for(lead), created_at, expires_at: created_at + ttl }
}

/// A stored lead with one active enrolment and a timeline entry.
pub(super) async fn lead_with_enrolment(store: &dyn LeadStore, tenant: &TenantId) -> (Lead, Enrolment) {
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
pub(super) fn ok<T>(result: Result<T, StoreError>, operation: &str) -> T {
    result.unwrap_or_else(|e| panic!("{operation}() must answer, but failed: {e:?}"))
}

/// Everything a `LeadWrite` could touch, as the port's reads show it.
#[derive(Debug, PartialEq)]
pub(super) struct Snapshot {
    pub(super) lead: Option<Lead>,
    pub(super) by_email: Option<Lead>,
    pub(super) by_phone: Option<Lead>,
    pub(super) receipt: Option<IntakeReceipt>,
    pub(super) enrolments: Vec<Enrolment>,
    pub(super) active: Vec<Enrolment>,
    pub(super) touches: Vec<Touch>,
    pub(super) timeline: Vec<TimelineEntry>,
}

pub(super) async fn snapshot(store: &dyn LeadStore, write: &LeadWrite) -> Snapshot {
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
pub(super) async fn assert_keys_free(store: &dyn LeadStore, failed: &LeadWrite, before: &Snapshot, context: &str) {
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
pub(super) async fn both<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
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

/// A lead's unique contact: its email or its phone.
#[derive(Clone, Copy)]
pub(super) enum Kind {
    Email,
    Phone,
}

/// An email or phone to own.
#[derive(Clone)]
pub(super) enum Contact {
    Email(Email),
    Phone(PhoneNumber),
}

impl Kind {
    /// The name `StoreError::Duplicate` gives it.
    pub(super) fn name(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::Phone => "phone",
        }
    }

    pub(super) fn fresh(self) -> Contact {
        match self {
            Kind::Email => Contact::Email(fresh_email()),
            Kind::Phone => Contact::Phone(fresh_phone()),
        }
    }

    /// The other kind: a rival needs one of its own.
    pub(super) fn other(self) -> Kind {
        match self {
            Kind::Email => Kind::Phone,
            Kind::Phone => Kind::Email,
        }
    }
}

impl Contact {
    pub(super) fn put_on(&self, lead: &mut Lead) {
        match self {
            Contact::Email(email) => lead.profile.email = Some(email.clone()),
            Contact::Phone(phone) => lead.profile.phone = Some(phone.clone()),
        }
    }

    /// The lead that owns it, by the store's lookup for its kind.
    pub(super) async fn owner(&self, store: &dyn LeadStore, tenant: &TenantId) -> Option<Lead> {
        match self {
            Contact::Email(email) => ok(store.lead_by_email(tenant, email).await, "lead_by_email"),
            Contact::Phone(phone) => ok(store.lead_by_phone(tenant, phone).await, "lead_by_phone"),
        }
    }
}
