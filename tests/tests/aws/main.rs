//! The Lambda handlers end to end against a local AWS emulator (moto server): the intake,
//! step, inbound and report handlers fed with the sample events of `events/`, over real
//! DynamoDB, SQS and EventBridge Scheduler wire protocols. The emulator never fires schedules,
//! so the harness reads them back and fires them into the real queue as Scheduler would.
//!
//! Needs `AWS_ENDPOINT_URL` (tests/run exports it); without it every test fails.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod bookings;
mod delivery;
mod experiments;
mod flow;
mod handoff;
mod harness;
mod providers;
mod scores;
mod secrets;
mod sns;
mod sources;
mod stages;
mod telnyx;
mod timing;
mod triggers;
mod unsubscribe;
mod voice;
