//! The tenant's reps as `GET /v1/reps` shows them, and `PUT /v1/reps/{name}`, by which a rep
//! marks themselves away (no new leads) or back.

use super::routing::availability;
use super::App;
use crate::config::{Rep, TenantConfig};
use crate::ports::{RepState, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Why a rep's availability was not changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepError {
    /// The tenant file has no rep of this name.
    #[error("no rep named {0:?} in the tenant file")]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A rep now: whether a new lead may go to them and, if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepStatus {
    pub name: String,
    /// Whether routing may choose the rep now.
    pub available: bool,
    /// Why not, when not ("away", "outside hours (...)", "3 leads waiting, max_open 3").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<String>,
    /// Whether the rep marked themselves away.
    pub away: bool,
    /// Leads that replied and wait on the rep.
    pub open: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_open: Option<u32>,
    pub weight: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
}

impl RepStatus {
    fn of(rep: &Rep, state: Option<&RepState>, now: DateTime<Utc>) -> Self {
        let unavailable = availability(rep, state, now).err().map(|why| why.to_string());
        Self {
            name: rep.name.clone(),
            available: unavailable.is_none(),
            unavailable,
            away: state.is_some_and(|s| s.away),
            open: state.map_or(0, |s| s.open),
            max_open: rep.max_open,
            weight: rep.weight,
            skills: rep.skills.clone(),
            hours: rep.hours.map(|h| h.to_string()),
        }
    }
}

impl App {
    /// Every rep of the tenant file, in its order, as routing sees them now.
    pub async fn reps(&self, tenant: &TenantConfig) -> Result<Vec<RepStatus>, StoreError> {
        let states = self.store.rep_states(&tenant.id).await?;
        let now = self.clock.now();
        Ok(tenant
            .team
            .reps
            .iter()
            .map(|rep| RepStatus::of(rep, states.iter().find(|s| s.name == rep.name), now))
            .collect())
    }

    /// Marks the rep `name` away (`available: false`) or back, and answers how they stand.
    pub async fn set_rep_available(
        &self,
        tenant: &TenantConfig,
        name: &str,
        available: bool,
    ) -> Result<RepStatus, RepError> {
        let rep = tenant.team.rep(name).ok_or_else(|| RepError::NotFound(name.to_owned()))?;
        self.store.set_rep_away(&tenant.id, &rep.name, !available).await?;
        let states = self.store.rep_states(&tenant.id).await?;
        Ok(RepStatus::of(rep, states.iter().find(|s| s.name == rep.name), self.clock.now()))
    }
}
