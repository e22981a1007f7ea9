//! Signals in the engine: triggers start cadences on them, guards hold steps back on them,
//! and neither ever lets a touch past consent, opt-out, quiet hours or caps.

use super::super::{outside_quiet_hours, Command, Event, SkipReason};
use super::decide::{at, enrolled_at, enrolment, step, World};
use crate::domain::{
    Cadence, Channel, Cue, EnrolmentStatus, Gate, Guard, OutcomeKind, Signal, SignalEntry, StopReason, Trigger,
};
use chrono::Duration;
use proptest::prelude::*;

/// The world with a `missed_call` cadence (an SMS at once) and a trigger on `call_missed`.
fn with_missed_call_trigger(stop_others: bool) -> World {
    let mut w = World::new(vec![enrolment(2, enrolled_at(), 3)]);
    let steps = vec![step(Channel::Sms, "sorry_we_missed_you", "0m")];
    w.cadences.insert("missed_call".to_owned(), Cadence { name: "missed_call".to_owned(), steps });
    w.triggers = vec![Trigger::on(Signal::CallMissed, "missed_call", stop_others)];
    w
}

#[test]
fn a_signal_with_a_trigger_enrols_the_lead() {
    let w = with_missed_call_trigger(false);
    let commands = w.decide(Event::Signal(Signal::CallMissed), enrolled_at());
    assert_eq!(commands, vec![Command::Enrol { cadence: "missed_call".to_owned(), anchor: None, gate: None }]);
    assert!(w.decide(Event::Signal(Signal::CallAnswered), enrolled_at()).is_empty(), "no trigger, nothing");
}

#[test]
fn stop_others_stops_the_running_cadences_first() {
    let w = with_missed_call_trigger(true);
    let commands = w.decide(Event::Signal(Signal::CallMissed), enrolled_at());
    assert_eq!(
        commands,
        vec![
            Command::Stop { enrolment: w.id(), reason: StopReason::Replaced },
            Command::Enrol { cadence: "missed_call".to_owned(), anchor: None, gate: None },
        ]
    );
}

#[test]
fn a_trigger_starts_nothing_for_a_lead_a_human_has_finished_or_already_in_it() {
    let mut w = with_missed_call_trigger(false);
    w.lead.needs_human = true;
    assert!(w.decide(Event::Signal(Signal::CallMissed), enrolled_at()).is_empty(), "a human has it");
    w.lead.needs_human = false;
    w.lead.outcome = Some(OutcomeKind::Won);
    assert!(w.decide(Event::Signal(Signal::CallMissed), enrolled_at()).is_empty(), "won");
    w.lead.outcome = Some(OutcomeKind::Booked);
    assert!(w.decide(Event::Signal(Signal::CallMissed), enrolled_at()).is_empty(), "booked");
    w.lead.outcome = None;
    let mut running = enrolment(0, enrolled_at(), 1);
    running.cadence = "missed_call".to_owned();
    w.enrolments.push(running);
    assert!(w.decide(Event::Signal(Signal::CallMissed), enrolled_at()).is_empty(), "already in it");
    w.enrolments[1].status = EnrolmentStatus::Completed;
    assert_eq!(w.decide(Event::Signal(Signal::CallMissed), enrolled_at()).len(), 1, "a finished run may start again");
}

#[test]
fn a_trigger_never_fires_on_a_reply_or_an_opt_out() {
    let mut w = with_missed_call_trigger(false);
    w.triggers =
        vec![Trigger::on(Signal::Replied, "missed_call", false), Trigger::on(Signal::OptedOut, "missed_call", false)];
    let replied = w.decide(Event::Replied, enrolled_at());
    assert!(!replied.iter().any(|c| matches!(c, Command::Enrol { .. })), "{replied:?}");
    let opted_out = w.decide(Event::OptedOut { channels: Channel::PHONE.to_vec() }, enrolled_at());
    assert!(!opted_out.iter().any(|c| matches!(c, Command::Enrol { .. })), "{opted_out:?}");
}

