//! A lead talking to us, by an SMS reply or by pressing 1 on a call: the sequence stops, the
//! lead needs a human, and the tenant's people are told. One path for every channel.

use super::change::Change;
use super::counters::Counter;
use super::handoff::hand_off;
use super::routing::Assignment;
use super::App;
use crate::config::TenantConfig;
use crate::domain::{
    move_stage, note_positive_reply, Channel, Lead, ReplyTopic, Signal, StageCause, StageSignal, TimelineEntry,
    TimelineKind,
};
use crate::engine::{decide, Event, LeadView};
use crate::ports::StoreError;
use chrono::{DateTime, Utc};

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
    /// The lead's change: every cadence stopped (pause on reply), handed to a human (waiting
    /// since now unless already waiting; `owner` if it had none), moved to `conversation`
    /// where the pipeline allows, the reply and the hand-off on the timeline. Answers whether
    /// this is the lead's first reply.
    pub(super) fn change(
        &self,
        lead: &Lead,
        owner: Option<&Assignment>,
        view: LeadView<'_>,
        tenant: &TenantConfig,
        now: DateTime<Utc>,
    ) -> (Change, bool) {
        let (mut next, assigned) = hand_off(lead, owner, now);
        let first_reply = next.replied_at.is_none();
        next.replied_at = next.replied_at.or(Some(now));
        next.record_signal(Signal::Replied, Some(self.channel), now);
        // The classifier's warm topics (a slot, a call, a question) are positive replies.
        if self.topic.score() >= ReplyTopic::Question.score() {
            note_positive_reply(&tenant.experiments, &mut next, now);
        }
        let mut timeline: Vec<TimelineEntry> = [
            TimelineKind::Replied { channel: self.channel, body: self.said.clone() },
            TimelineKind::HandedOff { reason: format!("{} ({}, score {})", self.how, self.topic.label(), self.score) },
        ]
        .into_iter()
        .chain(assigned)
        .map(|kind| TimelineEntry { at: now, kind })
        .collect();
        let replied = StageCause::Signal(StageSignal::Replied);
        timeline.extend(move_stage(&mut next, &tenant.pipeline, &replied, now));
        let commands = decide(view, &Event::Replied, tenant.rules(), now);
        (Change { lead: next, enrolment_commands: commands, started: Vec::new(), timeline }, first_reply)
    }
}

impl App {
    /// Hands `lead` to a human after `conversation`: assigns an owner if it has none (the
    /// tenant's reps in turn), changes the lead (see [`Conversation::change`]), counts a first
    /// reply, starts the SLA check and posts the hand-off. `before` is the lead as the caller
    /// read it (the change reads it again, conditionally). Answers the lead as changed, or
    /// `None` if it is gone.
    pub(super) async fn converse(
        &self,
        tenant: &TenantConfig,
        before: &Lead,
        conversation: Conversation,
    ) -> Result<Option<Lead>, StoreError> {
        let now = self.clock.now();
        let assignment = self.next_owner(tenant, before).await?;
        let mut first_reply = false;
        let changed = self
            .change_lead(&tenant.id, &before.id, now, |lead, enrolments| {
                let view = LeadView { lead, enrolments, touch_times: &[] };
                let (change, first) = conversation.change(lead, assignment.as_ref(), view, tenant, now);
                first_reply = first;
                change
            })
            .await?;
        let Some(lead) = changed else { return Ok(None) };
        if first_reply {
            let counter = Counter::Reply { source: lead.profile.source.clone(), channel: conversation.channel };
            self.count(tenant, &lead, counter).await;
        }
        let unrouted = assignment.and_then(|a| a.unrouted).filter(|_| before.owner.is_none());
        self.announce_handoff(tenant, before, &lead, conversation.topic, conversation.score, unrouted).await;
        Ok(Some(lead))
    }
}
