//! Until the real providers arrive (issue 4), a deployed stack hands each touch to its logs:
//! one structured line per touch, which CloudWatch Logs Insights can query like an outbox.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use leadflow_core::ports::{OutboundMessage, SendError, Sender};

/// The `Sender` port as a structured log line.
#[derive(Debug, Default, Clone, Copy)]
pub struct LogChannel;

#[async_trait]
impl Sender for LogChannel {
    async fn send(&self, message: &OutboundMessage, now: DateTime<Utc>) -> Result<String, SendError> {
        tracing::info!(
            touch = %message.touch_id,
            tenant = %message.tenant,
            lead = message.lead_id.as_ref().map(tracing::field::display),
            channel = %message.channel,
            step = message.step,
            due_at = %message.due_at,
            sent_at = %now,
            body_chars = message.body.chars().count(),
            "touch handed to the log channel"
        );
        Ok(format!("log-{}", message.touch_id))
    }
}
