//! What follows a lead's move into a pipeline stage, whatever moved it: the funnel's counters
//! (the stage entered, the time spent in the one left), the count of leads in each stage now
//! and, for a stage with an SLA, a durable check that raises one stale-lead alert if the lead
//! is still there when it is up.
//!
//! It runs after every write of a lead (`change_lead`, intake), computed from the lead before
//! and after, so no path that moves a stage can forget it.

use super::change::Change;
use super::counters::{latency_bucket, Counter};
use super::handoff::{full_name, owner_mention};
use super::App;
use crate::config::TenantConfig;
use crate::domain::{Lead, StageVisit, TimelineEntry, TimelineKind};
use crate::ports::{StageCheck, StaleLead, StoreError};

impl App {
    /// After `after` was written (`before`: the lead as it was; none for a new one): if it
    /// entered a stage, withdraws the left stage's SLA check and schedules the new one's (the
    /// counters are [`stage_counters`]'). Best effort: the lead is right, and a check left
    /// behind finds the lead gone on.
    pub(super) async fn after_stage_move(&self, tenant: &TenantConfig, before: Option<&Lead>, after: &Lead) {
        let Some(entered) = after.stages.current() else { return };
        let left = before.and_then(|lead| lead.stages.current());
        if left.is_some_and(|left| same_stay(left, entered)) {
            return;
        }
        // Most leads leave `new` within seconds: its check would be a schedule kept for
        // nothing and a wakeup that does nothing.
        if let Some(check) = left.and_then(|left| stage_check(tenant, after, left)) {
            if let Err(e) = self.scheduler.cancel(&check.into()).await {
                tracing::warn!(tenant = %tenant.id, lead = %after.id, error = %e, "stage SLA check not withdrawn");
            }
        }
        if let Some(check) = stage_check(tenant, after, entered) {
            if let Err(e) = self.scheduler.schedule(check.into()).await {
                tracing::error!(tenant = %tenant.id, lead = %after.id, error = %e, "stage SLA check not scheduled");
            }
        }
    }

    /// Runs a stage's SLA check: a lead still in the stay `check` was made for, not yet
    /// announced, is marked announced (a conditional write, so a redelivered check finds it)
    /// and the team chat is told. Answers whether it alerted.
    pub(super) async fn check_stage_sla(&self, check: &StageCheck) -> Result<bool, StoreError> {
        let Some(tenant) = self.tenants.get(&check.tenant) else { return Ok(false) };
        // A stage whose SLA was lifted since (or renamed away) alerts nobody.
        let Some(sla) = tenant.pipeline.sla(&check.stage) else { return Ok(false) };
        let now = self.clock.now();
        let waited_minutes = (now - check.entered_at).num_minutes();
        let mut alerted = false;
        let changed = self
            .change_lead_reading(&tenant.id, &check.lead_id, now, false, |lead, _| {
                alerted = still_unannounced(lead, check);
                if !alerted {
                    return Change::none(lead);
                }
                let mut next = lead.clone();
                next.stages.mark_stale_alerted();
                let kind = TimelineKind::StageOverdue { stage: check.stage.clone(), waited_minutes };
                Change::of_lead(next, vec![TimelineEntry { at: now, kind }])
            })
            .await?;
        let Some(lead) = changed.filter(|_| alerted) else { return Ok(false) };
        let alert = StaleLead {
            tenant: tenant.id.clone(),
            lead_id: lead.id.clone(),
            lead_name: full_name(&lead),
            stage: check.stage.clone(),
            waited_minutes,
            sla_minutes: sla.num_minutes(),
            owner: owner_mention(&tenant, &lead),
            link: self.links.lead_url(&lead.id),
        };
        if let Err(e) = self.notifier.stale_lead(&alert).await {
            tracing::warn!(tenant = %tenant.id, lead = %lead.id, error = %e, "stale-lead alert not posted");
        }
        Ok(true)
    }
}

/// The SLA check of `lead`'s stay `stay`, if its stage has an SLA (the same one whether made
/// to schedule or to withdraw, while the tenant file keeps the SLA).
/// What a stage move counts, on the lead's arrival day as every counter of a lead is (a
/// funnel of a cohort): the stage entered, the time spent in the one left, and the leads in
/// each stage now (+1 on entry, -1 on exit: summed over the arrival days, the count now).
pub(super) fn stage_counters(before: Option<&Lead>, after: &Lead) -> Vec<(Counter, i64)> {
    let Some(entered) = after.stages.current() else { return Vec::new() };
    let left = before.and_then(|lead| lead.stages.current());
    if left.is_some_and(|left| same_stay(left, entered)) {
        return Vec::new();
    }
    let source = after.profile.source.clone();
    let mut counters = vec![
        (Counter::StageEntered { source, stage: entered.stage.clone() }, 1),
        (Counter::InStage { stage: entered.stage.clone() }, 1),
    ];
    if let Some(left) = left {
        let ms = (entered.entered_at - left.entered_at).num_milliseconds().max(0) as u64;
        counters.push((Counter::StageTime { stage: left.stage.clone(), bucket: latency_bucket(ms) }, 1));
        counters.push((Counter::InStage { stage: left.stage.clone() }, -1));
    }
    counters
}

fn stage_check(tenant: &TenantConfig, lead: &Lead, stay: &StageVisit) -> Option<StageCheck> {
    Some(StageCheck {
        tenant: tenant.id.clone(),
        lead_id: lead.id.clone(),
        stage: stay.stage.clone(),
        entered_at: stay.entered_at,
        due_at: stay.entered_at + tenant.pipeline.sla(&stay.stage)?,
    })
}

/// Whether two stays are one (a stay is its stage and when it began).
fn same_stay(a: &StageVisit, b: &StageVisit) -> bool {
    a.stage == b.stage && a.entered_at == b.entered_at
}

/// Whether `lead` is still in the stay `check` was made for, and nobody was told yet.
fn still_unannounced(lead: &Lead, check: &StageCheck) -> bool {
    lead.stages
        .current()
        .is_some_and(|stay| stay.stage == check.stage && stay.entered_at == check.entered_at && !stay.stale_alerted)
}
