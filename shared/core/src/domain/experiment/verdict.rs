//! Replaying an experiment's daily counts, one look per day, to the first day a decision
//! holds. The looks are the days: what a person sees on a day is what the replay saw that
//! day, and the mSPRT (see `stats`) stays valid however many days are looked at.

use super::stats::{compare, Look, Tally};
use super::Experiment;
use chrono::NaiveDate;
use serde::Serialize;

/// One arm's counts of one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ArmDay {
    pub exposures: u64,
    pub conversions: u64,
    pub opt_outs: u64,
}

/// Where an experiment stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Decision {
    /// Not every arm has its minimum sample, or nothing is settled yet.
    Running,
    /// `variant` converts better than every other arm that could be told apart from the
    /// control (the control itself when every variant is worse).
    Winner { variant: String },
    /// Every variant is within the margin of the control, or every arm reached its maximum
    /// sample undecided.
    NoDifference,
    /// `variant`'s opt-out rate is higher than the control's.
    StoppedByGuardrail { variant: String },
}

/// One arm in the verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArmResult {
    pub variant: String,
    pub exposures: u64,
    pub conversions: u64,
    pub rate: f64,
    pub opt_outs: u64,
    pub opt_out_rate: f64,
    /// Against the control; none for the control itself, and before any look.
    pub lift: Option<Lift>,
}

/// A variant's difference from the control on the metric, with its always-valid interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Lift {
    /// Absolute: variant rate − control rate.
    pub difference: f64,
    pub difference_low: f64,
    pub difference_high: f64,
    /// Relative to the control's rate (difference / control rate); none while it is 0.
    pub relative: Option<f64>,
    pub relative_low: Option<f64>,
    pub relative_high: Option<f64>,
    /// The smallest always-valid p-value seen so far.
    pub p_value: f64,
}

/// An experiment's decision, the day it was reached, and its arms as of the last day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub decision: Decision,
    pub reached_on: Option<NaiveDate>,
    pub arms: Vec<ArmResult>,
}

/// The running state of one comparison: the running minimum of the p-value and the running
/// intersection of the intervals (both still always valid).
#[derive(Debug, Clone, Copy)]
struct Sequence {
    p_value: f64,
    low: f64,
    high: f64,
}

impl Sequence {
    fn start() -> Self {
        Sequence { p_value: 1.0, low: f64::NEG_INFINITY, high: f64::INFINITY }
    }

    fn look(&mut self, c: Look) {
        self.p_value = self.p_value.min(c.p_value);
        let (low, high) = (self.low.max(c.low), self.high.min(c.high));
        // Disjoint intervals happen with probability under alpha; the latest one then stands.
        (self.low, self.high) = if low <= high { (low, high) } else { (c.low, c.high) };
    }
}

/// Replays `days` (oldest first; each day's counts per arm, in the order of
/// `experiment.variants`) and answers the decision, kept from the first day it held.
pub fn replay(experiment: &Experiment, days: &[(NaiveDate, Vec<ArmDay>)]) -> Verdict {
    let arms = experiment.variants.len();
    let alpha = experiment.comparison_alpha();
    let mut totals = vec![ArmDay::default(); arms];
    let mut metric = vec![Sequence::start(); arms];
    let mut guard = vec![Sequence::start(); arms];
    let mut last = vec![None; arms];
    let mut decision = Decision::Running;
    let mut reached_on = None;
    for (day, counts) in days {
        for (total, count) in totals.iter_mut().zip(counts) {
            total.exposures += count.exposures;
            total.conversions += count.conversions;
            total.opt_outs += count.opt_outs;
        }
        // Looks start once every arm has its minimum sample: the normal approximation needs
        // it, and no decision could be taken before anyway.
        if arms < 2 || totals.iter().any(|t| t.exposures < experiment.min_sample) {
            continue;
        }
        let control = totals[0];
        for i in 1..arms {
            if let Some(c) = compare(conversions(control), conversions(totals[i]), alpha) {
                metric[i].look(c);
                last[i] = Some(c);
            }
            if let Some(c) = compare(opt_outs(control), opt_outs(totals[i]), alpha) {
                guard[i].look(c);
            }
        }
        if decision == Decision::Running {
            if let Some(reached) = decide(experiment, &totals, &metric, &guard) {
                decision = reached;
                reached_on = Some(*day);
            }
        }
    }
    let arms = totals
        .iter()
        .zip(&experiment.variants)
        .enumerate()
        .map(|(i, (total, variant))| ArmResult {
            variant: variant.template.clone(),
            exposures: total.exposures,
            conversions: total.conversions,
            rate: conversions(*total).rate(),
            opt_outs: total.opt_outs,
            opt_out_rate: opt_outs(*total).rate(),
            lift: last[i].filter(|_| i > 0).map(|c| lift(c, metric[i], conversions(totals[0]).rate())),
        })
        .collect();
    Verdict { decision, reached_on, arms }
}

