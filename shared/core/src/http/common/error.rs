//! One error type for the HTTP edge: every failure becomes a status and a JSON body naming
//! the field and the reason. What each use case's error becomes is in `use_case_errors`.

use crate::app::FieldError;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// A failed request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    /// A request that is not the shape its sender documents (a webhook's event, a query
    /// parameter given twice), naming the field.
    #[error("{}: {}", .0.field, .0.message)]
    Malformed(FieldError),
    #[error("a valid API key is required: Authorization: Bearer <key>")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// A route that exists, asked with a method it does not take (the method).
    #[error("{0} is not a method this route takes (see Allow)")]
    MethodNotAllowed(String),
    /// The body stopped arriving before it was whole.
    #[error("the body did not arrive in time")]
    BodyTimeout,
    #[error("the body is larger than this route takes (64 KiB; 1 MiB for Meta's webhook)")]
    TooLarge,
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// Over a rate limit: try again after this many seconds.
    #[error("too many requests: try again in {0} s")]
    TooManyRequests(u64),
    /// A body in a format the route does not read (what it reads).
    #[error("the body must be {0}")]
    UnsupportedMediaType(&'static str),
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    /// A single invalid field.
    pub fn field(field: &str, message: impl ToString) -> Self {
        ApiError::Invalid(vec![FieldError::new(field, message)])
    }

    /// The status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) | ApiError::Malformed(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match &self {
            ApiError::Invalid(fields) => json!({ "error": "invalid fields", "fields": fields }),
            ApiError::Malformed(field) => json!({ "error": self.to_string(), "fields": [field] }),
            other => json!({ "error": other.to_string(), "fields": [] }),
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        }
        if let ApiError::TooManyRequests(seconds) = self {
            response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            // 1 to 4 seconds at random: clients that honour it come back spread out, not all
            // in the same instant to collide again.
            response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(fastrand::u16(1..=4)));
        }
        response
    }
}
