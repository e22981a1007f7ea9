//! What the SNS webhooks share: read the body, let the gate verify it (and confirm a
//! subscription), and hand on a notification's `Message` as the JSON its publisher wrote.

use super::sns::SnsNotification;
use crate::app::FieldError;
use crate::http::common::body::{self, typed};
use crate::http::common::{ApiError, HttpState};
use axum::body::Body;
use serde::de::DeserializeOwned;

/// A verified notification with its `Message` read as `T`; `None` for a (un)subscribe
/// confirmation, already handled.
pub(super) async fn verified_notification<T: DeserializeOwned>(
    state: &HttpState,
    request: Body,
) -> Result<Option<(SnsNotification, T)>, ApiError> {
    let bytes = body::read(request).await?;
    let value = body::object(&bytes)?;
    let Some(notification) = state.sns.receive(&value, state.app.clock.now()).await? else {
        return Ok(None);
    };
    let message: serde_json::Value = serde_json::from_str(&notification.message)
        .map_err(|e| ApiError::Malformed(FieldError::new("Message", format!("is not JSON: {e}"))))?;
    let typed: T = typed(&message).map_err(within_message)?;
    Ok(Some((notification, typed)))
}

/// A field of the message named as the sender sees it: within the SNS document's `Message`.
fn within_message(error: ApiError) -> ApiError {
    match error {
        // A missing field is reported at the root ("."): the message names it.
        ApiError::Malformed(FieldError { field, message }) if field == "." => {
            ApiError::Malformed(FieldError::new("Message", message))
        }
        ApiError::Malformed(FieldError { field, message }) => {
            ApiError::Malformed(FieldError::new(format!("Message.{field}"), message))
        }
        other => other,
    }
}
