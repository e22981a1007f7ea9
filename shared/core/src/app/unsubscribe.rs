//! One-click unsubscribe from email (RFC 8058): a signed link in every email opts its lead
//! out of email, as an SMS STOP opts a number out of texts and calls.

use super::change::Change;
use super::counters::Counter;
use super::App;
use crate::domain::{Channel, InvalidToken, Signal, TimelineEntry, TimelineKind, UnsubscribeToken};
use crate::engine::{decide, Event, LeadView};
use crate::ports::StoreError;

/// What an unsubscribe did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsubscribed {
    /// The lead is now opted out of email.
    Now,
    /// It already was (a second click, a mail client's retry): nothing changed.
    Already,
}

/// Why an unsubscribe could not be done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnsubscribeError {
    /// Not a token this stack signed, or this runtime has no link key.
    #[error(transparent)]
    Invalid(#[from] InvalidToken),
    /// A valid token for a lead that is no more (or a tenant no longer served).
    #[error("no such lead")]
    UnknownLead,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl App {
    /// Reads an unsubscribe token without acting on it (for the confirmation page).
    pub fn read_unsubscribe_token(&self, raw: &str) -> Result<UnsubscribeToken, InvalidToken> {
        let token = self.links.open_unsubscribe(raw)?;
        self.tenants.get(&token.tenant).ok_or(InvalidToken)?;
        Ok(token)
    }

    /// Opts the lead a token names out of email, with `evidence` (how it was asked) on its
    /// timeline. Its email touches are skipped from then on; its cadences go on for the
    /// channels still open, and stop only if none is.
    pub async fn unsubscribe(&self, raw: &str, evidence: &str) -> Result<Unsubscribed, UnsubscribeError> {
        let token = self.read_unsubscribe_token(raw)?;
        let tenant = self.tenants.get(&token.tenant).ok_or(InvalidToken)?;
        let lead = self.store.lead(&tenant.id, &token.lead).await?.ok_or(UnsubscribeError::UnknownLead)?;
        if lead.opted_out.contains(&Channel::Email) {
            return Ok(Unsubscribed::Already);
        }
        let now = self.clock.now();
        let rules = tenant.rules();
        let mut first = false;
        let changed = self
            .change_lead(&tenant.id, &lead.id, now, |lead, enrolments| {
                let mut next = lead.clone();
                first = next.opted_out.insert(Channel::Email);
                if first {
                    next.record_signal(Signal::OptedOut, Some(Channel::Email), now);
                }
                let commands = if first && !next.reachable() {
                    let view = LeadView { lead, enrolments, touch_times: &[] };
                    decide(view, &Event::OptedOut { channels: vec![Channel::Email] }, rules, now)
                } else {
                    Vec::new()
                };
                let timeline = if first {
                    let kind = TimelineKind::OptedOut { channel: Channel::Email, message: evidence.to_owned() };
                    vec![TimelineEntry { at: now, kind }]
                } else {
                    Vec::new()
                };
                Change { lead: next, enrolment_commands: commands, started: Vec::new(), timeline }
            })
            .await?;
        if changed.is_none() {
            return Err(UnsubscribeError::UnknownLead);
        }
        if !first {
            return Ok(Unsubscribed::Already);
        }
        let counter = Counter::OptOut { source: lead.profile.source.clone(), channel: Channel::Email };
        if let Err(e) = self.store.add_counts(&tenant.id, lead.received_at.date_naive(), &[(counter.key(), 1)]).await {
            tracing::warn!(error = %e, "unsubscribe counter not updated");
        }
        tracing::info!(tenant = %tenant.id, lead = %lead.id, "lead unsubscribed from email");
        Ok(Unsubscribed::Now)
    }
}
