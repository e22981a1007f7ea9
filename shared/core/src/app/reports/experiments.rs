//! `GET /v1/reports/experiments`: each experiment's arms and decision, replayed day by day
//! from its per-day counters (never from leads), so it costs the same at any number of leads.

use crate::app::counters::{ArmEvent, Counter};
use crate::app::App;
use crate::config::TenantConfig;
use crate::domain::{replay, ArmDay, Experiment, Metric, Variant, Verdict};
use crate::ports::StoreError;
use chrono::{Days, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

/// The longest history one experiment is replayed over.
const MAX_DAYS: u64 = 366;

/// One experiment in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExperimentReport {
    pub name: String,
    pub metric: Metric,
    pub alpha: f64,
    /// The alpha each variant's comparison with the control is held to (Bonferroni).
    pub comparison_alpha: f64,
    pub min_sample: u64,
    pub max_sample: u64,
    pub auto_promote: bool,
    /// The days replayed: the experiment's `start` (or 365 days back) to today.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The decision, the day it was reached, and every arm (the control first).
    #[serde(flatten)]
    pub verdict: Verdict,
    /// Exposures, conversions and opt-outs of each source (stratum), by variant.
    pub by_source: BTreeMap<String, BTreeMap<String, SourceCounts>>,
}

/// One arm's counts within one source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SourceCounts {
    pub exposures: u64,
    pub conversions: u64,
    pub opt_outs: u64,
}

/// Why the experiments report could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExperimentsReportError {
    /// `?name=` names no `[experiments.NAME]` of the tenant.
    #[error("no experiment named {0:?}")]
    NoSuchExperiment(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One experiment's counters, by day and by source, as read.
#[derive(Default)]
struct Counted {
    days: BTreeMap<NaiveDate, BTreeMap<String, ArmDay>>,
    by_source: BTreeMap<String, BTreeMap<String, SourceCounts>>,
}

impl App {
    /// The report of the tenant's experiments (or only `name`) as of `today`.
    pub async fn experiments_report(
        &self,
        tenant: &TenantConfig,
        name: Option<&str>,
        today: NaiveDate,
    ) -> Result<Vec<ExperimentReport>, ExperimentsReportError> {
        let chosen: Vec<&Experiment> = match name {
            Some(name) => vec![tenant
                .experiments
                .get(name)
                .ok_or_else(|| ExperimentsReportError::NoSuchExperiment(name.to_owned()))?],
            None => tenant.experiments.values().collect(),
        };
        let mut counted = self.read_arm_counts(tenant, &chosen, today).await?;
        Ok(chosen
            .into_iter()
            .map(|experiment| {
                let counted = counted.remove(&experiment.name).unwrap_or_default();
                let (verdict, variants) = verdict_of(experiment, &counted);
                ExperimentReport {
                    name: experiment.name.clone(),
                    metric: experiment.metric,
                    alpha: experiment.alpha,
                    comparison_alpha: Experiment { variants, ..experiment.clone() }.comparison_alpha(),
                    min_sample: experiment.min_sample,
                    max_sample: experiment.max_sample,
                    auto_promote: experiment.auto_promote,
                    from: first_day(experiment, today),
                    to: today,
                    verdict,
                    by_source: counted.by_source,
                }
            })
            .collect())
    }

    /// The verdicts of `experiments` as of `today`, by name (what auto-promotion reads).
    pub(crate) async fn experiment_verdicts(
        &self,
        tenant: &TenantConfig,
        experiments: &[&Experiment],
        today: NaiveDate,
    ) -> Result<Vec<(String, Verdict)>, StoreError> {
        let mut counted = self.read_arm_counts(tenant, experiments, today).await?;
        Ok(experiments
            .iter()
            .map(|e| (e.name.clone(), verdict_of(e, &counted.remove(&e.name).unwrap_or_default()).0))
            .collect())
    }

    /// The experiment counters of `experiments` from the earliest first day among them to
    /// `today`, in one read of the day counters.
    async fn read_arm_counts(
        &self,
        tenant: &TenantConfig,
        experiments: &[&Experiment],
        today: NaiveDate,
    ) -> Result<BTreeMap<String, Counted>, StoreError> {
        let Some(from) = experiments.iter().map(|e| first_day(e, today)).min() else { return Ok(BTreeMap::new()) };
        let mut counted: BTreeMap<String, Counted> = BTreeMap::new();
        for (day, key, n) in self.store.counts(&tenant.id, from, today).await? {
            let Some(Counter::Experiment { experiment, variant, source, event }) = Counter::parse(&key) else {
                continue;
            };
            let Some(chosen) = experiments.iter().find(|e| e.name == experiment) else { continue };
            if day < first_day(chosen, today) {
                continue;
            }
            let entry = counted.entry(experiment).or_default();
            let arm = entry.days.entry(day).or_default().entry(variant.clone()).or_default();
            let stratum = entry.by_source.entry(source).or_default().entry(variant).or_default();
            match event {
                ArmEvent::Exposed => (arm.exposures, stratum.exposures) = (arm.exposures + n, stratum.exposures + n),
                ArmEvent::Converted => {
                    (arm.conversions, stratum.conversions) = (arm.conversions + n, stratum.conversions + n)
                }
                ArmEvent::OptedOut => (arm.opt_outs, stratum.opt_outs) = (arm.opt_outs + n, stratum.opt_outs + n),
            }
        }
        Ok(counted)
    }
}

/// The first day an experiment's report reads: its `start`, within the last 366 days.
fn first_day(experiment: &Experiment, today: NaiveDate) -> NaiveDate {
    let earliest = today - Days::new(MAX_DAYS - 1);
    experiment.start.map_or(earliest, |start| start.max(earliest))
}

/// Replays an experiment's days (the sources summed: each source splits by the same weights,
/// so the pooled arms stay comparable). An experiment no step carries any more is replayed
/// over the arms its counters name, in name order, the first as the control. Answers the
/// verdict and the arms it was replayed over.
fn verdict_of(experiment: &Experiment, counted: &Counted) -> (Verdict, Vec<Variant>) {
    let variants = if experiment.variants.is_empty() {
        let mut named: Vec<&String> = counted.days.values().flat_map(|arms| arms.keys()).collect();
        named.sort_unstable();
        named.dedup();
        named.into_iter().map(|template| Variant { template: template.clone(), weight: 1 }).collect()
    } else {
        experiment.variants.clone()
    };
    let days: Vec<(NaiveDate, Vec<ArmDay>)> = counted
        .days
        .iter()
        .map(|(day, arms)| {
            (*day, variants.iter().map(|v| arms.get(&v.template).copied().unwrap_or_default()).collect())
        })
        .collect();
    let replayed = Experiment { variants: variants.clone(), ..experiment.clone() };
    (replay(&replayed, &days), variants)
}
