//! `/u/{token}`: the one-click unsubscribe link in every email.
//!
//! `POST` unsubscribes: what a mail client sends for `List-Unsubscribe-Post:
//! List-Unsubscribe=One-Click` (RFC 8058), and what the confirmation page's button sends.
//! `GET` only shows that page: mail scanners and link previews fetch every URL in a message,
//! so a GET that unsubscribed would unsubscribe leads who never asked.

use crate::app::{UnsubscribeError, Unsubscribed};
use crate::http::common::{body, xml_escape, ApiError, HttpState};
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// What RFC 8058 has the mail client post.
const ONE_CLICK: &str = "List-Unsubscribe=One-Click";

fn page(status: StatusCode, title: &str, paragraph: &str, form: bool) -> Response {
    let form = if form {
        // No action: the form posts back to this very URL, token included.
        "<form method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
         <button type=\"submit\">Unsubscribe</button></form>"
    } else {
        ""
    };
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}}\
         button{{font-size:1rem;padding:.5rem 1.25rem}}</style></head>\
         <body><h1>{title}</h1><p>{paragraph}</p>{form}</body></html>",
        title = xml_escape(title),
        paragraph = xml_escape(paragraph),
    );
    (status, Html(html)).into_response()
}

fn not_found() -> Response {
    let text = "This unsubscribe link is not valid. Please use the link in the most recent email you received.";
    page(StatusCode::NOT_FOUND, "Link not valid", text, false)
}

/// `GET /u/{token}`: asks to confirm, changing nothing.
pub(crate) async fn confirm_page(
    State(state): State<HttpState>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    // A token that is not even UTF-8 is none of ours either.
    let Ok(Path(token)) = path else { return not_found() };
    let Ok(token) = state.app.read_unsubscribe_token(&token) else { return not_found() };
    let business = state.app.tenants.get(&token.tenant).map(|t| t.name.clone()).unwrap_or_default();
    let text = format!("Stop receiving emails from {business}? Text messages you agreed to are not affected.");
    page(StatusCode::OK, "Unsubscribe", &text, true)
}

/// `POST /u/{token}`: opts the lead out of email. A repeat answers the same.
pub(crate) async fn one_click(
    State(state): State<HttpState>,
    path: Result<Path<String>, PathRejection>,
    request: Body,
) -> Result<Response, ApiError> {
    let Ok(Path(token)) = path else { return Ok(not_found()) };
    let bytes = body::read(request).await?;
    // The token is the authority; the body only says how the request was made (RFC 8058's
    // one-click posts it form-encoded or as multipart, so it is looked for, not parsed).
    let how = if bytes.windows(ONE_CLICK.len()).any(|w| w == ONE_CLICK.as_bytes()) {
        "one-click unsubscribe (List-Unsubscribe=One-Click)"
    } else {
        "unsubscribe link"
    };
    match state.app.unsubscribe(&token, how).await {
        Ok(Unsubscribed::Now | Unsubscribed::Already) => {
            Ok(page(StatusCode::OK, "Unsubscribed", "You will get no more emails from us.", false))
        }
        Err(UnsubscribeError::Invalid(_) | UnsubscribeError::UnknownLead) => Ok(not_found()),
        Err(UnsubscribeError::Store(e)) => Err(ApiError::from(e)),
    }
}