#[test]
fn existing_events_are_signals_triggers_match_on() {
    let mut w = with_missed_call_trigger(false);
    w.triggers = vec![Trigger::on(Signal::Clicked, "missed_call", false)];
    let commands = w.decide(Event::LinkClicked { booking: false }, enrolled_at());
    assert_eq!(commands, vec![Command::Enrol { cadence: "missed_call".to_owned(), anchor: None, gate: None }]);
    let booking = w.decide(Event::LinkClicked { booking: true }, enrolled_at());
    assert_eq!(booking, commands, "a booking click is a click too");
    w.triggers[0].when = Cue::Signal(Signal::BookingClicked);
    assert!(w.decide(Event::LinkClicked { booking: false }, enrolled_at()).is_empty(), "a click is no booking click");
}

/// The standard cadence with a guard on its email (step 1).
fn guarded(guard: &str, unless: bool) -> World {
    let mut w = World::new(vec![enrolment(1, at("2026-06-01T16:00:00Z"), 2)]);
    w.cadences.get_mut("standard").unwrap().steps[1].guard = Some(Guard::parse(guard, unless).unwrap());
    w
}

#[test]
fn a_step_whose_guard_fails_is_skipped_with_the_guard_and_the_cadence_goes_on() {
    let mut w = guarded("email_opened", true);
    let now = at("2026-06-01T16:00:00Z");
    w.lead.signals.push(SignalEntry { signal: Signal::EmailOpened, at: now - Duration::minutes(5), channel: None });
    let commands = w.decide(w.due_message(), now);
    assert_eq!(
        commands[0],
        Command::Skip {
            enrolment: w.id(),
            step: 1,
            channel: Channel::Email,
            reason: SkipReason::Guard("unless email_opened".to_owned()),
        }
    );
    assert!(matches!(commands[1], Command::Schedule { step: 2, .. }), "{commands:?}");
    assert_eq!(
        SkipReason::Guard("unless email_opened".to_owned()).describe(),
        "held back by its condition: unless email_opened"
    );
}

#[test]
fn a_step_whose_guard_holds_is_sent() {
    let w = guarded("email_opened", true);
    let commands = w.decide(w.due_message(), at("2026-06-01T16:00:00Z"));
    assert!(matches!(commands[0], Command::Send { step: 1, .. }), "{commands:?}");
    let mut w = guarded("fields.product == 'refinance'", false);
    w.lead.profile.fields.insert("product".to_owned(), "refinance".to_owned());
    let commands = w.decide(w.due_message(), at("2026-06-01T16:00:00Z"));
    assert!(matches!(commands[0], Command::Send { step: 1, .. }), "{commands:?}");
}

#[test]
fn signals_before_the_enrolment_do_not_count() {
    let mut w = guarded("call_missed", false);
    let before = enrolled_at() - Duration::days(2);
    w.lead.signals.push(SignalEntry { signal: Signal::CallMissed, at: before, channel: Some(Channel::Voice) });
    let commands = w.decide(w.due_message(), at("2026-06-01T16:00:00Z"));
    assert!(matches!(commands[0], Command::Skip { step: 1, .. }), "{commands:?}");
}

fn any_signal() -> impl Strategy<Value = Signal> {
    prop::sample::select(Signal::ALL.to_vec())
}

fn any_guard() -> impl Strategy<Value = Option<Guard>> {
    let expression = prop::sample::select(vec!["email_opened", "call_missed", "clicked", "fields.product == 'x'"]);
    prop::option::of((expression, any::<bool>()).prop_map(|(e, unless)| Guard::parse(e, unless).unwrap()))
}

