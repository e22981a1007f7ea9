//! `[[triggers]] when = "call_missed", enrol = "missed_call", stop_others = false`, optionally
//! with `after = "2h"` and `unless = "clicked"`: the signals that start a cadence.

use super::checker::{valid, Checker};
use super::file::RawTenantFile;
use crate::domain::{span, Condition, Cue, Guard, Signal, StepTime, Trigger};
use chrono::Duration;

/// The longest wait a trigger may have: past it, a dormancy trigger is the tool.
const LONGEST_WAIT: Duration = Duration::days(90);

/// Reads the triggers: a known signal, or `dormant:<span>` for one of `[scoring]
/// dormant_after` (the thresholds whose crossing is scheduled), a cadence that exists, and
/// optionally a wait (`after`) and a condition checked when it is over (`unless`).
pub(super) fn triggers(c: &mut Checker, raw: &RawTenantFile, dormant_after: &[Duration], scored: bool) -> Vec<Trigger> {
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
        let after = trigger.after.as_ref().map(|after| {
            c.check(&format!("{field}.after"), after, |s| match StepTime::parse(s) {
                Ok(StepTime::After(d)) if d >= Duration::minutes(1) && d <= LONGEST_WAIT => Ok(d),
                _ => Err("must be a wait from `1m` to `90d`, like `2h`"),
            })
        });
        let unless = trigger.unless.as_ref().map(|unless| {
            c.check(&format!("{field}.unless"), unless, |s| match Condition::parse(s) {
                Ok(condition) if condition.needs_scoring() && !scored => {
                    Err("scores and tiers need a [scoring] section".to_owned())
                }
                Ok(condition) => Ok(Guard { unless: true, condition, source: s.trim().to_owned() }),
                Err(e) => Err(e.to_string()),
            })
        });
        let stop_others = trigger.stop_others.unwrap_or(false);
        if let (true, Some(unless)) = (stop_others, &trigger.unless) {
            // The others would stop at once, and the condition might then hold the new one
            // back: the lead would be left with no cadence at all.
            c.fail(
                format!("{field}.unless"),
                Some(unless),
                "not with stop_others = true: the other cadences would stop whether or not this one goes",
            );
        }
        if let (Some(when), Some(after), Some(unless)) = (when, valid(after), valid(unless)) {
            triggers.push(Trigger { when, enrol: enrol.clone(), stop_others, after, unless });
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
