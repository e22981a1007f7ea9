//! `[experiments.NAME]` (the metric, alpha, samples, margin, `auto_promote`, `start`) and the
//! step that carries each one's `variants` (`experiment = "NAME"`).

use super::checker::Checker;
use super::file::{RawExperiment, RawTenantFile};
use crate::domain::{Experiment, Metric, Variant};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// Exposures every arm needs before any decision, unless `min_sample` says otherwise.
pub const DEFAULT_MIN_SAMPLE: u64 = 200;
/// Exposures per arm after which an undecided experiment ends as "no difference".
pub const DEFAULT_MAX_SAMPLE: u64 = 10_000;
/// The equivalence margin, as a difference of rates: one percentage point.
pub const DEFAULT_MARGIN: f64 = 0.01;
/// The family-wise false-positive rate.
pub const DEFAULT_ALPHA: f64 = 0.05;

/// The most arms a step may split its leads into: each comparison with the control is held to
/// alpha / (arms - 1), so more arms need much larger samples.
const MAX_VARIANTS: usize = 5;

/// Reads every experiment and attaches the variants of the step that names it.
pub(super) fn experiments(c: &mut Checker, raw: &RawTenantFile) -> BTreeMap<String, Experiment> {
    let mut experiments: BTreeMap<String, Experiment> =
        raw.experiments.iter().filter_map(|(name, e)| settings(c, name, e).map(|e| (name.clone(), e))).collect();
    for (cadence, steps) in &raw.cadences {
        for (i, step) in steps.steps.get_ref().iter().enumerate() {
            let field = format!("cadences.{cadence}.steps[{i}]");
            let (variants, named) = match (&step.variants, &step.experiment) {
                (None, None) => continue,
                (Some(variants), Some(named)) => (variants, named),
                (Some(variants), None) => {
                    let message = "a step with variants names its experiment (experiment = \"NAME\")";
                    c.fail(format!("{field}.experiment"), Some(variants), message);
                    continue;
                }
                (None, Some(named)) => {
                    c.fail(format!("{field}.variants"), Some(named), "an experiment's step needs its variants");
                    continue;
                }
            };
            let name = named.get_ref();
            let Some(experiment) = experiments.get_mut(name) else {
                if !raw.experiments.contains_key(name) {
                    c.fail(format!("{field}.experiment"), Some(named), format!("no [experiments.{name}] section"));
                }
                continue;
            };
            if let Some((other, at)) = &experiment.step {
                let message = format!("experiment {name:?} already runs on cadences.{other}.steps[{at}]");
                c.fail(format!("{field}.experiment"), Some(named), message);
                continue;
            }
            let count = variants.get_ref().len();
            if !(2..=MAX_VARIANTS).contains(&count) {
                let message = format!("an experiment has 2 to {MAX_VARIANTS} variants, not {count}");
                c.fail(format!("{field}.variants"), Some(variants), message);
            }
            let mut arms = Vec::new();
            for (v, variant) in variants.get_ref().iter().enumerate() {
                let template = variant.template.get_ref();
                if template.contains('|') || arms.iter().any(|a: &Variant| &a.template == template) {
                    let message = format!("{template:?} is named twice or holds a `|`: each arm is one template");
                    c.fail(format!("{field}.variants[{v}].template"), Some(&variant.template), message);
                }
                let weight = match &variant.weight {
                    None => Some(1),
                    Some(w) => c.check(&format!("{field}.variants[{v}].weight"), w, |w| {
                        u32::try_from(*w).ok().filter(|w| (1..=1000).contains(w)).ok_or("must be 1 to 1000")
                    }),
                };
                arms.push(Variant { template: template.clone(), weight: weight.unwrap_or(1) });
            }
            experiment.variants = arms;
            experiment.step = Some((cadence.clone(), i));
        }
    }
    experiments
}

