//! Intake: a form post becomes a stored, enrolled lead, its first touch scheduled for now.

use super::counters::Counter;
use super::enrolment::start_enrolment;
use super::form::{FieldError, LeadForm, ParsedLead};
use super::milestones::{change_counters, mark_reached};
use super::App;
use crate::config::TenantConfig;
use crate::domain::{
    Channel, Email, Enrolment, IdempotencyKey, IntakeReceipt, IntakeStatus, Lead, PhoneNumber, TenantId, TimelineEntry,
    TimelineKind,
};
use crate::ports::{list_changes, waiting_changes, DueTouch, EnrolmentWrite, IdempotencyRecord, LeadWrite, StoreError};
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeSet;

/// How long a replayed `Idempotency-Key` returns the first answer.
const IDEMPOTENCY_WINDOW: Duration = Duration::hours(24);
/// How often intake re-reads after losing a race with a concurrent post (of another process:
/// within one, posts of a contact queue on `ContactLocks`).
const ATTEMPTS: u32 = 8;

/// The pause after losing a race: "equal jitter" over a window that doubles from 10 ms to at
/// most 320 ms, so racers that collided drift apart instead of colliding again.
fn race_backoff(attempt: u32) -> std::time::Duration {
    let window = 10u64 << attempt.clamp(1, 6).saturating_sub(1);
    std::time::Duration::from_millis(window / 2 + fastrand::u64(0..=window / 2))
}

/// A lead post, as the HTTP layer hands it over.
#[derive(Debug, Clone, Default)]
pub struct IntakeRequest {
    pub form: LeadForm,
    pub idempotency_key: Option<IdempotencyKey>,
    /// The key of the source's raw request, if it was kept (named on the lead's timeline).
    pub payload: Option<String>,
    /// Where the lead goes, when the caller decides rather than the segments (an import's
    /// tier or `--cadence`), and from when its cadence counts (an import's paced slot).
    pub placement: Placement,
}

/// What the caller decides instead of intake's defaults: the cadence (else the lead's
/// segment's), the instant its steps count from (else now; never earlier), and how long the
/// idempotency key answers with the first receipt (else 24 hours; a source that retries for
/// longer, or an import resumed days later, needs longer).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placement {
    pub cadence: Option<String>,
    pub start_at: Option<DateTime<Utc>>,
    pub key_kept_for: Option<Duration>,
}

/// Why intake did not accept a lead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntakeError {
    #[error("invalid lead")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What intake answers: the receipt, and whether it is the stored answer to an earlier post
/// with the same idempotency key (`Idempotent-Replayed: true`) rather than a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub receipt: IntakeReceipt,
    pub replayed: bool,
}

impl App {
    /// Counts a lead source's test lead (Google Ads' "Send test data"): it is answered and
    /// shows in the report's `test_leads`, and is never stored as a lead nor contacted.
    pub async fn record_test_lead(&self, tenant: &TenantConfig, source: &str) -> Result<(), StoreError> {
        let counter = Counter::TestLead { source: source.to_owned() };
        self.store.add_counts(&tenant.id, self.clock.now().date_naive(), &[(counter.key(), 1)]).await
    }

