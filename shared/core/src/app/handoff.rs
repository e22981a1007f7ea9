//! Handing a lead to a human: the owner (chosen by `routing`), the team-chat message, and
//! the SLA check that escalates a lead nobody marked contacted in time.

use super::change::Change;
use super::counters::{rep_key, Counter};
use super::routing::Assignment;
use super::step::StepError;
use super::App;
use crate::config::{Rep, TenantConfig};
use crate::domain::{Lead, ReplyTopic, TimelineEntry, TimelineKind};
use crate::ports::{Escalation, Handoff, SlaCheck};
use chrono::{DateTime, Utc};

/// How many of the lead's latest messages a hand-off quotes.
const HANDOFF_MESSAGES: usize = 3;

/// What an SLA check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaOutcome {
    /// Nobody marked the lead contacted in time: the manager was called on.
    Escalated,
    /// A human picked the lead up, or a later hand-off has its own check: nothing to do.
    PickedUp,
    /// The tenant or the lead is gone.
    Dropped,
}

impl App {
    /// After a lead's hand-off was written: starts the SLA clock if the lead has just begun
    /// waiting, and tells the team. Best effort: the lead is already marked as needing a human.
    pub(super) async fn announce_handoff(
        &self,
        tenant: &TenantConfig,
        before: &Lead,
        lead: &Lead,
        topic: ReplyTopic,
        score: u8,
        unrouted: Option<String>,
    ) {
        if let Some(since) = lead.handed_off_at.filter(|_| lead.handed_off_at != before.handed_off_at) {
            let check = SlaCheck {
                tenant: tenant.id.clone(),
                lead_id: lead.id.clone(),
                handed_off_at: since,
                due_at: since + tenant.team.sla,
            };
            if let Err(e) = self.scheduler.schedule(check.into()).await {
                tracing::error!(tenant = %tenant.id, lead = %lead.id, error = %e, "hand-off SLA check not scheduled");
            }
            let counter = Counter::Handoff { source: lead.profile.source.clone() };
            self.count(tenant, lead, counter).await;
        }
        self.notify_handoff(tenant, lead, topic, score, unrouted).await;
    }

    /// Runs a hand-off's SLA check: a lead still waiting since the same hand-off, and not
    /// escalated yet, is escalated once (the lead write is conditional, so a repeated
    /// delivery of the check finds it escalated).
    pub async fn check_sla(&self, check: &SlaCheck) -> Result<SlaOutcome, StepError> {
        let now = self.clock.now();
        let Some(tenant) = self.tenants.get(&check.tenant) else { return Ok(SlaOutcome::Dropped) };
        let Some(lead) = self.store.lead(&check.tenant, &check.lead_id).await? else {
            return Ok(SlaOutcome::Dropped);
        };
        if !overdue(&lead, check) {
            return Ok(SlaOutcome::PickedUp);
        }
        let waited_minutes = (now - check.handed_off_at).num_minutes();
        let mut escalate = false;
        let changed = self
            .change_lead(&check.tenant, &check.lead_id, now, |lead, _| {
                let mut next = lead.clone();
                escalate = overdue(lead, check);
                let mut timeline = Vec::new();
                if escalate {
                    next.escalated_at = Some(now);
                    timeline.push(TimelineEntry { at: now, kind: TimelineKind::Escalated { waited_minutes } });
                }
                Change { lead: next, enrolment_commands: Vec::new(), timeline, started: Vec::new() }
            })
            .await?;
        let Some(lead) = changed.filter(|_| escalate) else { return Ok(SlaOutcome::PickedUp) };
        let mut counters = vec![Counter::SlaMissed { source: lead.profile.source.clone() }];
        counters.extend(lead.owner.as_ref().map(|owner| Counter::RepSlaMissed { rep: rep_key(owner) }));
        self.count_all(&tenant, &lead, &counters).await;
        let escalation = Escalation {
            tenant: tenant.id.clone(),
            lead_id: lead.id.clone(),
            lead_name: full_name(&lead),
            owner: owner_mention(&tenant, &lead),
            manager: tenant.team.manager.clone(),
            waited_minutes,
        };
        if let Err(e) = self.notifier.escalate(&escalation).await {
            tracing::warn!(tenant = %tenant.id, lead = %lead.id, error = %e, "escalation not posted");
        }
        Ok(SlaOutcome::Escalated)
    }

