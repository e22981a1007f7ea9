//! Inbound SMS from carriers that take no answer in the webhook's response (Telnyx, AWS End
//! User Messaging): the use case runs, and its answer (HELP's text, a confirmation) goes back
//! to the sender through the app's channel — the tenant's SMS provider, or locally the outbox.

use crate::app::{InboundSms, SmsAnswer};
use crate::config::TenantConfig;
use crate::domain::PhoneNumber;
use crate::http::common::{ApiError, HttpState};
use crate::ports::OutboundMessage;

/// Handles `sms` to the tenant's number `to` and sends the answer, if any, from `to`. A send
/// that fails is logged, not returned: the inbound message is handled, and a 5xx would only
/// make the carrier post it again. `event` names the carrier's event in the logs.
pub(super) async fn answer_inbound_sms(
    state: &HttpState,
    tenant: &TenantConfig,
    to: &PhoneNumber,
    sms: InboundSms,
    event: Option<&str>,
) -> Result<(), ApiError> {
    let from = sms.from.clone();
    let answer = state.app.inbound_sms(tenant, sms).await?;
    let SmsAnswer::Reply(text) = answer else { return Ok(()) };
    let now = state.app.clock.now();
    let reply = OutboundMessage::sms_reply(tenant.id.clone(), to, &from, text, now);
    match state.app.sender.send(&reply, now).await {
        Ok(provider_id) => tracing::info!(tenant = %tenant.id, touch = %reply.touch_id, %provider_id, "reply sent"),
        Err(error) => tracing::warn!(tenant = %tenant.id, event, touch = %reply.touch_id, %error, "reply not sent"),
    }
    Ok(())
}
