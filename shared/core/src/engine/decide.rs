//! The decision function.

use super::slot::next_allowed;
use crate::domain::{
    Cadence, CadenceName, Channel, ContactPolicy, Cue, Enrolment, EnrolmentId, EnrolmentStatus, Gate, Lead,
    OutcomeKind, Scoring, Signal, Step, StopReason, Trigger,
};
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

/// The tenant rules the engine reads.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    pub policy: &'a ContactPolicy,
    pub cadences: &'a BTreeMap<String, Cadence>,
    /// The signals that start a cadence: the tenant's `[[triggers]]` and its booking cadences
    /// (`BookingCadences::triggers`), one mechanism.
    pub triggers: &'a [Trigger],
    /// The tenant's `[scoring]`, which guards on `score` and `tier` read.
    pub scoring: Option<&'a Scoring>,
}

/// What the engine knows about a lead when it decides.
#[derive(Debug, Clone, Copy)]
pub struct LeadView<'a> {
    pub lead: &'a Lead,
    pub enrolments: &'a [Enrolment],
    /// When each earlier touch of the lead was claimed, across all channels.
    pub touch_times: &'a [DateTime<Utc>],
}

/// Something that happened to a lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The enrolment was just created: schedule its first step.
    Enrolled { enrolment: EnrolmentId },
    /// A scheduled message arrived for `step`, carrying the enrolment's `version` at the time.
    StepDue { enrolment: EnrolmentId, step: usize, version: u64 },
    /// The lead replied with something other than a keyword.
    Replied,
    /// The lead revoked consent for these channels.
    OptedOut { channels: Vec<Channel> },
    /// A human or a booking tool reported an outcome.
    Outcome(OutcomeKind),
    /// A booking tool reported a booking for `slot`.
    Booked { slot: DateTime<Utc> },
    /// The lead followed a tracked link; `booking` if it was the tenant's booking link.
    LinkClicked { booking: bool },
    /// Any other signal (a call's end, an email opened, a text delivered): it changes nothing
    /// by itself; the tenant's triggers may start a cadence on it.
    Signal(Signal),
    /// The lead has been silent for this long (a `dormant_after` threshold just crossed).
    Dormant(Duration),
}

impl Event {
    /// What triggers match on: the event's signal, or the silence it reports.
    pub fn cue(&self) -> Option<Cue> {
        match self {
            Event::Dormant(after) => Some(Cue::Dormant(*after)),
            other => other.signal().map(Cue::Signal),
        }
    }

    /// The signal this event is, if any.
    pub fn signal(&self) -> Option<Signal> {
        match self {
            Event::Enrolled { .. } | Event::StepDue { .. } | Event::Dormant(_) => None,
            Event::Replied => Some(Signal::Replied),
            Event::OptedOut { .. } => Some(Signal::OptedOut),
            Event::Outcome(OutcomeKind::Booked) | Event::Booked { .. } => Some(Signal::Booked),
            Event::Outcome(OutcomeKind::NoShow) => Some(Signal::NoShow),
            Event::Outcome(_) => None,
            Event::LinkClicked { booking: true } => Some(Signal::BookingClicked),
            Event::LinkClicked { booking: false } => Some(Signal::Clicked),
            Event::Signal(signal) => Some(*signal),
        }
    }
}

/// Why a due message does nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropReason {
    /// The enrolment moved on (stopped, replaced, or this step already claimed).
    StaleToken,
    /// The enrolment or its cadence no longer exists.
    Unknown,
}

/// Why a step was passed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    NoConsent,
    OptedOut,
    NoAddress,
    /// A provider said this channel can never reach the lead.
    Undeliverable,
    /// A step placed before the enrolment's anchor (a reminder before a booked slot) can no
    /// longer go out before it.
    TooLate,
    /// The step's `if` / `unless` held it back (the guard as written: `unless email_opened`).
    Guard(String),
}

impl SkipReason {
    /// A short explanation for the timeline.
    pub fn describe(&self) -> String {
        match self {
            SkipReason::NoConsent => "no consent for this channel".to_owned(),
            SkipReason::OptedOut => "opted out of this channel".to_owned(),
            SkipReason::NoAddress => "no address for this channel".to_owned(),
            SkipReason::Undeliverable => "this channel cannot reach the lead".to_owned(),
            SkipReason::TooLate => "its time before the booked slot has passed".to_owned(),
            SkipReason::Guard(guard) => format!("held back by its condition: {guard}"),
        }
    }
}

