//! Milestones: the steps of the funnel a lead has reached, each counted once in the reports.
//!
//! A lead's state moves back and forth (a booking is cancelled and made again; a new outcome
//! replaces the last), so a report cannot count "booked" each time the state says so. The
//! lead keeps the set it has reached; a change counts only what it adds.

use super::{Lead, OutcomeKind, Tier};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A step a lead reaches at most once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    /// A touch went out (the funnel's "contacted").
    Contacted,
    /// The lead replied in words (not a keyword).
    Replied,
    Booked,
    Showed,
    Won,
    /// A person marked the lead contacted (the first human contact).
    HumanContacted,
    /// The lead's score reached a tier.
    Hot,
    Warm,
    Cold,
    Dormant,
}

impl Milestone {
    /// The funnel's steps after arrival, in order.
    pub const FUNNEL: [Milestone; 5] =
        [Milestone::Contacted, Milestone::Replied, Milestone::Booked, Milestone::Showed, Milestone::Won];

    /// The lowercase name, as counters and reports spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Milestone::Contacted => "contacted",
            Milestone::Replied => "replied",
            Milestone::Booked => "booked",
            Milestone::Showed => "showed",
            Milestone::Won => "won",
            Milestone::HumanContacted => "human_contacted",
            Milestone::Hot => "hot",
            Milestone::Warm => "warm",
            Milestone::Cold => "cold",
            Milestone::Dormant => "dormant",
        }
    }

    /// Reads the lowercase name back.
    pub fn parse(raw: &str) -> Option<Self> {
        [
            Milestone::Contacted,
            Milestone::Replied,
            Milestone::Booked,
            Milestone::Showed,
            Milestone::Won,
            Milestone::HumanContacted,
            Milestone::Hot,
            Milestone::Warm,
            Milestone::Cold,
            Milestone::Dormant,
        ]
        .into_iter()
        .find(|m| m.as_str() == raw)
    }

    /// The milestone of a score tier.
    pub fn of_tier(tier: &Tier) -> Self {
        match tier {
            Tier::Hot => Milestone::Hot,
            Tier::Warm => Milestone::Warm,
            Tier::Cold => Milestone::Cold,
            Tier::Dormant(_) => Milestone::Dormant,
        }
    }

    /// The milestones the lead's own state shows (its reply, its last outcome). A showed or
    /// won lead was booked too, even if nobody said so: the funnel's later steps imply the
    /// booking. The first touch and score tiers are marked where they happen.
    pub fn shown_by(lead: &Lead) -> BTreeSet<Milestone> {
        let mut shown = BTreeSet::new();
        if lead.replied_at.is_some() {
            shown.insert(Milestone::Replied);
        }
        match lead.outcome {
            Some(OutcomeKind::Booked) => {
                shown.insert(Milestone::Booked);
            }
            Some(OutcomeKind::Showed) => {
                shown.extend([Milestone::Booked, Milestone::Showed]);
            }
            Some(OutcomeKind::Won) => {
                shown.insert(Milestone::Won);
            }
            Some(OutcomeKind::Contacted) => {
                shown.insert(Milestone::HumanContacted);
            }
            Some(OutcomeKind::NoShow | OutcomeKind::Disqualified | OutcomeKind::Cancelled) | None => {}
        }
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures;
    use chrono::Utc;

    #[test]
    fn names_round_trip() {
        for m in Milestone::FUNNEL.into_iter().chain([Milestone::HumanContacted, Milestone::Dormant]) {
            assert_eq!(Milestone::parse(m.as_str()), Some(m));
        }
        assert_eq!(Milestone::parse("nope"), None);
    }

    #[test]
    fn a_lead_shows_what_it_reached() {
        let mut lead = fixtures::lead(&crate::domain::TenantId::parse("t").unwrap(), Utc::now());
        assert!(Milestone::shown_by(&lead).is_empty());
        lead.replied_at = Some(Utc::now());
        lead.outcome = Some(OutcomeKind::Showed);
        let shown = Milestone::shown_by(&lead);
        assert_eq!(shown, BTreeSet::from([Milestone::Replied, Milestone::Booked, Milestone::Showed]));
        lead.outcome = Some(OutcomeKind::Contacted);
        assert!(Milestone::shown_by(&lead).contains(&Milestone::HumanContacted));
    }
}
