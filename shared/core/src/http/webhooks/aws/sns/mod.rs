//! Amazon SNS's HTTP(S) subscriptions: how AWS End User Messaging (two-way SMS) and SES
//! (bounces, complaints) reach leadflow. Every message is verified before anything is read
//! from it: the topic is one of the stack's, the timestamp is within an hour, the signing
//! certificate comes from SNS's own host, and the signature over the fields AWS lists holds.
//! A subscription confirmation that passes is confirmed by fetching its `SubscribeURL`
//! (SNS's host again); an unsubscribe confirmation is only logged.

mod aws_url;
mod envelope;
mod signature;

pub use aws_url::{AwsUrl, UrlPolicy};
pub use envelope::{SignatureVersion, SnsEnvelope, SnsKind};
pub use signature::{SignatureError, SigningCert};

use crate::app::FieldError;
use crate::http::common::ApiError;
use crate::ports::WebGet;
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

/// How far an SNS timestamp may be from our clock, either way: SNS's retries of one message
/// keep its first timestamp and end within an hour; a capture replayed later is refused.
pub const MAX_AGE: TimeDelta = TimeDelta::hours(1);

/// Signing certificates kept per process; SNS rotates its certificate rarely, so a few
/// suffice, and a bound keeps odd URLs on SNS's host from growing the map.
const MAX_CERTS: usize = 16;

/// What the stack accepts from SNS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnsPolicy {
    /// The topic ARNs whose messages are taken; none means every message is refused.
    pub topics: BTreeSet<String>,
    /// Where certificates and confirmation links may be fetched from.
    pub urls: UrlPolicy,
}

/// A verified notification: what was published to one of the stack's topics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnsNotification {
    pub message_id: String,
    pub topic_arn: String,
    pub message: String,
}

/// Why an SNS message was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnsError {
    /// Not an SNS document (400).
    #[error("{}: {}", .0.field, .0.message)]
    Malformed(FieldError),
    /// Not SNS's, not ours, or too old (403); nothing is recorded.
    #[error("{0}")]
    Refused(String),
    /// The certificate or the confirmation link could not be fetched (503: SNS retries).
    #[error("{0}")]
    Unavailable(String),
}

impl From<SnsError> for ApiError {
    fn from(e: SnsError) -> Self {
        match e {
            SnsError::Malformed(field) => ApiError::Malformed(field),
            SnsError::Refused(reason) => ApiError::Forbidden(format!("not a verified SNS message: {reason}")),
            SnsError::Unavailable(reason) => ApiError::Unavailable(reason),
        }
    }
}

/// Verifies SNS messages for the webhooks that take them.
pub struct SnsGate {
    policy: SnsPolicy,
    web: Option<Arc<dyn WebGet>>,
    certs: Mutex<HashMap<AwsUrl, SigningCert>>,
}

impl SnsGate {
    /// A gate that takes `policy`'s topics, fetching through `web`.
    pub fn new(policy: SnsPolicy, web: Arc<dyn WebGet>) -> Self {
        Self { policy, web: Some(web), certs: Mutex::default() }
    }

    /// A gate that refuses everything: for functions that serve no SNS webhook.
    pub fn disabled() -> Self {
        Self { policy: SnsPolicy::default(), web: None, certs: Mutex::default() }
    }

    /// Verifies the posted document `value`. A notification is answered; a subscription
    /// confirmation is confirmed, an unsubscribe confirmation logged, and both answer `None`.
    pub async fn receive(
        &self,
        value: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<Option<SnsNotification>, SnsError> {
        let envelope = SnsEnvelope::parse(value).map_err(SnsError::Malformed)?;
        let (topic, id) = (envelope.topic_arn.clone(), envelope.message_id.clone());
        let result = self.take(envelope, now).await;
        if let Err(error) = &result {
            tracing::warn!(%topic, message = %id, %error, "SNS message not taken");
        }
        result
    }

    async fn take(&self, envelope: SnsEnvelope, now: DateTime<Utc>) -> Result<Option<SnsNotification>, SnsError> {
        self.verify(&envelope, now).await?;
        match envelope.kind {
            SnsKind::Notification { .. } => Ok(Some(SnsNotification {
                message_id: envelope.message_id,
                topic_arn: envelope.topic_arn,
                message: envelope.message,
            })),
            SnsKind::SubscriptionConfirmation { subscribe_url, .. } => {
                let url = self
                    .policy
                    .urls
                    .check(&subscribe_url)
                    .map_err(|e| SnsError::Refused(format!("SubscribeURL: {e}")))?;
                self.fetch(&url)
                    .await
                    .map_err(|e| SnsError::Unavailable(format!("the subscription was not confirmed: {e}")))?;
                tracing::info!(topic = %envelope.topic_arn, "SNS subscription confirmed");
                Ok(None)
            }
            SnsKind::UnsubscribeConfirmation { .. } => {
                tracing::warn!(topic = %envelope.topic_arn, "this endpoint was unsubscribed from an SNS topic");
                Ok(None)
            }
        }
    }

    async fn verify(&self, envelope: &SnsEnvelope, now: DateTime<Utc>) -> Result<(), SnsError> {
        if !self.policy.topics.contains(&envelope.topic_arn) {
            return Err(SnsError::Refused(format!(
                "TopicArn {} is not one of this stack's topics",
                envelope.topic_arn
            )));
        }
        if (now - envelope.timestamp).abs() > MAX_AGE {
            return Err(SnsError::Refused(format!("Timestamp {} is more than an hour from now", envelope.timestamp)));
        }
        let url = self
            .policy
            .urls
            .check(&envelope.signing_cert_url)
            .map_err(|e| SnsError::Refused(format!("SigningCertURL: {e}")))?;
        let cert = self.cert(&url).await?;
        cert.verify(envelope.version, envelope.string_to_sign().as_bytes(), &envelope.signature)
            .map_err(|e| SnsError::Refused(e.to_string()))
    }

    /// The certificate at `url`, fetched once per process.
    async fn cert(&self, url: &AwsUrl) -> Result<SigningCert, SnsError> {
        if let Some(cert) = self.certs.lock().unwrap_or_else(|e| e.into_inner()).get(url) {
            return Ok(cert.clone());
        }
        let pem = self.fetch(url).await.map_err(|e| SnsError::Unavailable(format!("signing certificate: {e}")))?;
        let cert = SigningCert::from_pem(&pem).map_err(|e| SnsError::Refused(e.to_string()))?;
        let mut certs = self.certs.lock().unwrap_or_else(|e| e.into_inner());
        if certs.len() >= MAX_CERTS {
            certs.clear();
        }
        certs.insert(url.clone(), cert.clone());
        Ok(cert)
    }

    async fn fetch(&self, url: &AwsUrl) -> Result<Vec<u8>, String> {
        let web = self.web.as_ref().ok_or("this function fetches nothing")?;
        web.get(url.as_str()).await
    }
}
