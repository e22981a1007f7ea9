//! The AWS channels: SMS through AWS End User Messaging (`SendTextMessage`) and email through
//! SES v2 (`SendEmail`), each an adapter of the `Sender` port, for the tenants that choose
//! them (`[sms] provider = "aws"`, `[email] provider = "ses"`).
//!
//! # One sending discipline
//!
//! The SDK's own retries are switched off for these clients, and the providers' discipline
//! (`RetryPolicy::run`) retries instead. The SDK's standard retry classifies every I/O error
//! and timeout as transient, including a connection that broke or a response that never came
//! *after* the request went out; neither API takes an idempotency key, so a retry there could
//! text or mail a lead twice. Here, as for Twilio and Telnyx: a throttle or 5xx answer and a
//! connection that never opened are retried with backoff; a timeout or a broken exchange is
//! `OutcomeUnknown` and never resent; any other refusal is mapped by the adapter. The same
//! timeouts apply (connect 3 s, each attempt 10 s).
//!
//! # Idempotency
//!
//! Neither `SendTextMessage` nor `SendEmail` has a client token. At-most-once rests on the
//! step's claim before the send and on never resending an ambiguous failure. Our ids travel
//! with each message so its events can name it: the SMS `Context` map and the email's
//! `EmailTags` carry `tenant`, `lead` and `touch`.

mod email;
mod errors;
mod sms;

pub use email::{client as email_client, SesEmail};
pub use sms::{client as sms_client, EndUserMessagingSms};

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::SdkConfig;
use leadflow_core::config::{EmailSettings, SmsProvider, SmsSettings, TenantConfig, TenantDirectory};
use leadflow_core::domain::{Channel, TenantId};
use leadflow_core::ports::{Notifier, Sender};
use leadflow_providers::{ChatNotifier, Pacer, ProviderChannels, Rate, RetryPolicy, RoutingError};
use std::sync::Arc;

/// `sdk` for one of these clients: no SDK retries (the discipline above retries), and the
/// policy's timeouts.
fn client_config(sdk: &SdkConfig, policy: &RetryPolicy) -> SdkConfig {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(policy.connect_timeout)
        .operation_attempt_timeout(policy.timeout)
        .build();
    sdk.to_builder().retry_config(RetryConfig::disabled()).timeout_config(timeouts).build()
}

/// An adapter of `make`'s for each tenant `pick` finds settings in, on `channel`, all over one
/// client (the credentials are the function's own, not the tenant's).
fn adapters<S, C: Clone>(
    tenants: &TenantDirectory,
    channel: Channel,
    pick: impl Fn(&TenantConfig) -> Option<S>,
    client: impl FnOnce() -> C,
    make: impl Fn(C, S) -> Arc<dyn Sender>,
) -> Vec<(TenantId, Channel, Arc<dyn Sender>)> {
    let mut client = Some(client);
    let mut built: Option<C> = None;
    let mut adapters = Vec::new();
    for tenant in tenants.all() {
        if let Some(settings) = pick(tenant) {
            let client = built.get_or_insert_with(|| client.take().expect("built once")()).clone();
            adapters.push((tenant.id.clone(), channel, make(client, settings)));
        }
    }
    adapters
}

/// An SMS adapter for each tenant with `[sms] provider = "aws"`, each sending number paced at
/// its `messages_per_second`, to add to the routing (`ProviderChannels::with`).
pub fn sms_channels(
    sdk: &SdkConfig,
    tenants: &TenantDirectory,
    policy: RetryPolicy,
) -> Vec<(TenantId, Channel, Arc<dyn Sender>)> {
    let pick = |tenant: &TenantConfig| match tenant.sms.as_ref()? {
        SmsSettings { provider: SmsProvider::Aws { origination_identity, configuration_set }, messages_per_second } => {
            Some((origination_identity.clone(), configuration_set.clone(), *messages_per_second))
        }
        _ => None,
    };
    let make = |client, (origin, set, rate): (Option<String>, Option<String>, f64)| -> Arc<dyn Sender> {
        Arc::new(EndUserMessagingSms::new(client, origin, set, Pacer::new(Rate::per_second(rate)), policy))
    };
    adapters(tenants, Channel::Sms, pick, || sms::client(sdk, &policy), make)
}

/// An email adapter for each tenant with `[email] provider = "ses"`. Apart from
/// `sms_channels` so a function that sends no email does not link SES.
pub fn email_channels(
    sdk: &SdkConfig,
    tenants: &TenantDirectory,
    policy: RetryPolicy,
) -> Vec<(TenantId, Channel, Arc<dyn Sender>)> {
    let pick = |tenant: &TenantConfig| tenant.email.clone();
    let make = |client, settings: EmailSettings| -> Arc<dyn Sender> {
        let EmailSettings::Ses { from, configuration_set, reply_to } = settings;
        Arc::new(SesEmail::new(client, from, configuration_set, reply_to, policy))
    };
    adapters(tenants, Channel::Email, pick, || email::client(sdk, &policy), make)
}

/// Whether any tenant sends through AWS (so a runtime knows it needs an SDK configuration).
pub fn uses_aws_channels(tenants: &TenantDirectory) -> bool {
    tenants.all().any(|t| {
        matches!(t.sms.as_ref().map(|s| &s.provider), Some(SmsProvider::Aws { .. }))
            || matches!(t.email, Some(EmailSettings::Ses { .. }))
    })
}

/// Adapters built with the AWS SDK, by tenant and channel, to add to the routing.
pub type AwsAdapters = Vec<(TenantId, Channel, Arc<dyn Sender>)>;

/// The AWS SMS and email adapters of the tenants that choose them.
pub fn sms_and_email_channels(sdk: &SdkConfig, tenants: &TenantDirectory) -> AwsAdapters {
    let policy = RetryPolicy::default();
    let mut adapters = sms_channels(sdk, tenants, policy);
    adapters.extend(email_channels(sdk, tenants, policy));
    adapters
}

/// Where touches go and who hears of hand-offs.
pub type Outward = (Arc<dyn Sender>, Arc<dyn Notifier>);

/// How touches leave and hand-offs are told when they go to real providers, on either
/// runtime: each tenant's providers (Twilio, Telnyx, calls, voicemail), the AWS adapters
/// `aws` adds, `fallback` for whatever a tenant configures no provider for; and each tenant's
/// team chat. `public_url` is where Twilio reports deliveries (none: it does not).
pub fn live_senders(
    tenants: &TenantDirectory,
    fallback: Arc<dyn Sender>,
    public_url: Option<&str>,
    aws: AwsAdapters,
) -> Result<Outward, RoutingError> {
    let mut senders = ProviderChannels::new(tenants, fallback, public_url)?;
    for (tenant, channel, adapter) in aws {
        senders = senders.with(tenant, channel, adapter);
    }
    Ok((Arc::new(senders), Arc::new(ChatNotifier::new(tenants)?)))
}
