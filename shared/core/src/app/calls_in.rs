//! Phone calls are leads too. An inbound call to a tenant's number is forwarded to the office
//! line; how it ended decides the rest:
//!
//! - missed (nobody answered, the line was busy, or it came outside the office's hours): the
//!   caller becomes a lead (or the lead it is merges the call), source `call`, and gets one text
//!   back within seconds — unless its number opted out, or the tenant turned the text off
//!   (then the caller is asked to leave a message). The caller never consented to texts, so
//!   the lead is stored without consent: the one reply is an answer to the caller's own call,
//!   never the start of a cadence of texts (see docs/lead-sources.md for the choice);
//! - answered: the lead is recorded as contacted.
//!
//! Twilio's `CallSid` is the idempotency key, so a retried callback is the same lead and no
//! second text.

use super::{App, IntakeError, IntakeRequest, LeadForm, OutcomeError};
use crate::config::{MissedCallSettings, TenantConfig};
use crate::domain::{IdempotencyKey, OutcomeKind, PhoneNumber};
use crate::ports::{OutboundMessage, StoreError};
use chrono::Duration;

/// How long a call's id is remembered against a retried callback.
const CALL_CLAIM_FOR: Duration = Duration::days(2);

/// An inbound call as its webhook names it: the caller, Twilio's id of the call, and the
/// webhook's form as it arrived (kept 30 days, like every source's request).
#[derive(Debug, Clone, Copy)]
pub struct InboundCall<'a> {
    pub caller: &'a PhoneNumber,
    pub call_sid: &'a str,
    pub form: &'a [u8],
}

/// What a missed call led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissedCall {
    /// The caller was texted back.
    Texted,
    /// No text: the tenant turned it off, the number opted out, or it was sent already.
    NotTexted,
}

/// Why a call was not recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallInError {
    /// The caller's number is not one intake takes (a withheld or malformed caller ID).
    #[error("the caller cannot be a lead: {0}")]
    Caller(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<IntakeError> for CallInError {
    fn from(error: IntakeError) -> Self {
        match error {
            IntakeError::Store(e) => CallInError::Store(e),
            IntakeError::Invalid(fields) => CallInError::Caller(
                fields.iter().map(|f| format!("{} {}", f.field, f.message)).collect::<Vec<_>>().join("; "),
            ),
        }
    }
}

impl App {
    /// Whether an inbound call now comes inside the office's hours (always, without hours).
    pub fn office_open(&self, settings: &MissedCallSettings) -> bool {
        settings.hours.as_ref().is_none_or(|hours| hours.contains(self.clock.now()))
    }

    /// The caller as a lead of `tenant` (new, or merged into the lead with its number).
    async fn caller_lead(
        &self,
        tenant: &TenantConfig,
        settings: &MissedCallSettings,
        call: &InboundCall<'_>,
    ) -> Result<super::Accepted, CallInError> {
        let InboundCall { caller, call_sid, form } = call;
        let key = IdempotencyKey::parse(&format!("call:{call_sid}"))
            .map_err(|_| CallInError::Caller("the CallSid is not a call id".to_owned()))?;
        let payload = self.keep_payload(tenant, key.as_str(), "application/x-www-form-urlencoded", form).await;
        let lead = LeadForm {
            first_name: Some("Caller".to_owned()),
            phone: Some(caller.to_string()),
            source: Some(settings.source.clone()),
            ..LeadForm::default()
        };
        let request = IntakeRequest { form: lead, idempotency_key: Some(key), payload, placement: Default::default() };
        Ok(self.intake(tenant, request).await?)
    }

    /// A missed call from `caller` to our number `to`: the caller's lead, and its one text (once
    /// per call, whatever Twilio retries: the text is claimed by the call's id).
    pub async fn missed_call(
        &self,
        tenant: &TenantConfig,
        settings: &MissedCallSettings,
        call: &InboundCall<'_>,
        to: &PhoneNumber,
    ) -> Result<MissedCall, CallInError> {
        let accepted = self.caller_lead(tenant, settings, call).await?;
        let (caller, call_sid) = (call.caller, call.call_sid);
        if !settings.text_back {
            return Ok(MissedCall::NotTexted);
        }
        if self.store.number_opt_out(&tenant.id, caller).await?.is_some() {
            tracing::info!(tenant = %tenant.id, lead = %accepted.receipt.lead_id, "missed call not texted back: the number opted out");
            return Ok(MissedCall::NotTexted);
        }
        let now = self.clock.now();
        // Quiet hours hold for this text too, in the caller's own zone: a call at midnight
        // gets the voicemail prompt, and the office calls back in the morning.
        let lead = self.store.lead(&tenant.id, &accepted.receipt.lead_id).await?;
        let local = lead.map(|lead| lead.profile.zone).unwrap_or(tenant.default_zone).local(now).time();
        if !tenant.policy.quiet_hours.allows(local) {
            tracing::info!(tenant = %tenant.id, lead = %accepted.receipt.lead_id, "missed call not texted back: quiet hours in the caller's zone");
            return Ok(MissedCall::NotTexted);
        }
        // One text per call, whatever retries: the call's id is claimed first.
        if !self.store.claim_inbound(&tenant.id, &format!("text-back:{call_sid}"), now, now + CALL_CLAIM_FOR).await? {
            return Ok(MissedCall::NotTexted);
        }
        let reply = OutboundMessage::sms_reply(tenant.id.clone(), to, caller, settings.text.clone(), now);
        match self.sender.send(&reply, now).await {
            Ok(provider_id) => {
                tracing::info!(tenant = %tenant.id, lead = %accepted.receipt.lead_id, %provider_id, "missed call texted back");
                Ok(MissedCall::Texted)
            }
            Err(error) => {
                tracing::warn!(tenant = %tenant.id, lead = %accepted.receipt.lead_id, %error, "missed call text-back not sent");
                Ok(MissedCall::NotTexted)
            }
        }
    }

    /// An inbound call the office answered: the caller's lead, recorded as contacted.
    pub async fn answered_call(
        &self,
        tenant: &TenantConfig,
        settings: &MissedCallSettings,
        call: &InboundCall<'_>,
    ) -> Result<(), CallInError> {
        let accepted = self.caller_lead(tenant, settings, call).await?;
        match self.record_outcome(tenant, &accepted.receipt.lead_id, OutcomeKind::Contacted, None).await {
            Ok(()) => Ok(()),
            Err(OutcomeError::Store(e)) => Err(e.into()),
            Err(OutcomeError::NotFound(id)) => Err(CallInError::Caller(format!("lead {id} vanished"))),
        }
    }
}
