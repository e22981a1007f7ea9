//! Executing a due step: check everything again, claim, send, record, schedule the next.

use super::change::Change;
use super::counters::{campaign_key, latency_bucket, Counter};
use super::enrolment::skipped;
use super::experiment_arms::Arm;
use super::App;
use crate::config::TenantConfig;
use crate::domain::{
    move_stage, Channel, Enrolment, EnrolmentStatus, Lead, Milestone, StageCause, StageSignal, TimelineEntry,
    TimelineKind, Touch, TouchId, TouchStatus, Undeliverable,
};
use crate::engine::{decide, Command, Event, LeadView};
use crate::ports::{Claim, DueTouch, OutboundMessage, ScheduleError, SendError, StoreError};
use chrono::{DateTime, Utc};

/// What a due message led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepOutcome {
    /// A touch went to the channel.
    Sent { touch_id: TouchId },
    /// A touch was claimed but the channel refused it; the cadence moved on.
    Failed { touch_id: TouchId, reason: String },
    /// The step was passed over (no consent, opted out, no address).
    Skipped,
    /// Too early, quiet hours or a cap: the step runs again at `until`.
    Deferred { until: DateTime<Utc> },
    /// The cadence had no steps left.
    Completed,
    /// The enrolment's next message was scheduled again (recovery after a crash).
    Rearmed,
    /// Stale or unknown: nothing to do.
    Dropped,
}

/// Why a due message could not be handled (the message should be retried).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
}

/// A touch about to be claimed, with the message it will send (or why it cannot be rendered).
pub(super) struct Pending {
    pub touch: Touch,
    pub message: Result<OutboundMessage, String>,
}

impl App {
    /// Handles one due message. Safe to call again with the same message: the claim is
    /// conditional on the enrolment's version, so a touch goes out at most once.
    pub async fn execute_step(&self, due: &DueTouch) -> Result<StepOutcome, StepError> {
        match self.run_step(due, false).await {
            // The number texted STOP after the lead was read (and before the lead itself was
            // marked): decide again as the STOP will leave it, opted out of texts and calls.
            Err(StepError::Store(StoreError::NumberOptedOut)) => self.run_step(due, true).await,
            other => other,
        }
    }

