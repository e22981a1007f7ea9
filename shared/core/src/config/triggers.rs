//! `[[triggers]] when = "call_missed", enrol = "missed_call", stop_others = false`: the signals
//! that start a cadence.

use super::checker::Checker;
use super::file::RawTenantFile;
use crate::domain::{Signal, Trigger};

/// Reads the triggers: a known signal, a cadence that exists.
pub(super) fn triggers(c: &mut Checker, raw: &RawTenantFile) -> Vec<Trigger> {
    let mut triggers = Vec::new();
    for (i, trigger) in raw.triggers.iter().enumerate() {
        let field = format!("triggers[{i}]");
        let when = c.check(&format!("{field}.when"), &trigger.when, |s| match Signal::parse(s.trim()) {
            Some(signal) if Trigger::may_fire_on(signal) => Ok(signal),
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
