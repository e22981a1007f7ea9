//! Triggers: `[[triggers]] when = "call_missed", enrol = "missed_call"` — a signal, or a
//! stretch of silence (`when = "dormant:60d"`), starts a cadence, optionally stopping the
//! lead's others.

use super::{span, CadenceName, Guard, Signal};
use chrono::Duration;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What fires a trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cue {
    /// A signal (a booking click is a click too: see [`Signal::covers`]).
    Signal(Signal),
    /// The lead has been silent this long (one of `[scoring] dormant_after`).
    Dormant(#[serde(with = "super::policy::seconds")] Duration),
}

impl fmt::Display for Cue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cue::Signal(signal) => f.write_str(signal.as_str()),
            Cue::Dormant(after) => write!(f, "dormant:{}", span(*after)),
        }
    }
}

impl Cue {
    /// Whether `given` fires a trigger waiting for this cue.
    pub fn covers(self, given: Cue) -> bool {
        match (self, given) {
            (Cue::Signal(wanted), Cue::Signal(given)) => wanted.covers(given),
            (wanted, given) => wanted == given,
        }
    }
}

/// A cue that enrols the lead in a cadence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    /// What fires it.
    pub when: Cue,
    /// The cadence the lead enters.
    pub enrol: CadenceName,
    /// Whether the lead's other active cadences stop (the new one replaces them).
    pub stop_others: bool,
    /// How long after the cue the cadence's steps start counting (`after = "2h"`).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "optional_seconds")]
    pub after: Option<Duration>,
    /// A condition checked when the wait is over, against the signals since the cue: if it
    /// holds (`unless = "clicked"` and the lead clicked), the cadence stops unsent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unless: Option<Guard>,
}

/// An optional duration as whole seconds.
mod optional_seconds {
    use chrono::Duration;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&d.num_seconds()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<i64>::deserialize(d)?.map(Duration::seconds))
    }
}

impl Trigger {
    /// A trigger on `signal`.
    pub fn on(signal: Signal, enrol: &str, stop_others: bool) -> Self {
        Trigger { when: Cue::Signal(signal), enrol: enrol.to_owned(), stop_others, after: None, unless: None }
    }

    /// Whether a trigger may start a cadence on `signal`: not on a reply, which hands the lead
    /// to a person, nor on an opt-out, which ends contact on that channel.
    pub fn may_fire_on(signal: Signal) -> bool {
        !matches!(signal, Signal::Replied | Signal::OptedOut)
    }
}
