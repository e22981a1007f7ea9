//! `POST /v1/webhooks/aws/sms`: two-way SMS from AWS End User Messaging, which publishes each
//! message to an SNS topic that this URL subscribes to. The SNS message is verified first
//! (`sns`); its `Message` is the inbound SMS
//! (<https://docs.aws.amazon.com/sms-voice/latest/userguide/two-way-sms-payload.html>).
//! The tenant is the owner of `destinationNumber`, the lead the sender; AWS takes no answer in
//! the response, so HELP's text and confirmations go out through the tenant's channel.

use super::notification::verified_notification;
use crate::app::InboundSms;
use crate::domain::PhoneNumber;
use crate::http::common::{ApiError, HttpState};
use crate::http::webhooks::sms_answer::answer_inbound_sms;
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

/// The two-way SMS payload (`messageKeyword`, `previousPublishedMessageId` are not needed).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InboundMessage {
    origination_number: String,
    destination_number: String,
    #[serde(default)]
    message_body: String,
    inbound_message_id: Option<String>,
}

pub(crate) async fn inbound_sms(State(state): State<HttpState>, request: Body) -> Result<StatusCode, ApiError> {
    let Some((notification, message)) = verified_notification::<InboundMessage>(&state, request).await? else {
        return Ok(StatusCode::OK);
    };
    let to = PhoneNumber::from_e164(&message.destination_number)
        .map_err(|e| ApiError::field("Message.destinationNumber", e))?;
    let tenant = state
        .app
        .tenants
        .by_number(&to)
        .ok_or_else(|| ApiError::field("Message.destinationNumber", "is not a sending number of any tenant"))?;
    let from = PhoneNumber::from_e164(&message.origination_number)
        .map_err(|e| ApiError::field("Message.originationNumber", e))?;
    // SNS delivers at least once: the message is handled once per id.
    let event = message.inbound_message_id.unwrap_or(notification.message_id);
    let sms = InboundSms { from, body: message.message_body, message_id: Some(event.clone()) };
    answer_inbound_sms(&state, &tenant, &to, sms, Some(&event)).await?;
    Ok(StatusCode::OK)
}
