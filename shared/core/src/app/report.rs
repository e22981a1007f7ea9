//! `GET /v1/reports/summary`: read from per-day counters, never from leads.

use super::counters::{percentile, Counter};
use super::form::FieldError;
use super::App;
use crate::config::TenantConfig;
use crate::ports::StoreError;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// The longest range one report reads.
const MAX_DAYS: i64 = 366;

/// Figures for one slice (all leads, one source, or one channel).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SummaryRow {
    pub leads: u64,
    pub repeat_enquiries: u64,
    pub first_touches: u64,
    pub touches: u64,
    pub replies: u64,
    pub opt_outs: u64,
    /// Clicks on tracked links, the booking link's among them.
    pub clicks: u64,
    pub booking_clicks: u64,
    pub outcomes: BTreeMap<String, u64>,
    /// Leads that started waiting for a human (a reply while none was waiting).
    pub handoffs: u64,
    /// Waiting leads marked contacted within the hand-off SLA.
    pub sla_met: u64,
    /// Waiting leads escalated because nobody marked them contacted in time.
    pub sla_missed: u64,
    /// Touches a crash left unrecorded that the channel could not account for: each may not
    /// have gone out, and a person was told to follow up.
    pub uncertain: u64,
    /// Test leads a lead source sent (Google Ads' "Send test data"): recorded, never contacted.
    pub test_leads: u64,
    /// Form posts dropped as bots' (the honeypot was filled).
    pub spam_posts: u64,
    /// Leads a source named and could not deliver after every retry (Meta's Graph API
    /// failing): each is a placeholder lead whose timeline says why.
    pub source_failures: u64,
    /// Speed to lead: from intake received to first touch handed to the channel.
    pub speed_to_lead_ms: Percentiles,
}

/// Percentiles in milliseconds, read from a histogram with 5% buckets.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Percentiles {
    pub p50: Option<u64>,
    pub p90: Option<u64>,
}

/// The summary report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(flatten)]
    pub total: SummaryRow,
    pub by_source: BTreeMap<String, SummaryRow>,
    pub by_channel: BTreeMap<String, SummaryRow>,
}

/// Why a report could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("invalid range")]
    Invalid(FieldError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Default)]
struct Slice {
    row: SummaryRow,
    histogram: Vec<(u32, u64)>,
}

impl Slice {
    fn finish(mut self) -> SummaryRow {
        self.row.speed_to_lead_ms =
            Percentiles { p50: percentile(&self.histogram, 0.5), p90: percentile(&self.histogram, 0.9) };
        self.row
    }
}

impl App {
    /// The summary of `tenant` for the UTC days `from..=to` (days leads arrived).
    pub async fn summary(&self, tenant: &TenantConfig, from: NaiveDate, to: NaiveDate) -> Result<Summary, ReportError> {
        if to < from {
            return Err(ReportError::Invalid(FieldError::new("to", "is before from")));
        }
        if (to - from).num_days() >= MAX_DAYS {
            return Err(ReportError::Invalid(FieldError::new(
                "to",
                format!("a report covers at most {MAX_DAYS} days"),
            )));
        }
        let mut total = Slice::default();
        let mut by_source: BTreeMap<String, Slice> = BTreeMap::new();
        let mut by_channel: BTreeMap<String, Slice> = BTreeMap::new();
        for (_, key, n) in self.store.counts(&tenant.id, from, to).await? {
            let Some(counter) = Counter::parse(&key) else { continue };
            let mut slices: Vec<&mut Slice> = vec![&mut total];
            let (source, channel) = match &counter {
                Counter::Lead { source }
                | Counter::RepeatEnquiry { source }
                | Counter::FirstTouch { source }
                | Counter::Outcome { source, .. }
                | Counter::Handoff { source }
                | Counter::SlaMet { source }
                | Counter::SlaMissed { source }
                | Counter::Click { source, .. }
                | Counter::TestLead { source }
                | Counter::SpamPost { source }
                | Counter::SourceFailure { source }
                | Counter::SpeedToLead { source, .. } => (source, None),
                Counter::Touch { source, channel }
                | Counter::Reply { source, channel }
                | Counter::OptOut { source, channel }
                | Counter::Uncertain { source, channel } => (source, Some(*channel)),
                // The pipeline's counters feed the funnel report, not the summary.
                Counter::StageEntered { .. } | Counter::StageTime { .. } | Counter::InStage { .. } => continue,
            };
            slices.push(by_source.entry(source.clone()).or_default());
            if let Some(channel) = channel {
                slices.push(by_channel.entry(channel.as_str().to_owned()).or_default());
            }
            for slice in slices {
                let row = &mut slice.row;
                match &counter {
                    Counter::Lead { .. } => row.leads += n,
                    Counter::RepeatEnquiry { .. } => row.repeat_enquiries += n,
                    Counter::FirstTouch { .. } => row.first_touches += n,
                    Counter::Touch { .. } => row.touches += n,
                    Counter::Reply { .. } => row.replies += n,
                    Counter::OptOut { .. } => row.opt_outs += n,
                    Counter::Uncertain { .. } => row.uncertain += n,
                    Counter::Outcome { outcome, .. } => {
                        *row.outcomes.entry(outcome.as_str().to_owned()).or_default() += n
                    }
                    Counter::Handoff { .. } => row.handoffs += n,
                    Counter::SlaMet { .. } => row.sla_met += n,
                    Counter::SlaMissed { .. } => row.sla_missed += n,
                    Counter::Click { booking, .. } => {
                        row.clicks += n;
                        if *booking {
                            row.booking_clicks += n;
                        }
                    }
                    Counter::TestLead { .. } => row.test_leads += n,
                    Counter::SpamPost { .. } => row.spam_posts += n,
                    Counter::SourceFailure { .. } => row.source_failures += n,
                    Counter::SpeedToLead { bucket, .. } => slice.histogram.push((*bucket, n)),
                    Counter::StageEntered { .. } | Counter::StageTime { .. } | Counter::InStage { .. } => {}
                }
            }
        }
        Ok(Summary {
            from,
            to,
            total: total.finish(),
            by_source: by_source.into_iter().map(|(k, s)| (k, s.finish())).collect(),
            by_channel: by_channel.into_iter().map(|(k, s)| (k, s.finish())).collect(),
        })
    }
}
