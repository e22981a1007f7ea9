//! Outcomes a human or a booking tool reports: booked, no-show, contacted, disqualified, won.

use super::change::Change;
use super::counters::Counter;
use super::handoff::meets_sla;
use super::App;
use crate::config::TenantConfig;
use crate::domain::{LeadId, OutcomeKind, TimelineEntry, TimelineKind};
use crate::engine::{decide, Event, LeadView};
use crate::ports::StoreError;

/// Why an outcome was not recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutcomeError {
    #[error("no such lead")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl App {
    /// Records `outcome` for a lead of `tenant`, stopping its cadence where the outcome ends it.
    pub async fn record_outcome(
        &self,
        tenant: &TenantConfig,
        id: &LeadId,
        outcome: OutcomeKind,
    ) -> Result<(), OutcomeError> {
        let now = self.clock.now();
        let rules = tenant.rules();
        let mut sla_met = false;
        let lead = self
            .change_lead(&tenant.id, id, now, |lead, enrolments| {
                let view = LeadView { lead, enrolments, touch_times: &[] };
                let mut next = lead.clone();
                next.outcome = Some(outcome);
                sla_met = outcome == OutcomeKind::Contacted && meets_sla(tenant, lead, now);
                if outcome == OutcomeKind::Contacted {
                    next.needs_human = false;
                }
                Change {
                    lead: next,
                    enrolment_commands: decide(view, &Event::Outcome(outcome), rules, now),
                    timeline: vec![TimelineEntry { at: now, kind: TimelineKind::Outcome { outcome } }],
                }
            })
            .await?
            .ok_or(OutcomeError::NotFound)?;
        self.count(tenant, &lead, Counter::Outcome { source: lead.profile.source.clone(), outcome }).await;
        if sla_met {
            self.count(tenant, &lead, Counter::SlaMet { source: lead.profile.source.clone() }).await;
        }
        Ok(())
    }
}
