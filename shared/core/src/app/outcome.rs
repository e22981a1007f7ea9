//! Outcomes a human or a booking tool reports: booked (with its slot, from a booking tool),
//! cancelled, no-show, contacted, disqualified, won.

use super::change::Change;
use super::counters::{rep_key, Counter};
use super::enrolment::started_by;
use super::handoff::meets_sla;
use super::App;
use crate::config::TenantConfig;
use crate::domain::{move_stage, LeadId, OutcomeKind, StageCause, StageSignal, TimelineEntry, TimelineKind};
use crate::engine::{decide, Event, LeadView};
use crate::ports::StoreError;
use chrono::{DateTime, Utc};

/// Why an outcome was not recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutcomeError {
    /// No lead of the tenant has this id.
    #[error("no lead {0}")]
    NotFound(LeadId),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl App {
    /// Records `outcome` for a lead of `tenant`, with the booked `slot` where a booking tool
    /// gave one. The engine says which cadences stop (a booking stops every follow-up) and
    /// which start (reminders before the slot, a rebook cadence after a no-show); the outcome
    /// moves the lead's stage as `domain::stage` says.
    pub async fn record_outcome(
        &self,
        tenant: &TenantConfig,
        id: &LeadId,
        outcome: OutcomeKind,
        slot: Option<DateTime<Utc>>,
    ) -> Result<(), OutcomeError> {
        let now = self.clock.now();
        let rules = tenant.rules();
        let mut sla_met = false;
        let event = match (outcome, slot) {
            (OutcomeKind::Booked, Some(slot)) => Event::Booked { slot },
            _ => Event::Outcome(outcome),
        };
        let lead = self
            .change_lead(&tenant.id, id, now, |lead, enrolments| {
                let view = LeadView { lead, enrolments, touch_times: &[] };
                let mut next = lead.clone();
                next.outcome = Some(outcome);
                sla_met = outcome == OutcomeKind::Contacted && meets_sla(tenant, lead, now);
                if outcome == OutcomeKind::Contacted {
                    next.needs_human = false;
                }
                let commands = decide(view, &event, rules, now);
                if let Some(signal) = event.signal() {
                    next.record_signal(signal, None, now);
                }
                let mut timeline = vec![TimelineEntry { at: now, kind: TimelineKind::Outcome { outcome, slot } }];
                let cause = StageCause::Signal(StageSignal::Outcome(outcome));
                timeline.extend(move_stage(&mut next, &tenant.pipeline, &cause, now));
                let started = started_by(rules, &next, &commands, now, &mut timeline);
                Change { lead: next, enrolment_commands: commands, started, timeline }
            })
            .await?
            .ok_or_else(|| OutcomeError::NotFound(id.clone()))?;
        let source = lead.profile.source.clone();
        let mut counters = vec![Counter::Outcome { source: source.clone(), outcome }];
        if sla_met {
            counters.push(Counter::SlaMet { source });
            counters.extend(lead.owner.as_ref().map(|owner| Counter::RepSlaMet { rep: rep_key(owner) }));
        }
        self.count_all(tenant, &lead, &counters).await;
        Ok(())
    }
}
