//! Reading request bodies with a size limit and typed errors.

use super::{ApiError, MAX_BODY_BYTES};
use crate::app::FieldError;
use axum::body::{Body, Bytes};
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// The whole body, or 413 past the limit.
pub(super) async fn read(body: Body) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| ApiError::TooLarge)
}

/// A JSON object body: 400 if it is not JSON or not an object, 422 naming the field whose
/// type is wrong.
pub(super) fn json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(object(bytes)?).map_err(|e| {
        let field = e.path().to_string();
        ApiError::field(&field, e.into_inner().to_string())
    })
}

/// A JSON object body, not yet typed: 400 if it is not JSON or not an object.
pub(super) fn object(bytes: &[u8]) -> Result<serde_json::Value, ApiError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::BadRequest("the body must be a JSON object".to_owned()));
    }
    Ok(value)
}

/// Reads the part of a webhook's event `T` describes: 400 naming the field that does not fit.
pub(super) fn typed<'v, T: Deserialize<'v>>(value: &'v serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let field = e.path().to_string();
        ApiError::Malformed(FieldError::new(field, e.into_inner()))
    })
}
