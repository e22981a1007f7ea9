//! Where leads, enrolments, touches, timelines and counters live.
//!
//! Every write that must be atomic is one call: intake and merges (`write_lead`), claiming a
//! step (`claim`). Implementations: redb (embedded) and DynamoDB (TransactWriteItems).

use super::{ListChange, Listed};
use crate::domain::{
    Email, Enrolment, IdempotencyKey, IntakeReceipt, Lead, LeadId, OptOutRecord, PhoneNumber, TenantId, TimelineEntry,
    Touch, TouchStatus,
};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

/// Why a store operation failed; each variant is something a caller acts on differently.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness key (email, phone, idempotency key, id) is taken.
    #[error("duplicate {0}")]
    Duplicate(&'static str),
    /// The lead changed since it was read; read again and retry.
    #[error("the lead changed since it was read")]
    Stale,
    /// Someone else claimed or moved this enrolment first.
    #[error("the step was already claimed")]
    AlreadyClaimed,
    /// The store is throttling or unreachable; retry later.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The write was conditional on a number having no opt-out record, and it has one (it
    /// texted STOP since it was read): read the opt-out again and decide anew.
    #[error("the number opted out")]
    NumberOptedOut,
    /// A stored item did not parse back into domain types.
    #[error("corrupt stored item: {0}")]
    Corrupt(String),
}

/// A receipt kept under an idempotency key until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    pub key: IdempotencyKey,
    pub receipt: IntakeReceipt,
    /// When the first request was accepted: a record that expired before then is replaced.
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A lead source's request as it arrived (verified), kept for support until `expires_at`:
/// when a lead looks wrong, what the source really sent settles it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawPayload {
    /// Who sent it and its id there (the key the lead's timeline names): `google-ads:<lead_id>`.
    pub key: String,
    pub received_at: DateTime<Utc>,
    pub content_type: String,
    pub body: Vec<u8>,
    pub expires_at: DateTime<Utc>,
}

/// An enrolment to store: new (`expected_version: None`) or replacing the given version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentWrite {
    pub enrolment: Enrolment,
    pub expected_version: Option<u64>,
}

/// One atomic change to a lead: the lead itself (created when `lead.version == 1`, else
/// replacing version `lead.version - 1`), its email and phone uniqueness keys, enrolments,
/// an idempotency record and timeline entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadWrite {
    pub lead: Lead,
    pub enrolments: Vec<EnrolmentWrite>,
    pub idempotency: Option<IdempotencyRecord>,
    pub timeline: Vec<TimelineEntry>,
    /// Written only while this number has no opt-out record (else `NumberOptedOut`): a lead
    /// that may be texted is never stored after its number's STOP was.
    pub unless_opted_out: Option<PhoneNumber>,
    /// What the write adds to reps' counts of leads waiting on them (see [`waiting_changes`]).
    pub waiting: Vec<(String, i64)>,
    /// What the write does to the lists people work from (see [`list_changes`](super::list_changes)).
    pub lists: Vec<ListChange>,
}

impl LeadWrite {
    /// The write of `lead` with its new `enrolments` and `timeline`, and nothing else: no
    /// idempotency record, no opt-out condition, no wait or list moved.
    pub fn plain(lead: Lead, enrolments: Vec<EnrolmentWrite>, timeline: Vec<TimelineEntry>) -> Self {
        Self {
            lead,
            enrolments,
            idempotency: None,
            timeline,
            unless_opted_out: None,
            waiting: Vec::new(),
            lists: Vec::new(),
        }
    }
}

/// How a lead's change moves reps' counts of leads waiting on them: the lead waits on its
/// owner while it needs a human.
pub fn waiting_changes(before: Option<&Lead>, after: &Lead) -> Vec<(String, i64)> {
    let (was, is) = (before.and_then(Lead::waiting_on), after.waiting_on());
    if was == is {
        return Vec::new();
    }
    was.map(|rep| (rep.to_owned(), -1)).into_iter().chain(is.map(|rep| (rep.to_owned(), 1))).collect()
}

