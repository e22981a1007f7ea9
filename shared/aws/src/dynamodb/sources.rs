//! What lead sources leave behind in the table: rate windows (a form's posts a minute, one
//! item per window, an atomic ADD) and the raw requests kept for support. Both carry `ttl`,
//! so DynamoDB deletes them after they expire; reads check the expiry themselves, since TTL
//! deletes late.

use super::errors::{corrupt, unavailable};
use super::keys;
use super::store::{micros, n, put_succeeded, s, ttl_seconds, DynamoStore};
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use chrono::{DateTime, Utc};
use leadflow_core::domain::TenantId;
use leadflow_core::ports::{RawPayload, StoreError};

impl DynamoStore {
    pub(super) async fn count_rate_hit(
        &self,
        tenant: &TenantId,
        rate: &str,
        window_start: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let updated = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(keys::rate_pk(tenant, rate, window_start.timestamp())))
            .key("sk", s(keys::RATE_SK))
            .update_expression("ADD hits :one SET #ttl = :ttl")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":one", n(1u64))
            .expression_attribute_values(":ttl", n(ttl_seconds(expires_at)))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(unavailable)?;
        let hits = updated.attributes().and_then(|a| a.get("hits")).and_then(|v| v.as_n().ok());
        hits.and_then(|h| h.parse().ok()).ok_or_else(|| corrupt("a rate window without its hits"))
    }

    pub(super) async fn put_payload(&self, tenant: &TenantId, payload: &RawPayload) -> Result<(), StoreError> {
        // The first request under a key stands while it is kept (a replay with another body
        // came from no lead); an expired one TTL has not deleted yet is replaced.
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(keys::payload_pk(tenant, &payload.key)))
            .item("sk", s(keys::PAYLOAD_SK))
            .item("received_at_us", n(micros(payload.received_at)))
            .item("content_type", s(payload.content_type.clone()))
            .item("body", AttributeValue::B(Blob::new(payload.body.clone())))
            .item("expires_at_us", n(micros(payload.expires_at)))
            .item("ttl", n(ttl_seconds(payload.expires_at)))
            .condition_expression("attribute_not_exists(pk) OR expires_at_us <= :now")
            .expression_attribute_values(":now", n(micros(payload.received_at)))
            .send()
            .await;
        put_succeeded(put).map(drop)
    }

    pub(super) async fn get_payload(
        &self,
        tenant: &TenantId,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<RawPayload>, StoreError> {
        let Some(item) = self.get_item(keys::payload_pk(tenant, key), keys::PAYLOAD_SK).await? else { return Ok(None) };
        let instant = |name: &str| {
            let us = item.get(name).and_then(|v| v.as_n().ok()).and_then(|v| v.parse::<i64>().ok());
            us.and_then(DateTime::from_timestamp_micros).ok_or_else(|| corrupt(format!("a payload without {name}")))
        };
        let expires_at = instant("expires_at_us")?;
        if expires_at <= now {
            return Ok(None);
        }
        let body = item.get("body").and_then(|v| v.as_b().ok()).ok_or_else(|| corrupt("a payload without its body"))?;
        let content_type = item.get("content_type").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
        Ok(Some(RawPayload {
            key: key.to_owned(),
            received_at: instant("received_at_us")?,
            content_type,
            body: body.as_ref().to_vec(),
            expires_at,
        }))
    }
}
