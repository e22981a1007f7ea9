//! What lead sources leave behind in the embedded store: rate windows (a form's posts per
//! minute) and the raw requests kept for support, each forgotten once it expires.

use super::{decode, encode, unavailable, HITS, PAYLOADS, PAYLOAD_EXPIRY};
use chrono::{DateTime, Utc};
use leadflow_core::domain::TenantId;
use leadflow_core::ports::{RawPayload, StoreError};
use redb::{ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};

/// How many expired payloads one write removes: enough to keep up with the writes, few enough
/// that a write never walks the whole table.
const PURGE_PER_WRITE: usize = 8;

/// The stored form of a payload.
#[derive(Serialize, Deserialize)]
struct StoredPayload {
    received_at: DateTime<Utc>,
    content_type: String,
    #[serde(with = "serde_bytes_as_base64")]
    body: Vec<u8>,
    expires_at: DateTime<Utc>,
}

mod serde_bytes_as_base64 {
    use base64::{engine::general_purpose::STANDARD, Engine};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        STANDARD.decode(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

fn payload_key(tenant: &TenantId, key: &str) -> String {
    format!("{tenant}#{key}")
}

/// One more hit in the rate's window starting at `window_start`; a rate's newer window starts
/// again from one (so the table holds one entry per rate, not one per window).
pub(super) fn count_hit(tx: &WriteTransaction, key: &str, window_start: DateTime<Utc>) -> Result<u64, StoreError> {
    let mut table = tx.open_table(HITS).map_err(unavailable)?;
    let start = window_start.timestamp_micros();
    let current = table.get(key).map_err(unavailable)?.map(|v| v.value());
    let hits = match current {
        Some((since, hits)) if since == start => hits + 1,
        Some((since, hits)) if since > start => return Ok(hits + 1),
        _ => 1,
    };
    table.insert(key, (start, hits)).map_err(unavailable)?;
    Ok(hits)
}

/// Keeps a payload, and removes a few that expired by `now`.
pub(super) fn keep(
    tx: &WriteTransaction,
    tenant: &TenantId,
    payload: &RawPayload,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let key = payload_key(tenant, &payload.key);
    let stored = StoredPayload {
        received_at: payload.received_at,
        content_type: payload.content_type.clone(),
        body: payload.body.clone(),
        expires_at: payload.expires_at,
    };
    let mut payloads = tx.open_table(PAYLOADS).map_err(unavailable)?;
    let mut expiry = tx.open_table(PAYLOAD_EXPIRY).map_err(unavailable)?;
    let kept =
        payloads.get(key.as_str()).map_err(unavailable)?.map(|old| decode::<StoredPayload>(old.value())).transpose()?;
    match kept {
        // The first request under a key stands (a replay with another body came from no lead).
        Some(old) if old.expires_at > now => return Ok(()),
        Some(old) => {
            expiry.remove(expiry_key(old.expires_at, &key).as_str()).map_err(unavailable)?;
        }
        None => {}
    }
    payloads.insert(key.as_str(), encode(&stored).as_slice()).map_err(unavailable)?;
    expiry.insert(expiry_key(payload.expires_at, &key).as_str(), ()).map_err(unavailable)?;
    let due: Vec<String> = expiry
        .range(..expiry_key(now, "").as_str())
        .map_err(unavailable)?
        .take(PURGE_PER_WRITE)
        .map(|entry| entry.map(|(k, _)| k.value().to_owned()).map_err(unavailable))
        .collect::<Result<_, _>>()?;
    for entry in due {
        expiry.remove(entry.as_str()).map_err(unavailable)?;
        if let Some((_, key)) = entry.split_once('|') {
            payloads.remove(key).map_err(unavailable)?;
        }
    }
    Ok(())
}

/// Expiry index keys sort by time: `{micros:020}|{payload key}`.
fn expiry_key(at: DateTime<Utc>, key: &str) -> String {
    format!("{:020}|{key}", at.timestamp_micros().max(0))
}

/// A payload unless it expired at `now`.
pub(super) fn read(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
    tenant: &TenantId,
    key: &str,
    now: DateTime<Utc>,
) -> Result<Option<RawPayload>, StoreError> {
    let Some(value) = table.get(payload_key(tenant, key).as_str()).map_err(unavailable)? else { return Ok(None) };
    let stored: StoredPayload = decode(value.value())?;
    Ok((stored.expires_at > now).then(|| RawPayload {
        key: key.to_owned(),
        received_at: stored.received_at,
        content_type: stored.content_type,
        body: stored.body,
        expires_at: stored.expires_at,
    }))
}
