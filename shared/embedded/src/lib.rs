//! The embedded adapters behind `leadflow dev` and the tests: everything in one redb file.
//!
//! - `EmbeddedStore`: the `LeadStore` port over redb, with group commit so that many
//!   concurrent writers share one fsync.
//! - `LocalScheduler`: the `TouchScheduler` port as a persistent table plus a timer task;
//!   pending touches survive a restart and fire once (the step use case's claim sees to it).
//! - `OutboxChannel`: the `Sender` port that records (and prints) instead of sending, and
//!   knows exactly which touches it has (what settles a touch a crash left unrecorded).
//! - `ManualClock`.

#![warn(missing_docs)]

mod clock;
mod outbox;
mod schedule;
mod store;

pub use clock::ManualClock;
pub use outbox::{OutboxChannel, OutboxEntry};
pub use schedule::LocalScheduler;
pub use store::EmbeddedStore;
