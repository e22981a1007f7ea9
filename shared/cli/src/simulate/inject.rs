//! What the lead does during a preview, handed to the use case that hears it in production:
//! a text goes through inbound SMS, a click through the tracked link it was sent, a booking
//! or no-show through the outcome use case, a bounce as SES reports one, the rest as signals.

use super::events::LeadEvent;
use crate::sandbox::Sandbox;
use anyhow::{anyhow, Context};
use chrono::{DateTime, Utc};
use leadflow_core::app::{InboundSms, SmsAnswer};
use leadflow_core::domain::{Channel, Lead, LeadId, OutcomeKind, Signal, Undeliverable};

/// What the lead was answered at once (HELP's text, a confirmation leadflow sends itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Answer {
    pub at: DateTime<Utc>,
    pub text: String,
}

/// Applies `event` to lead `id` at the sandbox's current time.
pub(super) async fn apply(sandbox: &Sandbox, id: &LeadId, event: &LeadEvent) -> anyhow::Result<Option<Answer>> {
    let (app, tenant) = (&sandbox.app, &sandbox.tenant);
    let lead = app.store.lead(&tenant.id, id).await?.context("the lead is gone from the preview's store")?;
    let at = app.clock.now();
    match event.signal {
        Signal::Replied => text(sandbox, &lead, event, event.text.clone().unwrap_or_default()).await,
        // STOP is what the carriers and the law know best; any opt-out keyword reads the same.
        Signal::OptedOut => text(sandbox, &lead, event, "STOP".to_owned()).await,
        Signal::Clicked | Signal::BookingClicked => {
            let token = sandbox
                .link_sent(id, event.signal == Signal::BookingClicked)?
                .ok_or_else(|| anyhow!("{event}: by then the lead had been sent no {}", link_name(event.signal)))?;
            app.follow_link(&token).await.map_err(|e| anyhow!("{event}: {e}"))?;
            Ok(None)
        }
        Signal::Booked | Signal::NoShow => {
            let outcome = if event.signal == Signal::Booked { OutcomeKind::Booked } else { OutcomeKind::NoShow };
            app.record_outcome(tenant, id, outcome, None).await.with_context(|| event.to_string())?;
            Ok(None)
        }
        Signal::EmailOpened => {
            app.email_opened(&tenant.id, id).await.with_context(|| event.to_string())?;
            Ok(None)
        }
        Signal::EmailBounced => {
            // As SES reports a permanent bounce: the address is closed, then the signal kept.
            let email = lead.profile.email.as_ref().ok_or_else(|| anyhow!("{event}: the lead has no email"))?;
            let detail = "SES Permanent bounce (General), in a preview";
            app.email_bounced(&tenant.id, email, Undeliverable::InvalidAddress, detail).await?;
            app.record_signal(&tenant.id, id, Signal::EmailBounced, Some(Channel::Email)).await?;
            Ok(None)
        }
        Signal::SmsDelivered | Signal::SmsFailed => signal(sandbox, id, event, Channel::Sms).await,
        Signal::CallAnswered | Signal::CallMissed | Signal::VoicemailLeft => {
            signal(sandbox, id, event, Channel::Voice).await
        }
        // Not something a lead does: the preview notes it itself after unanswered touches.
        Signal::Unengaged => {
            Err(anyhow!("{event}: leadflow notes unengaged itself, after [scoring] unengaged_after touches"))
        }
    }
    .map(|answer| answer.map(|text| Answer { at, text }))
}

/// An SMS from the lead's phone to the tenant, as the carrier's webhook hands it over.
async fn text(sandbox: &Sandbox, lead: &Lead, event: &LeadEvent, body: String) -> anyhow::Result<Option<String>> {
    let from = lead.profile.phone.clone().ok_or_else(|| anyhow!("{event}: the lead has no phone to text from"))?;
    let sms = InboundSms { from, body, message_id: None };
    match sandbox.app.inbound_sms(&sandbox.tenant, sms).await.with_context(|| event.to_string())? {
        SmsAnswer::Reply(text) => Ok(Some(text)),
        SmsAnswer::Nothing => Ok(None),
    }
}

/// A signal only a provider's callback reports (a call's end, a text's delivery).
async fn signal(sandbox: &Sandbox, id: &LeadId, event: &LeadEvent, channel: Channel) -> anyhow::Result<Option<String>> {
    sandbox
        .app
        .record_signal(&sandbox.tenant.id, id, event.signal, Some(channel))
        .await
        .with_context(|| event.to_string())?;
    Ok(None)
}

fn link_name(signal: Signal) -> &'static str {
    if signal == Signal::BookingClicked {
        "message with the booking link"
    } else {
        "message with a tracked link other than the booking link (a click on that one is booking_clicked)"
    }
}
