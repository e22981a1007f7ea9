//! Example-based tests of `decide`, one behaviour each.
//!
//! The lead lives in New York; the allowed window is the default 08:00-21:00. On Monday
//! 1 June 2026 New York is on EDT (UTC-4), so 14:00Z is 10:00 local.

use super::super::{decide, Command, DropReason, Event, LeadView, Rules, SkipReason};
use crate::domain::{
    fixtures, BookingCadences, Cadence, Channel, ContactPolicy, Enrolment, EnrolmentId, EnrolmentStatus, FrequencyCap,
    Lead, LeadZone, OutcomeKind, Step, StepTime, StopReason, TenantId, Trigger,
};
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

pub(super) fn at(rfc3339: &str) -> DateTime<Utc> {
    rfc3339.parse().expect("an RFC 3339 instant")
}

/// Monday 1 June 2026, 10:00 EDT.
pub(super) fn enrolled_at() -> DateTime<Utc> {
    at("2026-06-01T14:00:00Z")
}

pub(super) fn lead_in(zone: &str) -> Lead {
    let mut lead = fixtures::lead(&TenantId::parse("t1").unwrap(), enrolled_at());
    lead.profile.zone = LeadZone::parse(zone).unwrap();
    lead
}

pub(super) fn lead() -> Lead {
    lead_in("America/New_York")
}

pub(super) fn step(channel: Channel, template: &str, at: &str) -> Step {
    Step { channel, template: template.to_owned(), at: StepTime::parse(at).unwrap(), guard: None, preferred: false }
}

/// sms at once, email two hours later, a call on day 1 at 10:00.
pub(super) fn cadences() -> BTreeMap<String, Cadence> {
    let steps = vec![
        step(Channel::Sms, "welcome_sms", "0m"),
        step(Channel::Email, "welcome_email", "2h"),
        step(Channel::Voice, "day1_call", "day 1 at 10:00"),
    ];
    BTreeMap::from([("standard".to_owned(), Cadence { name: "standard".to_owned(), steps })])
}

pub(super) fn policy(caps: Vec<FrequencyCap>) -> ContactPolicy {
    ContactPolicy { quiet_hours: Default::default(), caps }
}

/// An active enrolment in "standard" whose next step is `next_step`, due at `due`.
pub(super) fn enrolment(next_step: usize, due: DateTime<Utc>, version: u64) -> Enrolment {
    let lead = lead();
    Enrolment {
        id: EnrolmentId::new(),
        tenant: lead.tenant,
        lead_id: lead.id,
        cadence: "standard".to_owned(),
        enrolled_at: enrolled_at(),
        anchor_at: None,
        gate: None,
        next_step,
        next_due_at: Some(due),
        status: EnrolmentStatus::Active,
        version,
    }
}

/// Everything `decide` reads, owned by the test.
pub(super) struct World {
    pub(super) lead: Lead,
    pub(super) enrolments: Vec<Enrolment>,
    pub(super) touches: Vec<DateTime<Utc>>,
    pub(super) policy: ContactPolicy,
    pub(super) cadences: BTreeMap<String, Cadence>,
    pub(super) triggers: Vec<Trigger>,
}

impl World {
    pub(super) fn new(enrolments: Vec<Enrolment>) -> Self {
        World {
            lead: lead(),
            enrolments,
            touches: vec![],
            policy: policy(vec![]),
            cadences: cadences(),
            triggers: Vec::new(),
        }
    }

    pub(super) fn decide(&self, event: Event, now: DateTime<Utc>) -> Vec<Command> {
        let view = LeadView { lead: &self.lead, enrolments: &self.enrolments, touch_times: &self.touches };
        let rules = Rules { policy: &self.policy, cadences: &self.cadences, triggers: &self.triggers, scoring: None };
        decide(view, &event, rules, now)
    }

    pub(super) fn id(&self) -> EnrolmentId {
        self.enrolments[0].id.clone()
    }

