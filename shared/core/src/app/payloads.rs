//! Lead sources' raw requests, kept for support: when a lead looks wrong, what the source
//! really sent settles it. Each lead's timeline names the key of the request it came from.

use super::App;
use crate::config::TenantConfig;
use crate::ports::{RawPayload, StoreError};
use chrono::Duration;

/// How long a source's raw request is kept.
pub const PAYLOAD_DAYS: i64 = 30;

impl App {
    /// Keeps a source's verified request under `key` for [`PAYLOAD_DAYS`] and answers the key.
    /// A failure is logged and answers none: the lead itself matters more than its receipt.
    pub async fn keep_payload(
        &self,
        tenant: &TenantConfig,
        key: &str,
        content_type: &str,
        body: &[u8],
    ) -> Option<String> {
        let now = self.clock.now();
        let payload = RawPayload {
            key: key.to_owned(),
            received_at: now,
            content_type: content_type.to_owned(),
            body: body.to_vec(),
            expires_at: now + Duration::days(PAYLOAD_DAYS),
        };
        match self.store.keep_payload(&tenant.id, &payload).await {
            Ok(()) => Some(payload.key),
            Err(error) => {
                tracing::warn!(tenant = %tenant.id, key, %error, "raw payload not kept");
                None
            }
        }
    }

    /// A kept request, for support.
    pub async fn payload(&self, tenant: &TenantConfig, key: &str) -> Result<Option<RawPayload>, StoreError> {
        self.store.payload(&tenant.id, key, self.clock.now()).await
    }
}