/// The decision the running comparisons support, if any: a guardrail first (only a rise in
/// opt-outs stops an experiment), then a winner, then no difference.
fn decide(experiment: &Experiment, totals: &[ArmDay], metric: &[Sequence], guard: &[Sequence]) -> Option<Decision> {
    let name = |i: usize| experiment.variants[i].template.clone();
    let variants = 1..totals.len();
    if let Some(i) = variants.clone().find(|&i| guard[i].low > 0.0) {
        return Some(Decision::StoppedByGuardrail { variant: name(i) });
    }
    let better = variants.clone().filter(|&i| metric[i].low > 0.0);
    let rate = |i: usize| conversions(totals[i]).rate();
    if let Some(best) = better.max_by(|&a, &b| rate(a).total_cmp(&rate(b))) {
        return Some(Decision::Winner { variant: name(best) });
    }
    if variants.clone().all(|i| metric[i].high < 0.0) {
        return Some(Decision::Winner { variant: name(0) });
    }
    let margin = experiment.margin;
    let equivalent = variants.clone().all(|i| metric[i].low >= -margin && metric[i].high <= margin);
    let exhausted = totals.iter().all(|t| t.exposures >= experiment.max_sample);
    (equivalent || exhausted).then_some(Decision::NoDifference)
}

fn conversions(arm: ArmDay) -> Tally {
    Tally { exposures: arm.exposures, conversions: arm.conversions }
}

fn opt_outs(arm: ArmDay) -> Tally {
    Tally { exposures: arm.exposures, conversions: arm.opt_outs }
}

/// The lift a variant shows: the latest difference, the running interval, relative to the
/// control's rate where it has one.
fn lift(latest: Look, running: Sequence, control_rate: f64) -> Lift {
    let relative = |x: f64| (control_rate > 0.0).then(|| x / control_rate);
    Lift {
        difference: latest.difference,
        difference_low: running.low,
        difference_high: running.high,
        relative: relative(latest.difference),
        relative_low: relative(running.low),
        relative_high: relative(running.high),
        p_value: running.p_value,
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::Variant;
    use super::*;

    pub(in super::super) fn experiment(arms: usize) -> Experiment {
        Experiment {
            name: "first_text".into(),
            metric: super::super::Metric::Booked,
            alpha: 0.05,
            min_sample: 100,
            max_sample: 10_000,
            margin: 0.01,
            auto_promote: false,
            start: None,
            variants: (0..arms).map(|i| Variant { template: format!("t{i}"), weight: 1 }).collect(),
            step: None,
        }
    }

    fn day(n: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + chrono::Days::new(u64::from(n))
    }

    fn arm(exposures: u64, conversions: u64, opt_outs: u64) -> ArmDay {
        ArmDay { exposures, conversions, opt_outs }
    }

    #[test]
    fn it_runs_until_every_arm_has_its_minimum_sample() {
        let days = vec![(day(0), vec![arm(99, 0, 0), arm(500, 200, 0)])];
        let verdict = replay(&experiment(2), &days);
        assert_eq!((verdict.decision, verdict.reached_on), (Decision::Running, None));
        assert_eq!(verdict.arms[1].lift, None, "no look before the minimum sample");
    }

    #[test]
    fn a_clear_winner_is_named_with_the_day_it_was_reached_and_kept_after() {
        let mut days: Vec<_> = (0..10).map(|n| (day(n), vec![arm(300, 15, 0), arm(300, 40, 0)])).collect();
        // Later days where the variant does no better cannot take the decision back.
        days.extend((10..20).map(|n| (day(n), vec![arm(300, 40, 0), arm(300, 10, 0)])));
        let verdict = replay(&experiment(2), &days);
        assert_eq!(verdict.decision, Decision::Winner { variant: "t1".into() });
        let reached = verdict.reached_on.unwrap();
        assert!(reached < day(10), "{reached}");
        let lift = replay(&experiment(2), &days[..10]).arms[1].lift.unwrap();
        assert!(lift.p_value <= 0.05 && lift.difference_low > 0.0, "{lift:?}");
    }

    #[test]
    fn the_control_wins_when_every_variant_is_worse() {
        let days: Vec<_> = (0..10).map(|n| (day(n), vec![arm(300, 40, 0), arm(300, 10, 0), arm(300, 12, 0)])).collect();
        assert_eq!(replay(&experiment(3), &days).decision, Decision::Winner { variant: "t0".into() });
    }

    #[test]
    fn a_rise_in_opt_outs_stops_the_experiment_even_when_the_variant_converts_better() {
        let days: Vec<_> = (0..10).map(|n| (day(n), vec![arm(300, 15, 1), arm(300, 30, 30)])).collect();
        assert_eq!(replay(&experiment(2), &days).decision, Decision::StoppedByGuardrail { variant: "t1".into() });
    }

    #[test]
    fn fewer_opt_outs_never_stop_it() {
        let days: Vec<_> = (0..10).map(|n| (day(n), vec![arm(300, 15, 30), arm(300, 15, 0)])).collect();
        assert_ne!(replay(&experiment(2), &days).decision, Decision::StoppedByGuardrail { variant: "t1".into() });
    }

    #[test]
    fn equal_arms_end_as_no_difference_once_the_interval_is_inside_the_margin() {
        let days: Vec<_> = (0..60).map(|n| (day(n), vec![arm(2_000, 100, 0), arm(2_000, 100, 0)])).collect();
        let verdict = replay(&experiment(2), &days);
        assert_eq!(verdict.decision, Decision::NoDifference);
        let lift = verdict.arms[1].lift.unwrap();
        assert!(lift.difference_low >= -0.01 && lift.difference_high <= 0.01, "{lift:?}");
    }

    #[test]
    fn the_maximum_sample_ends_an_undecided_experiment() {
        let mut small = experiment(2);
        small.max_sample = 600;
        let days: Vec<_> = (0..3).map(|n| (day(n), vec![arm(200, 10, 0), arm(200, 12, 0)])).collect();
        let verdict = replay(&small, &days);
        assert_eq!((verdict.decision, verdict.reached_on), (Decision::NoDifference, Some(day(2))));
    }
}