/// What the use case must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Claim and send `step` now.
    Send { enrolment: EnrolmentId, step: usize, channel: Channel, template: String },
    /// Pass over `step` without sending.
    Skip { enrolment: EnrolmentId, step: usize, channel: Channel, reason: SkipReason },
    /// Run `step` at `at` (also used to put back a message that came early or hit a rule).
    Schedule { enrolment: EnrolmentId, step: usize, at: DateTime<Utc> },
    /// The cadence has no steps left.
    Complete { enrolment: EnrolmentId },
    /// Stop the cadence before its end.
    Stop { enrolment: EnrolmentId, reason: StopReason },
    /// Start a new enrolment in `cadence`, its `before` steps placed against `anchor`, behind
    /// its trigger's `gate` (a wait and a condition) if it has one.
    Enrol { cadence: CadenceName, anchor: Option<DateTime<Utc>>, gate: Option<Gate> },
    /// Put the lead in front of a human.
    HandOff { reason: String },
    /// Deliver the enrolment's current step again, unchanged: the message that arrived is the
    /// one just before it, redelivered after a crash that may have lost the next schedule.
    Rearm { enrolment: EnrolmentId, step: usize, version: u64, at: DateTime<Utc> },
    /// Do nothing with this message.
    Drop { reason: DropReason },
}

/// Decides what to do about `event` for the lead in `view`, at `now`: what the event itself
/// means, then what the tenant's triggers start on its signal.
pub fn decide(view: LeadView<'_>, event: &Event, rules: Rules<'_>, now: DateTime<Utc>) -> Vec<Command> {
    let mut commands = react(view, event, rules, now);
    if let Some(cue) = event.cue() {
        let triggered = triggered(view, event, cue, rules, &commands, now);
        commands.extend(triggered);
    }
    commands
}

/// What `event` itself means for the lead.
fn react(view: LeadView<'_>, event: &Event, rules: Rules<'_>, now: DateTime<Utc>) -> Vec<Command> {
    match event {
        Event::Enrolled { enrolment } => match find(view, enrolment, rules) {
            Some((e, cadence)) if e.is_active() => schedule_step(view, e, cadence, 0, rules, now),
            _ => vec![Command::Drop { reason: DropReason::Unknown }],
        },
        Event::StepDue { enrolment, step, version } => step_due(view, enrolment, *step, *version, rules, now),
        Event::Replied => {
            let mut commands = stop_all(view, StopReason::Replied);
            commands.push(Command::HandOff { reason: "replied".to_owned() });
            commands
        }
        Event::OptedOut { .. } => stop_all(view, StopReason::OptedOut),
        Event::Outcome(outcome) => match outcome {
            OutcomeKind::Booked => stop_all(view, StopReason::Booked),
            OutcomeKind::Disqualified => stop_all(view, StopReason::Disqualified),
            OutcomeKind::Won => stop_all(view, StopReason::Won),
            // The reminders are over: the lead came.
            OutcomeKind::Showed => stop_all(view, StopReason::Showed),
            OutcomeKind::Cancelled => stop_all(view, StopReason::Cancelled),
            // The rebook cadence is the `no_show` trigger's.
            OutcomeKind::NoShow => stop_all(view, StopReason::NoShow),
            // A contact changes who acts next, not the automated cadence.
            OutcomeKind::Contacted => Vec::new(),
        },
        // A booking stops every follow-up (a pending nudge too); the reminders are the
        // `booked` trigger's.
        Event::Booked { .. } => stop_all(view, StopReason::Booked),
        // The nudge is the `booking_clicked` trigger's.
        Event::LinkClicked { .. } | Event::Signal(_) | Event::Dormant(_) => Vec::new(),
    }
}

