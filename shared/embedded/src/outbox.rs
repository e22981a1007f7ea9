//! The local channel: every touch is recorded in the outbox (served at `GET /dev/outbox`)
//! and printed, instead of reaching a provider.

use crate::store::{decode, encode, next_seq, outbox_key, unavailable, EmbeddedStore, OUTBOX, OUTBOX_TOUCHES};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use leadflow_core::domain::{Channel, LeadId, TenantId, TouchId};
use leadflow_core::ports::{Lookup, OutboundMessage, SendError, Sender, StoreError};
use leadflow_core::redact::{mask_address, mask_body};
use redb::ReadableTable;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

/// The longest a touch takes from its claim to its outbox entry: two writes to the local
/// store (the claim, the entry), milliseconds each even when a burst queues many behind one
/// fsync. Far more than that, and a touch claimed but not in the outbox was never sent.
const LONGEST_SEND: Duration = Duration::from_secs(10);

/// A touch (or a reply to an inbound SMS) as the outbox recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// The touch's id (a reply has one of its own).
    pub id: TouchId,
    /// The tenant that sent it.
    pub tenant: TenantId,
    /// None for a reply, which belongs to no cadence.
    pub lead_id: Option<LeadId>,
    /// The channel it went out on.
    pub channel: Channel,
    /// The address or number it went to.
    pub to: String,
    /// The sending number; none for an email, or where the tenant has no number.
    pub from: Option<String>,
    /// The subject, which an email step must have.
    pub subject: Option<String>,
    /// The text sent.
    pub body: String,
    /// The touch's step in its cadence, from 0; a reply's is 0.
    pub step: usize,
    /// When the touch fell due (a reply: when it was written).
    pub due_at: DateTime<Utc>,
    /// When the outbox recorded it, by the app's clock; `sent_at - due_at` is how late it went.
    pub sent_at: DateTime<Utc>,
}

impl OutboxEntry {
    /// The line `leadflow dev` prints for the entry; `private` masks the address and shows
    /// the body's (and subject's) length only.
    pub fn line(&self, private: bool) -> String {
        let (to, subject, body) = if private {
            (mask_address(&self.to), self.subject.as_deref().map(mask_body), mask_body(&self.body))
        } else {
            (self.to.clone(), self.subject.clone(), self.body.clone())
        };
        format!(
            "[outbox] {} {} -> {} ({}): {}",
            self.sent_at.format("%Y-%m-%d %H:%M:%S"),
            self.channel,
            to,
            match &self.lead_id {
                Some(lead) => format!("lead {lead}, step {}", self.step),
                None => "reply".to_owned(),
            },
            subject.map(|s| format!("{s} / {body}")).unwrap_or(body)
        )
    }
}

/// The `Sender` port for local runs.
#[derive(Clone)]
pub struct OutboxChannel {
    store: EmbeddedStore,
    print: bool,
    /// Tenants whose printed lines mask the address and leave out the body (HIPAA mode).
    private: Arc<HashSet<TenantId>>,
}

impl OutboxChannel {
    /// An outbox in `store`; `print` echoes each touch on stdout.
    pub fn new(store: EmbeddedStore, print: bool) -> Self {
        Self { store, print, private: Arc::default() }
    }

    /// Prints `tenants`' touches without their body and with their address masked.
    pub fn redacting(self, tenants: impl IntoIterator<Item = TenantId>) -> Self {
        Self { private: Arc::new(tenants.into_iter().collect()), ..self }
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

    /// The entry recorded for `touch`, if the outbox has one.
    fn entry(&self, touch: &TouchId) -> Result<Option<OutboxEntry>, StoreError> {
        let tx = self.store.db.begin_read().map_err(unavailable)?;
        let index = tx.open_table(OUTBOX_TOUCHES).map_err(unavailable)?;
        let Some(key) = index.get(touch.as_str()).map_err(unavailable)?.map(|k| k.value().to_owned()) else {
            return Ok(None);
        };
        let table = tx.open_table(OUTBOX).map_err(unavailable)?;
        table.get(key.as_str()).map_err(unavailable)?.map(|v| decode(v.value())).transpose()
    }
}

/// The provider id the outbox answers for a touch.
fn provider_id(touch: &TouchId) -> String {
    format!("outbox-{touch}")
}

#[async_trait]
impl Sender for OutboxChannel {
    async fn send(&self, message: &OutboundMessage, now: DateTime<Utc>) -> Result<String, SendError> {
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
        let (bytes, touch) = (encode(&entry), entry.id.clone());
        self.store
            .write(move |tx| {
                let key = outbox_key(next_seq(tx, "outbox")?);
                let mut table = tx.open_table(OUTBOX).map_err(unavailable)?;
                table.insert(key.as_str(), bytes.as_slice()).map_err(unavailable)?;
                let mut index = tx.open_table(OUTBOX_TOUCHES).map_err(unavailable)?;
                index.insert(touch.as_str(), key.as_str()).map_err(unavailable)?;
                Ok(())
            })
            .await
            .map_err(|e| SendError::Transient(e.to_string()))?;
        if self.print {
            println!("{}", entry.line(self.private.contains(&entry.tenant)));
        }
        Ok(provider_id(&entry.id))
    }

    fn longest_send(&self, _message: &OutboundMessage) -> Duration {
        LONGEST_SEND
    }

    /// Exact: the entry is written in one transaction with its index, so a touch is in the
    /// outbox or was never sent. A store that cannot be read is `Unknown`.
    async fn lookup(&self, message: &OutboundMessage, _since: DateTime<Utc>) -> Lookup {
        match self.entry(&message.touch_id) {
            Ok(Some(entry)) => Lookup::Sent { provider_id: provider_id(&entry.id), at: Some(entry.sent_at) },
            Ok(None) => Lookup::NotSent,
            Err(e) => {
                tracing::warn!(error = %e, touch = %message.touch_id, "the outbox cannot be read");
                Lookup::Unknown
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn entry(channel: Channel, to: &str, subject: Option<&str>) -> OutboxEntry {
        let at = Utc.with_ymd_and_hms(2026, 3, 5, 15, 0, 0).unwrap();
        OutboxEntry {
            id: TouchId::new(),
            tenant: TenantId::parse("clinic").unwrap(),
            lead_id: None,
            channel,
            to: to.to_owned(),
            from: Some("+14155550100".to_owned()),
            subject: subject.map(str::to_owned),
            body: "Hi Ann, about your root canal".to_owned(),
            step: 0,
            due_at: at,
            sent_at: at,
        }
    }

    #[test]
    fn a_private_tenants_line_shows_no_body_and_a_masked_address() {
        let sms = entry(Channel::Sms, "+14155552671", None);
        assert_eq!(sms.line(true), "[outbox] 2026-03-05 15:00:00 sms -> ***2671 (reply): [29 characters]");
        let email = entry(Channel::Email, "ann@example.com", Some("Your root canal"));
        let line = email.line(true);
        assert!(!line.contains("ann@") && !line.contains("root canal"), "{line}");
        assert!(line.contains("***@example.com") && line.contains("[15 characters] / [29 characters]"), "{line}");
    }

    #[test]
    fn other_tenants_lines_show_the_touch_in_full() {
        let line = entry(Channel::Sms, "+14155552671", None).line(false);
        assert!(line.ends_with("sms -> +14155552671 (reply): Hi Ann, about your root canal"), "{line}");
    }
}
