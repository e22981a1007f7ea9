//! Reading a lead ad's answers from the ad platform: Meta's webhook names only the lead's id,
//! and the lead itself is a Graph API read (`GET {graph_url}/{leadgen_id}`) with the page's
//! token. Implemented over HTTP in `providers`.

use async_trait::async_trait;

/// Why a lead could not be read; every kind is retried with backoff (a token an agency fixes,
/// an outage that ends), and only the kind decides what the log says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeadAdsError {
    /// Meta refused the read (a bad or expired token, a missing permission, an unknown id):
    /// its error, with the code, for the agency to act on.
    #[error("the Graph API refused the read: {0}")]
    Refused(String),
    /// Meta could not be reached or failed (timeouts, 429, 5xx).
    #[error("the Graph API is unavailable: {0}")]
    Unavailable(String),
}

/// Reads leads from the Graph API.
#[async_trait]
pub trait LeadAds: Send + Sync {
    /// The lead's JSON as the Graph API answers it (`field_data`, `form_id`, `ad_id` ...).
    async fn lead(&self, graph_url: &str, leadgen_id: &str, access_token: &str) -> Result<Vec<u8>, LeadAdsError>;
}

/// No Graph API (where no lead ads are read, or the runtime has no client): every read is
/// refused, so a lead waits in its retries and is never lost silently.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLeadAds;

#[async_trait]
impl LeadAds for NoLeadAds {
    async fn lead(&self, _: &str, _: &str, _: &str) -> Result<Vec<u8>, LeadAdsError> {
        Err(LeadAdsError::Unavailable("this runtime reads no lead ads".to_owned()))
    }
}
