//! Closing a channel that can never reach a lead: a provider refused a touch outright (the
//! step use case), or reported later that it could not deliver one (a delivery webhook).

use super::change::Change;
use super::App;
use crate::domain::{Channel, LeadId, TenantId, TimelineEntry, TimelineKind, Undeliverable};
use crate::ports::StoreError;

impl App {
    /// Marks `channel` undeliverable for the lead, so the cadence's later touches on it are
    /// skipped (the cadence itself moves on). A reason of ours (`Rejected`) closes nothing.
    /// Answers whether the channel was open until now; `false` too for an unknown lead.
    pub async fn close_channel(
        &self,
        tenant: &TenantId,
        lead: &LeadId,
        channel: Channel,
        reason: Undeliverable,
        detail: &str,
    ) -> Result<bool, StoreError> {
        if !reason.suppresses_channel() {
            return Ok(false);
        }
        let now = self.clock.now();
        let mut closed = false;
        self.change_lead(tenant, lead, now, |lead, _| {
            let mut next = lead.clone();
            closed = next.undeliverable.insert(channel, reason).is_none();
            let timeline = if closed {
                let kind = TimelineKind::ChannelSuppressed { channel, reason, detail: detail.to_owned() };
                vec![TimelineEntry { at: now, kind }]
            } else {
                Vec::new()
            };
            Change { lead: next, enrolment_commands: Vec::new(), started: Vec::new(), timeline }
        })
        .await?;
        Ok(closed)
    }
}
