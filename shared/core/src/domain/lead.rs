//! The lead: who they are, what they agreed to, and where they stand.

use super::{
    Channel, Consent, Email, Exposure, LeadId, LeadZone, Milestone, PersonName, PhoneNumber, Signal, SignalEntry,
    StageHistory, TenantId, Undeliverable,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What a form tells us about a person, already parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadProfile {
    pub first_name: PersonName,
    pub last_name: Option<PersonName>,
    pub email: Option<Email>,
    pub phone: Option<PhoneNumber>,
    pub source: String,
    pub campaign: Option<String>,
    pub zone: LeadZone,
    pub postcode: Option<String>,
    pub country: Option<String>,
    /// Extra form fields, available to templates as merge fields.
    pub fields: BTreeMap<String, String>,
}

/// A lead within one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lead {
    pub id: LeadId,
    pub tenant: TenantId,
    pub profile: LeadProfile,
    pub consent: Consent,
    /// Channels the lead revoked (STOP silences sms and voice; an unsubscribe, email).
    pub opted_out: BTreeSet<Channel>,
    /// Channels a provider said can never reach the lead (an invalid number, a landline for
    /// SMS, a bounced address), with why.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub undeliverable: BTreeMap<Channel, Undeliverable>,
    /// Set by a reply; cleared when a human marks the lead contacted.
    pub needs_human: bool,
    /// The rep the lead was assigned to at its first hand-off (by name); it stays theirs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// When the lead last started waiting for a human (a reply while none was waiting): the
    /// start of the hand-off SLA, and the token of its check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handed_off_at: Option<DateTime<Utc>>,
    /// When that wait was escalated to the manager, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalated_at: Option<DateTime<Utc>>,
    /// When the lead first replied with something other than a keyword.
    pub replied_at: Option<DateTime<Utc>>,
    /// The last outcome a human or a booking tool reported.
    pub outcome: Option<OutcomeKind>,
    /// When the first enquiry arrived: the start of speed to lead.
    pub received_at: DateTime<Utc>,
    /// When the lead last became hot and the team was told (the token of that alert).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hot_alerted_at: Option<DateTime<Utc>>,
    /// The due time of the last dormancy check acted on (its silence recorded, its triggers
    /// run): a redelivered check finds it and does nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dormant_noted: Option<DateTime<Utc>>,
    /// What the lead did, oldest first: the last [`Lead::KEPT_SIGNALS`] signals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signals: Vec<SignalEntry>,
    /// The funnel steps and score tiers the lead has reached, each counted once.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub reached: BTreeSet<Milestone>,
    /// The experiments the lead was exposed to, by name: the arm it saw and what it did since.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub experiments: BTreeMap<String, Exposure>,
    /// The pipeline stages the lead stayed in, the current one last (see `domain::stage`).
    #[serde(default, skip_serializing_if = "StageHistory::is_empty")]
    pub stages: StageHistory,
    /// Optimistic-concurrency version: every stored change bumps it.
    pub version: u64,
}

impl Lead {
    /// A new lead of `tenant`, received `at`: no opt-out, owner, reply or outcome yet; version 1.
    pub fn received(tenant: TenantId, profile: LeadProfile, consent: Consent, at: DateTime<Utc>) -> Self {
        Self {
            id: LeadId::new(),
            tenant,
            profile,
            consent,
            opted_out: BTreeSet::new(),
            undeliverable: BTreeMap::new(),
            needs_human: false,
            owner: None,
            handed_off_at: None,
            escalated_at: None,
            replied_at: None,
            outcome: None,
            received_at: at,
            hot_alerted_at: None,
            dormant_noted: None,
            signals: Vec::new(),
            reached: BTreeSet::new(),
            experiments: BTreeMap::new(),
            stages: StageHistory::default(),
            version: 1,
        }
    }