    /// The message the scheduler holds for the first enrolment.
    pub(super) fn due_message(&self) -> Event {
        let e = &self.enrolments[0];
        Event::StepDue { enrolment: e.id.clone(), step: e.next_step, version: e.version }
    }
}

// Enrolling

#[test]
fn enrolling_schedules_the_first_step_at_its_due_time() {
    let mut e = enrolment(0, enrolled_at(), 1);
    e.next_due_at = None;
    let w = World::new(vec![e]);
    let commands = w.decide(Event::Enrolled { enrolment: w.id() }, enrolled_at());
    assert_eq!(commands, vec![Command::Schedule { enrolment: w.id(), step: 0, at: enrolled_at() }]);
}

#[test]
fn an_enrolment_during_quiet_hours_schedules_the_first_step_for_the_morning() {
    let late = at("2026-06-02T02:00:00Z"); // 22:00 EDT on the 1st
    let mut e = enrolment(0, late, 1);
    e.enrolled_at = late;
    e.next_due_at = None;
    let w = World::new(vec![e]);
    let commands = w.decide(Event::Enrolled { enrolment: w.id() }, late);
    let morning = at("2026-06-02T12:00:00Z"); // 08:00 EDT
    assert_eq!(commands, vec![Command::Schedule { enrolment: w.id(), step: 0, at: morning }]);
}

#[test]
fn enrolling_an_unknown_or_inactive_enrolment_is_dropped() {
    let mut w = World::new(vec![enrolment(0, enrolled_at(), 1)]);
    let unknown = Event::Enrolled { enrolment: EnrolmentId::new() };
    assert_eq!(w.decide(unknown, enrolled_at()), vec![Command::Drop { reason: DropReason::Unknown }]);
    w.enrolments[0].status = EnrolmentStatus::Stopped(StopReason::Replied);
    let stopped = Event::Enrolled { enrolment: w.id() };
    assert_eq!(w.decide(stopped, enrolled_at()), vec![Command::Drop { reason: DropReason::Unknown }]);
}

#[test]
fn a_cadence_without_steps_completes_at_once() {
    let mut w = World::new(vec![enrolment(0, enrolled_at(), 1)]);
    w.cadences.get_mut("standard").unwrap().steps.clear();
    let commands = w.decide(Event::Enrolled { enrolment: w.id() }, enrolled_at());
    assert_eq!(commands, vec![Command::Complete { enrolment: w.id() }]);
}

// A due step

#[test]
fn a_due_step_is_sent_and_the_next_one_scheduled() {
    let w = World::new(vec![enrolment(0, enrolled_at(), 1)]);
    let commands = w.decide(w.due_message(), enrolled_at());
    assert_eq!(
        commands,
        vec![
            Command::Send { enrolment: w.id(), step: 0, channel: Channel::Sms, template: "welcome_sms".to_owned() },
            Command::Schedule { enrolment: w.id(), step: 1, at: at("2026-06-01T16:00:00Z") },
        ]
    );
}

#[test]
fn day_at_steps_are_read_in_the_leads_zone() {
    // Enrolled at 23:00 JST on 1 June; step 1 ran at 08:00 JST on the 2nd. "day 1 at 10:00"
    // is 10:00 JST on 2 June (01:00Z), not 10:00 in New York (14:00Z).
    let now = at("2026-06-01T23:00:00Z");
    let mut w = World::new(vec![enrolment(1, now, 2)]);
    w.lead = lead_in("Asia/Tokyo");
    let commands = w.decide(w.due_message(), now);
    assert!(matches!(commands[0], Command::Send { step: 1, .. }), "{commands:?}");
    assert_eq!(commands[1], Command::Schedule { enrolment: w.id(), step: 2, at: at("2026-06-02T01:00:00Z") });
}

#[test]
fn the_next_step_is_never_scheduled_in_the_past() {
    // Step 0 ran three hours late; step 1 ("2h") was due an hour ago.
    let now = at("2026-06-01T17:00:00Z");
    let w = World::new(vec![enrolment(0, enrolled_at(), 1)]);
    let commands = w.decide(w.due_message(), now);
    assert_eq!(commands[1], Command::Schedule { enrolment: w.id(), step: 1, at: now });
}

