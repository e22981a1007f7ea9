//! Fetching a URL over HTTP: SNS signing certificates and subscription confirmations.

use async_trait::async_trait;

/// A plain GET. Implementations time out, follow no redirects, and fail on any status but
/// 2xx; the caller decides which URLs may be fetched at all.
#[async_trait]
pub trait WebGet: Send + Sync {
    /// The body of `url`, or why it could not be had (for the logs).
    async fn get(&self, url: &str) -> Result<Vec<u8>, String>;
}
