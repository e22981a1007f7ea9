//! `GET /v1/reports/pipeline`: the pipeline board. Per stage: the leads in it now, the
//! leads that entered it in the range, and how long leads stay in it (median, p90, from the
//! stays that ended); and the stale leads (over their stage's SLA), longest first. Read from
//! counters and the stale list, never from the leads.

use super::histogram::Histogram;
use super::table::{cell, Table};
use super::{ReportError, ReportRange};
use crate::app::counters::Counter;
use crate::app::App;
use crate::config::TenantConfig;
use crate::ports::STALE_LIST;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// The pipeline report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PipelineReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The tenant's stages, in order.
    pub stages: Vec<StageRow>,
    /// Leads over their stage's SLA now, longest first.
    pub stale: Vec<StaleLead>,
}

/// One stage of the board.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageRow {
    pub stage: String,
    pub sla_minutes: Option<i64>,
    /// Leads in the stage now (whenever they arrived).
    pub now: u64,
    /// Leads that arrived in the range and entered the stage.
    pub entered: u64,
    /// Stays in the stage that ended (by leads that arrived in the range).
    pub exits: u64,
    pub median_ms: Option<u64>,
    pub p90_ms: Option<u64>,
}

/// A lead over its stage's SLA.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaleLead {
    pub lead_id: String,
    pub name: String,
    pub owner: Option<String>,
    pub stage: Option<String>,
    pub in_stage_since: DateTime<Utc>,
    pub in_stage_minutes: i64,
}

impl App {
    /// The pipeline board of `tenant`: stays of the leads that arrived in `range`, the
    /// counts in each stage now, and the stale leads now.
    pub async fn pipeline_report(
        &self,
        tenant: &TenantConfig,
        range: ReportRange,
    ) -> Result<PipelineReport, ReportError> {
        // Every lead in a stage now entered it on its arrival day's counters: the last year of
        // arrivals (the longest a report reads) holds them. One read covers that year and the
        // range asked for; each figure takes its own days.
        let today = self.clock.now().date_naive();
        let year = today - chrono::Duration::days(365);
        let read = ReportRange { from: range.from.min(year), to: range.to.max(today) };
        let mut entered: BTreeMap<String, u64> = BTreeMap::new();
        let mut times: BTreeMap<String, Histogram> = BTreeMap::new();
        let mut now_in: BTreeMap<String, u64> = BTreeMap::new();
        for (day, counter, n) in self.read_counters(tenant, &read).await? {
            let in_range = (range.from..=range.to).contains(&day);
            match counter {
                Counter::StageEntered { stage, .. } if in_range => *entered.entry(stage.to_string()).or_default() += n,
                Counter::StageTime { stage, bucket } if in_range => {
                    times.entry(stage.to_string()).or_default().add(bucket, n)
                }
                Counter::InStage { stage } if day >= year && day <= today => {
                    *now_in.entry(stage.to_string()).or_default() += n
                }
                _ => {}
            }
        }
        let stages = tenant
            .pipeline
            .stages()
            .iter()
            .map(|stage| {
                let name = stage.name.to_string();
                let time = times.remove(&name).unwrap_or_default();
                StageRow {
                    now: now_in.get(&name).copied().unwrap_or_default(),
                    entered: entered.get(&name).copied().unwrap_or_default(),
                    exits: time.count(),
                    median_ms: time.quantile(0.5),
                    p90_ms: time.quantile(0.9),
                    sla_minutes: stage.sla.map(|sla| sla.num_minutes()),
                    stage: name,
                }
            })
            .collect();
        let at = self.clock.now();
        let mut stale: Vec<StaleLead> = self
            .store
            .listed(&tenant.id, STALE_LIST)
            .await?
            .into_iter()
            .map(|entry| StaleLead {
                lead_id: entry.lead_id.to_string(),
                name: entry.name,
                owner: entry.owner,
                stage: entry.note,
                in_stage_minutes: (at - entry.since).num_minutes().max(0),
                in_stage_since: entry.since,
            })
            .collect();
        stale.sort_by(|a, b| (a.in_stage_since, &a.lead_id).cmp(&(b.in_stage_since, &b.lead_id)));
        Ok(PipelineReport { from: range.from, to: range.to, stages, stale })
    }
}

impl Table for PipelineReport {
    fn header(&self) -> Vec<&'static str> {
        vec!["stage", "sla_minutes", "now", "entered", "exits", "median_ms", "p90_ms"]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.stages
            .iter()
            .map(|s| {
                vec![
                    s.stage.clone(),
                    cell(s.sla_minutes),
                    s.now.to_string(),
                    s.entered.to_string(),
                    s.exits.to_string(),
                    cell(s.median_ms),
                    cell(s.p90_ms),
                ]
            })
            .collect()
    }
}
