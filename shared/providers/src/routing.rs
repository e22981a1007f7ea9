//! One `Channel` for a whole deployment: each touch goes to the provider its tenant configured
//! for its channel, and to the runtime's default channel (the outbox locally, the log channel
//! on AWS) where a tenant configured none.

use crate::pacing::{Pacer, Rate};
use crate::send::BuildError;
use crate::send::RetryPolicy;
use crate::telnyx::{TelnyxConfig, TelnyxSms};
use crate::twilio::{TwilioAuth, TwilioConfig, TwilioSms};
use crate::twilio_voice::TwilioVoice;
use crate::voicemail::{HttpAuth, VoicemailConfig, VoicemailDrop};
use crate::Credential;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use leadflow_core::config::{SmsProvider, TenantConfig, TenantDirectory, VoiceProvider, VoicemailAuth};
use leadflow_core::domain::{Channel, TenantId};
use leadflow_core::http::{ANSWER_PATH, CALL_STATUS_PATH, STATUS_CALLBACK_PATH};
use leadflow_core::ports::{Lookup, OutboundMessage, SendError, Sender};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Why a tenant's provider could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum RoutingError {
    /// A secret the tenant's provider needs was never read (it names a parameter or variable).
    #[error("tenant {tenant}: {field} is not resolved (this runtime reads no secrets)")]
    UnresolvedSecret {
        /// The tenant whose provider needs it.
        tenant: TenantId,
        /// The tenant-file setting that holds it (`twilio.auth_token`).
        field: &'static str,
    },
    /// The tenant, named here, sends through Twilio but gives no auth token.
    #[error("tenant {0}: sending through twilio needs [twilio] auth_token")]
    NoTwilioToken(TenantId),

    /// An adapter's HTTP client could not be built.
    #[error(transparent)]
    Build(#[from] BuildError),
}

/// Touches routed by tenant and channel.
pub struct ProviderChannels {
    adapters: HashMap<(TenantId, Channel), Arc<dyn Sender>>,
    fallback: Arc<dyn Sender>,
}

impl ProviderChannels {
    /// The providers every tenant configured, over `fallback` for the rest. With the API's
    /// `public_url`, Twilio reports each message's delivery to [`STATUS_CALLBACK_PATH`];
    /// calls need it (Twilio fetches each call's TwiML from the API), else they go to `fallback`.
    pub fn new(
        tenants: &TenantDirectory,
        fallback: Arc<dyn Sender>,
        public_url: Option<&str>,
    ) -> Result<Self, RoutingError> {
        let public_url = public_url.map(|url| url.trim_end_matches('/'));
        let status_callback = public_url.map(|url| format!("{url}{STATUS_CALLBACK_PATH}"));
        let mut adapters = HashMap::new();
        for tenant in tenants.all() {
            let built = [
                (Channel::Sms, sms_adapter(tenant, status_callback.as_deref())?),
                (Channel::Voice, voice_adapter(tenant, public_url)?),
                (Channel::Voicemail, voicemail_adapter(tenant)?),
            ];
            for (channel, adapter) in built {
                if let Some(adapter) = adapter {
                    adapters.insert((tenant.id.clone(), channel), adapter);
                }
            }
        }
        Ok(Self { adapters, fallback })
    }

    /// Sends `tenant`'s touches on `channel` through `adapter`: the adapters this crate does
    /// not build (the AWS SDK ones, in leadflow-aws).
    pub fn with(mut self, tenant: TenantId, channel: Channel, adapter: Arc<dyn Sender>) -> Self {
        self.adapters.insert((tenant, channel), adapter);
        self
    }
}

impl ProviderChannels {
    /// The adapter `message` goes through.
    fn adapter(&self, message: &OutboundMessage) -> &Arc<dyn Sender> {
        self.adapters.get(&(message.tenant.clone(), message.channel)).unwrap_or(&self.fallback)
    }
}

#[async_trait]
impl Sender for ProviderChannels {
    async fn send(&self, message: &OutboundMessage, now: DateTime<Utc>) -> Result<String, SendError> {
        self.adapter(message).send(message, now).await
    }

    fn longest_send(&self, message: &OutboundMessage) -> Duration {
        self.adapter(message).longest_send(message)
    }

    async fn lookup(&self, message: &OutboundMessage, since: DateTime<Utc>) -> Lookup {
        self.adapter(message).lookup(message, since).await
    }
}