#[test]
fn the_touch_just_sent_counts_against_the_caps_of_the_next_step() {
    let mut w = World::new(vec![enrolment(0, enrolled_at(), 1)]);
    w.cadences.get_mut("standard").unwrap().steps[1].at = StepTime::parse("0m").unwrap();
    w.policy = policy(vec![FrequencyCap { per: Duration::hours(1), max: 1 }]);
    let commands = w.decide(w.due_message(), enrolled_at());
    assert!(matches!(commands[0], Command::Send { step: 0, .. }));
    let an_hour_later = enrolled_at() + Duration::hours(1);
    assert_eq!(commands[1], Command::Schedule { enrolment: w.id(), step: 1, at: an_hour_later });
}

// Tokens

#[test]
fn a_step_due_with_an_old_token_is_dropped() {
    let w = World::new(vec![enrolment(1, enrolled_at(), 5)]);
    let old = Event::StepDue { enrolment: w.id(), step: 1, version: 3 };
    assert_eq!(w.decide(old, enrolled_at()), vec![Command::Drop { reason: DropReason::StaleToken }]);
    // The right version but another step is no better.
    let wrong_step = Event::StepDue { enrolment: w.id(), step: 0, version: 5 };
    assert_eq!(w.decide(wrong_step, enrolled_at()), vec![Command::Drop { reason: DropReason::StaleToken }]);
}

#[test]
fn the_redelivered_previous_message_rearms_the_current_step() {
    // Step 0 was claimed with version 1 (now 2); the process may have died before it
    // scheduled step 1, so a redelivery of step 0's message re-arms step 1 unchanged.
    let due = at("2026-06-01T16:00:00Z");
    let w = World::new(vec![enrolment(1, due, 2)]);
    let previous = Event::StepDue { enrolment: w.id(), step: 0, version: 1 };
    assert_eq!(
        w.decide(previous, enrolled_at()),
        vec![Command::Rearm { enrolment: w.id(), step: 1, version: 2, at: due }]
    );
}

#[test]
fn a_message_for_a_stopped_enrolment_is_dropped_not_rearmed() {
    let mut w = World::new(vec![enrolment(1, enrolled_at(), 2)]);
    w.enrolments[0].status = EnrolmentStatus::Stopped(StopReason::OptedOut);
    for version in [1, 2] {
        let message = Event::StepDue { enrolment: w.id(), step: 1, version };
        assert_eq!(w.decide(message, enrolled_at()), vec![Command::Drop { reason: DropReason::StaleToken }]);
    }
}

#[test]
fn a_message_for_an_unknown_enrolment_or_cadence_is_dropped() {
    let mut w = World::new(vec![enrolment(0, enrolled_at(), 1)]);
    let stranger = Event::StepDue { enrolment: EnrolmentId::new(), step: 0, version: 1 };
    assert_eq!(w.decide(stranger, enrolled_at()), vec![Command::Drop { reason: DropReason::Unknown }]);
    // The tenant file no longer has the cadence.
    w.cadences.clear();
    assert_eq!(w.decide(w.due_message(), enrolled_at()), vec![Command::Drop { reason: DropReason::Unknown }]);
}

// Putting a message back

#[test]
fn an_early_message_is_put_back_until_its_due_time() {
    let due = at("2026-06-01T16:00:00Z");
    let w = World::new(vec![enrolment(1, due, 2)]);
    let early = due - Duration::seconds(40);
    assert_eq!(w.decide(w.due_message(), early), vec![Command::Schedule { enrolment: w.id(), step: 1, at: due }]);
}

#[test]
fn a_late_message_that_lands_in_quiet_hours_is_put_back_to_the_morning() {
    let due = at("2026-06-02T00:50:00Z"); // 20:50 EDT
    let w = World::new(vec![enrolment(1, due, 2)]);
    let late = at("2026-06-02T01:05:00Z"); // 21:05 EDT
    let morning = at("2026-06-02T12:00:00Z"); // 08:00 EDT
    assert_eq!(w.decide(w.due_message(), late), vec![Command::Schedule { enrolment: w.id(), step: 1, at: morning }]);
}

