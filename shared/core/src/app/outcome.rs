//! Outcomes a human or a booking tool reports: booked, no-show, contacted, disqualified, won.

use super::change::Change;
use super::counters::Counter;
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
        let lead = self
            .change_lead(&tenant.id, id, now, |lead, enrolments| {
                let view = LeadView { lead, enrolments, touch_times: &[] };
                let mut next = lead.clone();
                next.outcome = Some(outcome);
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
        let counter = Counter::Outcome { source: lead.profile.source.clone(), outcome };
        if let Err(e) = self.store.add_counts(&tenant.id, lead.received_at.date_naive(), &[(counter.key(), 1)]).await {
            tracing::warn!(error = %e, "outcome counter not updated");
        }
        Ok(())
    }
}
