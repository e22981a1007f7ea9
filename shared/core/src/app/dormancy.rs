//! Dormancy: the moment a lead has been silent for one of its tenant's thresholds
//! (`[scoring] dormant_after`) is computed, not polled. Each change of the lead's last
//! engagement schedules a wakeup at the next threshold; when it fires, the lead's timeline
//! says so, the `dormant:<span>` triggers start their cadences, and the next threshold is
//! scheduled. Only tenants with dormancy triggers schedule anything.

use super::change::Change;
use super::enrolment::started_by;
use super::App;
use crate::config::TenantConfig;
use crate::domain::{span, Cue, Lead, TimelineEntry, TimelineKind};
use crate::engine::{decide, Event, LeadView};
use crate::ports::{DormancyCheck, StoreError};
use chrono::Duration;

impl App {
    /// Schedules the next dormancy check of `after` if its last engagement moved (or it is
    /// new): `before` is the lead as it was, none for a new one.
    pub(super) async fn schedule_dormancy(&self, tenant: &TenantConfig, before: Option<&Lead>, after: &Lead) {
        let Some(scoring) = &tenant.scoring else { return };
        if !tenant.triggers.iter().any(|t| matches!(t.when, Cue::Dormant(_))) {
            return;
        }
        let since = scoring.last_engagement(after);
        if before.is_some_and(|lead| scoring.last_engagement(lead) == since) {
            return;
        }
        self.schedule_next_dormancy(tenant, after).await;
    }

    async fn schedule_next_dormancy(&self, tenant: &TenantConfig, lead: &Lead) {
        let Some(scoring) = &tenant.scoring else { return };
        let Some((due_at, after)) = scoring.next_dormancy(lead, self.clock.now()) else { return };
        let since = scoring.last_engagement(lead);
        let check = DormancyCheck {
            tenant: tenant.id.clone(),
            lead_id: lead.id.clone(),
            since,
            after_seconds: after.num_seconds(),
            due_at,
        };
        if let Err(e) = self.scheduler.schedule(check.into()).await {
            tracing::warn!(tenant = %tenant.id, lead = %lead.id, error = %e, "dormancy check not scheduled");
        }
    }

    /// Acts on a dormancy check: drops it if the lead engaged since (`since` moved), else
    /// records the silence, runs the dormancy triggers and schedules the next threshold.
    /// Answers whether it acted.
    pub(super) async fn dormancy_due(&self, check: &DormancyCheck) -> Result<bool, StoreError> {
        let Some(tenant) = self.tenants.get(&check.tenant) else { return Ok(false) };
        let Some(scoring) = &tenant.scoring else { return Ok(false) };
        let after = Duration::seconds(check.after_seconds);
        let now = self.clock.now();
        let rules = tenant.rules();
        // Stale if the lead engaged since, or already acted on (a redelivery).
        let current = |lead: &Lead| {
            scoring.last_engagement(lead) == check.since && lead.dormant_noted.is_none_or(|at| at < check.due_at)
        };
        match self.store.lead(&tenant.id, &check.lead_id).await? {
            Some(lead) if current(&lead) => {}
            _ => return Ok(false),
        }
        let mut acted = false;
        let changed = self
            .change_lead(&tenant.id, &check.lead_id, now, |lead, enrolments| {
                acted = current(lead);
                let mut next = lead.clone();
                if !acted {
                    return Change {
                        lead: next,
                        enrolment_commands: Vec::new(),
                        started: Vec::new(),
                        timeline: vec![],
                    };
                }
                next.dormant_noted = Some(check.due_at);
                let view = LeadView { lead, enrolments, touch_times: &[] };
                let commands = decide(view, &Event::Dormant(after), rules, now);
                let kind = TimelineKind::WentDormant { silent_for: span(after) };
                let mut timeline = vec![TimelineEntry { at: now, kind }];
                let started = started_by(rules, &next, &commands, now, &mut timeline);
                Change { lead: next, enrolment_commands: commands, started, timeline }
            })
            .await?;
        let Some(lead) = changed.filter(|_| acted) else { return Ok(false) };
        self.schedule_next_dormancy(&tenant, &lead).await;
        Ok(true)
    }
}
