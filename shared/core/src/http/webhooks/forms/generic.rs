//! A generic form webhook (Zapier, Make, Unbounce, Jotform, Gravity Forms ...): checked by the
//! form's choice of [`WebhookAuth`]; a JSON body's scalars named by their JSON pointers, a
//! form body's by their keys (Unbounce's `data.json` and Jotform's `rawRequest`, JSON inside a
//! form post, are read as JSON too). The submission id is where the form's `id_field` points,
//! else Standard Webhooks' `webhook-id`, else an `Idempotency-Key` header.

use super::json_values::json_values;
use crate::app::FormSubmission;
use crate::config::{FormSettings, WebhookAuth};
use crate::http::common::form_body::form_values;
use crate::http::common::{body, ApiError};
use crate::http::webhooks::signatures::{
    same_secret, verify_body_hmac, verify_standard_webhooks, SignatureError, WEBHOOK_ID_HEADER,
};
use axum::http::HeaderMap;
use bytes::Bytes;
use chrono::{DateTime, Utc};

/// Form keys some senders put a JSON copy of the whole submission in.
const EMBEDDED_JSON: [&str; 2] = ["data.json", "rawRequest"];

/// Checks the request as the form's auth says.
pub(super) fn verify(
    secret: &str,
    auth: &WebhookAuth,
    headers: &HeaderMap,
    body: &[u8],
    url_key: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    match auth {
        WebhookAuth::StandardWebhooks => verify_standard_webhooks(secret, headers, body, now),
        WebhookAuth::Header(name) => verify_body_hmac(secret, name, headers, body),
        WebhookAuth::UrlKey if url_key.is_none() => Err(SignatureError::Missing),
        WebhookAuth::UrlKey if same_secret(url_key, secret) => Ok(()),
        WebhookAuth::UrlKey => Err(SignatureError::Mismatch),
    }
}

/// The submission of a JSON or form body.
pub(super) async fn submission(
    form: &FormSettings,
    headers: &HeaderMap,
    content_type: &str,
    bytes: Bytes,
) -> Result<Option<FormSubmission>, ApiError> {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let values = if essence == "application/json" || essence.ends_with("+json") {
        json_values(&body::object(&bytes)?)
    } else {
        let mut values = form_values(content_type, bytes).await?;
        let embedded: Vec<(String, String)> = values
            .iter()
            .filter(|(name, _)| EMBEDDED_JSON.contains(&name.as_str()))
            .filter_map(|(_, json)| serde_json::from_str::<serde_json::Value>(json).ok())
            .filter(serde_json::Value::is_object)
            .flat_map(|json| json_values(&json))
            .collect();
        values.retain(|(name, _)| !EMBEDDED_JSON.contains(&name.as_str()));
        values.extend(embedded);
        values
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let submission_id = form
        .id_field
        .as_deref()
        .and_then(|field| values.iter().find(|(name, _)| name == field).map(|(_, id)| id.clone()))
        .or_else(|| header(WEBHOOK_ID_HEADER))
        .or_else(|| header("idempotency-key"));
    Ok(Some(FormSubmission { values, submission_id, ..FormSubmission::default() }))
}
