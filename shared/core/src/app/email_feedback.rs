//! What the mail provider reports about an address after a send (SES through SNS): a hard
//! bounce closes the lead's email channel, as a refusal at send time would; a complaint ("this
//! is spam") opts the lead out of email, kept with its evidence. Other channels and the
//! cadence go on: its later email touches are skipped at send time.

use super::change::Change;
use super::counters::Counter;
use super::App;
use crate::domain::{Channel, Email, TenantId, TimelineEntry, TimelineKind, Undeliverable};
use crate::ports::StoreError;

impl App {
    /// Closes the email channel of the tenant's lead at `email` for `reason`. Answers whether
    /// a lead's channel was open until now (`false` when no lead has the address).
    pub async fn email_bounced(
        &self,
        tenant: &TenantId,
        email: &Email,
        reason: Undeliverable,
        detail: &str,
    ) -> Result<bool, StoreError> {
        let Some(lead) = self.store.lead_by_email(tenant, email).await? else { return Ok(false) };
        self.close_channel(tenant, &lead.id, Channel::Email, reason, detail).await
    }

    /// Opts the tenant's lead at `email` out of email, `evidence` saying how it complained.
    /// Answers whether it was opted in until now (`false` when no lead has the address).
    pub async fn email_complained(&self, tenant: &TenantId, email: &Email, evidence: &str) -> Result<bool, StoreError> {
        let Some(lead) = self.store.lead_by_email(tenant, email).await? else { return Ok(false) };
        let now = self.clock.now();
        let mut opted_out = false;
        let changed = self
            .change_lead(tenant, &lead.id, now, |lead, _| {
                let mut next = lead.clone();
                opted_out = next.opted_out.insert(Channel::Email);
                let kind = TimelineKind::OptedOut { channel: Channel::Email, message: evidence.to_owned() };
                let timeline = if opted_out { vec![TimelineEntry { at: now, kind }] } else { Vec::new() };
                Change { lead: next, enrolment_commands: Vec::new(), timeline, started: Vec::new() }
            })
            .await?;
        if let (true, Some(lead)) = (opted_out, changed) {
            let counter = Counter::OptOut { source: lead.profile.source.clone(), channel: Channel::Email };
            if let Err(e) = self.store.add_counts(tenant, lead.received_at.date_naive(), &[(counter.key(), 1)]).await {
                tracing::warn!(error = %e, "opt-out counter not updated");
            }
        }
        Ok(opted_out)
    }
}
