//! leadflow's API end to end: one test binary, each test on its own server on port 0.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod aws_sns;
mod bookings;
mod cadence;
mod calls_in;
mod clean_stop;
mod connections;
mod consent_race;
mod dashboard;
mod delivery;
mod dev;
mod dev_process;
mod dnc;
mod errors;
mod events;
mod experiments;
mod form_webhooks;
mod forms;
mod google_ads;
mod handoff;
mod hipaa;
mod imports;
mod intake;
mod isolation;
mod meta;
mod providers;
mod reports;
mod restart;
mod routing;
mod scores;
mod ses;
mod stages;
mod telnyx;
mod unsubscribe;
mod voice;
mod voicemail;
mod webhooks;
