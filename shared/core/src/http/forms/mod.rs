//! `POST /v1/forms/{form_id}`: a plain HTML `<form>` on any page, with the form's public id
//! (not an API key: the page is public). A bot that fills the honeypot is answered as a person
//! would be and nothing is recorded; a flood is refused past the form's posts a minute; the
//! consent wording is the tenant file's (what the page showed), and the lead's IP address and
//! browser are kept with it. `OPTIONS` answers a `fetch()`'s preflight for allowed origins.

mod answer;

use crate::app::{Counter, FormSubmission};
use crate::config::{FormId, FormKind, FormSettings, HtmlForm, TenantConfig};
use crate::http::common::form_body::form_values;
use crate::http::common::{body, client_ip, user_agent, ApiError, HttpState};
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The tenant and HTML form a public form id names; another kind of form is not found here
/// (it posts to `/v1/webhooks/forms/{id}`).
fn html_form(state: &HttpState, id: &str) -> Result<(Arc<TenantConfig>, FormSettings, HtmlForm), ApiError> {
    let not_found = || ApiError::NotFound(format!("no form {id}"));
    let id = FormId::parse(id).map_err(|_| not_found())?;
    let tenant = state.app.tenants.by_form(&id).ok_or_else(not_found)?;
    let form = tenant.form(&id).cloned().ok_or_else(not_found)?;
    match &form.kind {
        FormKind::Html(html) => {
            let html = html.clone();
            Ok((tenant, form, html))
        }
        _ => Err(not_found()),
    }
}

pub(crate) async fn post(State(state): State<HttpState>, Path(id): Path<String>, request: Request) -> Response {
    let json = answer::wants_json(request.headers());
    let origin = answer::origin(request.headers()).map(str::to_owned);
    let (tenant, form, html) = match html_form(&state, &id) {
        Ok(found) => found,
        Err(error) => return answer::refused(error, json),
    };
    let response = match submit(&state, &tenant, &form, &html, request, json, origin.as_deref()).await {
        Ok(response) => response,
        Err(error) => answer::refused(error, json),
    };
    answer::with_cors(response, &html, origin.as_deref())
}

async fn submit(
    state: &HttpState,
    tenant: &TenantConfig,
    form: &FormSettings,
    html: &HtmlForm,
    request: Request,
    json: bool,
    origin: Option<&str>,
) -> Result<Response, ApiError> {
    if !answer::allowed(html, origin) {
        return Err(ApiError::Forbidden(format!("posts from {} are not allowed to this form", origin.unwrap_or("?"))));
    }
    if let Some(retry_after) = state.app.form_over_limit(tenant, form).await? {
        tracing::warn!(tenant = %tenant.id, form = %form.id, "form post refused: over the form's posts a minute");
        return Err(ApiError::TooManyRequests(retry_after));
    }
    let (parts, request_body) = request.into_parts();
    let content_type = header_text(&parts.headers, header::CONTENT_TYPE).unwrap_or_default();
    let bytes = body::read(request_body).await?;
    let values = form_values(&content_type, bytes.clone()).await?;
    let submission = FormSubmission {
        submission_id: header_text(&parts.headers, "idempotency-key".parse().expect("a header name")),
        ip: client_ip(&parts).map(|ip| ip.to_string()),
        user_agent: user_agent(&parts.headers),
        content_type,
        body: bytes.to_vec(),
        values,
    };
    if submission.value(&html.honeypot).is_some_and(|v| !v.is_empty()) {
        tracing::info!(tenant = %tenant.id, form = %form.id, "form post dropped: its honeypot was filled");
        let counter = Counter::SpamPost { source: form.source.clone() };
        let today = state.app.clock.now().date_naive();
        if let Err(error) = state.app.store.add_counts(&tenant.id, today, &[(counter.key(), 1)]).await {
            tracing::warn!(%error, "spam counter not updated");
        }
        return Ok(answer::accepted(html, json));
    }
    state.app.form_post(tenant, form, submission).await?;
    Ok(answer::accepted(html, json))
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// `OPTIONS /v1/forms/{form_id}`: a `fetch()`'s preflight, allowed for the form's origins.
pub(crate) async fn preflight(State(state): State<HttpState>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let origin = answer::origin(&headers);
    let Ok((_, _, html)) = html_form(&state, &id) else { return StatusCode::NOT_FOUND.into_response() };
    if origin.is_none() || html.allowed_origins.is_empty() || !answer::allowed(&html, origin) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    let h = response.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST"));
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("content-type, accept, idempotency-key"));
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    answer::with_cors(response, &html, origin)
}