    async fn run_step(&self, due: &DueTouch, number_opted_out: bool) -> Result<StepOutcome, StepError> {
        let now = self.clock.now();
        let Some(tenant) = self.tenants.get(&due.tenant) else { return Ok(StepOutcome::Dropped) };
        let Some(mut lead) = self.store.lead(&due.tenant, &due.lead_id).await? else {
            return Ok(StepOutcome::Dropped);
        };
        if number_opted_out {
            lead.opted_out.extend(Channel::PHONE);
        }
        let enrolments = self.store.enrolments(&due.tenant, &due.lead_id).await?;
        let Some(current) = enrolments.iter().find(|e| e.id == due.enrolment_id).cloned() else {
            return Ok(StepOutcome::Dropped);
        };
        let touches = self.store.touches(&due.tenant, &due.lead_id).await?;
        // Touches a crash left claimed and unrecorded get their answer first (`uncertain`).
        let touches = self.settle_unrecorded(&tenant, &lead, &enrolments, touches).await?;
        let touch_times: Vec<DateTime<Utc>> = touches.iter().map(Touch::counted_at).collect();
        let view = LeadView { lead: &lead, enrolments: &enrolments, touch_times: &touch_times };
        let event = Event::StepDue { enrolment: due.enrolment_id.clone(), step: due.step, version: due.version };
        let commands = decide(view, &event, tenant.rules(), now);

        if let [Command::Rearm { step, version, at, .. }] = commands.as_slice() {
            self.scheduler
                .schedule(DueTouch { step: *step, version: *version, due_at: *at, ..due.clone() }.into())
                .await?;
            return Ok(StepOutcome::Rearmed);
        }
        if matches!(commands.as_slice(), [Command::Drop { .. }]) {
            return Ok(StepOutcome::Dropped);
        }

        // The variant a step with an experiment sends is chosen before the claim, so the
        // claimed touch names it.
        let arm =
            match commands.iter().find_map(|c| if let Command::Send { step, .. } = c { Some(*step) } else { None }) {
                Some(step) => self.arm_for(&tenant, &lead, &current.cadence, step, now).await,
                None => None,
            };
        let mut next = current.clone();
        next.version += 1;
        let mut pending = None;
        let mut timeline = Vec::new();
        let mut outcome = StepOutcome::Skipped;
        for command in &commands {
            match command {
                Command::Send { step, channel, template, .. } => {
                    let template = arm.as_ref().map_or(template.as_str(), |arm| arm.variant.as_str());
                    pending = Some(self.pending_touch(&tenant, &lead, &current, *step, *channel, template, now));
                }
                Command::Skip { step, channel, reason, .. } => timeline.push(skipped(*step, *channel, reason, now)),
                Command::Schedule { step, at, .. } => {
                    if *step == due.step {
                        outcome = StepOutcome::Deferred { until: *at };
                    }
                    next.next_step = *step;
                    next.next_due_at = Some(*at);
                }
                Command::Complete { .. } => {
                    if pending.is_none() && timeline.is_empty() {
                        outcome = StepOutcome::Completed;
                    }
                    next.status = EnrolmentStatus::Completed;
                    next.next_step = due.step + 1;
                    next.next_due_at = None;
                    timeline.push(TimelineEntry {
                        at: now,
                        kind: TimelineKind::CadenceCompleted { cadence: current.cadence.clone() },
                    });
                }
                Command::Stop { reason, .. } => {
                    next.status = EnrolmentStatus::Stopped(*reason);
                    next.next_due_at = None;
                    let kind = TimelineKind::CadenceStopped { cadence: current.cadence.clone(), reason: *reason };
                    timeline.push(TimelineEntry { at: now, kind });
                }
                _ => {}
            }
        }
        // The trigger's condition is checked once, when the first step is sent or passed over.
        let ran = commands
            .iter()
            .any(|c| matches!(c, Command::Send { step, .. } | Command::Skip { step, .. } if *step == due.step));
        if let Some(gate) = next.gate.as_mut().filter(|_| ran) {
            gate.unless = None;
        }

        // A text, call or voicemail is claimed only while its number has no opt-out record, so
        // a STOP stored before the claim always wins, whatever this process read earlier.
        let phone_touch = pending.as_ref().is_some_and(|p| p.touch.channel.uses_phone());
        let claim = Claim {
            enrolment: next.clone(),
            expected_version: current.version,
            touch: pending.as_ref().map(|p| p.touch.clone()),
            timeline,
            unless_opted_out: if phone_touch { lead.profile.phone.clone() } else { None },
        };
        match self.store.claim(claim).await {
            Ok(()) => {}
            // A duplicate delivery claimed it first: that one sends, this one does nothing.
            Err(StoreError::AlreadyClaimed) => return Ok(StepOutcome::Dropped),
            Err(e) => return Err(e.into()),
        }
        let noted_touch = pending.is_some();
        // The next step is scheduled while this one is sent: neither waits for the other, and
        // a crash that loses the schedule is repaired by `Rearm` when this message comes back.
        let schedule_next = async {
            match DueTouch::next_of(&next) {
                Some(next_due) => self.scheduler.schedule(next_due.into()).await,
                None => Ok(()),
            }
        };
        let send = async {
            match pending {
                Some(pending) => {
                    let contacted_before = touches.iter().any(is_sent);
                    let exposure = arm.as_ref().filter(|arm| arm.new);
                    self.send_claimed(&lead, pending, contacted_before, exposure).await.map(Some)
                }
                None => Ok(None),
            }
        };
        let (scheduled_next, sent) = tokio::join!(schedule_next, send);
        let sent = sent?;
        scheduled_next?;
        // After the touch is out, so noting the silence never delays it.
        if noted_touch {
            self.note_unengaged(&tenant, &lead, &touch_times).await;
        }
        Ok(sent.unwrap_or(outcome))
    }

