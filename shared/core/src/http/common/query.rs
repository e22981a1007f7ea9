//! Query strings: axum's `Query`, with each parameter taken once and every rejection an
//! `ApiError` (axum's own answers a plain-text 400).

use super::ApiError;
use crate::app::FieldError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::Uri;
use serde::de::DeserializeOwned;
use std::collections::HashSet;

/// The query string read as `T`. A parameter given twice is a 400 naming it: which of the two
/// was meant is anyone's guess (and a signed URL must not mean two things).
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> Query<T> {
    /// The query of `uri`.
    pub fn from_uri(uri: &Uri) -> Result<Self, ApiError> {
        let mut seen = HashSet::new();
        let pairs = form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes());
        if let Some(name) = pairs.map(|(name, _)| name).find(|name| !seen.insert(name.clone())) {
            return Err(ApiError::Malformed(FieldError::new(name, "is given more than once")));
        }
        let axum::extract::Query(value) = axum::extract::Query::try_from_uri(uri).map_err(|rejection| {
            ApiError::BadRequest(format!("the query does not parse: {}", rejection.body_text()))
        })?;
        Ok(Self(value))
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Self::from_uri(&parts.uri)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn query(uri: &str) -> Result<HashMap<String, String>, ApiError> {
        Query::from_uri(&uri.parse().unwrap()).map(|Query(query)| query)
    }

    #[test]
    fn each_parameter_is_taken_once_and_a_repeat_is_named() {
        assert_eq!(query("/r?lead=a&touch=b").unwrap().len(), 2);
        assert_eq!(query("/r").unwrap().len(), 0);
        let repeated = ApiError::Malformed(FieldError::new("lead", "is given more than once"));
        assert_eq!(query("/r?lead=a&lead=b"), Err(repeated.clone()));
        assert_eq!(query("/r?lead=a&touch=b&lead=a"), Err(repeated.clone()));
        // The same name, percent-encoded.
        assert_eq!(query("/r?lead=a&%6Cead=b"), Err(repeated));
    }
}
