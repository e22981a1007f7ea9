//! Touches a crash left unrecorded: claimed (or taken for a resend), then the process died
//! before the channel's answer was written. Each gets a real answer.
//!
//! Both runtimes deliver a due message again after a crash (the local scheduler removes a row
//! only after its run; SQS makes a message visible again when its function died), and every
//! due message of a lead first looks at the lead's unrecorded touches, whichever enrolment
//! and step they belong to (the message of the step that was claimed may be gone: on AWS it
//! can end in the dead-letter queue). A touch whose send began less than the channel's
//! longest send ago may still be in flight: a [`TouchCheck`] comes back for it when it cannot
//! be. Otherwise the channel is asked ([`Sender::lookup`](crate::ports::Sender::lookup)):
//!
//! - **sent** (the outbox has it; Twilio lists it): recorded sent, with the provider's id,
//!   and counted as the send would have been;
//! - **not sent**: sent again, once: a conditional write from the status it was found in
//!   takes the resend, so two deliveries at once cannot both send. The send-time checks hold
//!   as for any touch: a stopped cadence, an opt-out (the lead's or the number's), no consent
//!   or no address refuse it (recorded failed, with why, on the timeline); quiet hours and the
//!   caps put it off until they allow it;
//! - **unknown** (a provider that cannot be asked): marked uncertain and never sent again,
//!   counted (`uncertain` in the report), on the lead's timeline, and the lead's owner told
//!   once in the team chat, so a person follows up.

use super::counters::Counter;
use super::handoff::{full_name, owner_mention};
use super::step::{is_sent, Pending, StepError, StepOutcome};
use super::App;
use crate::config::TenantConfig;
use crate::domain::{Enrolment, EnrolmentStatus, Lead, PhoneNumber, TimelineEntry, TimelineKind, Touch, TouchStatus};
use crate::engine::{blocked, next_allowed};
use crate::ports::{Lookup, OutboundMessage, StoreError, TouchCheck, UncertainTouch, LONGEST_SEND};
use chrono::{DateTime, Duration, Utc};

/// What a look at a touch left unrecorded came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    /// It may still be in flight, or quiet hours or a cap hold its resend back: looked at
    /// again at `at`.
    Later { at: DateTime<Utc> },
    /// The channel had it: recorded sent.
    Found,
    /// The channel never had it: sent again, once, with this outcome.
    Resent(StepOutcome),
    /// The channel never had it, and no touch may go to the lead on that channel now (or its
    /// cadence stopped): recorded failed, with why.
    NotResent { reason: String },
    /// The channel cannot tell: marked uncertain, and a person told.
    Uncertain,
    /// Recorded already (another delivery settled it first), or its lead or tenant is gone.
    Nothing,
}

/// A touch left unrecorded, with the lead state settling it reads.
struct Unrecorded<'a> {
    tenant: &'a TenantConfig,
    lead: &'a Lead,
    enrolments: &'a [Enrolment],
    /// The lead's touches, this one among them.
    touches: &'a [Touch],
    touch: &'a Touch,
}

impl Unrecorded<'_> {
    /// The touch with another status.
    fn with(&self, status: TouchStatus) -> Touch {
        Touch { status, ..self.touch.clone() }
    }

    fn enrolment(&self) -> Option<&Enrolment> {
        self.enrolments.iter().find(|e| e.id == self.touch.enrolment_id)
    }

    /// The lead's other touches claimed before this one.
    fn earlier(&self) -> impl Iterator<Item = &Touch> {
        self.touches.iter().filter(|t| t.id != self.touch.id && t.claimed_at < self.touch.claimed_at)
    }

    /// Whether an earlier touch went out: then this one is not the lead's first contact.
    fn contacted_before(&self) -> bool {
        self.earlier().any(is_sent)
    }

    /// Whether this was to be the lead's first touch: none claimed before it but failed ones.
    fn first(&self) -> bool {
        !self.earlier().any(|t| !matches!(t.status, TouchStatus::Failed { .. }))
    }
}

impl App {
    /// Settles each of `touches` that a crash left unrecorded (see the module) and answers
    /// the lead's touches as they are now. Called by every due step before it decides.
    pub(super) async fn settle_unrecorded(
        &self,
        tenant: &TenantConfig,
        lead: &Lead,
        enrolments: &[Enrolment],
        touches: Vec<Touch>,
    ) -> Result<Vec<Touch>, StepError> {
        let mut changed = false;
        for touch in touches.iter().filter(|t| t.unrecorded_since().is_some()) {
            let found = Unrecorded { tenant, lead, enrolments, touches: &touches, touch };
            let settlement = self.settle(&found).await?;
            tracing::info!(tenant = %tenant.id, lead = %lead.id, touch = %touch.id, ?settlement, "unrecorded touch");
            changed |= !matches!(settlement, Settlement::Later { .. } | Settlement::Nothing);
        }
        if changed {
            return Ok(self.store.touches(&tenant.id, &lead.id).await?);
        }
        Ok(touches)
    }

