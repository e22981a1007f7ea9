//! The answer to a lead taken through intake, whichever route took it: the receipt, and
//! `Idempotent-Replayed: true` when it is the stored answer to an earlier request with the
//! same key (a client's or a source's retry).

use crate::app::Accepted;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// `accepted`'s receipt with `status`.
pub(crate) fn receipt_response(status: StatusCode, accepted: Accepted) -> Response {
    let mut response = (status, Json(accepted.receipt)).into_response();
    if accepted.replayed {
        response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}
