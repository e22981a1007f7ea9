//! `GET /v1/reports/waiting`: the leads waiting for a human now, longest wait first, each
//! with its owner. Read from the waiting list kept beside the leads, never from the leads.

use super::table::{cell, Table};
use super::ReportError;
use crate::app::App;
use crate::config::TenantConfig;
use crate::ports::WAITING_LIST;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The waiting report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaitingReport {
    pub as_of: DateTime<Utc>,
    pub leads: Vec<WaitingLead>,
}

/// One waiting lead.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaitingLead {
    pub lead_id: String,
    pub name: String,
    pub owner: Option<String>,
    pub waiting_since: DateTime<Utc>,
    pub waited_minutes: i64,
}

impl App {
    /// The tenant's leads waiting for a human, longest wait first.
    pub async fn waiting_report(&self, tenant: &TenantConfig) -> Result<WaitingReport, ReportError> {
        let now = self.clock.now();
        let mut leads: Vec<WaitingLead> = self
            .store
            .listed(&tenant.id, WAITING_LIST)
            .await?
            .into_iter()
            .map(|entry| WaitingLead {
                lead_id: entry.lead_id.to_string(),
                name: entry.name,
                owner: entry.owner,
                waiting_since: entry.since,
                waited_minutes: (now - entry.since).num_minutes().max(0),
            })
            .collect();
        leads.sort_by(|a, b| (a.waiting_since, &a.lead_id).cmp(&(b.waiting_since, &b.lead_id)));
        Ok(WaitingReport { as_of: now, leads })
    }
}

impl Table for WaitingReport {
    fn header(&self) -> Vec<&'static str> {
        vec!["lead_id", "name", "owner", "waiting_since", "waited_minutes"]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.leads
            .iter()
            .map(|l| {
                vec![
                    l.lead_id.clone(),
                    l.name.clone(),
                    cell(l.owner.clone()),
                    l.waiting_since.to_rfc3339(),
                    l.waited_minutes.to_string(),
                ]
            })
            .collect()
    }
}
