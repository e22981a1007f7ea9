//! `POST /v1/webhooks/twilio/status?lead=…&touch=…`: Twilio's report of how a message it
//! accepted ended.

use super::verified::verified;
use crate::domain::{twilio_undeliverable, Channel, Delivery, DeliveryState, LeadId, TouchId};
use crate::http::common::{ApiError, HttpState, Query};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// The state is recorded on the touch (`delivery`); a failure whose code says the number can
/// never receive SMS also closes the lead's SMS channel, as a refusal at send time would. The
/// lead and touch come from the query leadflow put in the callback URL, which Twilio signs.
pub(crate) async fn status_callback(
    State(state): State<HttpState>,
    headers: HeaderMap,
    uri: Uri,
    Query(query): Query<StatusQuery>,
    request: Body,
) -> Result<Response, ApiError> {
    let form = verified(&state, &headers, &uri, request, "From").await?;
    let status = form.param("MessageStatus").unwrap_or_default();
    let code = form.param("ErrorCode").and_then(|c| c.parse::<u32>().ok());
    let lead = query.lead.as_deref().map(LeadId::parse).transpose().map_err(|e| ApiError::field("lead", e))?;
    let touch = query.touch.as_deref().map(TouchId::parse).transpose().map_err(|e| ApiError::field("touch", e))?;
    if let (Some(state_now), Some(lead), Some(touch)) = (DeliveryState::from_twilio(status), &lead, &touch) {
        let delivery = Delivery { state: state_now, at: state.app.clock.now(), error_code: code };
        let recorded = state.app.record_delivery(&form.tenant.id, lead, touch, delivery).await?;
        // Once per touch: a final state is recorded once (a retried callback is not).
        if let (true, Some(signal)) = (recorded, state_now.signal(Channel::Sms)) {
            state.app.record_signal(&form.tenant.id, lead, signal, Some(Channel::Sms)).await?;
        }
    }
    if let (true, Some(code), Some(lead)) = (matches!(status, "failed" | "undelivered"), code, lead) {
        let detail = format!("twilio reported the message {status} with error {code}");
        let reason = twilio_undeliverable(code);
        state.app.close_channel(&form.tenant.id, &lead, Channel::Sms, reason, &detail).await?;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The query leadflow adds to each message's status callback URL.
#[derive(Deserialize)]
pub(crate) struct StatusQuery {
    lead: Option<String>,
    touch: Option<String>,
}
