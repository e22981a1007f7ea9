//! `POST /v1/leads/{id}/stage`: a person moves a lead to any stage of the tenant's pipeline.

use super::change::Change;
use super::App;
use crate::config::TenantConfig;
use crate::domain::{move_stage, Lead, LeadId, StageCause, StageName};
use crate::ports::StoreError;

/// Why a lead's stage was not moved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StageMoveError {
    /// No lead of the tenant has this id.
    #[error("no lead {0}")]
    NotFound(LeadId),
    /// The tenant's pipeline has no stage of this name; `allowed` lists its stages.
    #[error("{given:?} is not a stage: must be one of {allowed}")]
    UnknownStage { given: String, allowed: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl App {
    /// Moves the lead `id` of `tenant` to the stage named `to`, recording `by` (who moved it)
    /// if given. Moving a lead to the stage it is in changes nothing. Answers the lead.
    pub async fn move_lead_stage(
        &self,
        tenant: &TenantConfig,
        id: &LeadId,
        to: &str,
        by: Option<String>,
    ) -> Result<Lead, StageMoveError> {
        let unknown = || StageMoveError::UnknownStage { given: to.to_owned(), allowed: tenant.pipeline.names() };
        let to = StageName::parse(to).ok().filter(|name| tenant.pipeline.stage(name.as_str()).is_some());
        let cause = StageCause::Manual { to: to.ok_or_else(unknown)?, by };
        let now = self.clock.now();
        self.change_lead_reading(&tenant.id, id, now, false, |lead, _| {
            let mut next = lead.clone();
            let timeline = move_stage(&mut next, &tenant.pipeline, &cause, now).into_iter().collect();
            Change::of_lead(next, timeline)
        })
        .await?
        .ok_or_else(|| StageMoveError::NotFound(id.clone()))
    }
}