#[test]
fn a_capped_step_waits_for_the_cap_window() {
    // Another cadence touched the lead 20 minutes ago; one touch an hour.
    let mut w = World::new(vec![enrolment(1, enrolled_at(), 2)]);
    w.policy = policy(vec![FrequencyCap { per: Duration::hours(1), max: 1 }]);
    w.touches = vec![enrolled_at() - Duration::minutes(20)];
    let commands = w.decide(w.due_message(), enrolled_at());
    let freed = enrolled_at() + Duration::minutes(40);
    assert_eq!(commands, vec![Command::Schedule { enrolment: w.id(), step: 1, at: freed }]);
}

// Skips

#[test]
fn an_unconsented_step_is_skipped_and_the_next_one_scheduled() {
    let mut w = World::new(vec![enrolment(0, enrolled_at(), 1)]);
    w.lead.consent.sms = false;
    let commands = w.decide(w.due_message(), enrolled_at());
    assert_eq!(
        commands,
        vec![
            Command::Skip { enrolment: w.id(), step: 0, channel: Channel::Sms, reason: SkipReason::NoConsent },
            Command::Schedule { enrolment: w.id(), step: 1, at: at("2026-06-01T16:00:00Z") },
        ]
    );
}

#[test]
fn an_opted_out_channel_is_skipped() {
    let mut w = World::new(vec![enrolment(0, enrolled_at(), 1)]);
    w.lead.opted_out.insert(Channel::Sms);
    let commands = w.decide(w.due_message(), enrolled_at());
    assert_eq!(
        commands[0],
        Command::Skip { enrolment: w.id(), step: 0, channel: Channel::Sms, reason: SkipReason::OptedOut }
    );
}

#[test]
fn a_channel_without_an_address_is_skipped() {
    let mut w = World::new(vec![enrolment(1, at("2026-06-01T16:00:00Z"), 2)]);
    w.lead.profile.email = None;
    w.lead.consent.email = false; // no address is the reason given first
    let commands = w.decide(w.due_message(), at("2026-06-01T16:00:00Z"));
    assert_eq!(
        commands[0],
        Command::Skip { enrolment: w.id(), step: 1, channel: Channel::Email, reason: SkipReason::NoAddress }
    );
}

#[test]
fn a_skipped_step_is_skipped_even_in_quiet_hours() {
    // Skipping sends nothing, so it need not wait for the morning.
    let night = at("2026-06-02T03:00:00Z"); // 23:00 EDT
    let mut w = World::new(vec![enrolment(0, night, 1)]);
    w.lead.consent.sms = false;
    let commands = w.decide(w.due_message(), night);
    assert!(matches!(commands[0], Command::Skip { step: 0, .. }), "{commands:?}");
}

// The end

#[test]
fn the_last_step_completes_the_cadence() {
    let due = at("2026-06-02T14:00:00Z");
    let w = World::new(vec![enrolment(2, due, 3)]);
    let commands = w.decide(w.due_message(), due);
    assert_eq!(
        commands,
        vec![
            Command::Send { enrolment: w.id(), step: 2, channel: Channel::Voice, template: "day1_call".to_owned() },
            Command::Complete { enrolment: w.id() },
        ]
    );
}

#[test]
fn a_skipped_last_step_completes_the_cadence() {
    let due = at("2026-06-02T14:00:00Z");
    let mut w = World::new(vec![enrolment(2, due, 3)]);
    w.lead.consent.voice = false;
    let commands = w.decide(w.due_message(), due);
    assert_eq!(
        commands,
        vec![
            Command::Skip { enrolment: w.id(), step: 2, channel: Channel::Voice, reason: SkipReason::NoConsent },
            Command::Complete { enrolment: w.id() },
        ]
    );
}

