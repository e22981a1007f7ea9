//! A lead talking to us, by an SMS reply or by pressing 1 on a call: the sequence stops, the
//! lead needs a human, and the tenant's people are told. One path for every channel.

use super::change::Change;
use super::counters::Counter;
use super::App;
use crate::config::TenantConfig;
use crate::domain::{Channel, Lead, LeadId, ReplyTopic, TimelineEntry, TimelineKind};
use crate::engine::{decide, Event, LeadView};
use crate::ports::{Handoff, StoreError};
use chrono::{DateTime, Utc};

/// How many of the lead's latest messages a hand-off quotes.
const HANDOFF_MESSAGES: usize = 3;

/// What the lead said, where, and how we read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Conversation {
    pub channel: Channel,
    /// The lead's words, or what they did ("pressed 1 to be connected").
    pub said: String,
    /// How it reached us, for the timeline ("replied by SMS").
    pub how: &'static str,
    pub topic: ReplyTopic,
    pub score: u8,
}

impl Conversation {
    /// The lead's change: every cadence stopped (pause on reply), `needs_human`, the reply and
    /// the hand-off on the timeline. Answers whether this is the lead's first reply.
    pub(super) fn change(
        &self,
        lead: &Lead,
        view: LeadView<'_>,
        tenant: &TenantConfig,
        now: DateTime<Utc>,
    ) -> (Change, bool) {
        let mut next = lead.clone();
        next.needs_human = true;
        let first_reply = next.replied_at.is_none();
        next.replied_at = next.replied_at.or(Some(now));
        let timeline = [
            TimelineKind::Replied { channel: self.channel, body: self.said.clone() },
            TimelineKind::HandedOff { reason: format!("{} ({}, score {})", self.how, self.topic.label(), self.score) },
        ]
        .into_iter()
        .map(|kind| TimelineEntry { at: now, kind })
        .collect();
        let commands = decide(view, &Event::Replied, tenant.rules(), now);
        (Change { lead: next, enrolment_commands: commands, timeline }, first_reply)
    }
}

impl App {
    /// Hands `lead` to a human after `conversation`: changes the lead (see
    /// [`Conversation::change`]), counts a first reply, and posts the hand-off. Answers the
    /// lead as changed, or `None` if there is no such lead.
    pub(super) async fn converse(
        &self,
        tenant: &TenantConfig,
        lead: &LeadId,
        conversation: Conversation,
    ) -> Result<Option<Lead>, StoreError> {
        let now = self.clock.now();
        let mut first_reply = false;
        let changed = self
            .change_lead(&tenant.id, lead, now, |lead, enrolments| {
                let view = LeadView { lead, enrolments, touch_times: &[] };
                let (change, first) = conversation.change(lead, view, tenant, now);
                first_reply = first;
                change
            })
            .await?;
        let Some(lead) = changed else { return Ok(None) };
        if first_reply {
            let counter = Counter::Reply { source: lead.profile.source.clone(), channel: conversation.channel };
            if let Err(e) =
                self.store.add_counts(&tenant.id, lead.received_at.date_naive(), &[(counter.key(), 1)]).await
            {
                tracing::warn!(error = %e, "reply counter not updated");
            }
        }
        self.notify_handoff(&lead, conversation.topic, conversation.score).await;
        Ok(Some(lead))
    }

    /// Tells the tenant's people that `lead` replied, with its last few messages. Best effort:
    /// the lead is already marked as needing a human.
    async fn notify_handoff(&self, lead: &Lead, topic: ReplyTopic, score: u8) {
        let timeline = self.store.timeline(&lead.tenant, &lead.id).await.unwrap_or_default();
        let mut messages: Vec<String> = timeline
            .into_iter()
            .filter_map(|entry| match entry.kind {
                TimelineKind::Replied { body, .. } => Some(body),
                _ => None,
            })
            .collect();
        messages.drain(..messages.len().saturating_sub(HANDOFF_MESSAGES));
        let name = match &lead.profile.last_name {
            Some(last) => format!("{} {}", lead.profile.first_name, last),
            None => lead.profile.first_name.to_string(),
        };
        let handoff = Handoff {
            tenant: lead.tenant.clone(),
            lead_id: lead.id.clone(),
            lead_name: name,
            source: lead.profile.source.clone(),
            topic,
            score,
            messages,
        };
        if let Err(e) = self.notifier.hand_off(&handoff).await {
            tracing::warn!(tenant = %lead.tenant, lead = %lead.id, error = %e, "hand-off not posted");
        }
    }
}
