//! Triggers: `[[triggers]] when = "call_missed", enrol = "missed_call"` — a signal, or a
//! stretch of silence (`when = "dormant:60d"`), starts a cadence, optionally stopping the
//! lead's others.

use super::{span, CadenceName, Signal};
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
}

impl Trigger {
    /// A trigger on `signal`.
    pub fn on(signal: Signal, enrol: &str, stop_others: bool) -> Self {
        Trigger { when: Cue::Signal(signal), enrol: enrol.to_owned(), stop_others }
    }

    /// Whether a trigger may start a cadence on `signal`: not on a reply, which hands the lead
    /// to a person, nor on an opt-out, which ends contact on that channel.
    pub fn may_fire_on(signal: Signal) -> bool {
        !matches!(signal, Signal::Replied | Signal::OptedOut)
    }
}
