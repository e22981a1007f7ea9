//! Hand-offs and their escalations posted to a tenant's team chat: a Slack or Microsoft Teams incoming webhook, with
//! the same sending discipline as the SMS providers (timeout, retries on 429/5xx only).

use crate::routing::{exposed, RoutingError};
use crate::send::{HttpSender, RetryPolicy};
use async_trait::async_trait;
use leadflow_core::config::TenantDirectory;
use leadflow_core::domain::{Channel, TenantId};
use leadflow_core::ports::{Escalation, Handoff, HotLead, LogNotifier, Notifier, StaleLead, UncertainTouch};
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// Each tenant's team chat; tenants without one get a log line.
pub struct ChatNotifier {
    webhooks: HashMap<TenantId, String>,
    /// HIPAA tenants: their hand-offs name the lead by first name and quote no messages.
    private: HashSet<TenantId>,
    http: HttpSender,
}

impl ChatNotifier {
    /// The chats every tenant configured (their webhook URLs resolved).
    pub fn new(tenants: &TenantDirectory) -> Result<Self, RoutingError> {
        let mut webhooks = HashMap::new();
        let private = tenants.all().filter(|tenant| tenant.hipaa).map(|tenant| tenant.id.clone()).collect();
        for tenant in tenants.all() {
            if let Some(chat) = &tenant.handoff {
                let url = exposed(tenant, chat.field(), chat.webhook())?;
                webhooks.insert(tenant.id.clone(), url.to_owned());
            }
        }
        Ok(Self { webhooks, private, http: HttpSender::new(RetryPolicy::default())? })
    }

    /// Posts `text` to the tenant's chat (the caller checked there is one).
    async fn post(&self, url: &str, text: String) -> Result<(), String> {
        let body = json!({ "text": text });
        let reply =
            self.http.send("team chat", |client| client.post(url).json(&body)).await.map_err(|e| e.to_string())?;
        if reply.status.is_success() {
            Ok(())
        } else {
            Err(format!("the team chat answered {}", reply.status))
        }
    }
}

/// The message both chats render: Slack and Teams incoming webhooks take `{"text": …}` with
/// light markdown.
pub fn handoff_text(handoff: &Handoff) -> String {
    let mut text = format!(
        "*{}* replied ({}): {}, score {}/100. Lead {} needs a human.",
        handoff.lead_name,
        handoff.source,
        handoff.topic.label().replace('_', " "),
        handoff.score,
        handoff.lead_id
    );
    if let Some(unrouted) = &handoff.unrouted {
        text.push_str(&format!(" :warning: {unrouted}."));
    }
    if let Some(owner) = &handoff.owner {
        text.push_str(&format!(" Assigned to {owner}; please mark it contacted within {} min.", handoff.sla_minutes));
    }
    for message in &handoff.messages {
        text.push_str("\n> ");
        text.push_str(&message.replace('\n', " "));
    }
    text
}

/// The escalation message: it calls on the manager by their mention.
pub fn escalation_text(escalation: &Escalation) -> String {
    let who = escalation.manager.as_deref().unwrap_or("Manager");
    let owner = match &escalation.owner {
        Some(owner) => format!(" (assigned to {owner})"),
        None => String::new(),
    };
    format!(
        "{who}: *{}* has waited {} min for a human{owner} and nobody marked lead {} contacted. Please pick it up.",
        escalation.lead_name, escalation.waited_minutes, escalation.lead_id
    )
}

/// The alert for a touch that may not have gone out: it names the channel and the step, and
/// calls on the lead's owner to follow up by hand.
pub fn uncertain_text(alert: &UncertainTouch) -> String {
    let who = alert.owner.as_deref().unwrap_or("Team");
    let what = match alert.channel {
        Channel::Sms => "text",
        Channel::Email => "email",
        Channel::Voice => "call",
        Channel::Voicemail => "voicemail",
    };
    let which = if alert.first { "first " } else { "" };
    format!(
        "{who}: the {which}{what} to *{}* may not have gone out (lead {}, {} step {} by {}, claimed {}). \
         leadflow stopped before the provider answered, and the provider cannot say whether it took it, \
         so it will not be sent again. Please check and follow up by hand.",
        alert.lead_name,
        alert.lead_id,
        alert.cadence,
        alert.step,
        alert.channel,
        alert.claimed_at.format("%Y-%m-%d %H:%M UTC"),
    )
}

