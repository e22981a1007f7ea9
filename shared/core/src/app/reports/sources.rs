//! `GET /v1/reports/sources`: what each lead source brought and, where `[[sources]]` says
//! what it costs, the cost per lead, reply, booking and win.

use super::table::{cell, Table};
use super::{per, rate, ReportError, ReportRange};
use crate::app::counters::Counter;
use crate::app::App;
use crate::config::TenantConfig;
use crate::domain::Milestone;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// The sources report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourcesReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub sources: Vec<SourceRow>,
}

/// One source.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SourceRow {
    pub source: String,
    pub leads: u64,
    pub contacted: u64,
    pub replied: u64,
    pub booked: u64,
    pub won: u64,
    pub booking_rate: Option<f64>,
    /// What the source cost over the range, in the tenant's currency; none when
    /// `[[sources]]` does not price it.
    pub spend: Option<f64>,
    pub cost_per_lead: Option<f64>,
    pub cost_per_reply: Option<f64>,
    pub cost_per_booking: Option<f64>,
    pub cost_per_win: Option<f64>,
}

impl App {
    /// The sources report of `tenant` over `range`: every source with leads, and every
    /// source the tenant pays for (a paid source that brought nothing shows its spend).
    pub async fn sources_report(
        &self,
        tenant: &TenantConfig,
        range: ReportRange,
    ) -> Result<SourcesReport, ReportError> {
        let mut rows: BTreeMap<String, SourceRow> = BTreeMap::new();
        for (source, _) in &tenant.reports.source_costs {
            rows.entry(source.clone()).or_default();
        }
        for (_, counter, n) in self.read_counters(tenant, &range).await? {
            let Some(source) = counter.source() else { continue };
            let field = match &counter {
                Counter::Lead { .. } => None,
                Counter::Reached { milestone, .. } => Some(*milestone),
                _ => continue,
            };
            let row = rows.entry(source.to_owned()).or_default();
            match field {
                None => row.leads += n,
                Some(Milestone::Contacted) => row.contacted += n,
                Some(Milestone::Replied) => row.replied += n,
                Some(Milestone::Booked) => row.booked += n,
                Some(Milestone::Won) => row.won += n,
                Some(_) => {}
            }
        }
        let days = range.month_lengths();
        let sources = rows
            .into_iter()
            .map(|(source, mut row)| {
                let spend = tenant.reports.spend(&source, row.leads, &days).map(|s| (s * 100.0).round() / 100.0);
                row.source = source;
                row.booking_rate = rate(row.booked, row.leads);
                row.spend = spend;
                row.cost_per_lead = per(spend, row.leads);
                row.cost_per_reply = per(spend, row.replied);
                row.cost_per_booking = per(spend, row.booked);
                row.cost_per_win = per(spend, row.won);
                row
            })
            .collect();
        Ok(SourcesReport { from: range.from, to: range.to, sources })
    }
}

impl Table for SourcesReport {
    fn header(&self) -> Vec<&'static str> {
        vec![
            "source",
            "leads",
            "contacted",
            "replied",
            "booked",
            "won",
            "booking_rate",
            "spend",
            "cost_per_lead",
            "cost_per_reply",
            "cost_per_booking",
            "cost_per_win",
        ]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.sources
            .iter()
            .map(|r| {
                vec![
                    r.source.clone(),
                    r.leads.to_string(),
                    r.contacted.to_string(),
                    r.replied.to_string(),
                    r.booked.to_string(),
                    r.won.to_string(),
                    cell(r.booking_rate),
                    cell(r.spend),
                    cell(r.cost_per_lead),
                    cell(r.cost_per_reply),
                    cell(r.cost_per_booking),
                    cell(r.cost_per_win),
                ]
            })
            .collect()
    }
}
