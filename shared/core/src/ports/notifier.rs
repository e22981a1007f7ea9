//! Telling the tenant's people that a lead wants a human, and that nobody has picked one up
//! in time: messages to their team chat.

use crate::domain::{Channel, LeadId, Points, ReplyTopic, StageName, TenantId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

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
    /// Who the lead is assigned to (a chat mention or a name), if the tenant has reps.
    pub owner: Option<String>,
    /// How long the team has before the hand-off is escalated, in minutes.
    pub sla_minutes: i64,
    /// Set when no rep could take the lead: who was skipped and whom it fell back on.
    pub unrouted: Option<String>,
}

/// A hand-off nobody marked contacted within the SLA, escalated to the manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    pub tenant: TenantId,
    pub lead_id: LeadId,
    pub lead_name: String,
    /// Who the lead is assigned to (a chat mention or a name), if anyone.
    pub owner: Option<String>,
    /// Whom the escalation calls on (a chat mention or a name), if the tenant names someone.
    pub manager: Option<String>,
    /// How long the lead has been waiting, in minutes.
    pub waited_minutes: i64,
}

/// A touch that may not have gone out: its process died between claiming and recording it,
/// and the channel cannot say whether the provider took it. A person checks and follows up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UncertainTouch {
    pub tenant: TenantId,
    pub lead_id: LeadId,
    pub lead_name: String,
    /// Who the lead is assigned to (a chat mention or a name), if anyone.
    pub owner: Option<String>,
    pub channel: Channel,
    pub cadence: String,
    pub step: usize,
    /// Whether it was to be the lead's first touch (what the lead was promised).
    pub first: bool,
    pub claimed_at: DateTime<Utc>,
}

/// A lead that just became hot, with what a rep needs to act on it at once.
#[derive(Debug, Clone, PartialEq)]
pub struct HotLead {
    pub tenant: TenantId,
    pub lead_id: LeadId,
    pub lead_name: String,
    pub source: String,
    pub campaign: Option<String>,
    /// The form's extra fields, by name.
    pub fields: Vec<(String, String)>,
    pub score: f64,
    /// What made it hot: each line of its score.
    pub points: Vec<Points>,
    /// Who the lead is assigned to (a chat mention or a name), if anyone.
    pub owner: Option<String>,
    /// The next touch leadflow will make, if any (`sms at 2026-03-05 15:05 UTC`).
    pub next_step: Option<String>,
    /// Where to open the lead (`GET /v1/leads/{id}` under the public URL), if known.
    pub link: Option<String>,
}

/// A lead that sat in its pipeline stage past the stage's SLA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleLead {
    pub tenant: TenantId,
    pub lead_id: LeadId,
    pub lead_name: String,
    pub stage: StageName,
    /// How long it has been in the stage, and the stage's SLA, in minutes.
    pub waited_minutes: i64,
    pub sla_minutes: i64,
    /// Who the lead is assigned to (a chat mention or a name), if anyone.
    pub owner: Option<String>,
    /// Where to open the lead, if known.
    pub link: Option<String>,
}

/// Posts hand-offs to the tenant's team chat.
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Tells the tenant's people about `handoff`; a failure is the caller's to log (the lead
    /// is already marked as needing a human, which is what the lead API shows).
    async fn hand_off(&self, handoff: &Handoff) -> Result<(), String>;
    /// Tells the tenant's manager that a hand-off waited past its SLA; a failure is the
    /// caller's to log (the escalation is already on the lead's timeline and in the counters).
    async fn escalate(&self, escalation: &Escalation) -> Result<(), String>;
    /// Tells the lead's owner (the tenant's people) that a touch may not have gone out; a
    /// failure is the caller's to log (the touch is already marked uncertain and counted).
    async fn uncertain_touch(&self, alert: &UncertainTouch) -> Result<(), String>;
    /// Tells the tenant's people that a lead just became hot (at most once per time it
    /// becomes so); a failure is the caller's to log. By default, a log line.
    async fn hot_lead(&self, alert: &HotLead) -> Result<(), String> {
        tracing::info!(tenant = %alert.tenant, lead = %alert.lead_id, score = alert.score, "lead became hot (no team chat configured)");
        Ok(())
    }
    /// Tells the tenant's people that a lead sat in its stage past the stage's SLA (once per
    /// stay); a failure is the caller's to log. By default, a log line.
    async fn stale_lead(&self, alert: &StaleLead) -> Result<(), String> {
        tracing::warn!(tenant = %alert.tenant, lead = %alert.lead_id, stage = %alert.stage, waited_minutes = alert.waited_minutes, "lead stale in its stage (no team chat configured)");
        Ok(())
    }
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

    async fn escalate(&self, escalation: &Escalation) -> Result<(), String> {
        tracing::warn!(
            tenant = %escalation.tenant,
            lead = %escalation.lead_id,
            waited_minutes = escalation.waited_minutes,
            "hand-off escalated: nobody marked the lead contacted in time (no team chat configured)"
        );
        Ok(())
    }

    async fn uncertain_touch(&self, alert: &UncertainTouch) -> Result<(), String> {
        tracing::warn!(
            tenant = %alert.tenant,
            lead = %alert.lead_id,
            channel = %alert.channel,
            step = alert.step,
            first = alert.first,
            "a touch may not have gone out: the channel cannot tell; a person should follow up (no team chat configured)"
        );
        Ok(())
    }
}
