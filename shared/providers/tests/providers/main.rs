//! The providers against real HTTP on loopback (wiremock): one test binary.

mod discipline;
mod support;
mod telnyx;
mod twilio;
mod twilio_lookup;
mod voice;
mod voicemail;
mod web;
