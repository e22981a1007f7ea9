//! The tenant's people: the reps who pick up leads (by weight, skills, hours and capacity),
//! how long a hand-off may wait for one of them, and whom an escalation calls on.

use super::checker::{valid, Checker};
use super::file::{RawHours, RawRep, RawTenantFile};
use crate::domain::{LeadZone, PhoneNumber, Region, StepTime, WorkingHours};
use chrono::{Duration, NaiveTime};
use std::collections::BTreeSet;

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
    /// The rep's share of assignments relative to the others' (1 to 100; default 1).
    pub weight: u32,
    /// The segments and teams whose leads the rep takes; empty: any lead nobody more
    /// skilled takes.
    pub skills: Vec<String>,
    /// When the rep takes new leads; none: any time.
    pub hours: Option<WorkingHours>,
    /// How many leads may wait on the rep at once before others are chosen; none: no limit.
    pub max_open: Option<u32>,
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
    /// Assigned by weighted round robin, in the order of the tenant file.
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
    /// The rep of this name.
    pub fn rep(&self, name: &str) -> Option<&Rep> {
        self.reps.iter().find(|r| r.name == name)
    }
}

/// Reads `[[reps]]` and the SLA and manager of `[handoff]`. A rep's hours are read in
/// `zone` (the tenant's) unless they name their own.
pub(super) fn team(c: &mut Checker, raw: &RawTenantFile, region: Option<Region>, zone: Option<LeadZone>) -> Team {
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
        let field = format!("reps[{i}]");
        let weight = rep.weight.as_ref().map_or(Some(1), |w| {
            c.check(&format!("{field}.weight"), w, |w| {
                u32::try_from(*w).ok().filter(|w| (1..=100).contains(w)).ok_or("must be from 1 to 100")
            })
        });
        let max_open = rep.max_open.as_ref().map(|m| {
            c.check(&format!("{field}.max_open"), m, |m| {
                u32::try_from(*m).ok().filter(|m| *m >= 1).ok_or("must be at least 1")
            })
        });
        let hours = rep.hours.as_ref().map(|h| working_hours(c, &field, h, zone));
        let skills = skills(c, raw, &field, rep);
        let (Some(weight), Some(max_open), Some(hours)) = (weight, valid(max_open), valid(hours)) else { continue };
        team.reps.push(Rep {
            name,
            phone,
            mention: rep.mention.clone().filter(|m| !m.trim().is_empty()),
            weight,
            skills,
            hours,
            max_open,
        });
    }
    team
}

/// `hours = { days = "mon-fri", from = "09:00", until = "17:00", zone = "..." }`: every day
/// unless `days` says which, in the tenant's zone unless `zone` says another.
pub(super) fn working_hours(
    c: &mut Checker,
    field: &str,
    raw: &RawHours,
    zone: Option<LeadZone>,
) -> Option<WorkingHours> {
    let time = |s: &String| NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| "must be HH:MM (24-hour)");
    let from = c.check(&format!("{field}.hours.from"), &raw.from, time);
    let until = c.check(&format!("{field}.hours.until"), &raw.until, time);
    let zone = match &raw.zone {
        Some(z) => c.check(&format!("{field}.hours.zone"), z, |z| LeadZone::parse(z)),
        None => zone,
    };
    let (from, until, zone) = (from?, until?, zone?);
    let days = raw.days.as_ref().map_or("mon-sun", |d| d.get_ref().as_str());
    let at = raw.days.as_ref().unwrap_or(&raw.until);
    let days_field = if raw.days.is_some() { "days" } else { "until" };
    c.check(&format!("{field}.hours.{days_field}"), at, |_| WorkingHours::new(days, from, until, zone))
}

