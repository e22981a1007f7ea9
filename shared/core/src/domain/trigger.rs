//! Triggers: `[[triggers]] when = "call_missed", enrol = "missed_call"` — a signal starts a
//! cadence, optionally stopping the lead's others.

use super::{CadenceName, Signal};
use serde::{Deserialize, Serialize};

/// A signal that enrols the lead in a cadence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    /// The signal that fires it.
    pub when: Signal,
    /// The cadence the lead enters.
    pub enrol: CadenceName,
    /// Whether the lead's other active cadences stop (the new one replaces them).
    pub stop_others: bool,
}

impl Trigger {
    /// Whether a trigger may start a cadence on `signal`: not on a reply, which hands the lead
    /// to a person, nor on an opt-out, which ends contact on that channel.
    pub fn may_fire_on(signal: Signal) -> bool {
        !matches!(signal, Signal::Replied | Signal::OptedOut)
    }
}
