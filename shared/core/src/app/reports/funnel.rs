//! `GET /v1/reports/funnel`: leads → contacted → replied → booked → showed → won, with the
//! conversion at each step, in total, by source and by campaign.

use super::histogram::Histogram;
use super::table::{cell, Table};
use super::{rate, ReportError, ReportRange};
use crate::app::counters::Counter;
use crate::app::App;
use crate::config::TenantConfig;
use crate::domain::Milestone;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// The funnel report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub total: Funnel,
    pub by_source: BTreeMap<String, Funnel>,
    /// One funnel per (source, campaign); `-` is "no campaign".
    pub by_campaign: Vec<CampaignFunnel>,
    /// How long the leads stayed in each pipeline stage (the stays that ended), in the
    /// tenant's stage order.
    pub time_in_stage: Vec<StageStay>,
}

/// How long leads stay in one pipeline stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageStay {
    pub stage: String,
    pub exits: u64,
    pub median_ms: Option<u64>,
}

/// One funnel: its steps in order, leads first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Funnel {
    pub steps: Vec<FunnelStep>,
}

/// One step of a funnel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelStep {
    pub step: &'static str,
    /// Leads that reached it.
    pub leads: u64,
    /// Of the leads that reached the step before, to three decimals.
    pub conversion: Option<f64>,
    /// Of all leads.
    pub of_leads: Option<f64>,
}

/// A campaign's funnel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CampaignFunnel {
    pub source: String,
    pub campaign: String,
    #[serde(flatten)]
    pub funnel: Funnel,
}

/// Counts per step: leads, then [`Milestone::FUNNEL`].
#[derive(Debug, Clone, Copy, Default)]
struct Counts([u64; 1 + Milestone::FUNNEL.len()]);

impl Counts {
    fn funnel(&self) -> Funnel {
        let names = std::iter::once("leads").chain(Milestone::FUNNEL.iter().map(|m| m.as_str()));
        let steps = names
            .enumerate()
            .map(|(i, step)| FunnelStep {
                step,
                leads: self.0[i],
                conversion: if i == 0 { None } else { rate(self.0[i], self.0[i - 1]) },
                of_leads: if i == 0 { None } else { rate(self.0[i], self.0[0]) },
            })
            .collect();
        Funnel { steps }
    }
}

impl App {
    /// The funnel of `tenant`'s leads that arrived in `range`.
    pub async fn funnel_report(&self, tenant: &TenantConfig, range: ReportRange) -> Result<FunnelReport, ReportError> {
        let mut total = Counts::default();
        let mut by_source: BTreeMap<String, Counts> = BTreeMap::new();
        let mut by_campaign: BTreeMap<(String, String), Counts> = BTreeMap::new();
        let mut stays: BTreeMap<String, Histogram> = BTreeMap::new();
        for (_, counter, n) in self.read_counters(tenant, &range).await? {
            let (source, campaign, step) = match counter {
                Counter::StageTime { stage, bucket } => {
                    stays.entry(stage.to_string()).or_default().add(bucket, n);
                    continue;
                }
                Counter::CampaignLead { source, campaign } => (source, campaign, 0),
                Counter::Reached { source, campaign, milestone } => {
                    let Some(i) = Milestone::FUNNEL.iter().position(|m| *m == milestone) else { continue };
                    (source, campaign, i + 1)
                }
                _ => continue,
            };
            total.0[step] += n;
            by_source.entry(source.clone()).or_default().0[step] += n;
            by_campaign.entry((source, campaign)).or_default().0[step] += n;
        }
        Ok(FunnelReport {
            from: range.from,
            to: range.to,
            total: total.funnel(),
            by_source: by_source.into_iter().map(|(s, c)| (s, c.funnel())).collect(),
            by_campaign: by_campaign
                .into_iter()
                .map(|((source, campaign), c)| CampaignFunnel { source, campaign, funnel: c.funnel() })
                .collect(),
            time_in_stage: tenant
                .pipeline
                .stages()
                .iter()
                .map(|stage| {
                    let stays = stays.remove(stage.name.as_str()).unwrap_or_default();
                    StageStay { stage: stage.name.to_string(), exits: stays.count(), median_ms: stays.quantile(0.5) }
                })
                .collect(),
        })
    }
}

impl Table for FunnelReport {
    fn header(&self) -> Vec<&'static str> {
        vec!["source", "campaign", "step", "leads", "conversion", "of_leads"]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        let all = std::iter::once(("(all)", "(all)", &self.total));
        let sources = self.by_source.iter().map(|(s, f)| (s.as_str(), "(all)", f));
        let campaigns = self.by_campaign.iter().map(|c| (c.source.as_str(), c.campaign.as_str(), &c.funnel));
        all.chain(sources)
            .chain(campaigns)
            .flat_map(|(source, campaign, funnel)| {
                funnel.steps.iter().map(move |s| {
                    vec![
                        source.to_owned(),
                        campaign.to_owned(),
                        s.step.to_owned(),
                        s.leads.to_string(),
                        cell(s.conversion),
                        cell(s.of_leads),
                    ]
                })
            })
            .collect()
    }
}