/// The commands of the triggers `event`'s signal fires, after `decided` (what the event itself
/// did). A trigger starts nothing for a lead one no channel reaches, or already in that cadence;
/// nor, except on the booking tool's own news (`booked`, `no_show`: reminders and rebooking
/// reach the lead whoever has it), for a lead a human has or one that booked, won, was
/// disqualified or cancelled. Never on a reply (a person takes over) or an opt-out (config
/// refuses both). A `booked` trigger's cadence is placed against the slot, and starts only
/// while the slot is ahead. With `stop_others` it stops the lead's other active cadences first.
fn triggered(
    view: LeadView<'_>,
    event: &Event,
    cue: Cue,
    rules: Rules<'_>,
    decided: &[Command],
    now: DateTime<Utc>,
) -> Vec<Command> {
    let lead = view.lead;
    let signal = match cue {
        Cue::Signal(signal) => Some(signal),
        Cue::Dormant(_) => None,
    };
    let booking_news = matches!(signal, Some(Signal::Booked | Signal::NoShow));
    let settled = lead.settled();
    if !signal.is_none_or(Trigger::may_fire_on) || (!booking_news && (lead.needs_human || settled)) {
        return Vec::new();
    }
    let anchor = match event {
        Event::Booked { slot } if *slot > now => Some(*slot),
        // A slot already past, or a booking reported without its slot: nothing to remind of.
        _ if signal == Some(Signal::Booked) => return Vec::new(),
        _ => None,
    };
    let stopped =
        |id: &EnrolmentId| decided.iter().any(|c| matches!(c, Command::Stop { enrolment, .. } if enrolment == id));
    let mut commands = Vec::new();
    for trigger in rules.triggers.iter().filter(|t| t.when.covers(cue)) {
        let running = view.enrolments.iter().any(|e| e.is_active() && e.cadence == trigger.enrol && !stopped(&e.id));
        let enrolling = decided
            .iter()
            .chain(&commands)
            .any(|c| matches!(c, Command::Enrol { cadence, .. } if cadence == &trigger.enrol));
        if running || enrolling {
            continue;
        }
        let gate = (trigger.after.is_some() || trigger.unless.is_some()).then(|| Gate {
            opens_at: now + trigger.after.unwrap_or_else(Duration::zero),
            unless: trigger.unless.clone(),
        });
        let Some(enrol) = enrol(view, Some(&trigger.enrol), anchor, gate) else { continue };
        if trigger.stop_others {
            let already: Vec<EnrolmentId> = commands
                .iter()
                .filter_map(|c| match c {
                    Command::Stop { enrolment, .. } => Some(enrolment.clone()),
                    _ => None,
                })
                .collect();
            let others = view.enrolments.iter().filter(|e| e.is_active() && !stopped(&e.id));
            for other in others.filter(|e| !already.contains(&e.id)) {
                commands.push(Command::Stop { enrolment: other.id.clone(), reason: StopReason::Replaced });
            }
        }
        commands.push(enrol);
    }
    commands
}

/// Enrols the lead in `cadence`, if the tenant runs one and any channel can reach the lead.
fn enrol(
    view: LeadView<'_>,
    cadence: Option<&CadenceName>,
    anchor: Option<DateTime<Utc>>,
    gate: Option<Gate>,
) -> Option<Command> {
    let cadence = cadence.filter(|_| view.lead.reachable())?;
    Some(Command::Enrol { cadence: cadence.clone(), anchor, gate })
}

fn find<'a>(view: LeadView<'a>, id: &EnrolmentId, rules: Rules<'a>) -> Option<(&'a Enrolment, &'a Cadence)> {
    let enrolment = view.enrolments.iter().find(|e| &e.id == id)?;
    let cadence = rules.cadences.get(&enrolment.cadence)?;
    Some((enrolment, cadence))
}

fn step_due(
    view: LeadView<'_>,
    id: &EnrolmentId,
    step: usize,
    version: u64,
    rules: Rules<'_>,
    now: DateTime<Utc>,
) -> Vec<Command> {
    let Some((enrolment, cadence)) = find(view, id, rules) else {
        return vec![Command::Drop { reason: DropReason::Unknown }];
    };
    if !enrolment.is_active() || enrolment.next_step != step || enrolment.version != version {
        // Schedules are at-least-once and a process can die between claiming a step and
        // scheduling the next; a redelivery of the previous message re-arms the current one.
        // Re-arming twice is harmless: the claim is conditional on the version.
        if enrolment.is_active() && version + 1 == enrolment.version {
            return vec![Command::Rearm {
                enrolment: id.clone(),
                step: enrolment.next_step,
                version: enrolment.version,
                at: enrolment.next_due_at.unwrap_or(now),
            }];
        }
        return vec![Command::Drop { reason: DropReason::StaleToken }];
    }
    let Some(definition) = cadence.steps.get(step) else {
        return vec![Command::Complete { enrolment: id.clone() }];
    };
    let lead = view.lead;
    let channel = channel_of(definition, lead);
    // The trigger's condition, checked once its wait is over: it stops the cadence unsent.
    let gate = enrolment.gate.as_ref().and_then(|gate| gate.unless.as_ref());
    if let Some(guard) = gate.filter(|guard| !guard.allows(lead, enrolment.enrolled_at, rules.scoring, now)) {
        let reason = SkipReason::Guard(format!("its trigger's {guard}"));
        return vec![
            Command::Skip { enrolment: id.clone(), step, channel, reason },
            Command::Stop { enrolment: id.clone(), reason: StopReason::HeldBack },
        ];
    }
    let held_back =
        definition.guard.as_ref().filter(|guard| !guard.allows(lead, enrolment.enrolled_at, rules.scoring, now));
    if let Some(reason) = blocked(lead, channel).or_else(|| held_back.map(|guard| SkipReason::Guard(guard.to_string())))
    {
        let mut commands = vec![Command::Skip { enrolment: id.clone(), step, channel, reason }];
        commands.extend(schedule_step(view, enrolment, cadence, step + 1, rules, now));
        return commands;
    }
    // Checked again now, not trusted from scheduling time: caps and the clock may have moved,
    // and a message may arrive early (EventBridge Scheduler fires anywhere in its minute).
    let wanted = enrolment.next_due_at.unwrap_or(now).max(now);
    let slot = next_allowed(wanted, lead.profile.zone, rules.policy, view.touch_times);
    if too_late(definition, enrolment, slot) {
        let mut commands = vec![Command::Skip { enrolment: id.clone(), step, channel, reason: SkipReason::TooLate }];
        commands.extend(schedule_step(view, enrolment, cadence, step + 1, rules, now));
        return commands;
    }
    if slot > now {
        return vec![Command::Schedule { enrolment: id.clone(), step, at: slot }];
    }
    let mut commands =
        vec![Command::Send { enrolment: id.clone(), step, channel, template: definition.template.clone() }];
    let mut after: Vec<DateTime<Utc>> = view.touch_times.to_vec();
    after.push(now);
    let view_after = LeadView { touch_times: &after, ..view };
    commands.extend(schedule_step(view_after, enrolment, cadence, step + 1, rules, now));
    commands
}