    /// Accepts a lead for `tenant`.
    pub async fn intake(&self, tenant: &TenantConfig, mut request: IntakeRequest) -> Result<Accepted, IntakeError> {
        let now = self.clock.now();
        if let Some(key) = &request.idempotency_key {
            if let Some(receipt) = self.store.receipt(&tenant.id, key, now).await? {
                self.rearm_unstarted(tenant, &receipt).await;
                return Ok(Accepted { receipt, replayed: true });
            }
        }
        // The form is parsed away (no copy on the hot path); the rest of the request stays.
        let parsed = std::mem::take(&mut request.form).parse(tenant, now).map_err(IntakeError::Invalid)?;
        let idempotency = |receipt: &IntakeReceipt| {
            request.idempotency_key.clone().map(|key| IdempotencyRecord {
                key,
                receipt: receipt.clone(),
                created_at: now,
                expires_at: now + request.placement.key_kept_for.unwrap_or(IDEMPOTENCY_WINDOW),
            })
        };
        let profile = &parsed.profile;
        let contact_keys: Vec<String> = (profile.email.iter().map(|e| format!("{}#{e}", tenant.id)))
            .chain(profile.phone.iter().map(|p| format!("{}#{p}", tenant.id)))
            .collect();
        let _contact = self.contacts.lock(&contact_keys).await;

        for attempt in 1..=ATTEMPTS {
            let existing = self.lead_by_contact(&tenant.id, profile.email.as_ref(), profile.phone.as_ref()).await?;
            // A number that texted STOP before it was ever a lead stays silenced. Read on every
            // attempt: the write below holds only while the number still has no opt-out.
            let known_phone = existing.as_ref().and_then(|lead| lead.profile.phone.as_ref());
            let silenced = self.any_opted_out(&tenant.id, [profile.phone.as_ref(), known_phone]).await?;
            let before = existing.clone();
            let (mut write, receipt, counter) = match existing {
                None => self.new_lead(tenant, &parsed, &request, silenced, now),
                Some(lead) => self.merged_lead(tenant, lead, &parsed, &request, silenced, now).await?,
            };
            mark_reached(tenant, &mut write.lead, now);
            let unless_opted_out = if silenced { None } else { write.lead.profile.phone.clone() };
            let waiting = waiting_changes(before.as_ref(), &write.lead);
            let lists = list_changes(before.as_ref(), &write.lead);
            let write = LeadWrite { idempotency: idempotency(&receipt), unless_opted_out, waiting, lists, ..write };
            let first_schedule = write.enrolments.iter().find_map(|w| DueTouch::next_of(&w.enrolment));
            let after = write.lead.clone();
            match self.store.write_lead(write).await {
                Ok(()) => {
                    if let Some(due) = first_schedule {
                        // The lead is stored, but without its first touch it would wait for a
                        // restart: answer 503, and the client's retry (same Idempotency-Key)
                        // re-arms it.
                        if let Err(e) = self.scheduler.schedule(due.into()).await {
                            tracing::error!(error = %e, lead = %receipt.lead_id, "first touch not scheduled");
                            return Err(StoreError::Unavailable(e.to_string()).into());
                        }
                    }
                    // A new lead's counters are all of its arrival day: one request. A merged
                    // lead's milestones belong to the day it first arrived.
                    let mut counts = vec![(counter.key(), 1)];
                    if before.is_none() {
                        for (_, day_counts) in change_counters(None, &after, now) {
                            counts.extend(day_counts);
                        }
                    }
                    if let Err(e) = self.store.add_counts(&tenant.id, now.date_naive(), &counts).await {
                        tracing::warn!(error = %e, "intake counter not updated");
                    }
                    if before.is_some() {
                        self.count_change(tenant, before.as_ref(), &after).await;
                    }
                    self.alert_if_newly_hot(tenant, before.as_ref(), &after).await;
                    self.schedule_dormancy(tenant, before.as_ref(), &after).await;
                    self.after_stage_move(tenant, before.as_ref(), &after).await;
                    return Ok(Accepted { receipt, replayed: false });
                }
                // Another post with the same key won the race: its answer is ours.
                Err(StoreError::Duplicate("idempotency key")) => {
                    if let Some(key) = &request.idempotency_key {
                        if let Some(receipt) = self.store.receipt(&tenant.id, key, now).await? {
                            return Ok(Accepted { receipt, replayed: true });
                        }
                    }
                }
                // The number texted STOP since it was read: read again, and store it silenced.
                Err(StoreError::NumberOptedOut) => continue,
                // Another process created or changed the same person: read again and merge,
                // after a pause that differs between racers so they stop meeting.
                Err(StoreError::Duplicate(_) | StoreError::Stale | StoreError::AlreadyClaimed) => {
                    tokio::time::sleep(race_backoff(attempt)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Stale.into())
    }

    /// Whether any of `phones` has an opt-out record.
    async fn any_opted_out(&self, tenant: &TenantId, phones: [Option<&PhoneNumber>; 2]) -> Result<bool, StoreError> {
        let [posted, known] = phones;
        for phone in posted.into_iter().chain(known.filter(|known| Some(*known) != posted)) {
            if self.store.number_opt_out(tenant, phone).await?.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The tenant's lead with this email, else the one with this phone.
    pub(super) async fn lead_by_contact(
        &self,
        tenant: &TenantId,
        email: Option<&Email>,
        phone: Option<&PhoneNumber>,
    ) -> Result<Option<Lead>, StoreError> {
        let by_email = match email {
            Some(email) => self.store.lead_by_email(tenant, email).await?,
            None => None,
        };
        match (by_email, phone) {
            (None, Some(phone)) => self.store.lead_by_phone(tenant, phone).await,
            (found, _) => Ok(found),
        }
    }

    /// On a replay: schedules again the first touch of an enrolment that never ran (in case
    /// the first attempt stored the lead but failed to schedule). A twin is harmless.
    async fn rearm_unstarted(&self, tenant: &TenantConfig, receipt: &IntakeReceipt) {
        if receipt.next_touch_at.is_none() {
            return;
        }
        let enrolments = match self.store.enrolments(&tenant.id, &receipt.lead_id).await {
            Ok(enrolments) => enrolments,
            Err(e) => return tracing::warn!(error = %e, "replay: enrolments not read"),
        };
        for due in enrolments.iter().filter(|e| e.version == 1).filter_map(DueTouch::next_of) {
            if let Err(e) = self.scheduler.schedule(due.into()).await {
                tracing::warn!(error = %e, "replay: first touch not re-armed");
            }
        }
    }

    fn new_lead(
        &self,
        tenant: &TenantConfig,
        parsed: &ParsedLead,
        request: &IntakeRequest,
        silenced: bool,
        now: DateTime<Utc>,
    ) -> (LeadWrite, IntakeReceipt, Counter) {
        let mut lead = Lead::received(tenant.id.clone(), parsed.profile.clone(), parsed.consent.clone(), now);
        lead.stages.enter(tenant.pipeline.first().clone(), now);
        if silenced {
            lead.opted_out = BTreeSet::from(Channel::PHONE);
        }
        let mut timeline = vec![TimelineEntry {
            at: now,
            kind: TimelineKind::Received {
                source: lead.profile.source.clone(),
                campaign: lead.profile.campaign.clone(),
                payload: request.payload.clone(),
            },
        }];
        // A segment with an owner gives its leads to that rep from the start.
        if let Some(owner) = tenant.segment_for(&lead, now).and_then(|s| s.owner.clone()) {
            let reason = Some("the segment's owner".to_owned());
            timeline.push(TimelineEntry { at: now, kind: TimelineKind::Assigned { owner: owner.clone(), reason } });
            lead.owner = Some(owner);
        }
        let enrolment = enrol(tenant, &lead, &request.placement, now, &mut timeline);
        let receipt = receipt_for(&lead, IntakeStatus::Enrolled, enrolment.as_ref());
        let counter = Counter::Lead { source: lead.profile.source.clone() };
        let enrolments =
            enrolment.into_iter().map(|e| EnrolmentWrite { enrolment: e, expected_version: None }).collect();
        (LeadWrite::plain(lead, enrolments, timeline), receipt, counter)
    }

    async fn merged_lead(
        &self,
        tenant: &TenantConfig,
        current: Lead,
        parsed: &ParsedLead,
        request: &IntakeRequest,
        silenced: bool,
        now: DateTime<Utc>,
    ) -> Result<(LeadWrite, IntakeReceipt, Counter), StoreError> {
        let enrolments = self.store.enrolments(&tenant.id, &current.id).await?;
        let mut lead = current.clone();
        lead.version += 1;
        if silenced {
            lead.opted_out.extend(Channel::PHONE);
        }
        let new = &parsed.profile;
        let p = &mut lead.profile;
        // A contact point is added only if no other lead owns it (the store enforces it too).
        if p.email.is_none() {
            if let Some(email) = &new.email {
                if self.store.lead_by_email(&tenant.id, email).await?.is_none() {
                    p.email = Some(email.clone());
                }
            }
        }
        if p.phone.is_none() {
            if let Some(phone) = &new.phone {
                if self.store.lead_by_phone(&tenant.id, phone).await?.is_none() {
                    p.phone = Some(phone.clone());
                }
            }
        }
        p.last_name = new.last_name.clone().or(p.last_name.take());
        p.source = new.source.clone();
        p.campaign = new.campaign.clone().or(p.campaign.take());
        p.postcode = new.postcode.clone().or(p.postcode.take());
        p.fields.extend(new.fields.clone());
        // A new form with a consent box ticked grants consent; an unticked box revokes none.
        let c = &mut lead.consent;
        if parsed.consent.sms || parsed.consent.email || parsed.consent.voice {
            c.evidence = parsed.consent.evidence.clone();
        }
        c.sms |= parsed.consent.sms;
        c.email |= parsed.consent.email;
        c.voice |= parsed.consent.voice;

        let mut timeline = vec![TimelineEntry {
            at: now,
            kind: TimelineKind::Merged {
                source: new.source.clone(),
                campaign: new.campaign.clone(),
                payload: request.payload.clone(),
            },
        }];
        let active = enrolments.iter().find(|e| e.is_active());
        // A repeat enquiry after a cadence ended is fresh intent: start again, unless the
        // lead is with a human, opted out, or closed.
        let closed = lead.needs_human || lead.outcome.is_some() || !lead.opted_out.is_empty();
        let enrolment = match active {
            None if !closed => enrol(tenant, &lead, &request.placement, now, &mut timeline),
            _ => None,
        };
        let status = if lead.reachable() { IntakeStatus::Merged } else { IntakeStatus::Suppressed };
        let receipt = receipt_for(&lead, status, enrolment.as_ref().or(active));
        let counter = Counter::RepeatEnquiry { source: new.source.clone() };
        let enrolments =
            enrolment.into_iter().map(|e| EnrolmentWrite { enrolment: e, expected_version: None }).collect();
        Ok((LeadWrite::plain(lead, enrolments, timeline), receipt, counter))
    }
}

/// A new enrolment in the lead's segment cadence, its first step placed by the engine; none
/// if no channel can reach the lead.
fn enrol(
    tenant: &TenantConfig,
    lead: &Lead,
    placement: &Placement,
    now: DateTime<Utc>,
    timeline: &mut Vec<TimelineEntry>,
) -> Option<Enrolment> {
    if !lead.reachable() {
        return None;
    }
    let cadence = placement.cadence.as_deref().filter(|c| tenant.cadences.contains_key(*c));
    let cadence = cadence.unwrap_or_else(|| tenant.cadence_for(lead, now));
    let start = placement.start_at.map_or(now, |at| at.max(now));
    Some(start_enrolment(tenant.rules(), lead, cadence, (None, None), start, timeline))
}

fn receipt_for(lead: &Lead, status: IntakeStatus, enrolment: Option<&Enrolment>) -> IntakeReceipt {
    let status =
        if status == IntakeStatus::Enrolled && enrolment.is_none() { IntakeStatus::Suppressed } else { status };
    IntakeReceipt {
        lead_id: lead.id.clone(),
        status,
        cadence: enrolment.map(|e| e.cadence.clone()),
        next_touch_at: enrolment.and_then(|e| e.next_due_at),
    }
}
