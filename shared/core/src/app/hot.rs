//! The hot-lead alert: when a lead's tier becomes `hot` (at intake, from its form, or later,
//! from what it does), the team chat hears of it at once, with what a rep needs to act.
//!
//! "Becomes": the lead was not hot a moment before, at the same `now`. A lead that stays hot
//! is not announced again; one that cooled (by decay or silence) and heats up again is.
//! Changes of one lead are serialized by its version, so two concurrent changes cannot both
//! see the step into hot.

use super::change::Change;
use super::handoff::{full_name, owner_mention};
use super::App;
use crate::config::TenantConfig;
use crate::domain::{Lead, Tier};
use crate::ports::{HotAlert, HotLead as HotLeadPost, StoreError};

impl App {
    /// Arranges the hot-lead alert if `after` is hot and `before` (the lead as it was; none for
    /// a new one) was not: a wakeup due now, so the alert is as durable as a touch and is
    /// posted by whichever function has the team chat.
    pub(super) async fn alert_if_newly_hot(&self, tenant: &TenantConfig, before: Option<&Lead>, after: &Lead) {
        let Some(scoring) = &tenant.scoring else { return };
        let now = self.clock.now();
        if scoring.tier(after, now) != Tier::Hot || before.is_some_and(|lead| scoring.tier(lead, now) == Tier::Hot) {
            return;
        }
        let alert = HotAlert { tenant: tenant.id.clone(), lead_id: after.id.clone(), became_hot_at: now, due_at: now };
        if let Err(e) = self.scheduler.schedule(alert.into()).await {
            tracing::warn!(tenant = %tenant.id, lead = %after.id, error = %e, "hot-lead alert not scheduled");
        }
    }

    /// Posts the alert `check` arranged, once: the lead records its token first (a conditional
    /// write), so a redelivered wakeup finds it and posts nothing. A lead that cooled before
    /// the wakeup (it was due at once, so rarely) is not announced. Answers whether it posted.
    pub(super) async fn announce_hot(&self, check: &HotAlert) -> Result<bool, StoreError> {
        let Some(tenant) = self.tenants.get(&check.tenant) else { return Ok(false) };
        let Some(scoring) = &tenant.scoring else { return Ok(false) };
        let now = self.clock.now();
        let mut claimed = false;
        let changed = self
            .change_lead(&tenant.id, &check.lead_id, now, |lead, _| {
                let mut next = lead.clone();
                claimed = lead.hot_alerted_at != Some(check.became_hot_at) && scoring.tier(lead, now) == Tier::Hot;
                if claimed {
                    next.hot_alerted_at = Some(check.became_hot_at);
                }
                Change { lead: next, enrolment_commands: Vec::new(), started: Vec::new(), timeline: Vec::new() }
            })
            .await?;
        let Some(lead) = changed.filter(|_| claimed) else { return Ok(false) };
        let score = scoring.score(&lead, now);
        let next_step = self.next_step(&tenant, &lead).await;
        let alert = HotLeadPost {
            tenant: tenant.id.clone(),
            lead_id: lead.id.clone(),
            lead_name: full_name(&lead),
            source: lead.profile.source.clone(),
            campaign: lead.profile.campaign.clone(),
            fields: lead.profile.fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            score: score.score,
            points: score.points,
            owner: owner_mention(&tenant, &lead),
            next_step,
            link: self.links.lead_url(&lead.id),
        };
        if let Err(e) = self.notifier.hot_lead(&alert).await {
            tracing::warn!(tenant = %tenant.id, lead = %lead.id, error = %e, "hot-lead alert not posted");
        }
        Ok(true)
    }

    /// The lead's next touch, as a rep reads it (`sms at 2026-03-05 15:05 UTC`).
    async fn next_step(&self, tenant: &TenantConfig, lead: &Lead) -> Option<String> {
        let enrolments = self
            .store
            .enrolments(&tenant.id, &lead.id)
            .await
            .inspect_err(|e| tracing::warn!(error = %e, "hot-lead alert without its next step"))
            .ok()?;
        enrolments
            .iter()
            .filter(|e| e.is_active())
            .filter_map(|e| Some((e.next_due_at?, tenant.cadences.get(&e.cadence)?.steps.get(e.next_step)?)))
            .min_by_key(|(at, _)| *at)
            .map(|(at, step)| format!("{} at {}", step.channel, at.format("%Y-%m-%d %H:%M UTC")))
    }
}
