//! Guards on cadence steps: `if = "call_missed"`, `unless = "email_opened"`,
//! `if = "fields.product == 'refinance'"`. A step whose guard does not hold is skipped, with
//! the guard on the timeline, and the cadence goes on.

use super::{Lead, Scoring, Signal, Tier};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a guard asks of the lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// The lead gave this signal since it entered the cadence (a booking click is a click).
    Signal(Signal),
    /// A form field compared with a value: text for `==` and `!=`, a number for the others (a
    /// field that is missing or not a number makes a numeric comparison false).
    Field { name: String, op: Comparison, value: String },
    /// A form field is one of these values.
    FieldIn { name: String, values: Vec<String> },
    /// The lead's score now (`[scoring]`) compared with a number.
    Score { op: Comparison, value: String },
    /// The lead's tier now: `hot`, `warm`, `cold`, `dormant` (any) or `dormant:30d`.
    Tier(String),
}

/// How a field is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparison {
    Eq,
    Ne,
    Ge,
    Gt,
    Le,
    Lt,
}

/// A step's `if` or `unless`, as parsed from the tenant file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guard {
    /// `unless`: the step is skipped when the condition holds; `if`: when it does not.
    pub unless: bool,
    pub condition: Condition,
    /// The expression as written, for the timeline.
    pub source: String,
}

/// Why a guard expression was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct GuardError(String);

impl Condition {
    /// Parses `SIGNAL`, `fields.NAME OP VALUE` (`==`, `!=`, `>=`, `>`, `<=`, `<`; text in single
    /// quotes, numbers bare) or `fields.NAME in ['a', 'b']`.
    pub fn parse(raw: &str) -> Result<Self, GuardError> {
        let text = raw.trim();
        if let Some(signal) = Signal::parse(text) {
            return Ok(Condition::Signal(signal));
        }
        if let Some(tier) = text.strip_prefix("tier:") {
            let known = matches!(tier, "hot" | "warm" | "cold" | "dormant")
                || tier.strip_prefix("dormant:").is_some_and(|span| super::StepTime::parse(span).is_ok());
            if !known {
                return Err(GuardError(format!("{text:?}: a tier is hot, warm, cold, dormant or dormant:30d")));
            }
            return Ok(Condition::Tier(tier.to_owned()));
        }
        if let Some(rest) = text.strip_prefix("score") {
            let (op, value) = comparison(rest.trim_start(), text)?;
            if value.parse::<f64>().is_err() {
                return Err(GuardError(format!("{text:?}: {value:?} is not a number to compare with")));
            }
            return Ok(Condition::Score { op, value });
        }
        let Some(rest) = text.strip_prefix("fields.") else {
            let names: Vec<_> = Signal::ALL.iter().map(|s| s.as_str()).collect();
            return Err(GuardError(format!(
                "{text:?} is neither a signal ({}) nor a field comparison like fields.product == 'refinance'",
                names.join(", ")
            )));
        };
        let name_end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        let (name, rest) = rest.split_at(name_end);
        if name.is_empty() {
            return Err(GuardError(format!("{text:?}: name the field after `fields.`")));
        }
        let name = name.to_owned();
        let rest = rest.trim_start();
        if let Some(list) = rest.strip_prefix("in ") {
            let inner = list.trim().strip_prefix('[').and_then(|l| l.strip_suffix(']'));
            let inner = inner.ok_or_else(|| GuardError(format!("{text:?}: a list is written ['a', 'b']")))?;
            let values = inner.split(',').map(|v| literal(v, text)).collect::<Result<Vec<_>, _>>()?;
            return Ok(Condition::FieldIn { name, values });
        }
        let (op, value) = comparison(rest, text)?;
        if !matches!(op, Comparison::Eq | Comparison::Ne) && value.parse::<f64>().is_err() {
            return Err(GuardError(format!("{text:?}: {value:?} is not a number to compare with")));
        }
        Ok(Condition::Field { name, op, value })
    }