    #[allow(clippy::too_many_arguments)]
    fn pending_touch(
        &self,
        tenant: &TenantConfig,
        lead: &Lead,
        enrolment: &Enrolment,
        step: usize,
        channel: Channel,
        template: &str,
        now: DateTime<Utc>,
    ) -> Pending {
        let to = lead.address(channel).unwrap_or_default();
        let touch = Touch {
            id: TouchId::new(),
            tenant: lead.tenant.clone(),
            lead_id: lead.id.clone(),
            enrolment_id: enrolment.id.clone(),
            step,
            channel,
            to: to.clone(),
            template: template.to_owned(),
            due_at: enrolment.next_due_at.unwrap_or(now),
            claimed_at: now,
            status: TouchStatus::Claimed,
            delivery: None,
        };
        let message = self.render_touch(tenant, lead, &touch);
        Pending { touch, message }
    }

    /// The message `touch` sends to `lead` (rendered the same way each time, so a touch
    /// rendered again after a crash is the message its claim would have sent).
    pub(super) fn render_touch(
        &self,
        tenant: &TenantConfig,
        lead: &Lead,
        touch: &Touch,
    ) -> Result<OutboundMessage, String> {
        let channel = touch.channel;
        // Every email carries its one-click unsubscribe link, in the body (CAN-SPAM: a
        // visible way out) and for the provider's List-Unsubscribe header (RFC 8058).
        let unsubscribe_url = match channel {
            Channel::Email => self.links.unsubscribe_url(&lead.tenant, &lead.id),
            _ => None,
        };
        tenant
            .render(&touch.template, lead)
            .map(|rendered| (self.links.track(tenant, &lead.id, &rendered.body), rendered.subject))
            .map(|(body, subject)| OutboundMessage {
                touch_id: touch.id.clone(),
                tenant: lead.tenant.clone(),
                lead_id: Some(lead.id.clone()),
                channel,
                to: touch.to.clone(),
                from: channel.uses_phone().then(|| tenant.sending_numbers.first().map(|n| n.to_string())).flatten(),
                subject,
                body: match &unsubscribe_url {
                    Some(url) => format!("{body}\n\nUnsubscribe: {url}"),
                    None => body,
                },
                unsubscribe_url,
                step: touch.step,
                due_at: touch.due_at,
            })
            .map_err(|e| e.to_string())
    }

    /// Sends a claimed touch and records what happened. Retries are the adapter's business (on
    /// 429 and 5xx only): a touch whose fate is unknown is never sent again.
    pub(super) async fn send_claimed(
        &self,
        lead: &Lead,
        pending: Pending,
        contacted_before: bool,
        exposure: Option<&Arm>,
    ) -> Result<StepOutcome, StoreError> {
        let Pending { touch, message } = pending;
        let result = match message {
            Err(detail) => Err(SendError::Permanent { reason: Undeliverable::Rejected, detail }),
            Ok(message) => self.sender.send(&message, self.clock.now()).await,
        };
        self.record_sent(lead, touch, result, self.clock.now(), contacted_before, exposure).await
    }

