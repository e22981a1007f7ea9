//! Recording a signal that no other use case records (a call's end, an email opened, a text
//! delivered or failed, three touches unanswered): it is kept on the lead and its timeline,
//! and the tenant's triggers may start a cadence on it.

use super::change::Change;
use super::enrolment::started_by;
use super::App;
use crate::config::TenantConfig;
use crate::domain::{
    turns_unengaged, Channel, Cue, Lead, LeadId, Signal, TenantId, TimelineEntry, TimelineKind, DEFAULT_UNENGAGED_AFTER,
};
use crate::engine::{decide, Event, LeadView};
use crate::ports::StoreError;
use chrono::{DateTime, Duration, Utc};

/// Opens of one lead closer together than this are one reading: a mail client reloads a
/// message's pixels, and SES reports a click as an open too.
const SAME_OPEN: Duration = Duration::hours(1);

impl App {
    /// Records `signal` from `channel` on the lead and runs the triggers it fires; a signal
    /// whose first is enough (`sms_delivered`) is kept once, unless a trigger waits for it.
    /// Answers whether the lead exists (a signal for a lead that is gone is dropped).
    pub async fn record_signal(
        &self,
        tenant: &TenantId,
        id: &LeadId,
        signal: Signal,
        channel: Option<Channel>,
    ) -> Result<bool, StoreError> {
        let repeat = |lead: &Lead, _: DateTime<Utc>, waited_for: bool| {
            signal.first_is_enough() && !waited_for && lead.signals.iter().any(|s| s.signal == signal)
        };
        Ok(self.record_unless(tenant, id, signal, channel, repeat).await?.is_some())
    }

    /// Records that the lead opened an email, unless it was already recorded within the hour.
    /// Answers whether it was recorded.
    pub async fn email_opened(&self, tenant: &TenantId, id: &LeadId) -> Result<bool, StoreError> {
        let recent = |lead: &Lead, now: DateTime<Utc>, _listened: bool| {
            lead.signals.iter().any(|s| s.signal == Signal::EmailOpened && now - s.at < SAME_OPEN)
        };
        Ok(self.record_unless(tenant, id, Signal::EmailOpened, Some(Channel::Email), recent).await? == Some(true))
    }

    /// Records `signal` unless `redundant` says the lead has it already (told whether a
    /// trigger or a condition waits for the signal), reading the lead's enrolments only when a trigger could
    /// start one. Answers whether it was recorded, or `None` when there is no such lead.
    async fn record_unless(
        &self,
        tenant: &TenantId,
        id: &LeadId,
        signal: Signal,
        channel: Option<Channel>,
        redundant: impl Fn(&Lead, DateTime<Utc>, bool) -> bool,
    ) -> Result<Option<bool>, StoreError> {
        let Some(config) = self.tenants.get(tenant) else { return Ok(None) };
        let now = self.clock.now();
        let rules = config.rules();
        let listened = rules.triggers.iter().any(|t| t.when.covers(Cue::Signal(signal)));
        let waited_for = config.waits_for(signal);
        let mut recorded = false;
        let changed = self
            .change_lead_reading(tenant, id, now, listened, |lead, enrolments| {
                recorded = !redundant(lead, now, waited_for);
                if !recorded {
                    return Change::none(lead);
                }
                let view = LeadView { lead, enrolments, touch_times: &[] };
                let commands = decide(view, &Event::Signal(signal), rules, now);
                let mut next = lead.clone();
                next.record_signal(signal, channel, now);
                let mut timeline = vec![TimelineEntry { at: now, kind: TimelineKind::Signal { signal, channel } }];
                let started = started_by(rules, &next, &commands, now, &mut timeline);
                Change { lead: next, enrolment_commands: commands, started, timeline }
            })
            .await?;
        Ok(changed.map(|_| recorded))
    }

    /// After a touch to `lead` was claimed at `now`: if it is the `unengaged_after`-th since
    /// the lead last engaged (`earlier`: when its touches before it were claimed), records
    /// `unengaged`, for a tenant that scores it or starts a cadence on it. Best effort: the
    /// touch is sent whatever happens here.
    pub(super) async fn note_unengaged(&self, tenant: &TenantConfig, lead: &Lead, earlier: &[DateTime<Utc>]) {
        let scored = tenant.scoring.as_ref().is_some_and(|s| s.signal_points.contains_key(&Signal::Unengaged));
        if !(scored || tenant.waits_for(Signal::Unengaged)) {
            return;
        }
        let after = tenant.scoring.as_ref().map_or(DEFAULT_UNENGAGED_AFTER, |s| s.unengaged_after);
        if !turns_unengaged(lead, earlier, after) {
            return;
        }
        if let Err(e) = self.record_signal(&tenant.id, &lead.id, Signal::Unengaged, None).await {
            tracing::warn!(tenant = %tenant.id, lead = %lead.id, error = %e, "unengaged not recorded");
        }
    }
}