/// One `[experiments.NAME]` section's settings, its variants still to come.
fn settings(c: &mut Checker, name: &str, raw: &RawExperiment) -> Option<Experiment> {
    let field = |key: &str| format!("experiments.{name}.{key}");
    let slug =
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-".contains(&b));
    if !slug {
        c.fail(format!("experiments.{name}"), Some(&raw.metric), "an experiment's name is a slug: a-z, 0-9, _ and -");
    }
    let metric = c.check(&field("metric"), &raw.metric, |m| {
        Metric::parse(m).ok_or("must be booked, positive_reply, replied or clicked")
    });
    let alpha = match &raw.alpha {
        None => Some(DEFAULT_ALPHA),
        Some(a) => c.check(&field("alpha"), a, |a| {
            Some(*a).filter(|a| *a > 0.0 && *a <= 0.2).ok_or("must be over 0 and at most 0.2")
        }),
    };
    let sample = |c: &mut Checker, key: &str, raw: &Option<toml::Spanned<i64>>, default: u64| match raw {
        None => Some(default),
        Some(n) => {
            c.check(&field(key), n, |n| u64::try_from(*n).ok().filter(|n| *n >= 10).ok_or("must be at least 10"))
        }
    };
    let min_sample = sample(c, "min_sample", &raw.min_sample, DEFAULT_MIN_SAMPLE);
    let max_sample = sample(c, "max_sample", &raw.max_sample, DEFAULT_MAX_SAMPLE.max(min_sample.unwrap_or(0)));
    if let (Some(min), Some(max), Some(at)) = (min_sample, max_sample, &raw.max_sample) {
        if max < min {
            c.fail(field("max_sample"), Some(at), "must be at least min_sample");
        }
    }
    let margin = match &raw.margin {
        None => Some(DEFAULT_MARGIN),
        Some(m) => c.check(&field("margin"), m, |m| {
            Some(*m).filter(|m| (0.0..0.5).contains(m)).ok_or("must be 0 to 0.5 (a difference of rates)")
        }),
    };
    let start = match &raw.start {
        None => Some(None),
        Some(s) => c.check(&field("start"), s, |s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some).map_err(|_| "must be a date like 2026-03-01")
        }),
    };
    Some(Experiment {
        name: name.to_owned(),
        metric: metric?,
        alpha: alpha?,
        min_sample: min_sample?,
        max_sample: max_sample?,
        margin: margin?,
        auto_promote: raw.auto_promote.unwrap_or(false),
        start: start?,
        variants: Vec::new(),
        step: None,
    })
    .filter(|_| slug)
}

#[cfg(test)]
mod tests {
    use crate::config::{TenantConfig, DEMO_TENANT};
    use crate::domain::{Metric, Variant};

    const DEMO_STEP: &str = r#"{ at = "0m",               channel = "sms",   experiment = "first_text", variants = [{ template = "welcome_sms" }, { template = "welcome_sms_slots" }] },"#;

    /// The demo with its experiment's step replaced by `step`, and `from` replaced by `to`.
    fn errors(step: &str, from: &str, to: &str) -> Vec<(String, String)> {
        assert!(DEMO_TENANT.contains(DEMO_STEP) && DEMO_TENANT.contains(from));
        let source = DEMO_TENANT.replacen(DEMO_STEP, step, 1).replacen(from, to, 1);
        let errors = TenantConfig::parse(&source, "t").expect_err("refused").errors;
        errors.into_iter().map(|e| (e.field, e.message)).collect()
    }