#[test]
fn a_step_past_the_end_of_a_shortened_cadence_completes_it() {
    // The tenant removed steps while the enrolment waited for step 2.
    let due = at("2026-06-02T14:00:00Z");
    let mut w = World::new(vec![enrolment(2, due, 3)]);
    w.cadences.get_mut("standard").unwrap().steps.truncate(1);
    assert_eq!(w.decide(w.due_message(), due), vec![Command::Complete { enrolment: w.id() }]);
}

// Stops

/// Two active enrolments and a completed one.
fn three_enrolments() -> World {
    let mut done = enrolment(3, enrolled_at(), 4);
    done.status = EnrolmentStatus::Completed;
    done.next_due_at = None;
    World::new(vec![enrolment(0, enrolled_at(), 1), enrolment(1, enrolled_at(), 2), done])
}

fn stops(w: &World, reason: StopReason) -> Vec<Command> {
    w.enrolments[..2].iter().map(|e| Command::Stop { enrolment: e.id.clone(), reason }).collect()
}

#[test]
fn a_reply_stops_every_active_cadence_and_hands_off() {
    let w = three_enrolments();
    let mut expected = stops(&w, StopReason::Replied);
    expected.push(Command::HandOff { reason: "replied".to_owned() });
    assert_eq!(w.decide(Event::Replied, enrolled_at()), expected);
}

#[test]
fn a_reply_with_no_active_cadence_still_hands_off() {
    let mut w = World::new(vec![enrolment(0, enrolled_at(), 1)]);
    w.enrolments[0].status = EnrolmentStatus::Completed;
    assert_eq!(w.decide(Event::Replied, enrolled_at()), vec![Command::HandOff { reason: "replied".to_owned() }]);
}

#[test]
fn an_opt_out_stops_every_active_cadence() {
    let w = three_enrolments();
    let event = Event::OptedOut { channels: vec![Channel::Sms, Channel::Voice] };
    assert_eq!(w.decide(event, enrolled_at()), stops(&w, StopReason::OptedOut));
}

#[test]
fn booked_stops_the_cadence_but_contacted_does_not() {
    let w = three_enrolments();
    let outcome = |kind| w.decide(Event::Outcome(kind), enrolled_at());
    assert_eq!(outcome(OutcomeKind::Booked), stops(&w, StopReason::Booked));
    assert_eq!(outcome(OutcomeKind::Disqualified), stops(&w, StopReason::Disqualified));
    assert_eq!(outcome(OutcomeKind::Won), stops(&w, StopReason::Won));
    assert_eq!(outcome(OutcomeKind::Cancelled), stops(&w, StopReason::Cancelled));
    assert_eq!(outcome(OutcomeKind::Contacted), vec![]);
    assert_eq!(outcome(OutcomeKind::NoShow), stops(&w, StopReason::NoShow), "no rebook cadence configured");
}

// Bookings: the nudge, reminders anchored to the slot, rebooking

/// A world whose tenant runs a nudge, reminders 24 hours and 1 hour before the slot, and a
/// rebook cadence.
fn booking_world(enrolments: Vec<Enrolment>) -> World {
    let mut w = World::new(enrolments);
    let cadence = |name: &str, steps: Vec<Step>| (name.to_owned(), Cadence { name: name.to_owned(), steps });
    w.cadences.extend([
        cadence("nudge", vec![step(Channel::Sms, "nudge_sms", "2h")]),
        cadence(
            "reminders",
            vec![step(Channel::Sms, "reminder_day", "24h before"), step(Channel::Sms, "reminder_hour", "1h before")],
        ),
        cadence("rebook", vec![step(Channel::Sms, "rebook_sms", "1h")]),
    ]);
    w.triggers = BookingCadences {
        nudge: Some("nudge".to_owned()),
        reminders: Some("reminders".to_owned()),
        rebook: Some("rebook".to_owned()),
    }
    .triggers();
    w
}

/// An active enrolment in "reminders" for a slot at `slot`, booked at `booked`.
fn reminders(booked: DateTime<Utc>, slot: DateTime<Utc>) -> Enrolment {
    Enrolment {
        cadence: "reminders".to_owned(),
        enrolled_at: booked,
        anchor_at: Some(slot),
        gate: None,
        next_due_at: None,
        ..enrolment(0, booked, 1)
    }
}