    /// Whether an outcome settled the lead: it booked (and perhaps came), was won,
    /// disqualified or cancelled (a no-show or a contact leaves it open).
    pub fn settled(&self) -> bool {
        matches!(
            self.outcome,
            Some(
                OutcomeKind::Booked
                    | OutcomeKind::Showed
                    | OutcomeKind::Won
                    | OutcomeKind::Disqualified
                    | OutcomeKind::Cancelled
            )
        )
    }

    /// The rep the lead waits on: its owner, while it needs a human and is not settled (a lead
    /// won, booked, disqualified or cancelled is no longer on the rep's plate).
    pub fn waiting_on(&self) -> Option<&str> {
        self.owner.as_deref().filter(|_| self.needs_human && !self.settled())
    }

    /// The channel the lead engages with most, among `candidates` (those a touch may use now):
    /// replies weigh 3, answered calls and clicks 2, opens 1, each from its channel; none if
    /// the lead has engaged on none of them. A tie goes to the earlier candidate.
    pub fn preferred_channel(&self, candidates: &[Channel]) -> Option<Channel> {
        let weight = |signal: Signal| match signal {
            Signal::Replied => 3,
            Signal::CallAnswered | Signal::Clicked | Signal::BookingClicked => 2,
            Signal::EmailOpened => 1,
            _ => 0,
        };
        let engagement = |channel: Channel| -> u32 {
            self.signals.iter().filter(|s| s.channel == Some(channel)).map(|s| weight(s.signal)).sum()
        };
        let (best, score) = candidates.iter().map(|c| (*c, engagement(*c))).rev().max_by_key(|(_, score)| *score)?;
        (score > 0).then_some(best)
    }

    /// How many signals a lead keeps: enough for months of engagement, small enough that the
    /// lead stays one small item.
    pub const KEPT_SIGNALS: usize = 100;

    /// Records `signal`, dropping the oldest past [`Lead::KEPT_SIGNALS`].
    pub fn record_signal(&mut self, signal: Signal, channel: Option<Channel>, at: DateTime<Utc>) {
        self.signals.push(SignalEntry { signal, at, channel });
        if self.signals.len() > Self::KEPT_SIGNALS {
            self.signals.remove(0);
        }
    }

    /// The address a touch on `channel` goes to, if the lead has one.
    pub fn address(&self, channel: Channel) -> Option<String> {
        match channel {
            Channel::Sms | Channel::Voice | Channel::Voicemail => self.profile.phone.as_ref().map(|p| p.to_string()),
            Channel::Email => self.profile.email.as_ref().map(|e| e.to_string()),
        }
    }

    /// Whether a touch on `channel` may go out at all: an address that works, consent, no
    /// opt-out.
    pub fn reachable_on(&self, channel: Channel) -> bool {
        self.address(channel).is_some()
            && self.consent.allows(channel)
            && !self.opted_out.contains(&channel)
            && !self.undeliverable.contains_key(&channel)
    }

    /// Whether any channel can reach the lead.
    pub fn reachable(&self) -> bool {
        Channel::ALL.iter().any(|c| self.reachable_on(*c))
    }
}

/// What a human or a booking tool reports about a lead (`POST /v1/leads/{id}/events`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    Booked,
    /// The lead came to the booked appointment.
    Showed,
    NoShow,
    Contacted,
    Disqualified,
    Won,
    /// The lead cancelled a booking.
    Cancelled,
}

impl OutcomeKind {
    /// Parses the lowercase name.
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "booked" => Self::Booked,
            "showed" => Self::Showed,
            "no_show" => Self::NoShow,
            "contacted" => Self::Contacted,
            "disqualified" => Self::Disqualified,
            "won" => Self::Won,
            "cancelled" => Self::Cancelled,
            _ => return None,
        })
    }

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::Showed => "showed",
            Self::NoShow => "no_show",
            Self::Contacted => "contacted",
            Self::Disqualified => "disqualified",
            Self::Won => "won",
            Self::Cancelled => "cancelled",
        }
    }
}
