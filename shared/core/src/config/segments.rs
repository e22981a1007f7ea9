//! `[[segments]] name, sources, campaigns, if, channels, cadence, owner, team` and
//! `tenant.default_cadence`: which cadence a new lead is enrolled in, and who owns it (a
//! rep) or which team's reps take it (`[[reps]] skills`).
//!
//! The first segment whose every criterion matches wins: its sources (a trailing `*` matches
//! a prefix), its campaigns (likewise), its condition (`if`: a form field, or the tier the
//! form's fit points give), and the channels the lead must have consented to. A segment
//! states at least one criterion.

use super::checker::Checker;
use super::file::{RawSegment, RawTenantFile};
use crate::domain::{source_slug, Channel, Condition, Lead, Scoring};
use chrono::{DateTime, Utc};
use toml::Spanned;

/// Routes the leads that match it to a cadence, and perhaps to a rep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub name: String,
    /// Lowercase source names; a trailing `*` matches any suffix (`fb-*`); empty: any.
    pub sources: Vec<String>,
    /// Campaign names as slugs, `*` as for sources; empty: any.
    pub campaigns: Vec<String>,
    /// A condition on the form (or the tier it gives), if any.
    pub condition: Option<Condition>,
    /// Channels the lead must have consented to; empty: none required.
    pub channels: Vec<Channel>,
    pub cadence: String,
    /// The rep (by name, from `[[reps]]`) who owns the segment's leads, if any.
    pub owner: Option<String>,
    /// The team whose reps (those with it among their `skills`) take the segment's leads.
    pub team: Option<String>,
}

/// Whether `value` (already a slug) matches one of `patterns`, or there are none.
fn any_matches(patterns: &[String], value: Option<&str>) -> bool {
    if patterns.is_empty() {
        return true;
    }
    let Some(value) = value else { return false };
    patterns.iter().any(|pattern| match pattern.strip_suffix('*') {
        Some(prefix) => value.starts_with(prefix),
        None => pattern == value,
    })
}

impl Segment {
    /// Whether `lead` belongs to this segment at `now` (tiers read by `scoring`).
    pub fn matches(&self, lead: &Lead, scoring: Option<&Scoring>, now: DateTime<Utc>) -> bool {
        let campaign = lead.profile.campaign.as_deref().and_then(|c| source_slug(c).ok());
        any_matches(&self.sources, Some(&lead.profile.source.to_lowercase()))
            && any_matches(&self.campaigns, campaign.as_deref())
            && self.channels.iter().all(|channel| lead.consent.allows(*channel))
            && self.condition.as_ref().is_none_or(|c| c.holds(lead, lead.received_at, scoring, now))
    }
}

/// Reads patterns as sources are read, so "Facebook Ads" matches what a form sends as
/// "facebook ads" (both become "facebook-ads").
fn patterns(c: &mut Checker, field: &str, raw: &[String], at: &Spanned<String>) -> Vec<String> {
    let mut patterns = Vec::new();
    for (j, pattern) in raw.iter().enumerate() {
        let (stem, wildcard) = match pattern.trim().strip_suffix('*') {
            Some(stem) => (stem, "*"),
            None => (pattern.as_str(), ""),
        };
        match source_slug(stem) {
            Ok(slug) => patterns.push(format!("{slug}{wildcard}")),
            Err(e) => c.fail(format!("{field}[{j}]"), Some(at), e),
        }
    }
    patterns
}

/// Reads the segments, checking that the default cadence and each segment's cadence and owner
/// exist.
pub(super) fn segments(c: &mut Checker, raw: &RawTenantFile, scored: bool) -> Vec<Segment> {
    let known_cadence = |c: &mut Checker, field: &str, name: &Spanned<String>| {
        if !raw.cadences.contains_key(name.get_ref()) {
            c.fail(field, Some(name), format!("no cadence named {:?}", name.get_ref()));
        }
    };
    known_cadence(c, "tenant.default_cadence", &raw.tenant.default_cadence);
    raw.segments.iter().enumerate().map(|(i, s)| segment(c, raw, i, s, scored, &known_cadence)).collect()
}

fn segment(
    c: &mut Checker,
    raw: &RawTenantFile,
    i: usize,
    s: &RawSegment,
    scored: bool,
    known_cadence: &dyn Fn(&mut Checker, &str, &Spanned<String>),
) -> Segment {
    let field = format!("segments[{i}]");
    known_cadence(c, &format!("{field}.cadence"), &s.cadence);
    let sources = patterns(c, &format!("{field}.sources"), &s.sources, &s.cadence);
    let campaigns = patterns(c, &format!("{field}.campaigns"), &s.campaigns, &s.cadence);
    let condition = s.if_.as_ref().and_then(|raw_if| {
        c.check(&format!("{field}.if"), raw_if, |text| match Condition::parse(text) {
            Ok(Condition::Signal(_)) => {
                Err(format!("{text:?}: a new lead has no signals yet; match on fields or tier"))
            }
            Ok(condition) if condition.needs_scoring() && !scored => {
                Err("scores and tiers need a [scoring] section".to_owned())
            }
            Ok(condition) => Ok(condition),
            Err(e) => Err(e.to_string()),
        })
    });
    let channels = s
        .channels
        .iter()
        .enumerate()
        .filter_map(|(j, name)| {
            c.check(&format!("{field}.channels[{j}]"), name, |n| {
                Channel::ALL.into_iter().find(|ch| ch.as_str() == n).ok_or("must be sms, email, voice or voicemail")
            })
        })
        .collect::<Vec<_>>();
    let owner = s.owner.as_ref().map(|owner| {
        if !raw.reps.iter().any(|rep| rep.name.get_ref() == owner.get_ref()) {
            c.fail(format!("{field}.owner"), Some(owner), format!("no rep named {:?} in [[reps]]", owner.get_ref()));
        }
        owner.get_ref().clone()
    });
    if s.sources.is_empty() && s.campaigns.is_empty() && s.if_.is_none() && s.channels.is_empty() {
        c.fail(&field, Some(&s.cadence), "a segment needs sources, campaigns, if or channels to match on");
    }
    Segment {
        name: s.name.clone(),
        sources,
        campaigns,
        condition,
        channels,
        cadence: s.cadence.get_ref().clone(),
        owner,
        team: s.team.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned),
    }
}
