//! Inbound SMS: compliance keywords first, then the conversation goes to a human.

use super::change::Change;
use super::counters::Counter;
use super::App;
use crate::config::TenantConfig;
use crate::domain::{
    read_reply, Channel, Lead, OptInBy, OptOutBy, OptOutRecord, PhoneNumber, ReplyIntent, ReplyTopic, TimelineEntry,
    TimelineKind,
};
use crate::engine::{decide, Event, LeadView};
use crate::ports::{Handoff, StoreError};

/// How many of the lead's latest messages a hand-off quotes.
const HANDOFF_MESSAGES: usize = 3;

/// The longest reply body kept on a timeline (ten SMS segments).
const MAX_BODY: usize = 1_600;

/// An SMS a lead sent to one of the tenant's numbers, signature already verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundSms {
    pub from: PhoneNumber,
    pub body: String,
}

/// What to answer the carrier with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsAnswer {
    /// No message back (for STOP and START the carrier sends its own confirmation).
    Nothing,
    /// Reply with this text.
    Reply(String),
}

/// Why an inbound message could not be handled (the carrier should retry).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InboundError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl App {
    /// Handles an SMS from a lead to `tenant`.
    pub async fn inbound_sms(&self, tenant: &TenantConfig, sms: InboundSms) -> Result<SmsAnswer, InboundError> {
        let now = self.clock.now();
        let body: String = sms.body.chars().take(MAX_BODY).collect();
        // The number's own opt-out record holds whether or not it is a lead yet, and across
        // all of the tenant's cadences at once.
        let prior_opt_out = self.store.number_opt_out(&tenant.id, &sms.from).await?;
        let intent = read_reply(&sms.body, prior_opt_out.is_some());
        let answer = match intent {
            ReplyIntent::OptOut(by) => {
                let record = OptOutRecord { at: now, channel: Channel::Sms, message: body.clone() };
                let first = self.store.record_number_opt_out(&tenant.id, &sms.from, &record).await?;
                // The carrier confirms its own keywords; words it does not understand, so
                // leadflow confirms those, once per opt-out.
                let carrier_confirms = by == OptOutBy::Keyword && tenant.carrier_confirms_keywords;
                confirm(first && !carrier_confirms, &tenant.opt_out_text)
            }
            ReplyIntent::OptIn(by) => {
                let lifted = self.store.lift_number_opt_out(&tenant.id, &sms.from).await?;
                let carrier_confirms = by == OptInBy::Keyword && tenant.carrier_confirms_keywords;
                confirm(lifted && !carrier_confirms, &tenant.opt_in_text)
            }
            ReplyIntent::Help => SmsAnswer::Reply(tenant.help_text.clone()),
            ReplyIntent::Conversation { .. } => SmsAnswer::Nothing,
        };
        let Some(lead) = self.store.lead_by_phone(&tenant.id, &sms.from).await? else {
            tracing::info!(tenant = %tenant.id, "SMS from a number that is not a lead");
            return Ok(answer);
        };
        let rules = tenant.rules();
        let mut first_reply = false;
        let changed = self
            .change_lead(&tenant.id, &lead.id, now, |lead, enrolments| {
                let view = LeadView { lead, enrolments, touch_times: &[] };
                let mut next = lead.clone();
                let (commands, kind) = match intent {
                    ReplyIntent::OptOut(_) => {
                        // A STOP by text silences the number: texts and calls alike.
                        next.opted_out.extend([Channel::Sms, Channel::Voice]);
                        let event = Event::OptedOut { channels: vec![Channel::Sms, Channel::Voice] };
                        (
                            decide(view, &event, rules, now),
                            vec![TimelineKind::OptedOut { channel: Channel::Sms, message: body.clone() }],
                        )
                    }
                    ReplyIntent::OptIn(_) => {
                        next.opted_out.remove(&Channel::Sms);
                        next.opted_out.remove(&Channel::Voice);
                        (Vec::new(), vec![TimelineKind::OptedIn { channel: Channel::Sms, message: body.clone() }])
                    }
                    ReplyIntent::Help => (Vec::new(), vec![TimelineKind::HelpRequested { message: body.clone() }]),
                    ReplyIntent::Conversation { topic, score } => {
                        next.needs_human = true;
                        first_reply = next.replied_at.is_none();
                        next.replied_at = next.replied_at.or(Some(now));
                        (
                            decide(view, &Event::Replied, rules, now),
                            vec![
                                TimelineKind::Replied { channel: Channel::Sms, body: body.clone() },
                                TimelineKind::HandedOff {
                                    reason: format!("replied by SMS ({}, score {score})", topic.label()),
                                },
                            ],
                        )
                    }
                };
                let timeline = kind.into_iter().map(|kind| TimelineEntry { at: now, kind }).collect();
                Change { lead: next, enrolment_commands: commands, started: Vec::new(), timeline }
            })
            .await?;

        let source = lead.profile.source.clone();
        let counter = match intent {
            ReplyIntent::OptOut(_) if !lead.opted_out.contains(&Channel::Sms) => {
                Some(Counter::OptOut { source, channel: Channel::Sms })
            }
            ReplyIntent::Conversation { .. } if first_reply => Some(Counter::Reply { source, channel: Channel::Sms }),
            _ => None,
        };
        if let (Some(counter), Some(_)) = (counter, &changed) {
            if let Err(e) =
                self.store.add_counts(&tenant.id, lead.received_at.date_naive(), &[(counter.key(), 1)]).await
            {
                tracing::warn!(error = %e, "inbound counter not updated");
            }
        }
        if let (ReplyIntent::Conversation { topic, score }, Some(lead)) = (intent, &changed) {
            self.notify_handoff(lead, topic, score).await;
        }
        Ok(answer)
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

fn confirm(send: bool, text: &str) -> SmsAnswer {
    if send {
        SmsAnswer::Reply(text.to_owned())
    } else {
        SmsAnswer::Nothing
    }
}