/// The channel `definition` goes on for `lead`: its own, or for a `preferred` step the one the
/// lead engages with among those it may be reached on now, else the step's fallback.
fn channel_of(definition: &Step, lead: &Lead) -> Channel {
    if !definition.preferred {
        return definition.channel;
    }
    let open: Vec<Channel> = Channel::ALL.into_iter().filter(|c| blocked(lead, *c).is_none()).collect();
    lead.preferred_channel(&open).unwrap_or(definition.channel)
}

/// Why nothing may go to `lead` on `channel`, whatever the time: no address, no consent, an
/// opt-out, or a provider said the channel cannot reach the lead.
pub fn blocked(lead: &Lead, channel: Channel) -> Option<SkipReason> {
    if lead.address(channel).is_none() {
        Some(SkipReason::NoAddress)
    } else if !lead.consent.allows(channel) {
        Some(SkipReason::NoConsent)
    } else if lead.opted_out.contains(&channel) {
        Some(SkipReason::OptedOut)
    } else if lead.undeliverable.contains_key(&channel) {
        Some(SkipReason::Undeliverable)
    } else {
        None
    }
}

/// Schedules `step` at its due time moved past quiet hours and caps, or completes the cadence.
/// A step before the anchor whose time has passed (a reminder 24 hours before a slot booked
/// for tomorrow morning) is skipped, and the next one considered.
fn schedule_step(
    view: LeadView<'_>,
    enrolment: &Enrolment,
    cadence: &Cadence,
    step: usize,
    rules: Rules<'_>,
    now: DateTime<Utc>,
) -> Vec<Command> {
    let zone = view.lead.profile.zone;
    let mut commands = Vec::new();
    for (step, definition) in cadence.steps.iter().enumerate().skip(step) {
        let due = definition.at.due_at(enrolment.start(), enrolment.anchor_at, zone);
        let at = next_allowed(due.max(now), zone, rules.policy, view.touch_times);
        if (definition.at.is_anchored() && due < now) || too_late(definition, enrolment, at) {
            let (channel, reason) = (definition.channel, SkipReason::TooLate);
            commands.push(Command::Skip { enrolment: enrolment.id.clone(), step, channel, reason });
            continue;
        }
        commands.push(Command::Schedule { enrolment: enrolment.id.clone(), step, at });
        return commands;
    }
    commands.push(Command::Complete { enrolment: enrolment.id.clone() });
    commands
}

/// Whether a step placed before the anchor would go out only at or after it: a reminder
/// that quiet hours or caps pushed past the slot it reminds of.
fn too_late(definition: &Step, enrolment: &Enrolment, slot: DateTime<Utc>) -> bool {
    definition.at.is_anchored() && enrolment.anchor_at.is_some_and(|anchor| slot >= anchor)
}

fn stop_all(view: LeadView<'_>, reason: StopReason) -> Vec<Command> {
    view.enrolments
        .iter()
        .filter(|e| e.status == EnrolmentStatus::Active)
        .map(|e| Command::Stop { enrolment: e.id.clone(), reason })
        .collect()
}
