//! The providers against real HTTP on loopback (wiremock): one test binary.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod discipline;
mod support;
mod telnyx;
mod twilio;
mod twilio_lookup;
mod voice;
mod voicemail;
mod web;
