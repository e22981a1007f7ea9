//! leadflow's common code: everything above the adapters.
//!
//! Layers, inside out: `domain` (types that carry their invariants), `engine` (pure
//! decisions), `config` (tenant files), `ports` (what the use cases need from the world),
//! `app` (the use cases) and `http` (the routes the Lambda functions and `leadflow dev` share);
//! `twiml` writes what Twilio runs on a call, for the voice adapter and the webhooks alike.

pub mod app;
pub mod config;
pub mod domain;
pub mod engine;
pub mod http;
pub mod ports;
pub mod redact;
pub mod twiml;
