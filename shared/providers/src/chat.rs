//! Hand-offs and their escalations posted to a tenant's team chat: a Slack or Microsoft Teams incoming webhook, with
//! the same sending discipline as the SMS providers (timeout, retries on 429/5xx only).

use crate::routing::{exposed, RoutingError};
use crate::send::{HttpSender, RetryPolicy};
use async_trait::async_trait;
use leadflow_core::config::TenantDirectory;
use leadflow_core::domain::TenantId;
use leadflow_core::ports::{Escalation, Handoff, LogNotifier, Notifier};
use serde_json::json;
use std::collections::HashMap;

/// Each tenant's team chat; tenants without one get a log line.
pub struct ChatNotifier {
    webhooks: HashMap<TenantId, String>,
    http: HttpSender,
}

impl ChatNotifier {
    /// The chats every tenant configured (their webhook URLs resolved).
    pub fn new(tenants: &TenantDirectory) -> Result<Self, RoutingError> {
        let mut webhooks = HashMap::new();
        for tenant in tenants.all() {
            if let Some(chat) = &tenant.handoff {
                let url = exposed(tenant, chat.field(), chat.webhook())?;
                webhooks.insert(tenant.id.clone(), url.to_owned());
            }
        }
        Ok(Self { webhooks, http: HttpSender::new(RetryPolicy::default())? })
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

#[async_trait]
impl Notifier for ChatNotifier {
    async fn hand_off(&self, handoff: &Handoff) -> Result<(), String> {
        match self.webhooks.get(&handoff.tenant) {
            Some(url) => self.post(url, handoff_text(handoff)).await,
            None => LogNotifier.hand_off(handoff).await,
        }
    }

    async fn escalate(&self, escalation: &Escalation) -> Result<(), String> {
        match self.webhooks.get(&escalation.tenant) {
            Some(url) => self.post(url, escalation_text(escalation)).await,
            None => LogNotifier.escalate(escalation).await,
        }
    }
}
