//! Inbound SMS: compliance keywords first, then the conversation goes to a human.

use super::change::Change;
use super::counters::Counter;
use super::handoff::hand_off;
use super::App;
use crate::config::TenantConfig;
use crate::domain::{
    read_reply, Channel, OptInBy, OptOutBy, OptOutRecord, PhoneNumber, ReplyIntent, TimelineEntry, TimelineKind,
};
use crate::engine::{decide, Event, LeadView};
use crate::ports::StoreError;

/// The longest reply body kept on a timeline (ten SMS segments).
const MAX_BODY: usize = 1_600;

/// An SMS a lead sent to one of the tenant's numbers, signature already verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundSms {
    pub from: PhoneNumber,
    pub body: String,
    /// The carrier's id of the message (Twilio's MessageSid, Telnyx's message id): a
    /// webhook delivered again with the same id is handled once.
    pub message_id: Option<String>,
}

/// How long a carrier's message id is remembered: far longer than any carrier retries.
const REMEMBER_MESSAGE_IDS: chrono::Duration = chrono::Duration::days(7);

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
    /// Handles an SMS from a lead to `tenant`, once per carrier message id: a repeated
    /// delivery answers nothing (the first was answered). If handling fails, the id is given
    /// back, so the carrier's retry runs.
    pub async fn inbound_sms(&self, tenant: &TenantConfig, sms: InboundSms) -> Result<SmsAnswer, InboundError> {
        let Some(id) = sms.message_id.clone() else { return self.handle_sms(tenant, sms).await };
        let now = self.clock.now();
        if !self.store.claim_inbound(&tenant.id, &id, now, now + REMEMBER_MESSAGE_IDS).await? {
            tracing::info!(tenant = %tenant.id, message = %id, "a repeated delivery of an inbound message: ignored");
            return Ok(SmsAnswer::Nothing);
        }
        let handled = self.handle_sms(tenant, sms).await;
        if handled.is_err() {
            if let Err(e) = self.store.release_inbound(&tenant.id, &id).await {
                tracing::error!(tenant = %tenant.id, message = %id, error = %e, "inbound message id not given back");
            }
        }
        handled
    }

    async fn handle_sms(&self, tenant: &TenantConfig, sms: InboundSms) -> Result<SmsAnswer, InboundError> {
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
        let owner = match intent {
            ReplyIntent::Conversation { .. } => self.next_owner(tenant, &lead).await?,
            _ => None,
        };
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
                        let (handed_off, assigned) = hand_off(lead, owner.as_ref(), now);
                        next = handed_off;
                        first_reply = next.replied_at.is_none();
                        next.replied_at = next.replied_at.or(Some(now));
                        let mut kinds = vec![
                            TimelineKind::Replied { channel: Channel::Sms, body: body.clone() },
                            TimelineKind::HandedOff {
                                reason: format!("replied by SMS ({}, score {score})", topic.label()),
                            },
                        ];
                        kinds.extend(assigned);
                        (decide(view, &Event::Replied, rules, now), kinds)
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
            self.count(tenant, &lead, counter).await;
        }
        if let (ReplyIntent::Conversation { topic, score }, Some(changed)) = (intent, &changed) {
            self.announce_handoff(tenant, &lead, changed, topic, score).await;
        }
        Ok(answer)
    }
}

fn confirm(send: bool, text: &str) -> SmsAnswer {
    if send {
        SmsAnswer::Reply(text.to_owned())
    } else {
        SmsAnswer::Nothing
    }
}
