//! SMS through AWS End User Messaging (pinpoint-sms-voice-v2 `SendTextMessage`).

use super::errors::send_logged;
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_pinpointsmsvoicev2::operation::send_text_message::SendTextMessageError;
use aws_sdk_pinpointsmsvoicev2::Client;
use chrono::{DateTime, Utc};
use leadflow_core::domain::Channel;
use leadflow_core::ports::{OutboundMessage, SendError, Sender, Undeliverable};
use leadflow_providers::{rejected, require_channel, Pacer, RetryPolicy};

const PROVIDER: &str = "aws-sms";

/// The service's client, with the sending discipline's retries and timeouts.
pub fn client(sdk: &SdkConfig, policy: &RetryPolicy) -> Client {
    Client::new(&super::client_config(sdk, policy))
}

/// Sends SMS touches through AWS End User Messaging.
#[derive(Debug, Clone)]
pub struct EndUserMessagingSms {
    client: Client,
    /// Sends from this phone number, pool or sender id (or its ARN) rather than the
    /// message's `from` (the tenant's first sending number).
    origination_identity: Option<String>,
    configuration_set: Option<String>,
    pacer: Pacer,
    policy: RetryPolicy,
}

impl EndUserMessagingSms {
    /// An adapter over `client`, pacing each origination identity with `pacer`.
    pub fn new(
        client: Client,
        origination_identity: Option<String>,
        configuration_set: Option<String>,
        pacer: Pacer,
        policy: RetryPolicy,
    ) -> Self {
        Self { client, origination_identity, configuration_set, pacer, policy }
    }
}

#[async_trait]
impl Sender for EndUserMessagingSms {
    async fn send(&self, message: &OutboundMessage, _now: DateTime<Utc>) -> Result<String, SendError> {
        require_channel(PROVIDER, Channel::Sms, message)?;
        let Some(origin) = self.origination_identity.as_deref().or(message.from.as_deref()) else {
            return Err(rejected("aws-sms: no origination identity and no from number on the message"));
        };
        let mut request = self
            .client
            .send_text_message()
            .destination_phone_number(&message.to)
            .origination_identity(origin)
            .message_body(&message.body)
            .set_configuration_set_name(self.configuration_set.clone())
            // Delivery events carry the context back: they can name the touch and its lead.
            .context("tenant", message.tenant.as_str())
            .context("touch", message.touch_id.as_str());
        if let Some(lead) = &message.lead_id {
            request = request.context("lead", lead.as_str());
        }

        self.pacer.acquire(origin).await;
        let call = || request.clone().send();
        send_logged(PROVIDER, &self.policy, message, call, undeliverable, |output| output.message_id).await
    }
}

/// What a refusal says about the lead's number (reasons from the API reference's
/// `ConflictException` and `ValidationException`):
///
/// - `ConflictException` `DESTINATION_PHONE_NUMBER_OPTED_OUT`: the number is on the
///   configuration's opt-out list (it texted STOP to one of our numbers).
/// - `ValidationException` naming the `DestinationPhoneNumber` field: not a number that can
///   take an SMS (malformed, or the wrong kind).
///
/// Everything else is ours and leaves the lead's channel open: `AccessDeniedException`,
/// `ResourceNotFoundException` (the origination identity or configuration set),
/// `ServiceQuotaExceededException` (spend limit), a sandbox account's unverified destination
/// (`DESTINATION_PHONE_NUMBER_NOT_VERIFIED`), `DESTINATION_COUNTRY_BLOCKED` (the account's
/// country settings), `INVALID_IDENTITY_FOR_DESTINATION_COUNTRY` (our sender).
fn undeliverable(error: &SendTextMessageError) -> Undeliverable {
    match error {
        SendTextMessageError::ConflictException(conflict)
            if conflict.reason().is_some_and(|r| r.as_str() == "DESTINATION_PHONE_NUMBER_OPTED_OUT") =>
        {
            Undeliverable::OptedOutAtCarrier
        }
        SendTextMessageError::ValidationException(invalid)
            if invalid.fields().iter().any(|f| f.name().eq_ignore_ascii_case("DestinationPhoneNumber")) =>
        {
            Undeliverable::InvalidAddress
        }
        _ => Undeliverable::Rejected,
    }
}
