//! Starting an enrolment: a lead enters a cadence (at intake, or when the engine says so after
//! a click, a booking or a no-show), its first step placed by the engine.

use crate::domain::{Channel, Enrolment, EnrolmentId, EnrolmentStatus, Gate, Lead, TimelineEntry, TimelineKind};
use crate::engine::{decide, Command, Event, LeadView, Rules, SkipReason};
use chrono::{DateTime, Utc};

/// A new enrolment of `lead` in `cadence`, with `anchor` for its `before` steps and its
/// trigger's `gate`. Its first step is placed by the engine; steps whose time has already
/// passed are skipped, and the timeline says so.
pub(super) fn start_enrolment(
    rules: Rules<'_>,
    lead: &Lead,
    cadence: &str,
    (anchor, gate): (Option<DateTime<Utc>>, Option<Gate>),
    now: DateTime<Utc>,
    timeline: &mut Vec<TimelineEntry>,
) -> Enrolment {
    let mut enrolment = Enrolment {
        id: EnrolmentId::new(),
        tenant: lead.tenant.clone(),
        lead_id: lead.id.clone(),
        cadence: cadence.to_owned(),
        enrolled_at: now,
        anchor_at: anchor,
        gate,
        next_step: 0,
        next_due_at: None,
        status: EnrolmentStatus::Active,
        version: 1,
    };
    timeline.push(TimelineEntry { at: now, kind: TimelineKind::Enrolled { cadence: cadence.to_owned() } });
    let view = LeadView { lead, enrolments: std::slice::from_ref(&enrolment), touch_times: &[] };
    let commands = decide(view, &Event::Enrolled { enrolment: enrolment.id.clone() }, rules, now);
    enrolment.status = EnrolmentStatus::Completed;
    for command in commands {
        match command {
            Command::Schedule { step, at, .. } => {
                enrolment.next_step = step;
                enrolment.next_due_at = Some(at);
                enrolment.status = EnrolmentStatus::Active;
            }
            Command::Skip { step, channel, reason, .. } => timeline.push(skipped(step, channel, &reason, now)),
            _ => {}
        }
    }
    enrolment
}

/// The enrolments the engine's `Enrol` commands start for `lead`.
pub(super) fn started_by(
    rules: Rules<'_>,
    lead: &Lead,
    commands: &[Command],
    now: DateTime<Utc>,
    timeline: &mut Vec<TimelineEntry>,
) -> Vec<Enrolment> {
    commands
        .iter()
        .filter_map(|command| match command {
            Command::Enrol { cadence, anchor, gate } => {
                Some(start_enrolment(rules, lead, cadence, (*anchor, gate.clone()), now, timeline))
            }
            _ => None,
        })
        .collect()
}

/// The timeline entry of a step passed over.
pub(super) fn skipped(step: usize, channel: Channel, reason: &SkipReason, now: DateTime<Utc>) -> TimelineEntry {
    TimelineEntry { at: now, kind: TimelineKind::StepSkipped { step, channel, reason: reason.describe() } }
}