/// The tenant's SMS adapter, if it configured a provider.
fn sms_adapter(tenant: &TenantConfig, status_callback: Option<&str>) -> Result<Option<Arc<dyn Sender>>, RoutingError> {
    let Some(settings) = &tenant.sms else { return Ok(None) };
    let pacer = Pacer::new(Rate::per_second(settings.messages_per_second));
    let secret = |secret, field| exposed(tenant, field, secret).map(Credential::new);
    let adapter: Arc<dyn Sender> = match &settings.provider {
        SmsProvider::Twilio { account_sid, messaging_service_sid, api_url } => {
            let mut config = twilio_account(tenant, account_sid, api_url)?;
            config.messaging_service_sid = messaging_service_sid.clone();
            config.status_callback = status_callback.map(str::to_owned);
            Arc::new(TwilioSms::new(config, pacer)?)
        }
        SmsProvider::Telnyx { api_key, messaging_profile_id, api_url } => {
            let mut config = TelnyxConfig::new(secret(api_key, "telnyx.api_key")?);
            config.messaging_profile_id = messaging_profile_id.clone();
            if let Some(url) = api_url {
                config.base_url = url.clone();
            }
            Arc::new(TelnyxSms::new(config, pacer)?)
        }
        // Built with the AWS SDK by leadflow-aws, which adds it with `with`.
        SmsProvider::Aws { .. } => return Ok(None),
    };
    Ok(Some(adapter))
}

/// The tenant's Twilio account, authenticated with its `[twilio] auth_token`.
fn twilio_account(
    tenant: &TenantConfig,
    account_sid: &str,
    api_url: &Option<String>,
) -> Result<TwilioConfig, RoutingError> {
    let token = tenant.twilio_auth_token.as_ref().ok_or_else(|| RoutingError::NoTwilioToken(tenant.id.clone()))?;
    let token = Credential::new(exposed(tenant, "twilio.auth_token", token)?);
    let mut config = TwilioConfig::new(account_sid, TwilioAuth::AuthToken(token));
    if let Some(url) = api_url {
        config.base_url = url.clone();
    }
    Ok(config)
}

/// The tenant's voice adapter, if it configured a provider and the API has a public URL:
/// Twilio fetches each call's script from it. Without one (the inbound function, which places
/// no calls; `leadflow dev` without `--public-url`), calls go to the default channel.
fn voice_adapter(tenant: &TenantConfig, public_url: Option<&str>) -> Result<Option<Arc<dyn Sender>>, RoutingError> {
    let Some(settings) = &tenant.voice else { return Ok(None) };
    let Some(public_url) = public_url else {
        tracing::warn!(tenant = %tenant.id, "no public URL for Twilio to fetch call scripts from: calls go to the default channel");
        return Ok(None);
    };
    let pacer = Pacer::new(Rate::per_second(settings.calls_per_second));
    let caller_id = settings.from.as_ref().map(ToString::to_string);
    let adapter = match &settings.provider {
        VoiceProvider::Twilio { account_sid, api_url } => {
            let account = twilio_account(tenant, account_sid, api_url)?;
            let (answer, status) = (format!("{public_url}{ANSWER_PATH}"), format!("{public_url}{CALL_STATUS_PATH}"));
            TwilioVoice::new(&account, answer, status, caller_id, pacer)?
        }
    };
    Ok(Some(Arc::new(adapter)))
}

/// The tenant's ringless-voicemail vendor, if it configured one.
fn voicemail_adapter(tenant: &TenantConfig) -> Result<Option<Arc<dyn Sender>>, RoutingError> {
    let Some(settings) = &tenant.voicemail else { return Ok(None) };
    let secret = Credential::new(exposed(tenant, "voicemail.secret", settings.auth.secret())?);
    let auth = match &settings.auth {
        VoicemailAuth::Bearer(_) => HttpAuth::Bearer(secret),
        VoicemailAuth::Basic { username, .. } => HttpAuth::Basic { username: username.clone(), password: secret },
        VoicemailAuth::Header { name, .. } => HttpAuth::Header { name: name.clone(), value: secret },
    };
    let config = VoicemailConfig {
        url: settings.url.clone(),
        auth,
        from: settings.from.as_ref().map(ToString::to_string),
        audio_url: settings.audio_url.clone(),
        body: settings.body.clone(),
        retry: RetryPolicy::default(),
    };
    let pacer = Pacer::new(Rate::per_second(settings.drops_per_second));
    Ok(Some(Arc::new(VoicemailDrop::new(config, pacer)?)))
}

/// A tenant's secret, which this runtime must have resolved.
pub(crate) fn exposed<'s>(
    tenant: &TenantConfig,
    field: &'static str,
    secret: &'s leadflow_core::config::Secret,
) -> Result<&'s str, RoutingError> {
    secret.expose().ok_or_else(|| RoutingError::UnresolvedSecret { tenant: tenant.id.clone(), field })
}
