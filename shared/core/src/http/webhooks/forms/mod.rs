//! `POST /v1/webhooks/forms/{form_id}`: form tools that sign their webhooks — Typeform,
//! Webflow, and a generic sender (Zapier, Make, Unbounce, Jotform, Gravity Forms) — each
//! checked with its form's secret on the raw bytes before anything in it is read. A bad
//! signature is 403 and records nothing. The submission goes through intake like any lead,
//! its id as the idempotency key, so a tool's retries are one lead.

mod generic;
mod json_values;
mod typeform;
mod webflow;

use super::signatures::SignatureError;
use crate::app::FormSubmission;
use crate::config::{FormId, FormKind, FormSettings, Secret};
use crate::http::common::receipt_response;
use crate::http::common::{body, ApiError, HttpState, Query};
use axum::extract::{Path, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

/// The URL's query: `?key=` for a sender that cannot sign.
#[derive(Deserialize)]
pub(crate) struct KeyQuery {
    key: Option<String>,
}

fn forbidden(reason: impl std::fmt::Display) -> ApiError {
    ApiError::Forbidden(format!("the request is not signed with this form's secret: {reason}"))
}

/// A form's secret, resolved at start (a missing one refuses every request, never panics).
fn secret_of(secret: &Secret) -> Result<&str, ApiError> {
    secret.expose().ok_or_else(|| forbidden("the form's secret is not available"))
}

pub(crate) async fn post(
    State(state): State<HttpState>,
    Path(id): Path<String>,
    Query(query): Query<KeyQuery>,
    request: Request,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::NotFound(format!("no form {id}"));
    let form_id = FormId::parse(&id).map_err(|_| not_found())?;
    let tenant = state.app.tenants.by_form(&form_id).ok_or_else(not_found)?;
    let form: FormSettings = tenant.form(&form_id).cloned().ok_or_else(not_found)?;
    let (parts, request_body) = request.into_parts();
    let bytes = body::read(request_body).await?;
    let content_type =
        parts.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("application/json").to_owned();
    let now = state.app.clock.now();
    let refused = |error: SignatureError| {
        tracing::warn!(tenant = %tenant.id, form = %form.id, %error, "form webhook refused");
        forbidden(error)
    };
    // Nothing of the body is read before its signature holds.
    let read = match &form.kind {
        FormKind::Html(_) => return Err(not_found()),
        FormKind::Typeform { secret } => {
            super::signatures::verify_typeform(secret_of(secret)?, &parts.headers, &bytes).map_err(refused)?;
            typeform::submission(&form, &bytes)?
        }
        FormKind::Webflow { secret } => {
            super::signatures::verify_webflow(secret_of(secret)?, &parts.headers, &bytes, now).map_err(refused)?;
            webflow::submission(&bytes)?
        }
        FormKind::Webhook { secret, auth } => {
            generic::verify(secret_of(secret)?, auth, &parts.headers, &bytes, query.key.as_deref(), now)
                .map_err(refused)?;
            generic::submission(&form, &parts.headers, &content_type, bytes.clone()).await?
        }
    };
    let Some(values) = read else {
        // A tool's own test ping, or an event that is not a submission: acknowledged.
        return Ok(Json(serde_json::json!({ "ignored": true })).into_response());
    };
    if let Some(retry_after) = state.app.form_over_limit(&tenant, &form).await? {
        return Err(ApiError::TooManyRequests(retry_after));
    }
    let submission = FormSubmission { content_type, body: bytes.to_vec(), ..values };
    let accepted = state.app.form_post(&tenant, &form, submission).await?;
    Ok(receipt_response(StatusCode::OK, accepted))
}