/// The hot-lead alert: who, from where, what the form said, why the lead is hot, who has it,
/// what leadflow does next and where to open it.
pub fn hot_text(alert: &HotLead) -> String {
    let campaign = alert.campaign.as_deref().map(|c| format!(", campaign {c}")).unwrap_or_default();
    let mut text = format!("🔥 *{}* is hot: score {} ({}{campaign}).", alert.lead_name, alert.score, alert.source);
    let why: Vec<String> = alert.points.iter().map(|p| format!("{} {:+}", p.why, p.points)).collect();
    if !why.is_empty() {
        text.push_str(&format!(" Why: {}.", why.join(", ")));
    }
    match &alert.owner {
        Some(owner) => text.push_str(&format!(" Owner: {owner}.")),
        None => text.push_str(" No owner yet."),
    }
    if let Some(next) = &alert.next_step {
        text.push_str(&format!(" Next: {next}."));
    }
    for (name, value) in &alert.fields {
        text.push_str(&format!("\n> {name}: {}", value.replace('\n', " ")));
    }
    match &alert.link {
        Some(link) => text.push_str(&format!("\n{link}")),
        None => text.push_str(&format!("\nLead {}", alert.lead_id)),
    }
    text
}

/// The stale-lead alert: the lead, its stage, how long it sat there against the stage's SLA,
/// and who should move it.
pub fn stale_text(alert: &StaleLead) -> String {
    let who = alert.owner.as_deref().unwrap_or("Team");
    let place = alert.link.clone().unwrap_or_else(|| format!("lead {}", alert.lead_id));
    format!(
        "{who}: *{}* has been in *{}* for {} (the stage's SLA is {}). Move it on or close it: {place}",
        alert.lead_name,
        alert.stage,
        minutes_span(alert.waited_minutes),
        minutes_span(alert.sla_minutes)
    )
}

