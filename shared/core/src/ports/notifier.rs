//! Telling the tenant's people that a lead wants a human: a message to their team chat.

use crate::domain::{LeadId, ReplyTopic, TenantId};
use async_trait::async_trait;

/// A lead handed to a human, with what they need to pick it up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handoff {
    pub tenant: TenantId,
    pub lead_id: LeadId,
    pub lead_name: String,
    pub source: String,
    pub topic: ReplyTopic,
    /// How warm the lead is, 0 to 100.
    pub score: u8,
    /// The lead's latest messages, oldest first.
    pub messages: Vec<String>,
}

/// Posts hand-offs to the tenant's team chat.
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Tells the tenant's people about `handoff`; a failure is the caller's to log (the lead
    /// is already marked as needing a human, which is what the lead API shows).
    async fn hand_off(&self, handoff: &Handoff) -> Result<(), String>;
}

/// Hand-offs as log lines: for tenants with no team chat, and the local runtime by default.
#[derive(Debug, Default, Clone, Copy)]
pub struct LogNotifier;

#[async_trait]
impl Notifier for LogNotifier {
    async fn hand_off(&self, handoff: &Handoff) -> Result<(), String> {
        tracing::info!(
            tenant = %handoff.tenant,
            lead = %handoff.lead_id,
            topic = handoff.topic.label(),
            score = handoff.score,
            "lead handed off (no team chat configured)"
        );
        Ok(())
    }
}