/// A rep as the store keeps them: whether they marked themselves away, and how many leads
/// wait on them. A rep the store has never heard of is present, with nobody waiting.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RepState {
    pub name: String,
    pub away: bool,
    pub open: u64,
}

/// Claiming a step: the enrolment moves on (replacing `expected_version`), the touch is
/// recorded as claimed, and the timeline grows, all or nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub enrolment: Enrolment,
    pub expected_version: u64,
    pub touch: Option<Touch>,
    pub timeline: Vec<TimelineEntry>,
    /// Claimed only while this number has no opt-out record (else `NumberOptedOut`): no text,
    /// call or voicemail is claimed once its number's STOP is stored.
    pub unless_opted_out: Option<PhoneNumber>,
}

/// The store port.
#[async_trait]
pub trait LeadStore: Send + Sync {
    /// The receipt under an idempotency key, if it has not expired at `now`.
    async fn receipt(
        &self,
        tenant: &TenantId,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<Option<IntakeReceipt>, StoreError>;
    /// A lead by id, within the tenant.
    async fn lead(&self, tenant: &TenantId, id: &LeadId) -> Result<Option<Lead>, StoreError>;
    /// The tenant's lead with this email.
    async fn lead_by_email(&self, tenant: &TenantId, email: &Email) -> Result<Option<Lead>, StoreError>;
    /// The tenant's lead with this phone (how inbound replies find their lead).
    async fn lead_by_phone(&self, tenant: &TenantId, phone: &PhoneNumber) -> Result<Option<Lead>, StoreError>;
    /// Applies a `LeadWrite` atomically: `Stale` if the lead moved, `Duplicate` if a key is
    /// taken by another lead, `AlreadyClaimed` if an enrolment moved.
    async fn write_lead(&self, write: LeadWrite) -> Result<(), StoreError>;
    /// Applies a `Claim` atomically: `AlreadyClaimed` if the enrolment moved.
    async fn claim(&self, claim: Claim) -> Result<(), StoreError>;
    /// Replaces a touch's status after the channel answered.
    async fn record_touch(&self, touch: &Touch) -> Result<(), StoreError>;
    /// Replaces a stored touch with `touch` only if its status is still `expected` (compare
    /// and set): answers false, writing nothing, if the status moved on or there is no such
    /// touch. Of two callers at once from the same status, only one gets true (how a touch
    /// left unrecorded by a crash is resent once, or marked uncertain once). Given a number,
    /// it settles only while that number has no opt-out record (else `NumberOptedOut`), as a
    /// claim does: a resend never goes out after its number's STOP was stored.
    async fn settle_touch(
        &self,
        touch: &Touch,
        expected: &TouchStatus,
        unless_opted_out: Option<&PhoneNumber>,
    ) -> Result<bool, StoreError>;
    /// The lead's enrolments, oldest first.
    async fn enrolments(&self, tenant: &TenantId, lead: &LeadId) -> Result<Vec<Enrolment>, StoreError>;
    /// The tenant's active enrolments (for reconciling schedules after a restart).
    async fn active_enrolments(&self, tenant: &TenantId) -> Result<Vec<Enrolment>, StoreError>;
    /// The lead's touches, oldest first.
    async fn touches(&self, tenant: &TenantId, lead: &LeadId) -> Result<Vec<Touch>, StoreError>;
    /// The lead's timeline, oldest first.
    async fn timeline(&self, tenant: &TenantId, lead: &LeadId) -> Result<Vec<TimelineEntry>, StoreError>;
    /// Appends to the timeline (entries that need no atomicity with anything else).
    async fn append_timeline(
        &self,
        tenant: &TenantId,
        lead: &LeadId,
        entries: &[TimelineEntry],
    ) -> Result<(), StoreError>;
    /// A number's opt-out from the tenant's texts and calls, if it has one. Kept apart from
    /// leads, so a STOP from a number that is not (yet) a lead still holds when it becomes one.
    async fn number_opt_out(&self, tenant: &TenantId, phone: &PhoneNumber) -> Result<Option<OptOutRecord>, StoreError>;
    /// Records a number's opt-out. Answers false if it had opted out already: the first record
    /// stands, and only one caller ever sees true (at most one confirmation message). Once it
    /// answers, no write conditional on the number (`unless_opted_out`) succeeds, so a lead
    /// looked up by phone afterwards is every lead a text could still be claimed for.
    async fn record_number_opt_out(
        &self,
        tenant: &TenantId,
        phone: &PhoneNumber,
        record: &OptOutRecord,
    ) -> Result<bool, StoreError>;
    /// Lifts a number's opt-out (a START); answers whether it had one it lifted. A number on
    /// the tenant's do-not-contact list stays opted out, and answers false.
    async fn lift_number_opt_out(&self, tenant: &TenantId, phone: &PhoneNumber) -> Result<bool, StoreError>;
    /// Puts a number on the tenant's do-not-contact list: its opt-out record is created (with
    /// `record` as the evidence) or, if it has one, kept and marked `dnc`, in one atomic write,
    /// so the number is never without a record meanwhile. A DNC record is not lifted by
    /// `lift_number_opt_out`. Answers whether the number was not on the list before.
    async fn add_to_dnc(
        &self,
        tenant: &TenantId,
        phone: &PhoneNumber,
        record: &OptOutRecord,
    ) -> Result<bool, StoreError>;
    /// Claims a carrier's inbound message id (carriers deliver webhooks at least once): true
    /// the first time, false while an earlier claim of it has not expired at `now`. Only one
    /// of two callers at once gets true.
    async fn claim_inbound(
        &self,
        tenant: &TenantId,
        message_id: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Gives a claimed message id back (its handling failed, so the carrier's retry must run).
    async fn release_inbound(&self, tenant: &TenantId, message_id: &str) -> Result<(), StoreError>;
    /// Takes the next turn of one of the tenant's rotations (hand-offs go round the reps):
    /// 1, 2, 3 ... atomically, so two callers at once never get the same turn.
    async fn next_turn(&self, tenant: &TenantId, rotation: &str) -> Result<u64, StoreError>;
    /// The reps the store knows of (marked away or back, or with leads waiting on them).
    async fn rep_states(&self, tenant: &TenantId) -> Result<Vec<RepState>, StoreError>;
    /// Marks a rep away (no new leads) or back.
    async fn set_rep_away(&self, tenant: &TenantId, rep: &str, away: bool) -> Result<(), StoreError>;
    /// Counts one more hit of a rate (a form's posts, say) in its window starting at
    /// `window_start`, and answers the window's hits so far, this one included, atomically: two
    /// callers at once never see the same count. The window is forgotten after `expires_at`.
    async fn count_hit(
        &self,
        tenant: &TenantId,
        rate: &str,
        window_start: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<u64, StoreError>;
    /// Keeps a source's raw request; while one is kept under the key, a second one is not (the
    /// first request is the one its lead came from).
    async fn keep_payload(&self, tenant: &TenantId, payload: &RawPayload) -> Result<(), StoreError>;
    /// A kept request by its key, unless it expired at `now`.
    async fn payload(&self, tenant: &TenantId, key: &str, now: DateTime<Utc>)
        -> Result<Option<RawPayload>, StoreError>;
    /// The entries of one of the tenant's lists (see [`ListChange`]), in no particular order.
    async fn listed(&self, tenant: &TenantId, list: &str) -> Result<Vec<Listed>, StoreError>;
    /// Adds to named counters of one UTC day (atomic increments, never read-modify-write). A
    /// negative delta subtracts (the pipeline's counts of leads in each stage now go down as
    /// well as up); a counter whose adds sum below zero reads back as zero.
    async fn add_counts(&self, tenant: &TenantId, day: NaiveDate, counts: &[(String, i64)]) -> Result<(), StoreError>;
    /// Every counter of the days `from..=to`.
    async fn counts(
        &self,
        tenant: &TenantId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, String, u64)>, StoreError>;
}