    /// Whether the condition needs the tenant's `[scoring]`.
    pub fn needs_scoring(&self) -> bool {
        matches!(self, Condition::Score { .. } | Condition::Tier(_))
    }

    /// Whether the condition holds for `lead` at `now`, counting signals from `since` (when the
    /// lead entered the cadence); scores and tiers by `scoring` (without it, they never hold).
    pub fn holds(&self, lead: &Lead, since: DateTime<Utc>, scoring: Option<&Scoring>, now: DateTime<Utc>) -> bool {
        match self {
            Condition::Score { op, value } => {
                let (Some(scoring), Ok(value)) = (scoring, value.parse::<f64>()) else { return false };
                compare(scoring.score(lead, now).score, *op, value)
            }
            Condition::Tier(name) => {
                let Some(scoring) = scoring else { return false };
                let tier = scoring.tier(lead, now);
                match (name.as_str(), tier) {
                    ("dormant", Tier::Dormant(_)) => true,
                    (name, tier) => tier.to_string() == name,
                }
            }
            Condition::Signal(signal) => lead.signals.iter().any(|s| signal.covers(s.signal) && s.at >= since),
            Condition::FieldIn { name, values } => lead.profile.fields.get(name).is_some_and(|v| values.contains(v)),
            Condition::Field { name, op, value } => {
                let Some(field) = lead.profile.fields.get(name) else { return *op == Comparison::Ne };
                match op {
                    Comparison::Eq => field == value,
                    Comparison::Ne => field != value,
                    numeric => match (field.trim().parse::<f64>(), value.parse::<f64>()) {
                        (Ok(field), Ok(value)) => compare(field, *numeric, value),
                        _ => false,
                    },
                }
            }
        }
    }
}

/// `a OP b` for numbers.
fn compare(a: f64, op: Comparison, b: f64) -> bool {
    match op {
        Comparison::Eq => a == b,
        Comparison::Ne => a != b,
        Comparison::Ge => a >= b,
        Comparison::Gt => a > b,
        Comparison::Le => a <= b,
        Comparison::Lt => a < b,
    }
}

/// An operator and the value after it: `>= 40`, `== 'x'`.
fn comparison(rest: &str, expression: &str) -> Result<(Comparison, String), GuardError> {
    let (op, value) = [
        ("==", Comparison::Eq),
        ("!=", Comparison::Ne),
        (">=", Comparison::Ge),
        ("<=", Comparison::Le),
        (">", Comparison::Gt),
        ("<", Comparison::Lt),
    ]
    .into_iter()
    .find_map(|(symbol, op)| rest.strip_prefix(symbol).map(|value| (op, value)))
    .ok_or_else(|| GuardError(format!("{expression:?}: compare with ==, !=, >=, >, <=, < or in [..]")))?;
    Ok((op, literal(value, expression)?))
}

/// A value in a guard: `'text'` or a bare number.
fn literal(raw: &str, expression: &str) -> Result<String, GuardError> {
    let raw = raw.trim();
    if let Some(text) = raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        return Ok(text.to_owned());
    }
    if raw.parse::<f64>().is_ok() {
        return Ok(raw.to_owned());
    }
    Err(GuardError(format!("{expression:?}: {raw:?} is neither 'quoted text' nor a number")))
}

impl Guard {
    /// `if = "…"` (`unless` false) or `unless = "…"` (`unless` true).
    pub fn parse(raw: &str, unless: bool) -> Result<Self, GuardError> {
        Ok(Guard { unless, condition: Condition::parse(raw)?, source: raw.trim().to_owned() })
    }

    /// Whether the step may go out at `now`: its condition holds (`if`) or does not (`unless`).
    pub fn allows(&self, lead: &Lead, since: DateTime<Utc>, scoring: Option<&Scoring>, now: DateTime<Utc>) -> bool {
        self.condition.holds(lead, since, scoring, now) != self.unless
    }
}

