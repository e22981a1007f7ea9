//! Who takes a lead at its hand-off: its owner if it has one; else, among the reps whose
//! skills match its segment (or everyone, if none do), the next by weighted round robin of
//! those available now (inside their hours, under `max_open`, not marked away); else the
//! manager, with an alert. Every choice carries its reason for the timeline.

use super::App;
use crate::config::{Rep, Segment, Team, TenantConfig};
use crate::domain::{Lead, WorkingHours};
use crate::ports::{RepState, StoreError};
use chrono::{DateTime, Utc};
use std::fmt;

/// Why a rep was passed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// Marked away (`PUT /v1/reps/{name}` with `{"available": false}`).
    Away,
    /// Outside their working hours.
    OutsideHours(WorkingHours),
    /// `open` leads already wait on them, their `max_open`.
    Full { open: u64, max: u32 },
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unavailable::Away => write!(f, "away"),
            Unavailable::OutsideHours(hours) => write!(f, "outside hours ({hours})"),
            Unavailable::Full { open, max } => write!(f, "{open} leads waiting, max_open {max}"),
        }
    }
}

/// Whether `rep` may take a new lead at `now`, given what the store knows of them.
pub fn availability(rep: &Rep, state: Option<&RepState>, now: DateTime<Utc>) -> Result<(), Unavailable> {
    if state.is_some_and(|s| s.away) {
        return Err(Unavailable::Away);
    }
    if let Some(hours) = rep.hours.filter(|h| !h.contains(now)) {
        return Err(Unavailable::OutsideHours(hours));
    }
    let open = state.map_or(0, |s| s.open);
    match rep.max_open {
        Some(max) if open >= u64::from(max) => Err(Unavailable::Full { open, max }),
        _ => Ok(()),
    }
}

/// The reps a lead may go to, before availability: those whose skills name the lead's
/// segment or its team, else everyone. With the rotation their turns are counted in.
pub fn candidates<'a>(team: &'a Team, segment: Option<&Segment>) -> (Vec<&'a Rep>, String) {
    let skill = |rep: &Rep| {
        segment
            .and_then(|s| rep.skills.iter().find(|k| **k == s.name || Some(k.as_str()) == s.team.as_deref()).cloned())
    };
    let skilled: Vec<&Rep> = team.reps.iter().filter(|rep| skill(rep).is_some()).collect();
    match skilled.first().and_then(|rep| skill(rep)) {
        Some(matched) => (skilled, format!("{ROTATION}:{matched}")),
        None => (team.reps.iter().collect(), ROTATION.to_owned()),
    }
}

/// The rotation of hand-offs to everyone (the key turns were counted in before skills).
const ROTATION: &str = "reps";

/// The rep of the `turn`-th pick (counting from 1) from `pool`, by smooth weighted round robin:
/// over every `Σ weight` turns each rep is picked exactly `weight` times, spread out.
pub fn weighted_pick<'a>(pool: &[&'a Rep], turn: u64) -> Option<&'a Rep> {
    let cycle = weighted_cycle(pool);
    let index = cycle.get((turn.saturating_sub(1) % cycle.len().max(1) as u64) as usize)?;
    pool.get(*index).copied()
}

/// One cycle of smooth weighted round robin (as nginx balances upstreams): indices into `pool`.
fn weighted_cycle(pool: &[&Rep]) -> Vec<usize> {
    let total: i64 = pool.iter().map(|rep| i64::from(rep.weight)).sum();
    let mut current = vec![0i64; pool.len()];
    (0..total)
        .map(|_| {
            for (c, rep) in current.iter_mut().zip(pool) {
                *c += i64::from(rep.weight);
            }
            // The first of the largest, so equal weights go in the tenant file's order.
            let best = (0..pool.len()).rev().max_by_key(|i| current[*i]).unwrap_or(0);
            current[best] -= total;
            best
        })
        .collect()
}

/// Who a lead's hand-off goes to, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The rep (or, when none was available, the manager); none: nobody to fall back on.
    pub owner: Option<String>,
    /// For the timeline: who was chosen how, and who was skipped and why.
    pub reason: String,
    /// Set when no rep was available: the alert for the team chat.
    pub unrouted: Option<String>,
}

