//! `GET /v1/leads/{id}`: the lead, where it stands, and everything that happened to it.

use super::App;
use crate::config::TenantConfig;
use crate::domain::{Enrolment, Lead, LeadId, Score, TimelineEntry, Touch};
use crate::ports::StoreError;
use serde::Serialize;

/// A lead with its enrolments, touches and timeline.
#[derive(Debug, Clone, Serialize)]
pub struct LeadDetails {
    #[serde(flatten)]
    pub lead: Lead,
    /// One word for where the lead stands (see `LeadDetails::state_of`).
    pub state: &'static str,
    pub enrolments: Vec<Enrolment>,
    pub touches: Vec<Touch>,
    pub events: Vec<TimelineEntry>,
    /// The score, tier and points behind them now, for a tenant with `[scoring]`.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub score: Option<Score>,
}

/// Why a lead could not be shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeadViewError {
    /// No lead of the tenant has this id.
    #[error("no lead {0}")]
    NotFound(LeadId),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl LeadDetails {
    /// `needs_human`, an outcome, `active` (a cadence is running), `opted_out`, `suppressed` (no channel may reach
    /// the lead), or `finished`.
    pub fn state_of(lead: &Lead, enrolments: &[Enrolment]) -> &'static str {
        if lead.needs_human {
            "needs_human"
        } else if let Some(outcome) = lead.outcome {
            outcome.as_str()
        } else if enrolments.iter().any(Enrolment::is_active) {
            "active"
        } else if !lead.opted_out.is_empty() {
            "opted_out"
        } else if !lead.reachable() {
            "suppressed"
        } else {
            "finished"
        }
    }
}

impl App {
    /// The lead `id` of `tenant`; another tenant's lead is `NotFound`.
    pub async fn lead_details(&self, tenant: &TenantConfig, id: &LeadId) -> Result<LeadDetails, LeadViewError> {
        let lead = self.store.lead(&tenant.id, id).await?.ok_or_else(|| LeadViewError::NotFound(id.clone()))?;
        let enrolments = self.store.enrolments(&tenant.id, id).await?;
        let touches = self.store.touches(&tenant.id, id).await?;
        let events = self.store.timeline(&tenant.id, id).await?;
        let score = tenant.scoring.as_ref().map(|scoring| scoring.score(&lead, self.clock.now()));
        let state = LeadDetails::state_of(&lead, &enrolments);
        Ok(LeadDetails { state, lead, enrolments, touches, events, score })
    }
}
