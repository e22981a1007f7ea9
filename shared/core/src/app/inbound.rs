//! Inbound SMS: compliance keywords first, then the conversation goes to a human.

use super::change::Change;
use super::conversation::Conversation;
use super::counters::Counter;
use super::App;
use crate::config::TenantConfig;
use crate::domain::{
    read_reply, Channel, OptInBy, OptOutBy, OptOutRecord, PhoneNumber, ReplyIntent, Signal, TimelineEntry, TimelineKind,
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
        let received = self.clock.now();
        let body: String = sms.body.chars().take(MAX_BODY).collect();
        // The number's own opt-out record holds whether or not it is a lead yet, and across
        // all of the tenant's cadences at once.
        let prior_opt_out = self.store.number_opt_out(&tenant.id, &sms.from).await?;
        let intent = read_reply(&sms.body, prior_opt_out.is_some());
        let answer = match intent {
            ReplyIntent::OptOut(by) => {
                let record = OptOutRecord::by_message(received, Channel::Sms, body.clone());
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
        // An opt-out takes effect once its record is stored: no text or call is claimed after
        // that (claims are conditional on it), while one claimed before may still be on its
        // way. The lead's timeline records it at that moment, so no touch claimed before it
        // appears after it; and the lead is looked up only now, so a lead created before the
        // record is found here, and one created after it was created silenced.
        let now = self.clock.now();
        let Some(lead) = self.store.lead_by_phone(&tenant.id, &sms.from).await? else {
            tracing::info!(tenant = %tenant.id, "SMS from a number that is not a lead");
            return Ok(answer);
        };
        if let ReplyIntent::Conversation { topic, score } = intent {
            let conversation = Conversation { channel: Channel::Sms, said: body, how: "replied by SMS", topic, score };
            self.converse(tenant, &lead, conversation).await?;
            return Ok(answer);
        }
        let rules = tenant.rules();
        let changed = self
            .change_lead(&tenant.id, &lead.id, now, |lead, enrolments| {
                let view = LeadView { lead, enrolments, touch_times: &[] };
                let mut next = lead.clone();
                let (commands, kind) = match intent {
                    ReplyIntent::OptOut(_) => {
                        // A STOP by text silences the number: texts, calls and voicemail alike.
                        next.opted_out.extend(Channel::PHONE);
                        next.record_signal(Signal::OptedOut, Some(Channel::Sms), now);
                        let event = Event::OptedOut { channels: Channel::PHONE.to_vec() };
                        (
                            decide(view, &event, rules, now),
                            TimelineKind::OptedOut { channel: Channel::Sms, message: body.clone() },
                        )
                    }
                    ReplyIntent::OptIn(_) => {
                        next.opted_out.retain(|channel| !channel.uses_phone());
                        (Vec::new(), TimelineKind::OptedIn { channel: Channel::Sms, message: body.clone() })
                    }
                    // (A conversation went to `converse` above.)
                    ReplyIntent::Help | ReplyIntent::Conversation { .. } => {
                        (Vec::new(), TimelineKind::HelpRequested { message: body.clone() })
                    }
                };
                Change {
                    lead: next,
                    enrolment_commands: commands,
                    started: Vec::new(),
                    timeline: vec![TimelineEntry { at: now, kind }],
                }
            })
            .await?;

        let first_opt_out = matches!(intent, ReplyIntent::OptOut(_)) && !lead.opted_out.contains(&Channel::Sms);
        if let (true, Some(_)) = (first_opt_out, &changed) {
            let counter = Counter::OptOut { source: lead.profile.source.clone(), channel: Channel::Sms };
            self.count(tenant, &lead, counter).await;
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
