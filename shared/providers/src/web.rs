//! The [`WebGet`] port over HTTP(S): SNS signing certificates and subscription confirmations,
//! with the providers' discipline (timeout, retries on connect errors, 429 and 5xx only — a
//! GET is safe to repeat —, no redirects followed, so a fetch never leaves the URL the caller
//! checked).

use crate::send::{BuildError, HttpSender, RetryPolicy};
use async_trait::async_trait;
use leadflow_core::ports::WebGet;
use std::time::Duration;

/// GETs over reqwest (rustls, the OS trust store).
#[derive(Debug, Clone)]
pub struct HttpGet {
    http: HttpSender,
}

impl HttpGet {
    /// A client that gives up on a URL after 5 s per attempt: SNS waits 15 s for our answer.
    pub fn new() -> Result<Self, BuildError> {
        let policy = RetryPolicy { attempts: 2, timeout: Duration::from_secs(5), ..RetryPolicy::default() };
        Ok(Self { http: HttpSender::new(policy)? })
    }
}

#[async_trait]
impl WebGet for HttpGet {
    async fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        let reply = self.http.send("sns", |client| client.get(url)).await.map_err(|e| e.to_string())?;
        if reply.status.is_success() {
            Ok(reply.body)
        } else {
            Err(format!("GET answered {}", reply.status))
        }
    }
}
