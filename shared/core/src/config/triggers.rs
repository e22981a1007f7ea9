//! `[[triggers]] when = "call_missed", enrol = "missed_call", stop_others = false`: the signals
//! that start a cadence.

use super::checker::Checker;
use super::file::RawTenantFile;
use crate::domain::{span, Cue, Signal, StepTime, Trigger};
use chrono::Duration;

/// Reads the triggers: a known signal, or `dormant:<span>` for one of `[scoring]
/// dormant_after` (the thresholds whose crossing is scheduled), and a cadence that exists.
pub(super) fn triggers(c: &mut Checker, raw: &RawTenantFile, dormant_after: &[Duration]) -> Vec<Trigger> {
    let mut triggers = Vec::new();
    for (i, trigger) in raw.triggers.iter().enumerate() {
        let field = format!("triggers[{i}]");
        let when = c.check(&format!("{field}.when"), &trigger.when, |s| match Signal::parse(s.trim()) {
            _ if s.trim().starts_with("dormant:") => dormancy(s.trim(), dormant_after),
            Some(signal) if Trigger::may_fire_on(signal) => Ok(Cue::Signal(signal)),
            Some(signal) => Err(format!(
                "no cadence starts on {signal}: a reply hands the lead to a person, an opt-out ends contact"
            )),
            None => {
                let names: Vec<_> =
                    Signal::ALL.iter().filter(|s| Trigger::may_fire_on(**s)).map(|s| s.as_str()).collect();
                Err(format!("{s:?} is not a signal: one of {}", names.join(", ")))
            }
        });
        let enrol = trigger.enrol.get_ref();
        if !raw.cadences.contains_key(enrol) {
            c.fail(format!("{field}.enrol"), Some(&trigger.enrol), format!("no cadence named {enrol:?}"));
        }
        // A wait and a condition belong on the cadence's first step, where they already work:
        // `at = "2h"`, `unless = "clicked"` (signals count from when the trigger fired).
        for (key, value) in [("after", &trigger.after), ("unless", &trigger.unless)] {
            if let Some(value) = value {
                c.fail(
                    format!("{field}.{key}"),
                    Some(value),
                    format!("not read by this version yet: put it on the first step of cadence {enrol:?} (at = \"2h\", unless = \"clicked\")"),
                );
            }
        }
        if let Some(when) = when {
            triggers.push(Trigger { when, enrol: enrol.clone(), stop_others: trigger.stop_others.unwrap_or(false) });
        }
    }
    triggers
}

/// `dormant:60d`, one of the tenant's thresholds.
fn dormancy(text: &str, dormant_after: &[Duration]) -> Result<Cue, String> {
    let raw = text.trim_start_matches("dormant:");
    let after = match StepTime::parse(raw) {
        Ok(StepTime::After(after)) => after,
        _ => return Err(format!("{text:?}: write dormant:<span>, like dormant:60d")),
    };
    if !dormant_after.contains(&after) {
        let known: Vec<String> = dormant_after.iter().map(|d| span(*d)).collect();
        return Err(format!(
            "{text:?}: {} is not one of [scoring] dormant_after ({})",
            span(after),
            if known.is_empty() { "none".to_owned() } else { known.join(", ") }
        ));
    }
    Ok(Cue::Dormant(after))
}
