//! `GET /v1/leads/{id}`: the lead, where it stands, and everything that happened to it.

use super::App;
use crate::config::TenantConfig;
use crate::domain::{Enrolment, Lead, LeadId, Pipeline, Score, StageName, TimelineEntry, Touch};
use crate::ports::StoreError;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// A lead with its enrolments, touches and timeline.
#[derive(Debug, Clone, Serialize)]
pub struct LeadDetails {
    #[serde(flatten)]
    pub lead: Lead,
    /// One word for where the lead stands (see `LeadDetails::state_of`).
    pub state: &'static str,
    /// The lead's pipeline stage now, and how long it has been there; none for a lead stored
    /// before pipelines existed that has not moved since. (`stages` is the history.)
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub stage: Option<StageNow>,
    pub enrolments: Vec<Enrolment>,
    pub touches: Vec<Touch>,
    pub events: Vec<TimelineEntry>,
    /// The score, tier and points behind them now, for a tenant with `[scoring]`.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub score: Option<Score>,
}

/// Where a lead stands in its pipeline at the moment it is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageNow {
    pub stage: StageName,
    pub stage_entered_at: DateTime<Utc>,
    /// How long it has been in the stage, as a person reads it (`2d 3h`, `45m`).
    pub in_stage_for: String,
    /// Whether it has sat there for the stage's SLA or longer.
    pub stale: bool,
}

impl StageNow {
    /// Where `lead` stands in `pipeline` at `now`: pure, so a page of many leads (the pipeline
    /// board, stale ones first) computes it without the store.
    pub fn of(lead: &Lead, pipeline: &Pipeline, now: DateTime<Utc>) -> Option<Self> {
        let current = lead.stages.current()?;
        Some(Self {
            stage: current.stage.clone(),
            stage_entered_at: current.entered_at,
            in_stage_for: elapsed(now - current.entered_at),
            stale: lead.stages.is_stale(pipeline, now),
        })
    }
}

/// A duration in its two largest units (`2d 3h`, `3h 5m`, `45m`, `20s`).
fn elapsed(d: Duration) -> String {
    let s = d.num_seconds().max(0);
    let (days, hours, minutes) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
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
        let now = self.clock.now();
        let score = tenant.scoring.as_ref().map(|scoring| scoring.score(&lead, now));
        let state = LeadDetails::state_of(&lead, &enrolments);
        let stage = StageNow::of(&lead, &tenant.pipeline, now);
        Ok(LeadDetails { state, stage, lead, enrolments, touches, events, score })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{fixtures, PipelineStage, TenantId};
    use chrono::TimeZone;

    #[test]
    fn a_lead_shows_its_stage_how_long_it_has_been_there_and_whether_that_is_too_long() {
        let entered = Utc.with_ymd_and_hms(2026, 3, 5, 15, 0, 0).unwrap();
        let mut lead = fixtures::lead(&TenantId::parse("acme").unwrap(), entered);
        let contacted = StageName::parse("contacted").unwrap();
        lead.stages.enter(contacted.clone(), entered);
        let pipeline =
            Pipeline::new(vec![PipelineStage { name: contacted.clone(), sla: Some(Duration::days(3)) }]).unwrap();

        let within = StageNow::of(&lead, &pipeline, entered + Duration::hours(27) + Duration::minutes(5)).unwrap();
        assert_eq!((within.stage, within.in_stage_for.as_str(), within.stale), (contacted, "1d 3h", false));
        assert!(StageNow::of(&lead, &pipeline, entered + Duration::days(3)).unwrap().stale);
        assert_eq!(elapsed(Duration::minutes(45)), "45m");
        assert_eq!(elapsed(Duration::minutes(185)), "3h 5m");
    }
}