    /// Runs a [`TouchCheck`]: settles its touch if it is still unrecorded.
    pub async fn check_touch(&self, check: &TouchCheck) -> Result<Settlement, StepError> {
        let Some(tenant) = self.tenants.get(&check.tenant) else { return Ok(Settlement::Nothing) };
        let Some(lead) = self.store.lead(&check.tenant, &check.lead_id).await? else {
            return Ok(Settlement::Nothing);
        };
        let touches = self.store.touches(&check.tenant, &check.lead_id).await?;
        let Some(touch) = touches.iter().find(|t| t.id == check.touch_id) else { return Ok(Settlement::Nothing) };
        let enrolments = self.store.enrolments(&check.tenant, &check.lead_id).await?;
        self.settle(&Unrecorded { tenant: &tenant, lead: &lead, enrolments: &enrolments, touches: &touches, touch })
            .await
    }

    /// Gives one unrecorded touch its answer, or a check for when it can have one.
    async fn settle(&self, found: &Unrecorded<'_>) -> Result<Settlement, StepError> {
        let Some(since) = found.touch.unrecorded_since() else { return Ok(Settlement::Nothing) };
        let message = self.render_touch(found.tenant, found.lead, found.touch);
        // Past the channel's longest send the touch cannot be in flight: its process died.
        let longest = message.as_ref().map_or(LONGEST_SEND, |message| self.sender.longest_send(message));
        let settled_at = since + Duration::from_std(longest).unwrap_or(Duration::hours(1));
        if self.clock.now() < settled_at {
            return self.check_later(found.touch, settled_at).await;
        }
        let message = match message {
            Ok(message) => message,
            Err(e) => {
                let reason = format!("its message no longer renders ({e}), so it can be neither looked up nor resent");
                return self.mark_uncertain(found, reason).await;
            }
        };
        match self.sender.lookup(&message, since).await {
            Lookup::Sent { provider_id, at } => {
                let sent_at = at.unwrap_or(since);
                let sent = found.with(TouchStatus::Sent { sent_at, provider_id: provider_id.clone() });
                if !self.settle_as(found, &sent, None, None).await? {
                    return Ok(Settlement::Nothing);
                }
                self.record_sent(found.lead, sent, Ok(provider_id), sent_at, found.contacted_before(), None).await?;
                Ok(Settlement::Found)
            }
            Lookup::NotSent => self.resend(found, message).await,
            Lookup::Unknown => {
                let reason = format!(
                    "the process stopped between claiming it and recording the {} provider's answer, \
                     and the provider cannot be asked whether it went out",
                    found.touch.channel
                );
                self.mark_uncertain(found, reason).await
            }
        }
    }

    /// Sends again a touch the channel never had, once, if a touch may go now.
    async fn resend(&self, found: &Unrecorded<'_>, message: OutboundMessage) -> Result<Settlement, StepError> {
        let (now, touch) = (self.clock.now(), found.touch);
        if let Some(reason) = self.refusal(found).await? {
            return self.not_resent(found, reason).await;
        }
        // Quiet hours and caps, as for any touch; this one's own claim does not count.
        let others: Vec<DateTime<Utc>> =
            found.touches.iter().filter(|t| t.id != touch.id).map(Touch::counted_at).collect();
        let slot = next_allowed(now, found.lead.profile.zone, found.tenant.rules().policy, &others);
        if slot > now {
            return self.check_later(touch, slot).await;
        }
        let taken = found.with(TouchStatus::Resending { since: now });
        // Taken only while the number has no STOP stored, as a claim is.
        let phone = found.lead.profile.phone.as_ref().filter(|_| touch.channel.uses_phone());
        match self.settle_as(found, &taken, None, phone).await {
            Ok(true) => {}
            Ok(false) => return Ok(Settlement::Nothing),
            Err(StepError::Store(StoreError::NumberOptedOut)) => {
                return self.not_resent(found, "the number opted out".to_owned()).await;
            }
            Err(e) => return Err(e),
        }
        let pending = Pending { touch: taken, message: Ok(message) };
        let outcome = self.send_claimed(found.lead, pending, found.contacted_before(), None).await?;
        let kind = TimelineKind::TouchResent { step: touch.step, channel: touch.channel };
        self.store.append_timeline(&found.tenant.id, &found.lead.id, &[TimelineEntry { at: now, kind }]).await?;
        Ok(Settlement::Resent(outcome))
    }

