//! `GET /v1/reports/tiers`: how many leads reached each score tier, and what the
//! reactivation tiers of imported lists brought back.

use super::table::{cell, Table};
use super::{rate, ReportError, ReportRange};
use crate::app::counters::Counter;
use crate::app::App;
use crate::config::TenantConfig;
use crate::domain::Milestone;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// The score tiers, in the order shown.
const TIERS: [Milestone; 4] = [Milestone::Hot, Milestone::Warm, Milestone::Cold, Milestone::Dormant];

/// The tiers report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TiersReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Leads that reached each score tier (`[scoring]`) at some point, each counted once per
    /// tier.
    pub score_tiers: BTreeMap<&'static str, u64>,
    /// Imported leads by reactivation tier (named by the tier's cadence).
    pub reactivation: Vec<ReactivationRow>,
}

/// One reactivation tier.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReactivationRow {
    pub tier: String,
    pub leads: u64,
    pub replied: u64,
    pub booked: u64,
    pub reply_rate: Option<f64>,
    pub booking_rate: Option<f64>,
}

impl App {
    /// The tiers report of `tenant` over `range`.
    pub async fn tiers_report(&self, tenant: &TenantConfig, range: ReportRange) -> Result<TiersReport, ReportError> {
        let mut score_tiers: BTreeMap<&'static str, u64> = TIERS.iter().map(|t| (t.as_str(), 0)).collect();
        let mut reactivation: BTreeMap<String, ReactivationRow> = BTreeMap::new();
        for (_, counter, n) in self.read_counters(tenant, &range).await? {
            match counter {
                Counter::Reached { milestone, .. } if TIERS.contains(&milestone) => {
                    *score_tiers.entry(milestone.as_str()).or_default() += n
                }
                Counter::Reactivated { tier, milestone } => {
                    let row = reactivation.entry(tier).or_default();
                    match milestone {
                        None => row.leads += n,
                        Some(Milestone::Replied) => row.replied += n,
                        Some(Milestone::Booked) => row.booked += n,
                        Some(_) => {}
                    }
                }
                _ => {}
            }
        }
        let reactivation = reactivation
            .into_iter()
            .map(|(tier, mut row)| {
                row.tier = tier;
                row.reply_rate = rate(row.replied, row.leads);
                row.booking_rate = rate(row.booked, row.leads);
                row
            })
            .collect();
        Ok(TiersReport { from: range.from, to: range.to, score_tiers, reactivation })
    }
}

impl Table for TiersReport {
    fn header(&self) -> Vec<&'static str> {
        vec!["kind", "tier", "leads", "replied", "booked", "reply_rate", "booking_rate"]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        let scores = self.score_tiers.iter().map(|(tier, n)| {
            vec![
                "score".to_owned(),
                (*tier).to_owned(),
                n.to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]
        });
        let reactivated = self.reactivation.iter().map(|r| {
            vec![
                "reactivation".to_owned(),
                r.tier.clone(),
                r.leads.to_string(),
                r.replied.to_string(),
                r.booked.to_string(),
                cell(r.reply_rate),
                cell(r.booking_rate),
            ]
        });
        scores.chain(reactivated).collect()
    }
}
