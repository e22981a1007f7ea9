//! The AWS channels against the real wire protocols, served by wiremock on loopback: the SDK
//! signs (SigV4) and serialises exactly as it would for AWS. (moto 5.2.5 emulates SES v2 but
//! not pinpoint-sms-voice-v2, and neither lets a test choose a refusal or a slow answer.)

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod email;
mod sms;
mod support;
