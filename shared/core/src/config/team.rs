//! The tenant's people: the reps who pick up leads in turn, how long a hand-off may wait
//! for one of them, and whom an escalation calls on.

use super::checker::Checker;
use super::file::RawTenantFile;
use crate::domain::{PhoneNumber, Region, StepTime};
use chrono::Duration;

/// How long a lead that replied may wait for a human when the tenant file names no SLA.
pub const DEFAULT_SLA: Duration = Duration::minutes(15);

/// A rep: one of the people a hand-off may be assigned to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rep {
    /// How the rep is named on the lead (`owner`) and in the team chat.
    pub name: String,
    /// Where a "press 1" on a call is transferred when the rep owns the lead.
    pub phone: Option<PhoneNumber>,
    /// How the team chat mentions the rep (`<@U0123ABC>` in Slack), else the name.
    pub mention: Option<String>,
}

impl Rep {
    /// How a team-chat message calls on the rep.
    pub fn mention(&self) -> &str {
        self.mention.as_deref().unwrap_or(&self.name)
    }
}

/// The tenant's people, as the hand-off uses them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    /// Assigned in turn (round robin), in the order of the tenant file.
    pub reps: Vec<Rep>,
    /// How long a hand-off may wait for a human to mark the lead contacted.
    pub sla: Duration,
    /// Whom an escalation calls on (a name or a chat mention); none: the channel at large.
    pub manager: Option<String>,
}

impl Default for Team {
    fn default() -> Self {
        Self { reps: Vec::new(), sla: DEFAULT_SLA, manager: None }
    }
}

impl Team {
    /// The rep whose turn the `turn`-th hand-off (counting from 1) is, if there are reps.
    pub fn rep_for_turn(&self, turn: u64) -> Option<&Rep> {
        if self.reps.is_empty() {
            return None;
        }
        let index = (turn.saturating_sub(1) % self.reps.len() as u64) as usize;
        self.reps.get(index)
    }

    /// The rep of this name.
    pub fn rep(&self, name: &str) -> Option<&Rep> {
        self.reps.iter().find(|r| r.name == name)
    }
}

/// Reads `[[reps]]` and the SLA and manager of `[handoff]`.
pub(super) fn team(c: &mut Checker, raw: &RawTenantFile, region: Option<Region>) -> Team {
    let mut team = Team::default();
    if let Some(handoff) = &raw.handoff {
        if let Some(sla) = &handoff.sla {
            let parsed = c.check("handoff.sla", sla, |s| match StepTime::parse(s) {
                Ok(StepTime::After(d)) if d >= Duration::minutes(1) && d <= Duration::days(7) => Ok(d),
                _ => Err("must be a duration from `1m` to `7d`, like `15m` or `2h`"),
            });
            team.sla = parsed.unwrap_or(DEFAULT_SLA);
        }
        team.manager = handoff.manager.clone().filter(|m| !m.trim().is_empty());
    }
    for (i, rep) in raw.reps.iter().enumerate() {
        let name = rep.name.get_ref().trim().to_owned();
        if name.is_empty() {
            c.fail(format!("reps[{i}].name"), Some(&rep.name), "must not be empty");
            continue;
        }
        if team.rep(&name).is_some() {
            c.fail(format!("reps[{i}].name"), Some(&rep.name), format!("{name:?} is named twice"));
            continue;
        }
        let phone = match (&rep.phone, region) {
            (Some(phone), Some(region)) => {
                match c.check(&format!("reps[{i}].phone"), phone, |p| PhoneNumber::parse(p, region)) {
                    Some(phone) => Some(phone),
                    None => continue,
                }
            }
            _ => None,
        };
        team.reps.push(Rep { name, phone, mention: rep.mention.clone().filter(|m| !m.trim().is_empty()) });
    }
    team
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rep(name: &str) -> Rep {
        Rep { name: name.to_owned(), phone: None, mention: None }
    }

    #[test]
    fn turns_go_round_the_reps_in_order() {
        let team = Team { reps: vec![rep("Dana"), rep("Eli"), rep("Fay")], ..Team::default() };
        let names: Vec<&str> = (1..=7).map(|turn| team.rep_for_turn(turn).unwrap().name.as_str()).collect();
        assert_eq!(names, ["Dana", "Eli", "Fay", "Dana", "Eli", "Fay", "Dana"]);
        assert_eq!(Team::default().rep_for_turn(1), None);
    }

    #[test]
    fn a_rep_is_mentioned_by_name_unless_a_mention_is_given() {
        assert_eq!(rep("Dana").mention(), "Dana");
        let slack = Rep { mention: Some("<@U0DANA>".into()), ..rep("Dana") };
        assert_eq!(slack.mention(), "<@U0DANA>");
    }
}
