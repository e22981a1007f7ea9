//! `[cadences.NAME] steps = [{ at, channel, template | variants, if | unless }]`: the sequences leads are
//! enrolled in.

use super::checker::Checker;
use super::file::{RawStep, RawTenantFile};
use crate::domain::{Cadence, Channel, Condition, Guard, Step, StepTime};
use std::collections::BTreeMap;
use toml::Spanned;

/// Reads every cadence. Only the cadence named `reminder_cadence` (`[booking]`) may count
/// back from a booked slot (`at = "1h before"`); every template a step names must exist, and
/// an email step's needs a subject.
pub(super) fn cadences(
    c: &mut Checker,
    raw: &RawTenantFile,
    reminder_cadence: Option<&str>,
) -> BTreeMap<String, Cadence> {
    let mut cadences = BTreeMap::new();
    for (name, cadence) in &raw.cadences {
        if cadence.steps.get_ref().is_empty() {
            c.fail(format!("cadences.{name}.steps"), Some(&cadence.steps), "a cadence needs at least one step");
        }
        let mut steps = Vec::new();
        for (i, step) in cadence.steps.get_ref().iter().enumerate() {
            let field = format!("cadences.{name}.steps[{i}]");
            let at =
                c.check(&format!("{field}.at"), &step.at, |s| match StepTime::parse(s).map_err(|e| e.to_string())? {
                    at if at.is_anchored() && reminder_cadence != Some(name.as_str()) => Err(format!(
                    "{s:?} counts back from a booked slot: only the cadence [booking] reminder_cadence names may use \
                     `before`"
                )),
                    at => Ok(at),
                });
            let preferred = step.channel.get_ref() == "preferred";
            let channel = match (preferred, &step.fallback) {
                (true, Some(fallback)) => c.check(&format!("{field}.fallback"), fallback, |s| channel_named(s)),
                (true, None) => {
                    let message = "a preferred step needs a fallback channel (fallback = \"sms\")";
                    c.fail(format!("{field}.fallback"), Some(&step.channel), message);
                    None
                }
                (false, fallback) => {
                    if let Some(fallback) = fallback {
                        c.fail(
                            format!("{field}.fallback"),
                            Some(fallback),
                            "only a step on channel \"preferred\" has one",
                        );
                    }
                    c.check(&format!("{field}.channel"), &step.channel, |s| channel_named(s))
                }
            };
            let Some(template) = step_template(c, &field, step) else { continue };
            // A preferred step may turn out to be an email: its templates need a subject too.
            let may_email = preferred || channel == Some(Channel::Email);
            for (key, named) in step_templates(step) {
                let name = named.get_ref();
                if !raw.templates.contains_key(name) {
                    c.fail(format!("{field}.{key}"), Some(named), format!("no template named {name:?}"));
                } else if may_email && raw.templates[name].subject.is_none() {
                    c.fail(format!("{field}.{key}"), Some(named), format!("email template {name:?} needs a subject"));
                }
            }
            let guard = match (&step.if_, &step.unless) {
                (Some(_), Some(unless)) => {
                    c.fail(format!("{field}.unless"), Some(unless), "a step takes `if` or `unless`, not both");
                    None
                }
                (Some(raw), None) => c.check(&format!("{field}.if"), raw, |s| Guard::parse(s, false)),
                (None, Some(raw)) => c.check(&format!("{field}.unless"), raw, |s| Guard::parse(s, true)),
                (None, None) => None,
            };
            if let (Some(at), Some(channel)) = (at, channel) {
                steps.push(Step { channel, preferred, template: template.clone(), at, guard });
            }
        }
        cadences.insert(name.clone(), Cadence { name: name.clone(), steps });
    }
    cadences
}

/// The template a step names: its `template`, or the first of its `variants` (the control,
/// which the engine sees; the variant a lead gets is chosen when the touch is claimed).
fn step_template<'s>(c: &mut Checker, field: &str, step: &'s RawStep) -> Option<&'s String> {
    let first_variant = step.variants.as_ref().and_then(|v| v.get_ref().first()).map(|v| v.template.get_ref());
    match (&step.template, &step.variants) {
        (Some(template), None) => Some(template.get_ref()),
        (None, Some(_)) => first_variant,
        (Some(template), Some(_)) => {
            c.fail(format!("{field}.template"), Some(template), "a step takes `template` or `variants`, not both");
            None
        }
        (None, None) => {
            c.fail(format!("{field}.template"), Some(&step.channel), "a step needs a template (or variants)");
            None
        }
    }
}

/// Every template a step may send, with the key that names it.
fn step_templates(step: &RawStep) -> Vec<(String, &Spanned<String>)> {
    let variants = step.variants.iter().flat_map(|v| v.get_ref().iter().enumerate());
    step.template
        .iter()
        .map(|t| ("template".to_owned(), t))
        .chain(variants.map(|(i, v)| (format!("variants[{i}].template"), &v.template)))
        .collect()
}

/// The channel named `name` in a tenant file.
fn channel_named(name: &str) -> Result<Channel, &'static str> {
    Channel::ALL
        .into_iter()
        .find(|channel| channel.as_str() == name)
        .ok_or("must be sms, email, voice, voicemail (or preferred, with a fallback)")
}

/// Refuses guards on `score` or `tier` in a tenant without `[scoring]`, each at its line.
pub(super) fn guards_need_scoring(c: &mut Checker, raw: &RawTenantFile, scored: bool) {
    if scored {
        return;
    }
    for (name, cadence) in &raw.cadences {
        for (i, step) in cadence.steps.get_ref().iter().enumerate() {
            for (key, guard) in [("if", &step.if_), ("unless", &step.unless)] {
                let Some(guard) = guard else { continue };
                if Condition::parse(guard.get_ref()).is_ok_and(|condition| condition.needs_scoring()) {
                    let field = format!("cadences.{name}.steps[{i}].{key}");
                    c.fail(field, Some(guard), "scores and tiers need a [scoring] section");
                }
            }
        }
    }
}