#[test]
fn a_booking_stops_every_follow_up_and_starts_reminders_anchored_to_the_slot() {
    let mut w = three_enrolments();
    w.triggers = booking_world(vec![]).triggers;
    let slot = enrolled_at() + Duration::days(3);
    let mut expected = stops(&w, StopReason::Booked);
    expected.push(Command::Enrol { cadence: "reminders".to_owned(), anchor: Some(slot), gate: None });
    assert_eq!(w.decide(Event::Booked { slot }, enrolled_at()), expected);
}

#[test]
fn a_booking_for_a_slot_already_past_starts_no_reminders() {
    let w = booking_world(vec![]);
    assert_eq!(w.decide(Event::Booked { slot: enrolled_at() - Duration::hours(1) }, enrolled_at()), vec![]);
}

#[test]
fn a_no_show_stops_what_runs_and_starts_the_rebook_cadence() {
    let mut w = three_enrolments();
    w.triggers = booking_world(vec![]).triggers;
    let mut expected = stops(&w, StopReason::NoShow);
    expected.push(Command::Enrol { cadence: "rebook".to_owned(), anchor: None, gate: None });
    assert_eq!(w.decide(Event::Outcome(OutcomeKind::NoShow), enrolled_at()), expected);
}

#[test]
fn a_click_on_the_booking_link_starts_the_nudge_once() {
    let mut w = booking_world(vec![enrolment(1, enrolled_at(), 2)]);
    let nudge = vec![Command::Enrol { cadence: "nudge".to_owned(), anchor: None, gate: None }];
    assert_eq!(w.decide(Event::LinkClicked { booking: true }, enrolled_at()), nudge);
    assert_eq!(w.decide(Event::LinkClicked { booking: false }, enrolled_at()), vec![], "another link nudges nothing");

    let mut waiting = enrolment(0, enrolled_at() + Duration::hours(2), 1);
    waiting.cadence = "nudge".to_owned();
    w.enrolments.push(waiting.clone());
    assert_eq!(w.decide(Event::LinkClicked { booking: true }, enrolled_at()), vec![], "a nudge is already waiting");

    waiting.status = EnrolmentStatus::Completed;
    w.enrolments[1] = waiting;
    assert_eq!(w.decide(Event::LinkClicked { booking: true }, enrolled_at()), nudge, "a later click nudges again");

    w.lead.outcome = Some(OutcomeKind::Booked);
    assert_eq!(w.decide(Event::LinkClicked { booking: true }, enrolled_at()), vec![], "a booked lead is not nudged");

    w.lead.outcome = None;
    w.lead.opted_out.extend(Channel::ALL);
    assert_eq!(w.decide(Event::LinkClicked { booking: true }, enrolled_at()), vec![], "nor one nothing may reach");
}

#[test]
fn reminders_are_scheduled_24_hours_and_1_hour_before_the_slot() {
    let slot = at("2026-06-04T14:00:00Z"); // Thursday 10:00 EDT
    let w = booking_world(vec![reminders(enrolled_at(), slot)]);
    assert_eq!(
        w.decide(Event::Enrolled { enrolment: w.id() }, enrolled_at()),
        vec![Command::Schedule { enrolment: w.id(), step: 0, at: slot - Duration::hours(24) }]
    );
    let mut w = w;
    let day_before = slot - Duration::hours(24);
    w.enrolments[0].next_due_at = Some(day_before);
    let send = Command::Send { enrolment: w.id(), step: 0, channel: Channel::Sms, template: "reminder_day".to_owned() };
    assert_eq!(
        w.decide(w.due_message(), day_before),
        vec![send, Command::Schedule { enrolment: w.id(), step: 1, at: slot - Duration::hours(1) }]
    );
}

