//! Recording a signal that no other use case records (a call's end, an email opened, a text
//! delivered or failed): it is kept on the lead and its timeline, and the tenant's triggers
//! may start a cadence on it.

use super::change::Change;
use super::enrolment::started_by;
use super::App;
use crate::domain::{Channel, LeadId, Signal, TenantId, TimelineEntry, TimelineKind};
use crate::engine::{decide, Event, LeadView};
use crate::ports::StoreError;
use chrono::Duration;

/// Opens of one lead closer together than this are one reading: a mail client reloads a
/// message's pixels, and SES reports a click as an open too.
const SAME_OPEN: Duration = Duration::hours(1);

impl App {
    /// Records `signal` from `channel` on the lead and runs the triggers it fires. Answers
    /// whether the lead exists (a signal for a lead that is gone is dropped).
    pub async fn record_signal(
        &self,
        tenant: &TenantId,
        id: &LeadId,
        signal: Signal,
        channel: Option<Channel>,
    ) -> Result<bool, StoreError> {
        let Some(config) = self.tenants.get(tenant) else { return Ok(false) };
        let now = self.clock.now();
        let rules = config.rules();
        let changed = self
            .change_lead(tenant, id, now, |lead, enrolments| {
                let view = LeadView { lead, enrolments, touch_times: &[] };
                let commands = decide(view, &Event::Signal(signal), rules, now);
                let mut next = lead.clone();
                next.record_signal(signal, channel, now);
                let mut timeline = vec![TimelineEntry { at: now, kind: TimelineKind::Signal { signal, channel } }];
                let started = started_by(rules, &next, &commands, now, &mut timeline);
                Change { lead: next, enrolment_commands: commands, started, timeline }
            })
            .await?;
        Ok(changed.is_some())
    }

    /// Records that the lead opened an email, unless it was already recorded within the hour.
    /// Answers whether it was recorded.
    pub async fn email_opened(&self, tenant: &TenantId, id: &LeadId) -> Result<bool, StoreError> {
        let Some(lead) = self.store.lead(tenant, id).await? else { return Ok(false) };
        let now = self.clock.now();
        let recent = lead.signals.iter().any(|s| s.signal == Signal::EmailOpened && now - s.at < SAME_OPEN);
        if recent {
            return Ok(false);
        }
        self.record_signal(tenant, id, Signal::EmailOpened, Some(Channel::Email)).await
    }
}
