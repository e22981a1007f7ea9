//! leadflow's outbound providers: SMS through [`TwilioSms`] and [`TelnyxSms`], calls through
//! [`TwilioVoice`], ringless voicemail through any HTTP vendor ([`VoicemailDrop`]); each an
//! adapter of the [`Channel`](leadflow_core::ports::Sender) port, sharing one way of talking
//! to a provider.
//!
//! # The sending discipline ([`send`])
//!
//! A touch must reach the lead at most once, and neither provider's send endpoint dedupes
//! for us (Twilio has no idempotency key; Telnyx's send-message endpoint declares none). So:
//!
//! - **Timeout per attempt** (default 10 s; [`RetryPolicy::timeout`]), a shorter connect
//!   timeout (default 3 s), and no redirects followed.
//! - **Retry only what cannot duplicate, or what the provider asked for:** a connection that
//!   never opened (nothing was sent), HTTP 429 and 5xx. Backoff doubles from
//!   [`RetryPolicy::base_delay`] with equal jitter; a `Retry-After` in seconds on 429/503 is
//!   waited out instead; every wait is capped at [`RetryPolicy::max_delay`]; at most
//!   [`RetryPolicy::attempts`] attempts (default 3), then
//!   [`SendError::Transient`](leadflow_core::ports::SendError::Transient).
//! - **Never retry an ambiguous failure:** a timeout or broken connection once the request
//!   was sent, or a 2xx whose body cannot be read, may mean the provider took the message.
//!   That is [`SendError::OutcomeUnknown`](leadflow_core::ports::SendError::OutcomeUnknown):
//!   the touch is recorded as failed and never sent again.
//! - **Any other 4xx is the adapter's to read:** its error code becomes an
//!   [`Undeliverable`](leadflow_core::ports::Undeliverable) (opted out, invalid, unreachable,
//!   blocked; anything of ours, like credentials or the sender, is `Rejected`, which leaves
//!   the lead's channel open). Never retried.
//!
//! # Pacing ([`pacing`])
//!
//! Before each send the adapter waits for a token of its sending number's bucket
//! ([`Pacer`]): 1/s for a long code, 3/s toll-free, 100/s for a short code, per process.
//!
//! # Secrets and logs ([`redact`])
//!
//! Auth tokens and API keys are held as [`Credential`], which `Debug` and `Display` never show.
//! Logs (`tracing`, info on success, warn on failure) carry the touch id, the provider and
//! its message id, and phone numbers masked to their last four digits; never the message
//! body. Phone numbers quoted in providers' error messages are masked in the error detail too.
//!
//! # Crates
//!
//! `reqwest` with rustls on ring and the OS trust store (the TLS stack the rest of leadflow
//! uses; no OpenSSL, no aws-lc-rs), `fastrand` for jitter, `tokio::time` for every wait (so
//! tests can pause time), `wiremock` in the tests, which run against real HTTP on loopback.

#![warn(missing_docs)]

pub mod chat;
pub mod credential;
pub mod meta;
pub mod pacing;
pub mod routing;
pub mod send;
pub mod telnyx;
pub mod twilio;
pub mod twilio_voice;
pub mod voicemail;
pub mod web;

pub use chat::ChatNotifier;
pub use credential::Credential;
pub use meta::GraphApi;
pub use pacing::{Pacer, Rate};
pub use routing::{ProviderChannels, RoutingError};
pub use send::{Attempt, BuildError, HttpSender, RetryPolicy};
pub use telnyx::{TelnyxConfig, TelnyxSms};
pub use twilio::{TwilioAuth, TwilioConfig, TwilioSms};
pub use twilio_voice::TwilioVoice;
pub use voicemail::{HttpAuth, VoicemailConfig, VoicemailDrop};
pub use web::HttpGet;

use leadflow_core::domain::Channel;
use leadflow_core::ports::{OutboundMessage, SendError, Undeliverable};

/// A refusal of ours (configuration, wrong channel): the lead's channel stays open.
pub fn rejected(detail: impl Into<String>) -> SendError {
    SendError::Permanent { reason: Undeliverable::Rejected, detail: detail.into() }
}

/// Each adapter carries one channel.
pub fn require_channel(provider: &str, channel: Channel, message: &OutboundMessage) -> Result<(), SendError> {
    if message.channel == channel {
        Ok(())
    } else {
        Err(rejected(format!("{provider}: this adapter sends {channel}, not {}", message.channel)))
    }
}

/// One log line per send: the touch, the channel, the masked address, the provider's id or
/// the error; never the body.
pub fn log_outcome(provider: &str, message: &OutboundMessage, result: &Result<String, SendError>) {
    let (to, channel) = (leadflow_core::redact::mask_address(&message.to), message.channel.as_str());
    match result {
        Ok(id) => tracing::info!(provider, channel, touch = %message.touch_id, %to, %id, "touch accepted"),
        Err(error) => tracing::warn!(provider, channel, touch = %message.touch_id, %to, %error, "touch not sent"),
    }
}