#[test]
fn a_reminder_whose_time_has_passed_when_the_booking_arrives_is_skipped() {
    // Booked at 10:00 for 13:00 the same day: the day-before reminder is already late.
    let slot = enrolled_at() + Duration::hours(3);
    let w = booking_world(vec![reminders(enrolled_at(), slot)]);
    assert_eq!(
        w.decide(Event::Enrolled { enrolment: w.id() }, enrolled_at()),
        vec![
            Command::Skip { enrolment: w.id(), step: 0, channel: Channel::Sms, reason: SkipReason::TooLate },
            Command::Schedule { enrolment: w.id(), step: 1, at: slot - Duration::hours(1) },
        ]
    );
    // Booked 30 minutes ahead: no reminder can go out before the slot.
    let soon = enrolled_at() + Duration::minutes(30);
    let w = booking_world(vec![reminders(enrolled_at(), soon)]);
    let commands = w.decide(Event::Enrolled { enrolment: w.id() }, enrolled_at());
    assert_eq!(commands.last(), Some(&Command::Complete { enrolment: w.id() }));
    assert_eq!(commands.len(), 3, "{commands:?}");
}

#[test]
fn a_reminder_quiet_hours_push_past_the_slot_is_skipped() {
    // A slot at 08:00 EDT: an hour before is 07:00, inside quiet hours, and the window opens
    // only at the slot itself.
    let slot = at("2026-06-04T12:00:00Z");
    let w = booking_world(vec![reminders(enrolled_at(), slot)]);
    assert_eq!(
        w.decide(Event::Enrolled { enrolment: w.id() }, enrolled_at()),
        vec![Command::Schedule { enrolment: w.id(), step: 0, at: slot - Duration::hours(24) },]
    );
    let mut w = w;
    w.enrolments[0].next_step = 1;
    w.enrolments[0].next_due_at = Some(slot - Duration::hours(1));
    w.enrolments[0].version = 2;
    assert_eq!(
        w.decide(w.due_message(), slot - Duration::hours(1)),
        vec![
            Command::Skip { enrolment: w.id(), step: 1, channel: Channel::Sms, reason: SkipReason::TooLate },
            Command::Complete { enrolment: w.id() },
        ]
    );
}

#[test]
fn a_reminder_across_the_spring_dst_change_keeps_to_local_quiet_hours() {
    // A slot at 08:30 EDT on Sunday 8 March 2026, the day New York moves its clocks forward.
    // 24 hours before is 07:30 EST on the Saturday, before the window opens: the reminder
    // goes at 08:00 EST (13:00Z), not 08:00 EDT.
    let slot = at("2026-03-08T12:30:00Z");
    let booked = at("2026-03-02T15:00:00Z");
    let w = booking_world(vec![reminders(booked, slot)]);
    assert_eq!(
        w.decide(Event::Enrolled { enrolment: w.id() }, booked),
        vec![Command::Schedule { enrolment: w.id(), step: 0, at: at("2026-03-07T13:00:00Z") }]
    );
}

// Clocks going back

#[test]
fn a_window_that_opens_in_the_repeated_hour_is_not_opened_early() {
    // Berlin goes from 03:00 CEST back to 02:00 CET on 27 October 2024, so 02:00-03:00 comes
    // twice. The window opens at 02:30; at 02:10 CET (the second 02:10) it opened 40 minutes
    // ago by the first 02:30 but is closed now: the step waits for the second 02:30.
    let mut w = World::new(vec![enrolment(1, at("2024-10-27T01:10:00Z"), 2)]);
    w.lead = lead_in("Europe/Berlin");
    w.policy.quiet_hours = crate::domain::QuietHours::allowed_between(
        chrono::NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
        chrono::NaiveTime::from_hms_opt(20, 0, 0).unwrap(),
    )
    .unwrap();
    let now = at("2024-10-27T01:10:00Z"); // 02:10 CET
    let second_opening = at("2024-10-27T01:30:00Z"); // 02:30 CET
    assert_eq!(
        w.decide(w.due_message(), now),
        vec![Command::Schedule { enrolment: w.id(), step: 1, at: second_opening }]
    );
}
