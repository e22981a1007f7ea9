//! The [`LeadAds`] port over Meta's Graph API: `GET {graph_url}/{leadgen_id}` with the page's
//! token (<https://developers.facebook.com/docs/marketing-api/guides/lead-ads/retrieving>).
//! The token goes in `Authorization: Bearer`, which the Graph API takes as it takes
//! `?access_token=`, because a URL ends up in error messages and logs and a header does not. A
//! GET is safe to repeat, so the sending discipline's retries on 429, 5xx and connect errors
//! apply as they are; a refusal (Meta's `{"error": {"message", "type", "code"}}`, a bad or
//! expired token, say) is read into a message the agency can act on.

use crate::send::{BuildError, HttpSender, RetryPolicy};
use async_trait::async_trait;
use leadflow_core::ports::{LeadAds, LeadAdsError, SendError};
use serde::Deserialize;
use std::time::Duration;

/// Reads leads from the Graph API over reqwest.
#[derive(Debug, Clone)]
pub struct GraphApi {
    http: HttpSender,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: GraphError,
}

#[derive(Deserialize)]
struct GraphError {
    message: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    code: Option<i64>,
}

impl GraphApi {
    /// A client giving a read one attempt of at most 3 s: the read's own wakeup retries with
    /// backoff, and a read that hung longer would outlast the step function's invocation
    /// (10 s), taking the other messages of its batch with it.
    pub fn new() -> Result<Self, BuildError> {
        let policy = RetryPolicy {
            attempts: 1,
            timeout: Duration::from_secs(3),
            connect_timeout: Duration::from_secs(2),
            ..RetryPolicy::default()
        };
        Ok(Self { http: HttpSender::new(policy)? })
    }
}

#[async_trait]
impl LeadAds for GraphApi {
    async fn lead(&self, graph_url: &str, leadgen_id: &str, access_token: &str) -> Result<Vec<u8>, LeadAdsError> {
        if !leadgen_id.bytes().all(|b| b.is_ascii_digit()) || leadgen_id.is_empty() {
            return Err(LeadAdsError::Refused(format!("{leadgen_id:?} is not a lead id")));
        }
        let url = format!("{}/{leadgen_id}", graph_url.trim_end_matches('/'));
        let reply =
            self.http.send("meta", |client| client.get(&url).bearer_auth(access_token)).await.map_err(|e| match e {
                SendError::Permanent { detail, .. } => LeadAdsError::Refused(detail),
                other => LeadAdsError::Unavailable(other.to_string()),
            })?;
        if reply.status.is_success() {
            return Ok(reply.body);
        }
        let detail = match serde_json::from_slice::<ErrorBody>(&reply.body) {
            Ok(ErrorBody { error }) => format!(
                "{} {} (code {}): {}",
                reply.status,
                error.kind.unwrap_or_default(),
                error.code.map_or_else(|| "?".to_owned(), |c| c.to_string()),
                error.message.unwrap_or_default()
            ),
            Err(_) => format!("{} with an unreadable body", reply.status),
        };
        if reply.status.is_server_error() || reply.status.as_u16() == 429 {
            Err(LeadAdsError::Unavailable(detail))
        } else {
            Err(LeadAdsError::Refused(detail))
        }
    }
}
