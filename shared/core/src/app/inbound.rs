//! Inbound SMS: compliance keywords first, then the conversation goes to a human.

use super::change::Change;
use super::counters::Counter;
use super::App;
use crate::config::TenantConfig;
use crate::domain::{classify_reply, Channel, PhoneNumber, ReplyIntent, TimelineEntry, TimelineKind};
use crate::engine::{decide, Event, LeadView};
use crate::ports::StoreError;

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
    /// No message back (the carrier sends its own opt-out and opt-in confirmations).
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
        let intent = classify_reply(&sms.body);
        let body: String = sms.body.chars().take(MAX_BODY).collect();
        // The number's own opt-out record holds whether or not it is a lead yet.
        match intent {
            ReplyIntent::OptOut => self.store.set_number_opt_out(&tenant.id, &sms.from, true).await?,
            ReplyIntent::OptIn => self.store.set_number_opt_out(&tenant.id, &sms.from, false).await?,
            _ => {}
        }
        let Some(lead) = self.store.lead_by_phone(&tenant.id, &sms.from).await? else {
            tracing::info!(tenant = %tenant.id, "SMS from a number that is not a lead");
            return Ok(match intent {
                ReplyIntent::Help => SmsAnswer::Reply(tenant.help_text.clone()),
                _ => SmsAnswer::Nothing,
            });
        };
        let rules = tenant.rules();
        let mut first_reply = false;
        let changed = self
            .change_lead(&tenant.id, &lead.id, now, |lead, enrolments| {
                let view = LeadView { lead, enrolments, touch_times: &[] };
                let mut next = lead.clone();
                let (commands, kind) = match intent {
                    ReplyIntent::OptOut => {
                        // A STOP by text silences the number: texts and calls alike.
                        next.opted_out.extend([Channel::Sms, Channel::Voice]);
                        let event = Event::OptedOut { channels: vec![Channel::Sms, Channel::Voice] };
                        (
                            decide(view, &event, rules, now),
                            vec![TimelineKind::OptedOut { channel: Channel::Sms, message: body.clone() }],
                        )
                    }
                    ReplyIntent::OptIn => {
                        next.opted_out.remove(&Channel::Sms);
                        next.opted_out.remove(&Channel::Voice);
                        (Vec::new(), vec![TimelineKind::OptedIn { channel: Channel::Sms, message: body.clone() }])
                    }
                    ReplyIntent::Help => (Vec::new(), vec![TimelineKind::HelpRequested { message: body.clone() }]),
                    ReplyIntent::Conversation => {
                        next.needs_human = true;
                        first_reply = next.replied_at.is_none();
                        next.replied_at = next.replied_at.or(Some(now));
                        (
                            decide(view, &Event::Replied, rules, now),
                            vec![
                                TimelineKind::Replied { channel: Channel::Sms, body: body.clone() },
                                TimelineKind::HandedOff { reason: "replied by SMS".to_owned() },
                            ],
                        )
                    }
                };
                let timeline = kind.into_iter().map(|kind| TimelineEntry { at: now, kind }).collect();
                Change { lead: next, enrolment_commands: commands, timeline }
            })
            .await?;

        let source = lead.profile.source.clone();
        let counter = match intent {
            ReplyIntent::OptOut if !lead.opted_out.contains(&Channel::Sms) => {
                Some(Counter::OptOut { source, channel: Channel::Sms })
            }
            ReplyIntent::Conversation if first_reply => Some(Counter::Reply { source, channel: Channel::Sms }),
            _ => None,
        };
        if let (Some(counter), Some(_)) = (counter, changed) {
            if let Err(e) =
                self.store.add_counts(&tenant.id, lead.received_at.date_naive(), &[(counter.key(), 1)]).await
            {
                tracing::warn!(error = %e, "inbound counter not updated");
            }
        }
        Ok(match intent {
            ReplyIntent::Help => SmsAnswer::Reply(tenant.help_text.clone()),
            _ => SmsAnswer::Nothing,
        })
    }
}