    /// Records the channel's answer for `touch`, sent (or found sent) at `sent_at`: its status,
    /// a closed channel for a permanent refusal, and the counters (the first touch's among
    /// them, unless the lead was `contacted_before`).
    pub(super) async fn record_sent(
        &self,
        lead: &Lead,
        mut touch: Touch,
        result: Result<String, SendError>,
        sent_at: DateTime<Utc>,
        contacted_before: bool,
        exposure: Option<&Arm>,
    ) -> Result<StepOutcome, StoreError> {
        if let Err(SendError::Permanent { reason, detail }) = &result {
            self.close_channel(&lead.tenant, &lead.id, touch.channel, *reason, detail).await?;
        }
        let source = lead.profile.source.clone();
        let mut counts = Vec::new();
        let outcome = match result {
            Ok(provider_id) => {
                touch.status = TouchStatus::Sent { sent_at, provider_id };
                counts.push((Counter::Touch { source: source.clone(), channel: touch.channel }.key(), 1));
                StepOutcome::Sent { touch_id: touch.id.clone() }
            }
            Err(e) => {
                let reason = e.to_string();
                touch.status = TouchStatus::Failed { failed_at: sent_at, reason: reason.clone() };
                StepOutcome::Failed { touch_id: touch.id.clone(), reason }
            }
        };
        self.store.record_touch(&touch).await?;
        let first =
            matches!(outcome, StepOutcome::Sent { .. }) && !contacted_before && self.is_first_touch(&touch).await?;
        if first {
            let ms = (sent_at - lead.received_at).num_milliseconds().max(0) as u64;
            let bucket = latency_bucket(ms);
            let campaign = campaign_key(lead);
            counts.push((Counter::FirstTouch { source: source.clone() }.key(), 1));
            counts.push((
                Counter::Reached { source: source.clone(), campaign, milestone: Milestone::Contacted }.key(),
                1,
            ));
            counts.push((Counter::SpeedToLead { source, bucket }.key(), 1));
            if let Some(tenant) = self.tenants.get(&lead.tenant) {
                let business = tenant.reports.office_hours.contains(lead.received_at);
                counts.push((Counter::SpeedByHours { business, bucket }.key(), 1));
            }
        }
        self.after_touch(lead, sent_at, first, exposure).await;
        // Counted on the lead's arrival day, so a report's speed to lead and its leads
        // describe the same leads.
        if let Err(e) = self.store.add_counts(&lead.tenant, lead.received_at.date_naive(), &counts).await {
            tracing::warn!(error = %e, "touch counters not updated");
        }
        Ok(outcome)
    }

    /// What a touch that went out (or failed) changes on its lead, in one write: the first
    /// touch sent moves it to `contacted` where the pipeline allows; a touch of an
    /// experiment's arm new to the lead keeps the arm, the exposure (counted whatever the
    /// channel answered). Best effort: the touch is sent and recorded whatever happens here.
    async fn after_touch(&self, lead: &Lead, at: DateTime<Utc>, first: bool, exposure: Option<&Arm>) {
        let Some(tenant) = self.tenants.get(&lead.tenant) else { return };
        let cause = StageCause::Signal(StageSignal::FirstTouch);
        // A lead a person moved on already needs no move.
        let moves = first && crate::domain::stage_after(&lead.stages, &tenant.pipeline, &cause).is_some();
        let exposure = exposure.map(|arm| arm.exposure(lead, at));
        if !moves && exposure.is_none() {
            return;
        }
        let changed = self
            .change_lead_reading(&lead.tenant, &lead.id, at, false, |current, _| {
                let mut next = current.clone();
                let mut timeline = Vec::new();
                if moves {
                    timeline.extend(move_stage(&mut next, &tenant.pipeline, &cause, at));
                }
                if let Some((experiment, exposure)) = &exposure {
                    next.experiments.entry(experiment.clone()).or_insert_with(|| exposure.clone());
                }
                Change::of_lead(next, timeline)
            })
            .await;
        if let Err(e) = changed {
            tracing::warn!(tenant = %lead.tenant, lead = %lead.id, error = %e, "the touch's stage move or exposure not kept");
        }
    }

    /// Whether `touch` is the lead's first: the earliest claimed of its touches that did not
    /// fail. Read after recording, so two steps sent at once agree on which one it is.
    async fn is_first_touch(&self, touch: &Touch) -> Result<bool, StoreError> {
        let touches = self.store.touches(&touch.tenant, &touch.lead_id).await?;
        let first = touches
            .iter()
            .filter(|t| !matches!(t.status, TouchStatus::Failed { .. }))
            .min_by(|a, b| (a.claimed_at, &a.id).cmp(&(b.claimed_at, &b.id)));
        Ok(first.is_some_and(|first| first.id == touch.id))
    }
}

pub(super) fn is_sent(touch: &Touch) -> bool {
    matches!(touch.status, TouchStatus::Sent { .. })
}
