//! The pure engine: `(lead state, event, rules, now) -> commands`. No I/O, no clock reads.
//!
//! The use cases load the state, ask the engine what to do, and carry the commands out
//! through the ports. Everything the invariants depend on (consent, opt-out, quiet hours,
//! caps, stop on reply) is decided here, at the moment a touch is due.

mod decide;
mod slot;

#[cfg(test)]
mod tests;

pub use decide::{blocked, decide, Command, DropReason, Event, LeadView, Rules, SkipReason};
pub use slot::{next_allowed, outside_quiet_hours};
