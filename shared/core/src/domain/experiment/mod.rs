//! A/B tests on a cadence step: which variant a lead sees (`assignment`), the always-valid
//! statistics (`stats`) and the day-by-day replay that reaches a decision (`verdict`). Pure:
//! no I/O, no clock.

mod assignment;
mod conversion;
#[cfg(test)]
mod simulation;
mod stats;
mod verdict;

pub use assignment::assign;
pub use conversion::{note_positive_reply, note_signals};
pub use stats::TAU;
pub use verdict::{replay, ArmDay, ArmResult, Decision, Lift, Verdict};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What an experiment counts as a success, once per lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// A booking (a booking tool's webhook or an outcome `booked`).
    Booked,
    /// A reply the classifier reads as interest: a slot confirmed, a call asked for, a question.
    PositiveReply,
    /// Any reply other than a keyword.
    Replied,
    /// A tracked link followed (the booking link's among them).
    Clicked,
}

impl Metric {
    /// Every metric, in the order the tenant file lists them.
    pub const ALL: [Metric; 4] = [Metric::Booked, Metric::PositiveReply, Metric::Replied, Metric::Clicked];

    /// The tenant file's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Booked => "booked",
            Metric::PositiveReply => "positive_reply",
            Metric::Replied => "replied",
            Metric::Clicked => "clicked",
        }
    }

    /// Parses the tenant file's name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == raw)
    }
}

/// One arm of an experiment: a template and its share of the leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    /// The template's name; it also names the arm in counters and reports.
    pub template: String,
    /// A positive weight: the arm gets `weight / sum of weights` of each source's leads.
    pub weight: u32,
}

/// An experiment as the tenant file declares it (`[experiments.NAME]`), with the step that
/// carries its variants, if one still does (a finished experiment keeps its report).
#[derive(Debug, Clone, PartialEq)]
pub struct Experiment {
    /// A slug (`[a-z0-9_-]`), so it fits in a counter's name.
    pub name: String,
    pub metric: Metric,
    /// The family-wise error rate over all comparisons with the control (Bonferroni).
    pub alpha: f64,
    /// Exposures every arm needs before any decision.
    pub min_sample: u64,
    /// Exposures per arm after which an undecided experiment ends as "no difference".
    pub max_sample: u64,
    /// The equivalence margin: a difference whose interval lies within ±margin (absolute,
    /// as a rate) is "no difference".
    pub margin: f64,
    /// Once a winner is reached, new leads get the winner.
    pub auto_promote: bool,
    /// The first day counted (UTC); none: the last 366 days.
    pub start: Option<NaiveDate>,
    /// The arms, the first being the control; empty when no step carries the experiment.
    pub variants: Vec<Variant>,
    /// The cadence and step index that carry the variants.
    pub step: Option<(String, usize)>,
}

impl Experiment {
    /// The alpha each comparison with the control is held to: Bonferroni over the
    /// `variants - 1` comparisons, so the chance of any false winner stays under `alpha`.
    pub fn comparison_alpha(&self) -> f64 {
        self.alpha / self.variants.len().saturating_sub(1).max(1) as f64
    }
}

/// What a lead's record keeps of one experiment: the arm it saw and what it did since, so a
/// conversion or an opt-out is counted once, for that arm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exposure {
    /// The variant's template.
    pub variant: String,
    /// The lead's source when it was exposed (the stratum it was counted in).
    pub source: String,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub converted_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opted_out_at: Option<DateTime<Utc>>,
}
