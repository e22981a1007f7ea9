//! Simulated experiments: the A/A test (no difference, looked at every day: how often is a
//! winner or a guardrail stop declared?) and the power test (5% against 8%: how many
//! exposures per arm until the winner is found?). Seeded, so every run prints the same
//! figures; `cargo test -p leadflow-core --lib experiment::simulation -- --nocapture` shows them.

use super::verdict::tests::experiment;
use super::{replay, ArmDay, Decision, Experiment};
use chrono::NaiveDate;

/// The sample per arm docs/experiments.md gives for finding 5% → 8% at alpha 0.05 with 80%
/// power (a fixed-horizon z-test needs about 1,060 per arm, but may be looked at only once).
pub const SAMPLE_FOR_5_TO_8: u64 = 2_000;

/// `count` experiments of `days` days with `per_day` exposures per arm and day; arm i
/// converts at `rates[i]` and opts out at `opt_out`.
fn simulate(
    setup: &Experiment,
    seed: u64,
    count: usize,
    days: u32,
    per_day: u64,
    rates: &[f64],
    opt_out: f64,
) -> Vec<super::Verdict> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut draw = |n: u64, p: f64| (0..n).filter(|_| rng.f64() < p).count() as u64;
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    (0..count)
        .map(|_| {
            let history: Vec<(NaiveDate, Vec<ArmDay>)> = (0..days)
                .map(|d| {
                    let arms = rates
                        .iter()
                        .map(|&p| ArmDay {
                            exposures: per_day,
                            conversions: draw(per_day, p),
                            opt_outs: draw(per_day, opt_out),
                        })
                        .collect();
                    (start + chrono::Days::new(u64::from(d)), arms)
                })
                .collect();
            replay(setup, &history)
        })
        .collect()
}

/// 2,000 A/A experiments, 60 days of 40 exposures per arm, looked at after every day: the
/// share that ever declare a winner or a guardrail stop stays at or under alpha. No
/// equivalence stop and no maximum sample, so every one of the 60 looks could go wrong.
#[test]
fn an_a_a_test_looked_at_every_day_finds_a_difference_at_most_alpha_of_the_time() {
    let mut setup = experiment(2);
    setup.margin = 0.0;
    setup.max_sample = u64::MAX;
    let verdicts = simulate(&setup, 0x00AA_2026, 2_000, 60, 40, &[0.05, 0.05], 0.02);
    let winners = verdicts.iter().filter(|v| matches!(v.decision, Decision::Winner { .. })).count();
    let stopped = verdicts.iter().filter(|v| matches!(v.decision, Decision::StoppedByGuardrail { .. })).count();
    let rate = |n: usize| n as f64 / verdicts.len() as f64;
    println!(
        "A/A: {} experiments, 60 daily looks, 2,400 exposures per arm at the end: false winners {winners} ({:.2}%), \
         false guardrail stops {stopped} ({:.2}%), alpha {}",
        verdicts.len(),
        100.0 * rate(winners),
        100.0 * rate(stopped),
        setup.alpha
    );
    assert!(rate(winners + stopped) <= setup.alpha, "{winners} winners and {stopped} stops in {}", verdicts.len());
}

/// 1,000 experiments of a true 5% → 8% difference, 50 exposures per arm and day, looked at
/// every day: at least 80% have found the variant the winner by `SAMPLE_FOR_5_TO_8` per arm.
#[test]
fn a_true_5_to_8_percent_difference_is_found_by_the_documented_sample_size() {
    let setup = experiment(2);
    let per_day = 50;
    let days = (SAMPLE_FOR_5_TO_8 / per_day) as u32;
    let verdicts = simulate(&setup, 0x0005_0008, 1_000, days, per_day, &[0.05, 0.08], 0.01);
    let found = verdicts.iter().filter(|v| v.decision == Decision::Winner { variant: "t1".into() }).count();
    let wrong = verdicts.iter().filter(|v| v.decision == Decision::Winner { variant: "t0".into() }).count();
    let mut days_to_find: Vec<i64> = verdicts
        .iter()
        .filter(|v| v.decision == Decision::Winner { variant: "t1".into() })
        .filter_map(|v| v.reached_on)
        .map(|d| (d - NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()).num_days() + 1)
        .collect();
    days_to_find.sort_unstable();
    let median = days_to_find.get(days_to_find.len() / 2).copied().unwrap_or_default() as u64 * per_day;
    let power = found as f64 / verdicts.len() as f64;
    println!(
        "power: 5% vs 8%, {} experiments, daily looks of {per_day} per arm: found by {SAMPLE_FOR_5_TO_8} per arm in \
         {found} ({:.1}%), median sample when found {median} per arm, control named winner {wrong}",
        verdicts.len(),
        100.0 * power
    );
    assert!(power >= 0.80, "{found} of {}", verdicts.len());
    assert_eq!(wrong, 0);
}
