//! Lead scores: points for what the lead did (each kind of signal once, at its latest, halving
//! every `half_life`) and for what its form says (fit, which does not decay); tiers from the
//! score and from how long the lead has been silent. A pure function of the lead and `now`:
//! nothing rewrites a stored score.

use super::{Condition, Lead, Signal};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// A tenant's `[scoring]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Scoring {
    /// Engagement points halve over this much time without the signal again.
    pub half_life: Duration,
    /// A score at or above this is hot (opens alone never get a lead there).
    pub hot: f64,
    /// A score under this is cold; between the two, warm.
    pub cold_below: f64,
    /// Points for each kind of signal, counted once, from its latest occurrence.
    pub signal_points: BTreeMap<Signal, f64>,
    /// Fit points: a form field condition and its points.
    pub fit: Vec<(Condition, String, f64)>,
    /// Silence thresholds, shortest first: a lead silent this long is `dormant:<it>`.
    pub dormant_after: Vec<Duration>,
    /// How many touches without engagement make the `unengaged` signal.
    pub unengaged_after: u32,
}

/// The touches without engagement that make a lead `unengaged` when the tenant file names no
/// number: the playbook's three.
pub const DEFAULT_UNENGAGED_AFTER: u32 = 3;

/// Where a lead stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Hot,
    Warm,
    Cold,
    /// Silent for at least this long (one of the tenant's `dormant_after`).
    Dormant(Duration),
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tier::Hot => f.write_str("hot"),
            Tier::Warm => f.write_str("warm"),
            Tier::Cold => f.write_str("cold"),
            Tier::Dormant(after) => write!(f, "dormant:{}", span(*after)),
        }
    }
}

impl Serialize for Tier {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A span as a tenant file writes it: `30d`, `12h`, `45m`.
pub fn span(d: Duration) -> String {
    let seconds = d.num_seconds();
    match seconds {
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// One line of a score: why, and how many points it gives now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Points {
    pub why: String,
    pub points: f64,
}

/// A lead's score now, with the points behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub score: f64,
    pub tier: Tier,
    pub points: Vec<Points>,
}

/// The signals that show a person engaging: what dormancy counts from.
const ENGAGEMENT: [Signal; 6] = [
    Signal::Replied,
    Signal::Clicked,
    Signal::BookingClicked,
    Signal::Booked,
    Signal::CallAnswered,
    Signal::EmailOpened,
];

impl Scoring {
    /// The lead's score and tier at `now`.
    pub fn score(&self, lead: &Lead, now: DateTime<Utc>) -> Score {
        let mut points = Vec::new();
        let mut opens = 0.0;
        for (signal, worth) in &self.signal_points {
            let Some(latest) = lead.signals.iter().filter(|s| s.signal == *signal).map(|s| s.at).max() else {
                continue;
            };
            // Silence is forgiven by engaging again.
            if *signal == Signal::Unengaged && self.last_engagement(lead) >= latest {
                continue;
            }
            let now_worth = round(worth * self.decay(now - latest));
            if *signal == Signal::EmailOpened {
                opens += now_worth;
            }
            points.push(Points { why: signal.as_str().to_owned(), points: now_worth });
        }
        for (condition, source, worth) in &self.fit {
            if condition.holds(lead, lead.received_at, None, now) {
                points.push(Points { why: source.clone(), points: *worth });
            }
        }
        let score = round(points.iter().map(|p| p.points).sum());
        let tier = self.tier_of(lead, score, score - opens, now);
        Score { score, tier, points }
    }

    /// The lead's tier at `now`.
    pub fn tier(&self, lead: &Lead, now: DateTime<Utc>) -> Tier {
        self.score(lead, now).tier
    }

    /// How much of a signal's points are left after `age`.
    fn decay(&self, age: Duration) -> f64 {
        let half_lives = age.num_milliseconds().max(0) as f64 / self.half_life.num_milliseconds().max(1) as f64;
        0.5_f64.powf(half_lives)
    }

    fn tier_of(&self, lead: &Lead, score: f64, without_opens: f64, now: DateTime<Utc>) -> Tier {
        let last = self.last_engagement(lead);
        if let Some(after) = self.dormant_after.iter().rev().find(|after| now - last >= **after) {
            return Tier::Dormant(*after);
        }
        if score >= self.hot && without_opens >= self.hot {
            Tier::Hot
        } else if score < self.cold_below {
            Tier::Cold
        } else {
            Tier::Warm
        }
    }

    /// When the lead last engaged (or arrived, if it never has).
    pub fn last_engagement(&self, lead: &Lead) -> DateTime<Utc> {
        last_engagement(lead)
    }

    /// Whether the touch about to go out, after `earlier` touches (when each was claimed),
    /// is the `unengaged_after`-th since the lead last engaged: the moment it turns unengaged.
    pub fn turns_unengaged(&self, lead: &Lead, earlier: &[DateTime<Utc>]) -> bool {
        turns_unengaged(lead, earlier, self.unengaged_after)
    }

