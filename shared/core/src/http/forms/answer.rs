//! What a form post answers: a browser that posted a `<form>` is sent on (303 to the form's
//! thank-you page) or shown a short page saying what to correct; a `fetch()` that asks for
//! JSON gets JSON, readable from the form's allowed origins (CORS).

use crate::config::HtmlForm;
use crate::http::common::{xml_escape, ApiError};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Whether the caller asked for JSON (`Accept: application/json`) rather than a page.
pub(super) fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/json"))
}

/// The request's `Origin`, if it sent one.
pub(super) fn origin(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()).filter(|o| !o.is_empty() && *o != "null")
}

/// Whether `origin` may post to the form: any origin if the form names none, else one of them.
pub(super) fn allowed(form: &HtmlForm, origin: Option<&str>) -> bool {
    match origin {
        Some(origin) if !form.allowed_origins.is_empty() => {
            form.allowed_origins.iter().any(|allowed| allowed.eq_ignore_ascii_case(origin))
        }
        _ => true,
    }
}

/// Adds the CORS headers that let an allowed origin's script read `response`.
pub(super) fn with_cors(mut response: Response, form: &HtmlForm, origin: Option<&str>) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    let listed = origin.filter(|o| form.allowed_origins.iter().any(|a| a.eq_ignore_ascii_case(o)));
    if let Some(value) = listed.and_then(|o| HeaderValue::from_str(o).ok()) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
    response
}

/// The answer to an accepted post, or to a bot's, which must look the same: the page's own
/// script learns that the post arrived, and nothing about the lead.
pub(super) fn accepted(form: &HtmlForm, json: bool) -> Response {
    if json {
        return (StatusCode::ACCEPTED, Json(json!({ "received": true }))).into_response();
    }
    match &form.thank_you {
        Some(url) => match HeaderValue::from_str(url) {
            Ok(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
            Err(_) => page(StatusCode::OK, "Thank you", "<p>Thank you! We will be in touch shortly.</p>"),
        },
        None => page(StatusCode::OK, "Thank you", "<p>Thank you! We will be in touch shortly.</p>"),
    }
}

/// A refused post: JSON as the API answers it, or a page naming each field and why.
pub(super) fn refused(error: ApiError, json: bool) -> Response {
    if json {
        return error.into_response();
    }
    let status = error.status();
    let body = match &error {
        ApiError::Invalid(fields) => {
            let items: String = fields
                .iter()
                .map(|f| format!("<li><strong>{}</strong>: {}</li>", xml_escape(&f.field), xml_escape(&f.message)))
                .collect();
            format!("<p>Please go back and check:</p><ul>{items}</ul>")
        }
        ApiError::NotFound(_) => {
            "<p>This form is not valid: the page may be out of date. Please contact the business directly.</p>"
                .to_owned()
        }
        other => format!("<p>{}</p>", xml_escape(&other.to_string())),
    };
    let mut response = page(
        status,
        "Please check the form",
        &format!("{body}<p>Use your browser's Back button to correct the form.</p>"),
    );
    if let ApiError::TooManyRequests(seconds) = error {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// A small self-contained page: no scripts, no outside assets.
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}}</style>\
         </head><body><h1>{title}</h1>{body}</body></html>"
    );
    let mut response = (status, Html(html)).into_response();
    let csp = HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'");
    response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, csp);
    response
}
