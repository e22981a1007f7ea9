//! Reports. Each reads the per-day counters of its range once (days × counters, never
//! leads, so a report costs the same at 100,000 leads as at 1,000) and folds them.
//!
//! Counters are dated by the day the lead arrived: a report over a range describes the
//! leads that arrived in it (a cohort), whatever day each later replied or booked.

mod channels;
mod experiments;
mod funnel;
mod histogram;
mod people;
mod pipeline;
mod range;
mod sources;
mod speed;
mod summary;
mod table;
mod tiers;
mod waiting;

pub use channels::{ChannelRow, ChannelsReport};
pub use experiments::{ExperimentReport, ExperimentsReportError};
pub use funnel::{CampaignFunnel, Funnel, FunnelReport, FunnelStep, StageStay};
pub use histogram::{Band, Histogram, Speed, BANDS};
pub use people::{PeopleReport, RepRow};
pub use pipeline::{PipelineReport, StageRow, StaleLead};
pub use range::{ReportError, ReportRange};
pub use sources::{SourceRow, SourcesReport};
pub use speed::SpeedReport;
pub use summary::{Percentiles, Summary, SummaryRow};
pub use table::Table;
pub use tiers::{ReactivationRow, TiersReport};
pub use waiting::{WaitingLead, WaitingReport};

/// `part / whole`, to three decimals; none of nothing.
pub fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64 * 1000.0).round() / 1000.0)
}

/// Money to the cent; none when there is nothing to divide by.
fn per(amount: Option<f64>, count: u64) -> Option<f64> {
    amount.filter(|_| count > 0).map(|a| (a / count as f64 * 100.0).round() / 100.0)
}