    /// The first instant after `now` at which the lead's tier changes by time alone (a
    /// dormancy threshold crossed), if one is ahead: when a wakeup should look again.
    pub fn next_dormancy(&self, lead: &Lead, now: DateTime<Utc>) -> Option<(DateTime<Utc>, Duration)> {
        let last = self.last_engagement(lead);
        self.dormant_after.iter().map(|after| (last + *after, *after)).find(|(at, _)| *at > now)
    }
}

/// When `lead` last engaged (a reply, click, booking, answered call or open), or arrived.
pub fn last_engagement(lead: &Lead) -> DateTime<Utc> {
    let engaged = lead.signals.iter().filter(|s| ENGAGEMENT.contains(&s.signal)).map(|s| s.at).max();
    engaged.unwrap_or(lead.received_at).max(lead.received_at)
}

/// Whether the touch about to go out, after `earlier` touches (when each was claimed), is the
/// `after`-th since `lead` last engaged: the moment it turns unengaged (once per stretch).
pub fn turns_unengaged(lead: &Lead, earlier: &[DateTime<Utc>], after: u32) -> bool {
    let since = last_engagement(lead);
    let unanswered = earlier.iter().filter(|at| **at >= since).count() + 1;
    unanswered == after as usize
}

/// Points to one decimal: what people read, and stable in tests. (`+ 0.0` turns the `-0`
/// an empty sum of floats gives into 0.)
fn round(points: f64) -> f64 {
    (points * 10.0).round() / 10.0 + 0.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{fixtures, SignalEntry, TenantId};

    fn at(rfc3339: &str) -> DateTime<Utc> {
        rfc3339.parse().unwrap()
    }

    fn scoring() -> Scoring {
        Scoring {
            half_life: Duration::days(30),
            hot: 60.0,
            cold_below: 20.0,
            signal_points: BTreeMap::from([
                (Signal::Booked, 30.0),
                (Signal::Replied, 15.0),
                (Signal::SmsDelivered, 10.0),
                (Signal::EmailOpened, 40.0),
                (Signal::OptedOut, -20.0),
                (Signal::Unengaged, -10.0),
            ]),
            fit: vec![(Condition::parse("fields.loan_amount >= 400000").unwrap(), "big loan".to_owned(), 20.0)],
            dormant_after: vec![Duration::days(30), Duration::days(180)],
            unengaged_after: DEFAULT_UNENGAGED_AFTER,
        }
    }

    #[test]
    fn the_third_touch_without_engagement_turns_a_lead_unengaged_until_it_engages_again() {
        let scoring = scoring();
        let mut lead = lead_with(&[]);
        let touches = [at("2026-01-01T00:00:00Z"), at("2026-01-01T00:05:00Z")];
        assert!(!scoring.turns_unengaged(&lead, &touches[..1]), "the second touch");
        assert!(scoring.turns_unengaged(&lead, &touches), "the third touch");
        assert!(!scoring.turns_unengaged(&lead, &[touches[0], touches[1], touches[1]]), "only once, at the third");
        lead.signals.push(SignalEntry { signal: Signal::Unengaged, at: at("2026-01-02T00:00:00Z"), channel: None });
        let penalty = |lead: &Lead| scoring.score(lead, at("2026-01-02T00:00:00Z")).points;
        assert_eq!(penalty(&lead), vec![Points { why: "unengaged".to_owned(), points: -10.0 }]);
        // A reply forgives the silence: its points come, the penalty goes, and the count restarts.
        lead.signals.push(SignalEntry { signal: Signal::Replied, at: at("2026-01-02T00:00:00Z"), channel: None });
        assert_eq!(penalty(&lead), vec![Points { why: "replied".to_owned(), points: 15.0 }]);
        assert!(!scoring.turns_unengaged(&lead, &touches), "touches before the reply do not count");
    }

    fn lead_with(signals: &[(Signal, &str)]) -> Lead {
        let mut lead = fixtures::lead(&TenantId::parse("t1").unwrap(), at("2026-01-01T00:00:00Z"));
        lead.signals =
            signals.iter().map(|(signal, when)| SignalEntry { signal: *signal, at: at(when), channel: None }).collect();
        lead
    }

    #[test]
    fn engagement_halves_every_half_life_and_fit_does_not() {
        let mut lead = lead_with(&[(Signal::Booked, "2026-01-01T00:00:00Z")]);
        lead.profile.fields.insert("loan_amount".to_owned(), "450000".to_owned());
        let s = scoring();
        assert_eq!(s.score(&lead, at("2026-01-01T00:00:00Z")).score, 50.0);
        assert_eq!(s.score(&lead, at("2026-01-31T00:00:00Z")).score, 35.0, "30 + 20 halves to 15 + 20");
        assert_eq!(s.score(&lead, at("2026-03-02T00:00:00Z")).score, 27.5);
    }

    #[test]
    fn each_kind_of_signal_counts_once_from_its_latest() {
        let lead = lead_with(&[(Signal::Replied, "2025-12-01T00:00:00Z"), (Signal::Replied, "2026-01-01T00:00:00Z")]);
        let score = scoring().score(&lead, at("2026-01-01T00:00:00Z"));
        assert_eq!(score.score, 15.0);
        assert_eq!(score.points, [Points { why: "replied".to_owned(), points: 15.0 }]);
    }

    #[test]
    fn opens_alone_never_make_a_lead_hot() {
        let now = "2026-01-01T00:00:00Z";
        let opened = lead_with(&[(Signal::EmailOpened, now), (Signal::Booked, now)]);
        let score = scoring().score(&opened, at(now));
        assert_eq!((score.score, score.tier), (70.0, Tier::Warm));
        let mut engaged = lead_with(&[(Signal::EmailOpened, now), (Signal::Booked, now), (Signal::Replied, now)]);
        assert_eq!(scoring().tier(&engaged, at(now)), Tier::Warm, "85, but only 45 of it not opens");
        engaged.profile.fields.insert("loan_amount".to_owned(), "500000".to_owned());
        assert_eq!(scoring().tier(&engaged, at(now)), Tier::Hot, "65 without the opens");
    }

    #[test]
    fn silence_makes_a_lead_dormant_at_each_threshold() {
        let lead = lead_with(&[(Signal::Replied, "2026-01-10T00:00:00Z")]);
        let s = scoring();
        assert_eq!(s.tier(&lead, at("2026-02-08T23:59:59Z")), Tier::Cold);
        assert_eq!(s.tier(&lead, at("2026-02-09T00:00:00Z")), Tier::Dormant(Duration::days(30)));
        assert_eq!(s.tier(&lead, at("2026-07-09T00:00:00Z")), Tier::Dormant(Duration::days(180)));
        assert_eq!(Tier::Dormant(Duration::days(30)).to_string(), "dormant:30d");
        let next = s.next_dormancy(&lead, at("2026-01-20T00:00:00Z"));
        assert_eq!(next, Some((at("2026-02-09T00:00:00Z"), Duration::days(30))));
        assert_eq!(s.next_dormancy(&lead, at("2026-03-01T00:00:00Z")).map(|n| n.1), Some(Duration::days(180)));
    }

    /// Any engagement signal, at any minute of the year before `now`.
    fn signals_before(now: DateTime<Utc>) -> impl proptest::strategy::Strategy<Value = Vec<SignalEntry>> {
        use proptest::prelude::*;
        let signal = prop::sample::select(Signal::ALL.to_vec());
        prop::collection::vec((signal, 0i64..365 * 24 * 60), 0..6).prop_map(move |entries| {
            let at = |minutes: i64| now - Duration::minutes(minutes);
            entries
                .into_iter()
                .map(|(signal, minutes)| SignalEntry { signal, at: at(minutes), channel: None })
                .collect()
        })
    }

    proptest::proptest! {
        /// Without new signals, every engagement point halves exactly over `half_life`; fit
        /// points stay as they are.
        #[test]
        fn a_score_halves_exactly_over_half_life_without_new_signals(
            signals in signals_before(at("2026-06-01T00:00:00Z")),
            big_loan in proptest::bool::ANY,
            days in 0i64..400,
        ) {
            let s = scoring();
            let mut lead = lead_with(&[]);
            lead.received_at = at("2025-01-01T00:00:00Z");
            lead.signals = signals;
            if big_loan {
                lead.profile.fields.insert("loan_amount".to_owned(), "500000".to_owned());
            }
            let now = at("2026-06-01T00:00:00Z") + Duration::days(days);
            let engagement = |when| {
                let score = s.score(&lead, when);
                score.points.iter().filter(|p| p.why != "big loan").map(|p| p.points).sum::<f64>()
            };
            let fit = |when| s.score(&lead, when).points.iter().filter(|p| p.why == "big loan").map(|p| p.points).sum::<f64>();
            let (before, after) = (engagement(now), engagement(now + s.half_life));
            // Each line is rounded to a tenth: half of each, within the rounding.
            let lines = s.score(&lead, now).points.len() as f64;
            proptest::prop_assert!((after - before / 2.0).abs() <= 0.05 * (lines + 1.0), "{before} then {after}");
            proptest::prop_assert_eq!(fit(now), fit(now + s.half_life));
        }

        /// The wakeup `next_dormancy` names is the first instant the tier turns dormant: a
        /// second before, the lead is not yet at that threshold; at it, it is.
        #[test]
        fn the_dormancy_wakeup_is_the_first_instant_the_tier_changes(
            signals in signals_before(at("2026-06-01T00:00:00Z")),
            hours in 0i64..(200 * 24),
        ) {
            let s = scoring();
            let mut lead = lead_with(&[]);
            lead.received_at = at("2025-06-01T00:00:00Z");
            lead.signals = signals;
            let now = at("2026-06-01T00:00:00Z") + Duration::hours(hours);
            if let Some((wake, threshold)) = s.next_dormancy(&lead, now) {
                proptest::prop_assert!(wake > now);
                proptest::prop_assert_eq!(s.tier(&lead, wake), Tier::Dormant(threshold));
                let before = s.tier(&lead, wake - Duration::seconds(1));
                proptest::prop_assert_ne!(before, Tier::Dormant(threshold), "already dormant a second before");
            }
        }
    }
}
