//! The local channel: every touch is recorded in the outbox (served at `GET /dev/outbox`)
//! and printed, instead of reaching a provider.

use crate::store::{decode, encode, next_seq, outbox_key, unavailable, EmbeddedStore, OUTBOX};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use leadflow_core::domain::{Channel as ChannelKind, LeadId, TenantId, TouchId};
use leadflow_core::ports::{Channel, ChannelError, OutboundMessage, StoreError};
use redb::ReadableTable;
use serde::{Deserialize, Serialize};

/// A touch (or a reply to an inbound SMS) as the outbox recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub id: TouchId,
    pub tenant: TenantId,
    /// None for a reply, which belongs to no cadence.
    pub lead_id: Option<LeadId>,
    pub channel: ChannelKind,
    pub to: String,
    pub from: Option<String>,
    pub subject: Option<String>,
    pub body: String,
    pub step: usize,
    pub due_at: DateTime<Utc>,
    pub sent_at: DateTime<Utc>,
}

/// The `Channel` port for local runs.
#[derive(Clone)]
pub struct OutboxChannel {
    store: EmbeddedStore,
    print: bool,
}

impl OutboxChannel {
    /// An outbox in `store`; `print` echoes each touch on stdout.
    pub fn new(store: EmbeddedStore, print: bool) -> Self {
        Self { store, print }
    }

    /// Every recorded touch in order, optionally only one lead's (which leaves out replies).
    pub fn list(&self, lead: Option<&LeadId>) -> Result<Vec<OutboxEntry>, StoreError> {
        let tx = self.store.db.begin_read().map_err(unavailable)?;
        let table = tx.open_table(OUTBOX).map_err(unavailable)?;
        let mut entries = Vec::new();
        for item in table.iter().map_err(unavailable)? {
            let (_, value) = item.map_err(unavailable)?;
            let entry: OutboxEntry = decode(value.value())?;
            if lead.is_none_or(|id| entry.lead_id.as_ref() == Some(id)) {
                entries.push(entry);
            }
        }
        Ok(entries)
    }
}

#[async_trait]
impl Channel for OutboxChannel {
    async fn send(&self, message: &OutboundMessage, now: DateTime<Utc>) -> Result<String, ChannelError> {
        let entry = OutboxEntry {
            id: message.touch_id.clone(),
            tenant: message.tenant.clone(),
            lead_id: message.lead_id.clone(),
            channel: message.channel,
            to: message.to.clone(),
            from: message.from.clone(),
            subject: message.subject.clone(),
            body: message.body.clone(),
            step: message.step,
            due_at: message.due_at,
            sent_at: now,
        };
        let bytes = encode(&entry);
        self.store
            .write(move |tx| {
                let seq = next_seq(tx, "outbox")?;
                let mut table = tx.open_table(OUTBOX).map_err(unavailable)?;
                table.insert(outbox_key(seq).as_str(), bytes.as_slice()).map_err(unavailable)?;
                Ok(())
            })
            .await
            .map_err(|e| ChannelError::Transient(e.to_string()))?;
        if self.print {
            println!(
                "[outbox] {} {} -> {} ({}): {}",
                now.format("%Y-%m-%d %H:%M:%S"),
                entry.channel,
                entry.to,
                match &entry.lead_id {
                    Some(lead) => format!("lead {lead}, step {}", entry.step),
                    None => "reply".to_owned(),
                },
                entry.subject.as_deref().map(|s| format!("{s} / {}", entry.body)).unwrap_or(entry.body.clone())
            );
        }
        Ok(format!("outbox-{}", entry.id))
    }
}
