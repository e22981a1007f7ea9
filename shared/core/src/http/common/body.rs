//! Reading request bodies with a size limit and typed errors.

use super::ApiError;
use crate::app::FieldError;
use axum::body::{Body, Bytes};
use http_body_util::LengthLimitError;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::error::Error;
use std::io;

/// The largest request body accepted (413 above it).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The largest body of the one route that takes more: Meta batches up to 1,000 leads per
/// webhook POST (about 190 bytes each).
pub const MAX_META_BODY_BYTES: usize = 1024 * 1024;

/// The whole body: 413 past the limit, 408 if it stopped arriving (a server's deadline ended
/// it with `io::ErrorKind::TimedOut`), 400 if it is not a well-formed body (a broken chunk).
pub async fn read(body: Body) -> Result<Bytes, ApiError> {
    read_up_to(body, MAX_BODY_BYTES).await
}

/// `read` with another limit.
pub async fn read_up_to(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|error| unreadable(&error))
}

/// Why a body could not be read, from the causes of `error`.
fn unreadable(error: &(dyn Error + 'static)) -> ApiError {
    let causes = || std::iter::successors(Some(error), |&e| e.source());
    let timed_out = |e: &io::Error| e.kind() == io::ErrorKind::TimedOut;
    if causes().any(|cause| cause.is::<LengthLimitError>()) {
        ApiError::TooLarge
    } else if causes().any(|cause| cause.downcast_ref::<io::Error>().is_some_and(timed_out)) {
        ApiError::BodyTimeout
    } else {
        // The innermost cause says what was wrong (an invalid chunk size, say).
        let cause = causes().last().unwrap_or(error);
        ApiError::BadRequest(format!("the body could not be read: {cause}"))
    }
}

/// A JSON object body: 400 if it is not JSON or not an object, 422 naming the field whose
/// type is wrong.
pub(crate) fn json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(object(bytes)?).map_err(|e| {
        let field = e.path().to_string();
        ApiError::field(&field, e.into_inner().to_string())
    })
}

/// A JSON object body, not yet typed: 400 if it is not JSON or not an object.
pub(crate) fn object(bytes: &[u8]) -> Result<serde_json::Value, ApiError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::BadRequest("the body must be a JSON object".to_owned()));
    }
    Ok(value)
}

/// The part of a sender's document that `T` describes: 400 naming the field that does not fit.
pub(crate) fn typed<'v, T: Deserialize<'v>>(value: &'v serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let field = e.path().to_string();
        ApiError::Malformed(FieldError::new(field, e.into_inner()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_body_over_the_limit_is_too_large_and_one_at_it_is_read() {
        assert_eq!(read(Body::from(vec![b'a'; MAX_BODY_BYTES + 1])).await, Err(ApiError::TooLarge));
        assert_eq!(read(Body::from(vec![b'a'; MAX_BODY_BYTES])).await.unwrap().len(), MAX_BODY_BYTES);
    }

    #[test]
    fn a_body_that_stopped_is_a_timeout_and_a_broken_one_a_bad_request_naming_why() {
        let timed_out =
            axum::Error::new(io::Error::new(io::ErrorKind::TimedOut, "the body did not arrive within 30 s"));
        assert_eq!(unreadable(&timed_out), ApiError::BodyTimeout);
        let broken = axum::Error::new(axum::Error::new(io::Error::other("invalid chunk size line")));
        let expected = ApiError::BadRequest("the body could not be read: invalid chunk size line".to_owned());
        assert_eq!(unreadable(&broken), expected);
    }
}