    fn step(variants: &str) -> String {
        format!(r#"{{ at = "0m", channel = "sms", experiment = "first_text", variants = [{variants}] }},"#)
    }

    #[test]
    fn the_demo_experiment_is_read_with_its_step_and_defaults() {
        let demo = TenantConfig::demo();
        let experiment = demo.experiment_at("standard", 0).expect("the first text is an experiment");
        assert_eq!(experiment.metric, Metric::PositiveReply);
        assert_eq!((experiment.alpha, experiment.min_sample, experiment.auto_promote), (0.05, 200, false));
        assert_eq!(
            experiment.variants,
            [
                Variant { template: "welcome_sms".into(), weight: 1 },
                Variant { template: "welcome_sms_slots".into(), weight: 1 }
            ]
        );
        assert_eq!(demo.cadences["standard"].steps[0].template, "welcome_sms", "the engine sees the control");
        assert!(demo.experiment_at("standard", 1).is_none());
    }

    #[test]
    fn an_experiment_needs_two_to_five_variants() {
        let one = errors(&step(r#"{ template = "welcome_sms" }"#), "", "");
        assert_eq!(one[0].0, "cadences.standard.steps[0].variants", "{one:?}");
        let six = std::iter::repeat_n(r#"{ template = "welcome_sms" }"#, 6).collect::<Vec<_>>().join(", ");
        assert!(errors(&step(&six), "", "").iter().any(|(f, m)| f.ends_with(".variants") && m.contains("not 6")));
    }

    #[test]
    fn bad_variants_are_named_with_their_field() {
        let cases = [
            (step(r#"{ template = "welcome_sms" }, { template = "nope" }"#), "cadences.standard.steps[0].variants[1].template"),
            (step(r#"{ template = "welcome_sms" }, { template = "welcome_sms" }"#), "cadences.standard.steps[0].variants[1].template"),
            (step(r#"{ template = "welcome_sms" }, { template = "day5_sms", weight = 0 }"#), "cadences.standard.steps[0].variants[1].weight"),
            (
                r#"{ at = "0m", channel = "sms", template = "welcome_sms", experiment = "first_text", variants = [{ template = "welcome_sms" }, { template = "day5_sms" }] },"#.to_owned(),
                "cadences.standard.steps[0].template",
            ),
            (
                r#"{ at = "0m", channel = "sms", variants = [{ template = "welcome_sms" }, { template = "day5_sms" }] },"#.to_owned(),
                "cadences.standard.steps[0].experiment",
            ),
            (
                r#"{ at = "0m", channel = "sms", experiment = "other", variants = [{ template = "welcome_sms" }, { template = "day5_sms" }] },"#.to_owned(),
                "cadences.standard.steps[0].experiment",
            ),
            (
                // Email variants need subjects.
                r#"{ at = "0m", channel = "email", experiment = "first_text", variants = [{ template = "welcome_email" }, { template = "day5_sms" }] },"#.to_owned(),
                "cadences.standard.steps[0].variants[1].template",
            ),
        ];
        for (step, field) in cases {
            let found = errors(&step, "", "");
            assert_eq!(found.first().map(|(f, _)| f.as_str()), Some(field), "{step}: {found:?}");
        }
    }

    #[test]
    fn bad_settings_are_named_with_their_field() {
        for (from, to, field) in [
            (r#"metric = "positive_reply""#, r#"metric = "revenue""#, "experiments.first_text.metric"),
            ("alpha = 0.05 ", "alpha = 0.9 ", "experiments.first_text.alpha"),
            ("min_sample = 200 ", "min_sample = 3 ", "experiments.first_text.min_sample"),
            ("max_sample = 10000", "max_sample = 100", "experiments.first_text.max_sample"),
            ("margin = 0.01 ", "margin = -1.0 ", "experiments.first_text.margin"),
            (r#"# start = "2026-03-01""#, r#"start = "March""#, "experiments.first_text.start"),
        ] {
            let found = errors(DEMO_STEP, from, to);
            assert_eq!(found.first().map(|(f, _)| f.as_str()), Some(field), "{to}: {found:?}");
        }
    }

    #[test]
    fn an_experiment_runs_on_one_step_only() {
        let twice = format!("{DEMO_STEP}\n  {}", DEMO_STEP.replace(r#"at = "0m""#, r#"at = "1m""#));
        let found = errors(&twice, "", "");
        assert!(found.iter().any(|(f, m)| f == "cadences.standard.steps[1].experiment" && m.contains("already runs")));
    }
}