impl fmt::Display for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", if self.unless { "unless" } else { "if" }, self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{fixtures, SignalEntry, TenantId};
    use chrono::Duration;

    fn lead_with(fields: &[(&str, &str)], signals: &[(Signal, i64)]) -> (Lead, DateTime<Utc>) {
        let now: DateTime<Utc> = "2026-06-01T14:00:00Z".parse().unwrap();
        let mut lead = fixtures::lead(&TenantId::parse("t1").unwrap(), now);
        lead.profile.fields = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        lead.signals = signals
            .iter()
            .map(|(signal, minutes)| SignalEntry {
                signal: *signal,
                at: now + Duration::minutes(*minutes),
                channel: None,
            })
            .collect();
        (lead, now)
    }

    #[test]
    fn a_signal_counts_only_from_when_the_lead_entered_the_cadence() {
        let (lead, now) = lead_with(&[], &[(Signal::EmailOpened, -10), (Signal::CallMissed, 5)]);
        let opened = Guard::parse("email_opened", true).unwrap();
        let missed = Guard::parse("call_missed", false).unwrap();
        assert!(opened.allows(&lead, now, None, now), "an open before the cadence does not hold it back");
        assert!(!opened.allows(&lead, now - Duration::hours(1), None, now));
        assert!(missed.allows(&lead, now, None, now));
        assert!(!missed.allows(&lead, now + Duration::minutes(6), None, now));
    }

    #[test]
    fn fields_compare_as_text_or_numbers() {
        let (lead, now) = lead_with(&[("product", "refinance"), ("loan_amount", "450000")], &[]);
        let holds = |expr: &str| Condition::parse(expr).unwrap().holds(&lead, now, None, now);
        assert!(holds("fields.product == 'refinance'"));
        assert!(!holds("fields.product != 'refinance'"));
        assert!(holds("fields.loan_amount >= 400000"));
        assert!(!holds("fields.loan_amount < 400000"));
        assert!(holds("fields.product in ['purchase', 'refinance']"));
        assert!(!holds("fields.missing >= 1"), "a missing field compares false");
        assert!(holds("fields.missing != 'x'"));
    }

    #[test]
    fn scores_and_tiers_are_read_by_the_tenants_scoring() {
        use crate::domain::Scoring;
        use std::collections::BTreeMap;
        let (lead, now) = lead_with(&[("plan", "gold")], &[(Signal::Replied, 0), (Signal::Booked, 0)]);
        let scoring = Scoring {
            half_life: Duration::days(30),
            hot: 40.0,
            cold_below: 10.0,
            signal_points: BTreeMap::from([(Signal::Replied, 15.0), (Signal::Booked, 30.0)]),
            fit: Vec::new(),
            dormant_after: vec![Duration::days(30)],
            unengaged_after: 3,
        };
        let holds = |expr: &str, at| Condition::parse(expr).unwrap().holds(&lead, now, Some(&scoring), at);
        assert!(holds("score >= 45", now) && !holds("score > 45", now));
        assert!(holds("tier:hot", now) && !holds("tier:warm", now));
        let later = now + Duration::days(31);
        assert!(holds("tier:dormant", later) && holds("tier:dormant:30d", later) && !holds("tier:hot", later));
        assert!(!Condition::parse("tier:hot").unwrap().holds(&lead, now, None, now), "no scoring, no tier");
    }

    #[test]
    fn a_bad_expression_says_what_is_wrong() {
        for (expr, says) in [
            ("email_open", "neither a signal"),
            ("fields.amount >= 'lots'", "not a number"),
            ("fields.product = 'x'", "compare with"),
            ("fields.product in 'x'", "a list is written"),
            ("fields. == 'x'", "name the field"),
            ("score >= lots", "neither 'quoted text' nor a number"),
            ("score = 40", "compare with"),
            ("tier:scorching", "a tier is"),
        ] {
            let error = Condition::parse(expr).unwrap_err().to_string();
            assert!(error.contains(says), "{expr}: {error}");
        }
    }
}
