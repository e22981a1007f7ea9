//! A lead's key press on one of our calls: 1 puts them through to a person, like a reply
//! hands them to one; any other key ends the call politely.

use super::conversation::Conversation;
use super::{App, InboundError};
use crate::config::TenantConfig;
use crate::domain::{Channel, Lead, LeadId, PhoneNumber, ReplyTopic, TouchId};

/// The key that asks to be connected.
const CONNECT_KEY: &str = "1";

/// What the call does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallAnswer {
    /// Put the lead through to this number.
    Connect(PhoneNumber),
    /// Say goodbye and hang up.
    Goodbye,
}

impl App {
    /// The line a lead who presses 1 is put through to: its owner's phone (a rep of
    /// `[[reps]]` with a `phone`), else the tenant's `[voice] transfer_to`.
    pub fn transfer_number(&self, tenant: &TenantConfig, lead: &Lead) -> Option<PhoneNumber> {
        let owner = lead.owner.as_deref().and_then(|name| tenant.team.rep(name));
        let office = tenant.voice.as_ref().map(|voice| &voice.transfer_to);
        owner.and_then(|rep| rep.phone.as_ref()).or(office).cloned()
    }

    /// Handles `digits` pressed by `lead` on a call from `tenant`. Pressing 1 is a reply: the
    /// sequence stops, the lead needs a human, the tenant's people are told, and the call is
    /// connected. An unknown lead, another key, or no line to connect to: goodbye.
    pub async fn call_key_pressed(
        &self,
        tenant: &TenantConfig,
        lead: &LeadId,
        digits: &str,
    ) -> Result<CallAnswer, InboundError> {
        if digits.trim() != CONNECT_KEY {
            return Ok(CallAnswer::Goodbye);
        }
        let Some(current) = self.store.lead(&tenant.id, lead).await?.filter(|_| tenant.voice.is_some()) else {
            return Ok(CallAnswer::Goodbye);
        };
        let topic = ReplyTopic::WantsCall;
        let conversation = Conversation {
            channel: Channel::Voice,
            said: "pressed 1 to be connected".to_owned(),
            how: "pressed 1 on a call",
            topic,
            score: topic.score(),
        };
        // The hand-off assigns the owner first, so the call goes to the rep who has the lead.
        let Some(handed_off) = self.converse(tenant, &current, conversation).await? else {
            return Ok(CallAnswer::Goodbye);
        };
        Ok(self.transfer_number(tenant, &handed_off).map_or(CallAnswer::Goodbye, CallAnswer::Connect))
    }
}

impl App {
    /// What a call touch says: its template rendered for the lead, as the step rendered it
    /// when it placed the call. `None` for a touch that is not this lead's call.
    pub async fn call_message(
        &self,
        tenant: &TenantConfig,
        lead: &LeadId,
        touch: &TouchId,
    ) -> Result<Option<String>, InboundError> {
        let Some(current) = self.store.lead(&tenant.id, lead).await? else { return Ok(None) };
        let touches = self.store.touches(&tenant.id, lead).await?;
        let Some(call) = touches.iter().find(|t| &t.id == touch && t.channel == Channel::Voice) else {
            return Ok(None);
        };
        match tenant.render(&call.template, &current) {
            Ok(rendered) => Ok(Some(rendered.body)),
            Err(e) => {
                tracing::warn!(tenant = %tenant.id, touch = %touch, error = %e, "call script not rendered");
                Ok(None)
            }
        }
    }
}