/// Minutes as a person reads them: `45 min`, `5 h`, `3 d 4 h`.
fn minutes_span(minutes: i64) -> String {
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (days, hours, mins) {
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// The first word of a name: all a team chat without a BAA in place may see of a lead.
fn first_name(name: &str) -> String {
    name.split_whitespace().next().unwrap_or_default().to_owned()
}

/// A hand-off with no more than a team chat (no BAA in place) may see: the lead's first name,
/// no words of theirs. The people open the lead in leadflow for the rest.
fn minimal(handoff: &Handoff) -> Handoff {
    Handoff { lead_name: first_name(&handoff.lead_name), messages: Vec::new(), ..handoff.clone() }
}

#[async_trait]
impl Notifier for ChatNotifier {
    async fn hand_off(&self, handoff: &Handoff) -> Result<(), String> {
        let Some(url) = self.webhooks.get(&handoff.tenant) else {
            return LogNotifier.hand_off(handoff).await;
        };
        let text = if self.private.contains(&handoff.tenant) {
            handoff_text(&minimal(handoff))
        } else {
            handoff_text(handoff)
        };
        self.post(url, text).await
    }

    async fn escalate(&self, escalation: &Escalation) -> Result<(), String> {
        let Some(url) = self.webhooks.get(&escalation.tenant) else {
            return LogNotifier.escalate(escalation).await;
        };
        let text = if self.private.contains(&escalation.tenant) {
            escalation_text(&Escalation { lead_name: first_name(&escalation.lead_name), ..escalation.clone() })
        } else {
            escalation_text(escalation)
        };
        self.post(url, text).await
    }

    async fn hot_lead(&self, alert: &HotLead) -> Result<(), String> {
        let Some(url) = self.webhooks.get(&alert.tenant) else {
            return LogNotifier.hot_lead(alert).await;
        };
        // A HIPAA tenant's chat gets the first name and the score's reasons, not the form.
        let text = if self.private.contains(&alert.tenant) {
            hot_text(&HotLead {
                lead_name: first_name(&alert.lead_name),
                fields: Vec::new(),
                campaign: None,
                ..alert.clone()
            })
        } else {
            hot_text(alert)
        };
        self.post(url, text).await
    }

    async fn stale_lead(&self, alert: &StaleLead) -> Result<(), String> {
        let Some(url) = self.webhooks.get(&alert.tenant) else {
            return LogNotifier.stale_lead(alert).await;
        };
        let text = if self.private.contains(&alert.tenant) {
            stale_text(&StaleLead { lead_name: first_name(&alert.lead_name), ..alert.clone() })
        } else {
            stale_text(alert)
        };
        self.post(url, text).await
    }

    async fn uncertain_touch(&self, alert: &UncertainTouch) -> Result<(), String> {
        let Some(url) = self.webhooks.get(&alert.tenant) else {
            return LogNotifier.uncertain_touch(alert).await;
        };
        let text = if self.private.contains(&alert.tenant) {
            uncertain_text(&UncertainTouch { lead_name: first_name(&alert.lead_name), ..alert.clone() })
        } else {
            uncertain_text(alert)
        };
        self.post(url, text).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leadflow_core::domain::{LeadId, ReplyTopic};

    /// Ann's hand-off: she wants a call and said why.
    fn handoff() -> Handoff {
        Handoff {
            tenant: TenantId::parse("clinic").unwrap(),
            lead_id: LeadId::new(),
            lead_name: "Ann Lee".to_owned(),
            source: "facebook".to_owned(),
            topic: ReplyTopic::WantsCall,
            score: 85,
            messages: vec!["My tooth hurts, call me".to_owned()],
            owner: None,
            sla_minutes: 15,
            unrouted: None,
        }
    }

    #[test]
    fn a_hipaa_tenants_hand_off_names_the_lead_by_first_name_and_quotes_nothing() {
        let handoff = handoff();
        let full = handoff_text(&handoff);
        assert!(full.contains("Ann Lee") && full.contains("tooth"), "{full}");
        let private = handoff_text(&minimal(&handoff));
        assert!(private.starts_with("*Ann* replied (facebook): wants call, score 85/100."), "{private}");
        assert!(!private.contains("Lee") && !private.contains("tooth"), "{private}");
    }

    #[test]
    fn a_hand_off_no_rep_could_take_says_so_before_naming_the_manager() {
        let handoff = Handoff {
            owner: Some("<@UMARA>".to_owned()),
            unrouted: Some("no rep available (skipped Dana: away): to the manager, <@UMARA>".to_owned()),
            ..handoff()
        };
        let text = handoff_text(&handoff);
        assert!(
            text.contains(
                ":warning: no rep available (skipped Dana: away): to the manager, <@UMARA>. Assigned to <@UMARA>"
            ),
            "{text}"
        );
    }

    #[test]
    fn an_uncertain_first_text_names_the_channel_and_step_and_calls_on_the_owner() {
        let alert = UncertainTouch {
            tenant: TenantId::parse("clinic").unwrap(),
            lead_id: LeadId::new(),
            lead_name: "Ann Lee".to_owned(),
            owner: Some("<@U123>".to_owned()),
            channel: Channel::Sms,
            cadence: "standard".to_owned(),
            step: 0,
            first: true,
            claimed_at: chrono::DateTime::parse_from_rfc3339("2026-03-05T15:00:00Z").unwrap().to_utc(),
        };
        let text = uncertain_text(&alert);
        assert!(text.starts_with("<@U123>: the first text to *Ann Lee* may not have gone out"), "{text}");
        assert!(text.contains("standard step 0 by sms, claimed 2026-03-05 15:00 UTC"), "{text}");
    }

    #[test]
    fn a_stale_lead_names_its_stage_its_wait_and_its_owner() {
        let alert = StaleLead {
            tenant: TenantId::parse("clinic").unwrap(),
            lead_id: LeadId::new(),
            lead_name: "Ann Lee".to_owned(),
            stage: leadflow_core::domain::StageName::parse("contacted").unwrap(),
            waited_minutes: 3 * 1440 + 61,
            sla_minutes: 3 * 1440,
            owner: Some("<@UDANA>".to_owned()),
            link: None,
        };
        let text = stale_text(&alert);
        assert!(
            text.starts_with("<@UDANA>: *Ann Lee* has been in *contacted* for 3 d 1 h (the stage's SLA is 3 d)."),
            "{text}"
        );
        assert!(text.ends_with(&format!("lead {}", alert.lead_id)), "{text}");
    }
}