/// A rep's skills: each names a segment or a segment's team, so a typo cannot leave the
/// rep taking nothing.
fn skills(c: &mut Checker, raw: &RawTenantFile, field: &str, rep: &RawRep) -> Vec<String> {
    let known: BTreeSet<&str> =
        raw.segments.iter().flat_map(|s| std::iter::once(s.name.as_str()).chain(s.team.as_deref())).collect();
    let mut skills = Vec::new();
    for (j, skill) in rep.skills.iter().enumerate() {
        let name = skill.get_ref().trim();
        if known.contains(name) {
            skills.push(name.to_owned());
        } else {
            c.fail(
                format!("{field}.skills[{j}]"),
                Some(skill),
                format!("no segment or team named {name:?} in [[segments]]"),
            );
        }
    }
    skills
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rep(name: &str) -> Rep {
        Rep {
            name: name.to_owned(),
            phone: None,
            mention: None,
            weight: 1,
            skills: Vec::new(),
            hours: None,
            max_open: None,
        }
    }

    use crate::config::{without_demo_team, TenantConfig, DEMO_TENANT};

    fn parse(team: &str) -> Result<TenantConfig, crate::config::ConfigErrors> {
        TenantConfig::parse(&format!("{team}{}", without_demo_team(DEMO_TENANT)), "demo.toml")
    }

    #[test]
    fn the_demo_team_routes_by_weight_skills_hours_and_capacity() {
        let demo = TenantConfig::demo();
        let priya = demo.team.rep("Priya").unwrap();
        assert_eq!(
            (priya.weight, priya.skills.as_slice(), priya.max_open),
            (2, &["high-value".to_owned()][..], Some(8))
        );
        assert_eq!(priya.hours.unwrap().to_string(), "Mon,Tue,Wed,Thu,Fri 08:00-18:00 America/New_York");
        let marcus = demo.team.rep("Marcus").unwrap();
        assert_eq!(marcus.hours.unwrap().to_string(), "Mon,Tue,Wed,Thu,Fri,Sat 10:00-19:00 America/Chicago");
        assert_eq!(demo.team.manager.as_deref(), Some("Morgan"));
        assert_eq!(demo.segments[0].team.as_deref(), Some("high-value"));
    }

    #[test]
    fn a_bad_routing_key_is_named_with_its_field_and_line() {
        let rep = |keys: &str| {
            format!("[[segments]]\nname = \"vip\"\nsources = [\"vip\"]\ncadence = \"standard\"\nteam = \"closers\"\n\n[[reps]]\nname = \"Dana\"\n{keys}\n\n")
        };
        let cases = [
            ("weight = 0", "reps[0].weight", "from 1 to 100"),
            ("weight = 101", "reps[0].weight", "from 1 to 100"),
            ("max_open = 0", "reps[0].max_open", "at least 1"),
            ("skills = [\"closers\", \"vip\", \"closrs\"]", "reps[0].skills[2]", "no segment or team named \"closrs\""),
            ("hours = { from = \"9am\", until = \"17:00\" }", "reps[0].hours.from", "HH:MM"),
            ("hours = { from = \"09:00\", until = \"09:00\" }", "reps[0].hours.until", "another time"),
            ("hours = { days = \"weekdays\", from = \"09:00\", until = \"17:00\" }", "reps[0].hours.days", "mon-fri"),
            ("hours = { from = \"09:00\", until = \"17:00\", zone = \"Mars/Olympus\" }", "reps[0].hours.zone", "IANA"),
            ("hours = { from = \"09:00\", to = \"17:00\" }", "(syntax)", "unknown field `to`"),
        ];
        for (keys, field, message) in cases {
            let errors = parse(&rep(keys)).unwrap_err();
            let error = &errors.errors[0];
            assert!(error.field.starts_with(field), "{keys}: {error:?}");
            assert!(error.message.contains(message), "{keys}: {error:?}");
            assert!(error.line.is_some(), "{keys}: {error:?}");
        }
        let good = parse(&rep("weight = 3\nskills = [\"closers\", \"vip\"]\nmax_open = 4\nhours = { days = \"sat-sun\", from = \"22:00\", until = \"06:00\" }")).unwrap();
        let dana = good.team.rep("Dana").unwrap();
        assert_eq!((dana.weight, dana.skills.len(), dana.max_open), (3, 2, Some(4)));
        assert_eq!(
            dana.hours.unwrap().to_string(),
            "Sat,Sun 22:00-06:00 America/New_York",
            "the tenant's zone by default"
        );
    }

    #[test]
    fn a_rep_is_mentioned_by_name_unless_a_mention_is_given() {
        assert_eq!(rep("Dana").mention(), "Dana");
        let slack = Rep { mention: Some("<@U0DANA>".into()), ..rep("Dana") };
        assert_eq!(slack.mention(), "<@U0DANA>");
    }
}
