//! `GET /r/{token}`: a tracked link. A token this stack signed redirects (302) to its link,
//! once the click is recorded; anything else is a plain 404 page, for a person's browser.

use crate::app::ClickError;
use crate::http::common::HttpState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

/// The page a link that is not (or no longer) valid shows.
const NOT_FOUND_PAGE: &str =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Link not found</title>\
</head><body><h1>This link is not valid</h1><p>It may have been copied incompletely, or it is no longer in use. \
Please use the latest message you received.</p></body></html>";

pub(crate) async fn follow(State(state): State<HttpState>, path: Result<Path<String>, PathRejection>) -> Response {
    // A token that is not even UTF-8 is no link of ours either.
    let Ok(Path(token)) = path else { return not_found() };
    match state.app.follow_link(&token).await {
        Ok(url) => (
            StatusCode::FOUND,
            [
                (header::LOCATION, url),
                // Each click should reach us, and the token should not follow the lead to the
                // page it opens.
                (header::CACHE_CONTROL, "no-store".to_owned()),
                (header::REFERRER_POLICY, "no-referrer".to_owned()),
            ],
        )
            .into_response(),
        Err(ClickError::NotFound) => not_found(),
    }
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Html(NOT_FOUND_PAGE)).into_response()
}
