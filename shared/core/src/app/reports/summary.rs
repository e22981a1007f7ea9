//! `GET /v1/reports/summary`: the headline figures, by source and by channel.

use super::{ReportError, ReportRange};
use crate::app::counters::{percentile, Counter};
use crate::app::App;
use crate::config::TenantConfig;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

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
        let range = ReportRange::new(from, to)?;
        let mut total = Slice::default();
        let mut by_source: BTreeMap<String, Slice> = BTreeMap::new();
        let mut by_channel: BTreeMap<String, Slice> = BTreeMap::new();
        for (_, counter, n) in self.read_counters(tenant, &range).await? {
            let mut slices: Vec<&mut Slice> = vec![&mut total];
            if let Some(source) = counter.source() {
                slices.push(by_source.entry(source.to_owned()).or_default());
            }
            let per_channel = matches!(
                counter,
                Counter::Touch { .. } | Counter::Reply { .. } | Counter::OptOut { .. } | Counter::Uncertain { .. }
            );
            if let Some(channel) = counter.channel().filter(|_| per_channel) {
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
                    // The other reports' figures.
                    _ => {}
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

impl super::Table for Summary {
    fn header(&self) -> Vec<&'static str> {
        vec![
            "slice",
            "leads",
            "first_touches",
            "touches",
            "replies",
            "opt_outs",
            "clicks",
            "booked",
            "handoffs",
            "sla_met",
            "sla_missed",
            "speed_to_lead_p50_ms",
            "speed_to_lead_p90_ms",
        ]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        let total = std::iter::once(("total".to_owned(), &self.total));
        let sources = self.by_source.iter().map(|(s, row)| (format!("source:{s}"), row));
        let channels = self.by_channel.iter().map(|(c, row)| (format!("channel:{c}"), row));
        total
            .chain(sources)
            .chain(channels)
            .map(|(slice, r)| {
                vec![
                    slice,
                    r.leads.to_string(),
                    r.first_touches.to_string(),
                    r.touches.to_string(),
                    r.replies.to_string(),
                    r.opt_outs.to_string(),
                    r.clicks.to_string(),
                    r.outcomes.get("booked").copied().unwrap_or_default().to_string(),
                    r.handoffs.to_string(),
                    r.sla_met.to_string(),
                    r.sla_missed.to_string(),
                    super::table::cell(r.speed_to_lead_ms.p50),
                    super::table::cell(r.speed_to_lead_ms.p90),
                ]
            })
            .collect()
    }
}