    /// Records a touch that will not be resent, and why (once: another delivery may get there
    /// first).
    async fn not_resent(&self, found: &Unrecorded<'_>, reason: String) -> Result<Settlement, StepError> {
        let (now, touch) = (self.clock.now(), found.touch);
        let why = format!("not resent after a crash: {reason}");
        let failed = found.with(TouchStatus::Failed { failed_at: now, reason: why.clone() });
        let kind = TimelineKind::StepSkipped { step: touch.step, channel: touch.channel, reason: why };
        if !self.settle_as(found, &failed, Some(kind), None).await? {
            return Ok(Settlement::Nothing);
        }
        Ok(Settlement::NotResent { reason })
    }

    /// Why a touch may no longer go out, whatever the time: its cadence stopped, or the lead
    /// (or its number) cannot be sent to on the channel.
    async fn refusal(&self, found: &Unrecorded<'_>) -> Result<Option<String>, StepError> {
        match found.enrolment().map(|e| e.status) {
            None => return Ok(Some("its cadence is gone".to_owned())),
            Some(EnrolmentStatus::Stopped(reason)) => return Ok(Some(format!("its cadence stopped ({reason:?})"))),
            Some(_) => {}
        }
        let (lead, channel) = (found.lead, found.touch.channel);
        if let Some(reason) = blocked(lead, channel) {
            return Ok(Some(reason.describe()));
        }
        if let Some(phone) = lead.profile.phone.as_ref().filter(|_| channel.uses_phone()) {
            if self.store.number_opt_out(&found.tenant.id, phone).await?.is_some() {
                return Ok(Some("the number opted out".to_owned()));
            }
        }
        Ok(None)
    }

    /// Marks a touch uncertain, once: on the timeline, counted, and the owner told.
    async fn mark_uncertain(&self, found: &Unrecorded<'_>, reason: String) -> Result<Settlement, StepError> {
        let (tenant, lead, touch) = (found.tenant, found.lead, found.touch);
        let uncertain = found.with(TouchStatus::Uncertain { since: self.clock.now(), reason: reason.clone() });
        let kind = TimelineKind::TouchUncertain { step: touch.step, channel: touch.channel, reason };
        if !self.settle_as(found, &uncertain, Some(kind), None).await? {
            return Ok(Settlement::Nothing);
        }
        self.count(tenant, lead, Counter::Uncertain { source: lead.profile.source.clone(), channel: touch.channel })
            .await;
        let alert = UncertainTouch {
            tenant: tenant.id.clone(),
            lead_id: lead.id.clone(),
            lead_name: full_name(lead),
            owner: owner_mention(tenant, lead),
            channel: touch.channel,
            cadence: found.enrolment().map(|e| e.cadence.clone()).unwrap_or_default(),
            step: touch.step,
            first: found.first(),
            claimed_at: touch.claimed_at,
        };
        if let Err(e) = self.notifier.uncertain_touch(&alert).await {
            tracing::warn!(tenant = %tenant.id, lead = %lead.id, error = %e, "uncertain touch not posted");
        }
        Ok(Settlement::Uncertain)
    }

    /// Replaces the touch with `settled` if it still has the status it was found in (see
    /// `LeadStore::settle_touch`), with `kind` on the timeline; answers whether it did.
    async fn settle_as(
        &self,
        found: &Unrecorded<'_>,
        settled: &Touch,
        kind: Option<TimelineKind>,
        unless_opted_out: Option<&PhoneNumber>,
    ) -> Result<bool, StepError> {
        if !self.store.settle_touch(settled, &found.touch.status, unless_opted_out).await? {
            return Ok(false);
        }
        if let Some(kind) = kind {
            let entry = TimelineEntry { at: self.clock.now(), kind };
            self.store.append_timeline(&found.tenant.id, &found.lead.id, &[entry]).await?;
        }
        Ok(true)
    }

    /// Has the touch looked at again at `at`.
    async fn check_later(&self, touch: &Touch, at: DateTime<Utc>) -> Result<Settlement, StepError> {
        let check = TouchCheck {
            tenant: touch.tenant.clone(),
            lead_id: touch.lead_id.clone(),
            touch_id: touch.id.clone(),
            due_at: at,
        };
        self.scheduler.schedule(check.into()).await?;
        Ok(Settlement::Later { at })
    }
}