proptest! {
    /// Whatever the guards, triggers and signals, a touch goes out only on a channel the lead
    /// consented to and did not opt out of, outside quiet hours; a trigger never enrols a lead
    /// a human has.
    #[test]
    fn guards_and_triggers_never_send_outside_consent_opt_out_or_quiet_hours(
        consent in any::<[bool; 3]>(),
        opted_out in prop::collection::btree_set(prop::sample::select(Channel::ALL.to_vec()), 0..4),
        guards in prop::collection::vec(any_guard(), 3),
        signals in prop::collection::vec((any_signal(), 0i64..600), 0..6),
        fired in any_signal(),
        needs_human in any::<bool>(),
        hour in 0i64..24,
    ) {
        let mut w = with_missed_call_trigger(false);
        w.triggers.push(Trigger::on(fired, "standard", true));
        [w.lead.consent.sms, w.lead.consent.email, w.lead.consent.voice] = consent;
        w.lead.opted_out = opted_out;
        w.lead.needs_human = needs_human;
        for (step, guard) in w.cadences.get_mut("standard").unwrap().steps.iter_mut().zip(guards) {
            step.guard = guard;
        }
        for (signal, minutes) in signals {
            w.lead.signals.push(SignalEntry { signal, at: enrolled_at() + Duration::minutes(minutes), channel: None });
        }
        let now = enrolled_at() + Duration::hours(hour);
        for step in 0..3 {
            w.enrolments[0].next_step = step;
            w.enrolments[0].next_due_at = Some(now);
            let mut commands = w.decide(w.due_message(), now);
            commands.extend(w.decide(Event::Signal(fired), now));
            for command in commands {
                if let Command::Send { channel, .. } = command {
                    prop_assert!(w.lead.consent.allows(channel), "sent {channel} without consent");
                    prop_assert!(!w.lead.opted_out.contains(&channel), "sent {channel} after an opt-out");
                    let allowed = outside_quiet_hours(now, w.lead.profile.zone, &w.policy.quiet_hours);
                    prop_assert_eq!(allowed, now, "sent in quiet hours");
                }
                if let Command::Enrol { .. } = command {
                    prop_assert!(!needs_human, "a trigger enrolled a lead a human has");
                    prop_assert!(w.lead.reachable(), "a trigger enrolled a lead nothing reaches");
                }
            }
        }
    }
}

/// The standard cadence's email step (step 1) on channel "preferred", falling back to email.
fn preferred() -> World {
    let mut w = World::new(vec![enrolment(1, at("2026-06-01T16:00:00Z"), 2)]);
    w.cadences.get_mut("standard").unwrap().steps[1].preferred = true;
    w
}

fn sent_on(w: &World) -> Channel {
    let commands = w.decide(w.due_message(), at("2026-06-01T16:00:00Z"));
    match &commands[0] {
        Command::Send { channel, .. } => *channel,
        other => panic!("not sent: {other:?}"),
    }
}

#[test]
fn a_preferred_step_goes_where_the_lead_engages_else_to_its_fallback() {
    let mut w = preferred();
    assert_eq!(sent_on(&w), Channel::Email, "no engagement: the fallback");
    let t = enrolled_at();
    w.lead.signals.push(SignalEntry { signal: Signal::EmailOpened, at: t, channel: Some(Channel::Email) });
    w.lead.signals.push(SignalEntry { signal: Signal::Replied, at: t, channel: Some(Channel::Sms) });
    assert_eq!(sent_on(&w), Channel::Sms, "a reply weighs more than an open");
    w.lead.signals.push(SignalEntry { signal: Signal::EmailOpened, at: t, channel: Some(Channel::Email) });
    w.lead.signals.push(SignalEntry { signal: Signal::EmailOpened, at: t, channel: Some(Channel::Email) });
    w.lead.signals.push(SignalEntry { signal: Signal::EmailOpened, at: t, channel: Some(Channel::Email) });
    assert_eq!(sent_on(&w), Channel::Email, "four opens outweigh one reply");
    w.lead.opted_out.insert(Channel::Email);
    assert_eq!(sent_on(&w), Channel::Sms, "never a channel the lead opted out of");
    w.lead.consent.sms = false;
    let commands = w.decide(w.due_message(), at("2026-06-01T16:00:00Z"));
    assert!(matches!(commands[0], Command::Skip { channel: Channel::Email, .. }), "{commands:?}");
}