/// The plan before a turn is taken: the available pool (with its rotation), or nobody.
struct Plan<'a> {
    available: Vec<&'a Rep>,
    rotation: String,
    skipped: Vec<String>,
    skills: bool,
}

fn plan<'a>(team: &'a Team, segment: Option<&Segment>, states: &[RepState], now: DateTime<Utc>) -> Plan<'a> {
    let (pool, rotation) = candidates(team, segment);
    let skills = rotation != ROTATION;
    let mut available = Vec::new();
    let mut skipped = Vec::new();
    for rep in pool {
        match availability(rep, states.iter().find(|s| s.name == rep.name), now) {
            Ok(()) => available.push(rep),
            Err(why) => skipped.push(format!("skipped {}: {why}", rep.name)),
        }
    }
    Plan { available, rotation, skipped, skills }
}

impl App {
    /// The assignment of `lead`'s hand-off, if it has no owner yet and the tenant has reps:
    /// takes a turn of the pool's rotation, so hand-offs go round the available reps.
    pub(super) async fn next_owner(
        &self,
        tenant: &TenantConfig,
        lead: &Lead,
    ) -> Result<Option<Assignment>, StoreError> {
        if lead.owner.is_some() || tenant.team.reps.is_empty() {
            return Ok(None);
        }
        let now = self.clock.now();
        let states = self.store.rep_states(&tenant.id).await?;
        let segment = tenant.segment_for(lead, now);
        let plan = plan(&tenant.team, segment, &states, now);
        let mut reason = plan.skipped.join("; ");
        if plan.available.is_empty() {
            let manager = tenant.team.manager.clone();
            let to = manager.as_deref().map_or("nobody to fall back on".to_owned(), |m| format!("to the manager, {m}"));
            reason = format!("no rep available ({reason}): {to}");
            return Ok(Some(Assignment { owner: manager, unrouted: Some(reason.clone()), reason }));
        }
        let turn = self.store.next_turn(&tenant.id, &plan.rotation).await?;
        let rep = weighted_pick(&plan.available, turn).map(|rep| rep.name.clone());
        let names: Vec<&str> = plan.available.iter().map(|rep| rep.name.as_str()).collect();
        let how = match (plan.skills, segment) {
            (true, Some(segment)) => format!("next turn among {} (skills: {})", names.join(", "), segment.name),
            _ => format!("next turn among {}", names.join(", ")),
        };
        reason = if reason.is_empty() { how } else { format!("{how}; {reason}") };
        Ok(Some(Assignment { owner: rep, reason, unrouted: None }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::LeadZone;
    use chrono::NaiveTime;
    use proptest::prelude::*;

    fn rep(name: &str, weight: u32) -> Rep {
        Rep {
            name: name.to_owned(),
            phone: None,
            mention: None,
            weight,
            skills: Vec::new(),
            hours: None,
            max_open: None,
        }
    }

    fn pool_picks(pool: &[Rep], turns: u64) -> Vec<String> {
        let refs: Vec<&Rep> = pool.iter().collect();
        (1..=turns).map(|t| weighted_pick(&refs, t).unwrap().name.clone()).collect()
    }

    #[test]
    fn equal_weights_go_round_in_the_tenant_files_order() {
        let picks = pool_picks(&[rep("Dana", 1), rep("Eli", 1), rep("Fay", 1)], 7);
        assert_eq!(picks, ["Dana", "Eli", "Fay", "Dana", "Eli", "Fay", "Dana"]);
        assert_eq!(weighted_pick(&[], 1), None);
    }

    #[test]
    fn weights_spread_the_heavier_reps_turns_out() {
        let picks = pool_picks(&[rep("Dana", 3), rep("Eli", 1)], 8);
        assert_eq!(picks, ["Dana", "Dana", "Eli", "Dana", "Dana", "Dana", "Eli", "Dana"]);
    }

    fn segment(name: &str, team: Option<&str>) -> Segment {
        Segment {
            name: name.to_owned(),
            sources: Vec::new(),
            campaigns: Vec::new(),
            condition: None,
            channels: Vec::new(),
            cadence: "standard".to_owned(),
            owner: None,
            team: team.map(str::to_owned),
        }
    }

    #[test]
    fn skills_name_a_segment_or_its_team_and_otherwise_everyone_takes_the_lead() {
        let mut dana = rep("Dana", 1);
        dana.skills = vec!["mortgage".into()];
        let mut eli = rep("Eli", 1);
        eli.skills = vec!["paid-search".into()];
        let team = Team { reps: vec![dana, eli, rep("Fay", 1)], ..Team::default() };
        let names = |(pool, rotation): (Vec<&Rep>, String)| {
            (pool.iter().map(|r| r.name.clone()).collect::<Vec<_>>().join(","), rotation)
        };
        assert_eq!(
            names(candidates(&team, Some(&segment("refi", Some("mortgage"))))),
            ("Dana".into(), "reps:mortgage".into())
        );
        assert_eq!(
            names(candidates(&team, Some(&segment("paid-search", None)))),
            ("Eli".into(), "reps:paid-search".into())
        );
        assert_eq!(names(candidates(&team, Some(&segment("social", None)))), ("Dana,Eli,Fay".into(), "reps".into()));
        assert_eq!(names(candidates(&team, None)), ("Dana,Eli,Fay".into(), "reps".into()));
    }

    #[test]
    fn the_reason_names_every_skipped_rep_and_why() {
        let t = |s| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        let mut dana = rep("Dana", 1);
        dana.hours =
            Some(WorkingHours::new("mon-fri", t("09:00"), t("17:00"), LeadZone::parse("UTC").unwrap()).unwrap());
        let mut eli = rep("Eli", 1);
        eli.max_open = Some(2);
        let team = Team { reps: vec![dana, eli, rep("Fay", 1), rep("Gus", 1)], ..Team::default() };
        let states = [
            RepState { name: "Eli".into(), away: false, open: 2 },
            RepState { name: "Fay".into(), away: true, open: 0 },
        ];
        let saturday: DateTime<Utc> = "2026-12-05T12:00:00Z".parse().unwrap();
        let plan = plan(&team, None, &states, saturday);
        assert_eq!(plan.available.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["Gus"]);
        assert_eq!(
            plan.skipped,
            [
                "skipped Dana: outside hours (Mon,Tue,Wed,Thu,Fri 09:00-17:00 UTC)",
                "skipped Eli: 2 leads waiting, max_open 2",
                "skipped Fay: away",
            ]
        );
    }

    #[test]
    fn a_lead_waits_on_its_owner_until_contacted_or_settled() {
        use crate::domain::OutcomeKind;
        use crate::ports::waiting_changes;
        let mut waiting =
            crate::domain::fixtures::lead(&crate::domain::TenantId::parse("t1").unwrap(), chrono::Utc::now());
        (waiting.needs_human, waiting.owner) = (true, Some("Dana".to_owned()));
        let fresh = Lead { needs_human: false, owner: None, ..waiting.clone() };
        assert_eq!(waiting_changes(Some(&fresh), &waiting), [("Dana".to_owned(), 1)]);
        assert_eq!(waiting_changes(None, &waiting), [("Dana".to_owned(), 1)], "a lead created waiting");
        for outcome in [OutcomeKind::Won, OutcomeKind::Booked, OutcomeKind::Disqualified, OutcomeKind::Cancelled] {
            let settled = Lead { outcome: Some(outcome), ..waiting.clone() };
            assert_eq!(waiting_changes(Some(&waiting), &settled), [("Dana".to_owned(), -1)], "{outcome:?}");
        }
        let no_show = Lead { outcome: Some(OutcomeKind::NoShow), ..waiting.clone() };
        assert_eq!(waiting_changes(Some(&waiting), &no_show), [], "a no-show still waits on Dana");
        let moved = Lead { owner: Some("Eli".to_owned()), ..waiting.clone() };
        assert_eq!(waiting_changes(Some(&waiting), &moved), [("Dana".to_owned(), -1), ("Eli".to_owned(), 1)]);
    }

    /// A rep with arbitrary hours (or none), capacity (or none), and state.
    fn arbitrary_rep() -> impl Strategy<Value = (Rep, RepState)> {
        (
            1u32..=10,
            any::<bool>(),
            0u32..24,
            1u32..24,
            proptest::option::of(1u32..4),
            0u64..5,
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(weight, has_hours, from, len, max_open, open, away, skilled)| {
                let t = |h: u32| NaiveTime::from_hms_opt(h % 24, 0, 0).unwrap();
                let zone = LeadZone::parse("America/Chicago").unwrap();
                let hours = has_hours.then(|| WorkingHours::new("mon-fri", t(from), t(from + len), zone).unwrap());
                let skills = if skilled { vec!["refi".to_owned()] } else { Vec::new() };
                let rep = Rep { name: String::new(), phone: None, mention: None, weight, skills, hours, max_open };
                (rep, RepState { name: String::new(), away, open })
            })
    }

    proptest! {
        #[test]
        fn an_unavailable_rep_is_never_chosen_while_an_available_one_matches(
            reps in proptest::collection::vec(arbitrary_rep(), 1..6),
            minutes in 0i64..(14 * 24 * 60),
            turn in 1u64..1000,
            has_segment in any::<bool>(),
        ) {
            let now = DateTime::<Utc>::from_timestamp(1_764_547_200, 0).unwrap() + chrono::Duration::minutes(minutes);
            let (mut team_reps, mut states) = (Vec::new(), Vec::new());
            for (i, (mut rep, mut state)) in reps.into_iter().enumerate() {
                rep.name = format!("rep{i}");
                state.name = rep.name.clone();
                team_reps.push(rep);
                states.push(state);
            }
            let team = Team { reps: team_reps, ..Team::default() };
            let segment = has_segment.then(|| segment("refi", None));
            let plan = plan(&team, segment.as_ref(), &states, now);
            let (matching, _) = candidates(&team, segment.as_ref());
            let any_available = matching.iter().any(|rep| availability(rep, states.iter().find(|s| s.name == rep.name), now).is_ok());
            match weighted_pick(&plan.available, turn) {
                Some(chosen) => {
                    let state = states.iter().find(|s| s.name == chosen.name);
                    prop_assert!(availability(chosen, state, now).is_ok(), "{} was chosen but is unavailable", chosen.name);
                    prop_assert!(matching.iter().any(|rep| rep.name == chosen.name), "{} does not match the lead", chosen.name);
                }
                None => prop_assert!(!any_available, "nobody was chosen although a matching rep was available"),
            }
        }

        #[test]
        fn over_ten_thousand_assignments_each_share_is_within_two_points_of_its_weight(
            weights in proptest::collection::vec(1u32..=100, 1..8),
            start in 0u64..100_000,
        ) {
            let pool: Vec<Rep> = weights.iter().enumerate().map(|(i, w)| rep(&format!("rep{i}"), *w)).collect();
            let refs: Vec<&Rep> = pool.iter().collect();
            let cycle = weighted_cycle(&refs);
            let mut counts = vec![0u64; pool.len()];
            for turn in start..start + 10_000 {
                counts[cycle[(turn % cycle.len() as u64) as usize]] += 1;
            }
            let total: u32 = weights.iter().sum();
            for (i, count) in counts.iter().enumerate() {
                let share = *count as f64 / 100.0;
                let weight = f64::from(weights[i]) * 100.0 / f64::from(total);
                prop_assert!((share - weight).abs() <= 2.0, "rep{i}: {share:.2}% of assignments for {weight:.2}% of the weight");
            }
            // The cycle is what `weighted_pick` reads turn by turn.
            prop_assert_eq!(weighted_pick(&refs, start + 1).map(|r| r.name.clone()), Some(pool[cycle[(start % cycle.len() as u64) as usize]].name.clone()));
        }
    }
}