    /// Tells the tenant's people that `lead` replied, with its last few messages.
    async fn notify_handoff(
        &self,
        tenant: &TenantConfig,
        lead: &Lead,
        topic: ReplyTopic,
        score: u8,
        unrouted: Option<String>,
    ) {
        let timeline = self.store.timeline(&lead.tenant, &lead.id).await.unwrap_or_default();
        let mut messages: Vec<String> = timeline
            .into_iter()
            .filter_map(|entry| match entry.kind {
                TimelineKind::Replied { body, .. } => Some(body),
                _ => None,
            })
            .collect();
        messages.drain(..messages.len().saturating_sub(HANDOFF_MESSAGES));
        let handoff = Handoff {
            tenant: lead.tenant.clone(),
            lead_id: lead.id.clone(),
            lead_name: full_name(lead),
            source: lead.profile.source.clone(),
            topic,
            score,
            messages,
            owner: owner_mention(tenant, lead),
            sla_minutes: tenant.team.sla.num_minutes(),
            unrouted,
        };
        if let Err(e) = self.notifier.hand_off(&handoff).await {
            tracing::warn!(tenant = %lead.tenant, lead = %lead.id, error = %e, "hand-off not posted");
        }
    }

    /// Adds one to a counter of the lead's day; a failure is logged (reports may lag, the
    /// lead is right).
    pub(super) async fn count(&self, tenant: &TenantConfig, lead: &Lead, counter: Counter) {
        self.count_all(tenant, lead, &[counter]).await;
    }

    /// Adds one to each of `counters` on the lead's arrival day, in one request.
    pub(super) async fn count_all(&self, tenant: &TenantConfig, lead: &Lead, counters: &[Counter]) {
        let counts: Vec<(String, i64)> = counters.iter().map(|c| (c.key(), 1)).collect();
        if let Err(e) = self.store.add_counts(&tenant.id, lead.received_at.date_naive(), &counts).await {
            tracing::warn!(tenant = %tenant.id, error = %e, "counter not updated");
        }
    }
}

/// What a lead's hand-off changes, decided inside the lead's change: it waits for a human
/// (the SLA runs from now unless it was already waiting) and gets the assignment's owner if
/// it had none.
pub(super) fn hand_off(lead: &Lead, assignment: Option<&Assignment>, now: DateTime<Utc>) -> (Lead, Vec<TimelineKind>) {
    let mut next = lead.clone();
    let mut timeline = Vec::new();
    if !lead.needs_human {
        next.needs_human = true;
        next.handed_off_at = Some(now);
        next.escalated_at = None;
    }
    if let (None, Some(assignment)) = (&lead.owner, assignment) {
        let reason = assignment.reason.clone();
        match &assignment.owner {
            Some(owner) => {
                next.owner = Some(owner.clone());
                timeline.push(TimelineKind::Assigned { owner: owner.clone(), reason: Some(reason) });
            }
            None => timeline.push(TimelineKind::Unassigned { reason }),
        }
    }
    (next, timeline)
}

/// Whether a human marking `lead` contacted at `now` meets its hand-off's SLA.
pub(super) fn meets_sla(tenant: &TenantConfig, lead: &Lead, now: DateTime<Utc>) -> bool {
    lead.needs_human
        && lead.escalated_at.is_none()
        && lead.handed_off_at.is_some_and(|since| now - since <= tenant.team.sla)
}

/// Whether the lead is still waiting on the hand-off `check` was made for, unescalated.
fn overdue(lead: &Lead, check: &SlaCheck) -> bool {
    lead.needs_human && lead.handed_off_at == Some(check.handed_off_at) && lead.escalated_at.is_none()
}

pub(super) fn full_name(lead: &Lead) -> String {
    match &lead.profile.last_name {
        Some(last) => format!("{} {}", lead.profile.first_name, last),
        None => lead.profile.first_name.to_string(),
    }
}

/// How the team chat calls on the lead's owner: the rep's mention, or the name on the lead
/// if the rep has left the tenant file since.
pub(super) fn owner_mention(tenant: &TenantConfig, lead: &Lead) -> Option<String> {
    let owner = lead.owner.as_deref()?;
    Some(tenant.team.rep(owner).map_or(owner, Rep::mention).to_owned())
}
