//! Signed links to leadflow's own public routes in the messages it sends. Tracked links: a
//! rendered touch carries `PUBLIC_URL/r/{token}` in place of each of the tenant's links, and
//! following one records the click (the timeline, a counter, and for the booking link the
//! engine's nudge) before the lead is sent on. One-click unsubscribe: each email carries
//! `PUBLIC_URL/u/{token}`. Both tokens are sealed with the stack's one key, each for its own
//! purpose.

use super::change::Change;
use super::counters::Counter;
use super::enrolment::started_by;
use super::step::is_sent;
use super::App;
use crate::config::TenantConfig;
use crate::domain::{
    Channel, ClickToken, InvalidToken, LeadId, Signal, TenantId, TimelineEntry, TimelineKind, TokenKey,
    UnsubscribeToken,
};
use crate::engine::{decide, Event, LeadView};

/// What tracking a link needs: where `/r/` is served, and the stack's token key.
#[derive(Debug, Clone)]
pub struct LinkTracking {
    public_url: String,
    /// None where links are not tracked: no link is rewritten and no token opens.
    key: Option<TokenKey>,
}

/// Why a tracked link leads nowhere.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClickError {
    /// Not a token this stack signed, or its tenant or link is no longer configured.
    #[error("this link is not valid")]
    NotFound,
}

impl LinkTracking {
    /// Links under `public_url` (`https://leads.example.com`), signed with `key`. Without a
    /// public URL the stack cannot name its own `/r/`, so links stay as written.
    pub fn new(public_url: &str, key: TokenKey) -> Self {
        Self { public_url: public_url.trim_end_matches('/').to_owned(), key: Some(key) }
    }

    /// No tracking: for runtimes that neither render touches nor serve `/r/`, and stacks
    /// deployed without a link secret.
    pub fn disabled() -> Self {
        Self { public_url: String::new(), key: None }
    }

    /// Where the lead is read (`GET /v1/leads/{id}`, with the tenant's API key); none without a
    /// public URL.
    pub fn lead_url(&self, lead: &LeadId) -> Option<String> {
        (!self.public_url.is_empty()).then(|| format!("{}/v1/leads/{lead}", self.public_url))
    }

    /// The one-click unsubscribe link (`/u/{token}`) for a lead's emails; none without a key
    /// or a public URL.
    pub fn unsubscribe_url(&self, tenant: &TenantId, lead: &LeadId) -> Option<String> {
        let key = self.key.as_ref().filter(|_| !self.public_url.is_empty())?;
        Some(format!("{}/u/{}", self.public_url, UnsubscribeToken::sign(key, tenant, lead)))
    }

    /// Reads an unsubscribe token this stack sealed.
    pub fn open_unsubscribe(&self, raw: &str) -> Result<UnsubscribeToken, InvalidToken> {
        UnsubscribeToken::verify(self.key.as_ref().ok_or(InvalidToken)?, raw)
    }

    /// `text` (a rendered touch for `lead`) with the tenant's links made trackable.
    pub fn track(&self, tenant: &TenantConfig, lead: &LeadId, text: &str) -> String {
        let Some(key) = self.key.as_ref().filter(|_| !self.public_url.is_empty()) else {
            return text.to_owned();
        };
        tenant.links.rewrite(text, |link| {
            let token = ClickToken { tenant: tenant.id.clone(), lead: lead.clone(), link }.seal(key);
            format!("{}/r/{token}", self.public_url)
        })
    }
}

impl App {
    /// The URL a tracked link leads to, once the click is recorded. Recording is best effort:
    /// a lead who clicked is sent on even if the store is busy.
    pub async fn follow_link(&self, token: &str) -> Result<String, ClickError> {
        let key = self.links.key.as_ref().ok_or(ClickError::NotFound)?;
        let click = ClickToken::open(key, token).ok_or(ClickError::NotFound)?;
        let tenant = self.tenants.get(&click.tenant).ok_or(ClickError::NotFound)?;
        let url = tenant.links.url(click.link).ok_or(ClickError::NotFound)?.to_owned();
        let booking = tenant.links.is_booking(click.link);
        self.record_click(&tenant, &click.lead, &url, booking).await;
        Ok(url)
    }

    async fn record_click(&self, tenant: &TenantConfig, id: &LeadId, url: &str, booking: bool) {
        let now = self.clock.now();
        let rules = tenant.rules();
        let changed = self
            .change_lead(&tenant.id, id, now, |lead, enrolments| {
                let view = LeadView { lead, enrolments, touch_times: &[] };
                let commands = decide(view, &Event::LinkClicked { booking }, rules, now);
                let kind = TimelineKind::LinkClicked { url: url.to_owned(), booking };
                let mut timeline = vec![TimelineEntry { at: now, kind }];
                let mut next = lead.clone();
                let signal = if booking { Signal::BookingClicked } else { Signal::Clicked };
                next.record_signal(signal, None, now);
                let started = started_by(rules, &next, &commands, now, &mut timeline);
                Change { lead: next, enrolment_commands: commands, started, timeline }
            })
            .await;
        let lead = match changed {
            Ok(Some(lead)) => lead,
            Ok(None) => return tracing::info!(tenant = %tenant.id, lead = %id, "a click for a lead that is gone"),
            Err(e) => return tracing::warn!(tenant = %tenant.id, lead = %id, error = %e, "click not recorded"),
        };
        let mut counts = vec![(Counter::Click { source: lead.profile.source.clone(), booking }.key(), 1)];
        // A link carries no channel: the click is the last message's that could carry one.
        match self.store.touches(&tenant.id, id).await {
            Ok(touches) => {
                let last = touches
                    .iter()
                    .filter(|t| is_sent(t) && matches!(t.channel, Channel::Sms | Channel::Email) && t.claimed_at <= now)
                    .max_by_key(|t| t.claimed_at);
                counts.extend(last.map(|t| (Counter::ChannelClick { channel: t.channel }.key(), 1)));
            }
            Err(e) => tracing::warn!(error = %e, "click not put on a channel"),
        }
        if let Err(e) = self.store.add_counts(&tenant.id, lead.received_at.date_naive(), &counts).await {
            tracing::warn!(error = %e, "click counter not updated");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unsubscribe_link_is_under_the_public_url_and_opens() {
        let links = LinkTracking::new("https://leads.example.com/", TokenKey::new(b"test-link-key-0123456789"));
        let (tenant, lead) = (TenantId::parse("acme").unwrap(), LeadId::new());
        let url = links.unsubscribe_url(&tenant, &lead).unwrap();
        let token = url.strip_prefix("https://leads.example.com/u/").unwrap();
        assert_eq!(links.open_unsubscribe(token).unwrap().lead, lead);
        assert_eq!(LinkTracking::disabled().unsubscribe_url(&tenant, &lead), None);
        assert_eq!(LinkTracking::disabled().open_unsubscribe(token), Err(InvalidToken));
    }
}