#[test]
fn a_dormancy_trigger_fires_on_its_own_threshold_only() {
    let mut w = with_missed_call_trigger(false);
    w.triggers = vec![Trigger {
        when: Cue::Dormant(Duration::days(60)),
        ..Trigger::on(Signal::CallMissed, "missed_call", true)
    }];
    assert!(w.decide(Event::Dormant(Duration::days(180)), enrolled_at()).is_empty());
    assert_eq!(
        w.decide(Event::Dormant(Duration::days(60)), enrolled_at()),
        vec![
            Command::Stop { enrolment: w.id(), reason: StopReason::Replaced },
            Command::Enrol { cadence: "missed_call".to_owned(), anchor: None, gate: None },
        ]
    );
    assert_eq!(Cue::Dormant(Duration::days(60)).to_string(), "dormant:60d");
}

/// The missed-call world where the trigger is `email_opened`, `after = "2h"`, `unless = "clicked"`,
/// and the lead is already in that cadence, behind the gate the trigger put up at `opened`.
fn opened_without_a_click(opened: chrono::DateTime<chrono::Utc>) -> World {
    let mut w = with_missed_call_trigger(false);
    w.triggers[0].when = Cue::Signal(Signal::EmailOpened);
    w.triggers[0].after = Some(Duration::hours(2));
    w.triggers[0].unless = Some(Guard::parse("clicked", true).unwrap());
    let mut gated = enrolment(0, opened + Duration::hours(2), 1);
    gated.cadence = "missed_call".to_owned();
    gated.enrolled_at = opened;
    gated.gate = Some(Gate { opens_at: opened + Duration::hours(2), unless: w.triggers[0].unless.clone() });
    w.enrolments = vec![gated];
    w
}

#[test]
fn a_trigger_with_after_and_unless_puts_a_gate_before_its_cadence() {
    let mut w = opened_without_a_click(enrolled_at());
    w.enrolments.clear();
    let commands = w.decide(Event::Signal(Signal::EmailOpened), enrolled_at());
    let gate =
        Gate { opens_at: enrolled_at() + Duration::hours(2), unless: Some(Guard::parse("clicked", true).unwrap()) };
    assert_eq!(commands, vec![Command::Enrol { cadence: "missed_call".to_owned(), anchor: None, gate: Some(gate) }]);
    // Its first step (`0m`) counts from the end of the wait.
    let gated = opened_without_a_click(enrolled_at());
    let placed = gated.decide(Event::Enrolled { enrolment: gated.id() }, enrolled_at());
    assert_eq!(
        placed,
        vec![Command::Schedule { enrolment: gated.id(), step: 0, at: enrolled_at() + Duration::hours(2) }]
    );
}

#[test]
fn when_the_wait_is_over_the_gate_stops_the_cadence_if_its_condition_holds_and_else_sends() {
    let opened = enrolled_at();
    let due = opened + Duration::hours(2);
    let quiet = opened_without_a_click(opened);
    assert!(
        matches!(quiet.decide(quiet.due_message(), due)[0], Command::Send { step: 0, .. }),
        "no click: the text goes"
    );

    let mut clicked = opened_without_a_click(opened);
    let click =
        SignalEntry { signal: Signal::Clicked, at: opened + Duration::minutes(30), channel: Some(Channel::Email) };
    clicked.lead.signals.push(click);
    let commands = clicked.decide(clicked.due_message(), due);
    let reason = SkipReason::Guard("its trigger's unless clicked".to_owned());
    assert_eq!(
        commands,
        vec![
            Command::Skip { enrolment: clicked.id(), step: 0, channel: Channel::Sms, reason },
            Command::Stop { enrolment: clicked.id(), reason: StopReason::HeldBack },
        ]
    );

    // A click before the trigger fired is not "since": the text goes.
    let mut earlier = opened_without_a_click(opened);
    earlier.lead.signals.push(SignalEntry {
        signal: Signal::Clicked,
        at: opened - Duration::minutes(1),
        channel: None,
    });
    assert!(matches!(earlier.decide(earlier.due_message(), due)[0], Command::Send { step: 0, .. }));
}
