//! Property tests of the engine.
//!
//! A small pure simulation drives `decide` the way the app does: enrol, then deliver each
//! scheduled message at its time (sometimes a little early, sometimes late, sometimes twice,
//! sometimes after a redelivery of the previous one), apply the commands to the enrolment
//! exactly like `App::execute_step` and the stop writes do, and record every touch sent. The
//! properties are then read off the record.

use super::super::{decide, next_allowed, outside_quiet_hours, Command, DropReason, Event, LeadView, Rules};
use crate::domain::{
    fixtures, Cadence, Channel, ContactPolicy, Enrolment, EnrolmentId, EnrolmentStatus, FrequencyCap, Lead, LeadZone,
    QuietHours, Step, StepTime, StopReason, TenantId,
};
use chrono::{DateTime, Duration, NaiveTime, Offset, TimeZone, Utc};
use proptest::prelude::*;
use proptest::sample::Index;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Mutex, OnceLock};

// ---------------------------------------------------------------------------------------------
// Zones and instants
// ---------------------------------------------------------------------------------------------

/// Lead zones for the simulations: DST north and south, half-hour and 45-minute offsets,
/// half-hour DST (Lord Howe), changes at midnight (Santiago, Havana, Cairo) and late in the
/// evening (Nuuk), and zones without DST.
const ZONES: [&str; 15] = [
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "America/Santiago",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "America/St_Johns",
    "Europe/Berlin",
    "Asia/Tokyo",
    "UTC",
    "America/Los_Angeles",
    "Australia/Lord_Howe",
    "America/Nuuk",
    "America/Havana",
    "Africa/Cairo",
];

/// 2024-01-01T00:00:00Z and 2028-01-01T00:00:00Z.
const FROM: i64 = 1_704_067_200;
const UNTIL: i64 = 1_830_297_600;
const DAY: i64 = 86_400;

fn zone(name: &str) -> LeadZone {
    LeadZone::parse(name).expect("a valid zone")
}

fn offset_at(zone: LeadZone, t: i64) -> i32 {
    zone.tz().offset_from_utc_datetime(&utc(t).naive_utc()).fix().local_minus_utc()
}

fn utc(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).expect("in range")
}

/// The instants in 2024-2027 at which `zone` changes its UTC offset (found by a daily scan,
/// then bisected to the second), computed once per zone.
fn transitions(zone: LeadZone) -> Vec<DateTime<Utc>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Vec<DateTime<Utc>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let name = String::from(zone);
    if let Some(found) = cache.lock().expect("not poisoned").get(&name) {
        return found.clone();
    }
    let mut found = Vec::new();
    let mut day = FROM;
    while day < UNTIL {
        let (mut lo, mut hi) = (day, day + DAY);
        if offset_at(zone, lo) != offset_at(zone, hi) {
            // Invariant: the offset at `lo` differs from the offset at `hi`.
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if offset_at(zone, mid) == offset_at(zone, lo) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            found.push(utc(hi));
        }
        day += DAY;
    }
    cache.lock().expect("not poisoned").insert(name, found.clone());
    found
}

/// An instant in 2024-2027, two times out of three within a few days of one of the zone's
/// DST changes (when it has any), so that cadences and quiet hours straddle them.
fn instant_for(zone: LeadZone, near: bool, pick: Index, offset: i64, uniform: i64) -> DateTime<Utc> {
    let changes = transitions(zone);
    if near && !changes.is_empty() {
        changes[pick.index(changes.len())] + Duration::seconds(offset)
    } else {
        utc(uniform)
    }
}

/// A zone from `ZONES` and an instant biased towards its DST changes.
fn zone_and_instant() -> impl Strategy<Value = (LeadZone, DateTime<Utc>)> {
    (prop::sample::select(ZONES.to_vec()), prop::bool::weighted(0.66), any::<Index>(), -6 * DAY..2 * DAY, FROM..UNTIL)
        .prop_map(|(name, near, pick, offset, uniform)| {
            let z = zone(name);
            (z, instant_for(z, near, pick, offset, uniform))
        })
}

fn time(minutes: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0).expect("a valid time")
}

fn quiet_hours(start: u32, end: u32) -> QuietHours {
    QuietHours::allowed_between(time(start), time(end)).expect("start < end")
}

// ---------------------------------------------------------------------------------------------
// Leads, cadences, policies
// ---------------------------------------------------------------------------------------------

fn lead(zone: LeadZone, consent: [bool; 3], email: bool, phone: bool, received_at: DateTime<Utc>) -> Lead {
    let mut lead = fixtures::lead(&TenantId::parse("t1").expect("a valid tenant"), received_at);
    lead.profile.zone = zone;
    [lead.consent.sms, lead.consent.email, lead.consent.voice] = consent;
    lead.profile.email = lead.profile.email.filter(|_| email);
    lead.profile.phone = lead.profile.phone.filter(|_| phone);
    lead
}

fn channel() -> impl Strategy<Value = Channel> {
    prop::sample::select(Channel::ALL.to_vec())
}

/// Offsets at second and minute granularity, often short (so caps bite), up to 20 days; or a
/// wall-clock time on one of the first 20 days.
fn step_time() -> impl Strategy<Value = StepTime> {
    prop_oneof![
        (0..3 * 3600i64).prop_map(|s| StepTime::After(Duration::seconds(s))),
        (0..20 * DAY).prop_map(|s| StepTime::After(Duration::seconds(s))),
        (0..20 * 24 * 60i64).prop_map(|m| StepTime::After(Duration::minutes(m))),
        (0..=20u32, 0..24 * 60u32).prop_map(|(day, at)| StepTime::DayAt { day, at: time(at) }),
    ]
}

fn cadence() -> impl Strategy<Value = Cadence> {
    prop::collection::vec((channel(), step_time()), 1..=12).prop_map(|steps| Cadence {
        name: "c".to_owned(),
        steps: steps
            .into_iter()
            .enumerate()
            .map(|(i, (channel, at))| Step {
                channel,
                template: format!("step_{i}"),
                at,
                guard: None,
                preferred: false,
            })
            .collect(),
    })
}

fn cap() -> impl Strategy<Value = FrequencyCap> {
    let pers =
        vec![Duration::minutes(30), Duration::hours(1), Duration::hours(6), Duration::days(1), Duration::days(7)];
    (prop::sample::select(pers), 1..=4u32).prop_map(|(per, max)| FrequencyCap { per, max })
}

/// An allowed window starting 06:00-12:59 and ending 15:00-23:59, and 0 to 3 caps.
fn policy() -> impl Strategy<Value = ContactPolicy> {
    (6 * 60..13 * 60u32, 15 * 60..24 * 60u32, prop::collection::vec(cap(), 0..=3))
        .prop_map(|(start, end, caps)| ContactPolicy { quiet_hours: quiet_hours(start, end), caps })
}

// ---------------------------------------------------------------------------------------------
// The simulation
// ---------------------------------------------------------------------------------------------

/// Something that happens to the lead while the cadence runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Interruption {
    /// STOP by SMS: the lead opts out of sms and voice, and the cadence is stopped.
    OptOut,
    /// The opt-out is on the lead but its stop has not landed yet (a concurrent write).
    OptOutOnly,
    /// The lead replies: the cadence stops and a human takes over.
    Reply,
}

#[derive(Debug, Clone, Copy)]
struct Interrupt {
    kind: Interruption,
    /// Before which delivery (counting from 0) it happens.
    before: usize,
    /// Where between the previous delivery and the next due time, in 1/65535ths.
    fraction: u16,
}

/// Everything a simulation starts from.
#[derive(Debug, Clone)]
struct Scenario {
    lead: Lead,
    cadence: Cadence,
    policy: ContactPolicy,
    enrolled_at: DateTime<Utc>,
    /// Touches from an earlier cadence, before this enrolment: they count for the caps.
    prior: Vec<DateTime<Utc>>,
    interrupt: Option<Interrupt>,
    /// Drives early, late and duplicate deliveries.
    seed: Option<u64>,
}

fn scenario(interrupt: impl Strategy<Value = Option<Interrupt>>) -> impl Strategy<Value = Scenario> {
    (
        zone_and_instant(),
        prop::array::uniform3(prop::bool::weighted(0.75)),
        prop::bool::weighted(0.85),
        prop::bool::weighted(0.85),
        cadence(),
        policy(),
        prop::collection::vec(0..7 * DAY, 0..=3),
        interrupt,
        prop::option::weighted(0.8, any::<u64>()),
    )
        .prop_map(|((zone, enrolled_at), consent, email, phone, cadence, policy, prior, interrupt, seed)| {
            Scenario {
                lead: lead(zone, consent, email, phone, enrolled_at),
                cadence,
                policy,
                enrolled_at,
                prior: prior.into_iter().map(|s| enrolled_at - Duration::seconds(s)).collect(),
                interrupt,
                seed,
            }
        })
}

fn interrupt() -> impl Strategy<Value = Interrupt> {
    (
        prop::sample::select(vec![Interruption::OptOut, Interruption::OptOutOnly, Interruption::Reply]),
        0..14usize,
        any::<u16>(),
    )
        .prop_map(|(kind, before, fraction)| Interrupt { kind, before, fraction })
}

fn sometimes_interrupted() -> impl Strategy<Value = Option<Interrupt>> {
    prop::option::weighted(0.3, interrupt())
}

/// splitmix64: the delivery jitter, reproducible from the scenario. Without a seed, every
/// message arrives exactly once, on time.
struct Rng(Option<u64>);

impl Rng {
    fn next(&mut self) -> u64 {
        let Some(state) = &mut self.0 else { return 1 };
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn one_in(&mut self, n: u64) -> bool {
        self.0.is_some() && self.next().is_multiple_of(n)
    }

    fn below(&mut self, n: i64) -> i64 {
        (self.next() % n as u64) as i64
    }
}

/// A touch the simulation sent.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sent {
    at: DateTime<Utc>,
    step: usize,
    channel: Channel,
    template: String,
}

/// What became of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Handled {
    Sent,
    Skipped,
}

/// The record of one simulation.
#[derive(Debug, Default)]
struct Run {
    /// Every touch of the lead, the prior ones included, in the order they were claimed.
    touch_times: Vec<DateTime<Utc>>,
    sent: Vec<Sent>,
    /// Each step passed (sent or skipped), in order.
    handled: Vec<(usize, Handled)>,
    /// Every `Schedule` the engine returned, with the `now` it was decided at.
    schedules: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// When the interruption happened and how many touches had been sent by then.
    interrupted: Option<(Interruption, DateTime<Utc>, usize)>,
    deliveries: usize,
    deferrals: usize,
    rearms: usize,
    final_status: Option<EnrolmentStatus>,
}

/// A bound on the deliveries of one simulation: a cadence that needs more does not terminate.
const MAX_DELIVERIES: usize = 500;

/// The message the scheduler holds for the enrolment.
#[derive(Debug, Clone, Copy)]
struct Due {
    step: usize,
    version: u64,
    at: DateTime<Utc>,
}

struct Sim<'a> {
    lead: Lead,
    enrolment: Enrolment,
    rules: Rules<'a>,
    run: Run,
}

impl Sim<'_> {
    fn decide(&mut self, event: &Event, now: DateTime<Utc>) -> Vec<Command> {
        let enrolments = std::slice::from_ref(&self.enrolment);
        let view = LeadView { lead: &self.lead, enrolments, touch_times: &self.run.touch_times };
        let commands = decide(view, event, self.rules, now);
        for command in &commands {
            if let Command::Schedule { at, .. } = command {
                self.run.schedules.push((now, *at));
            }
        }
        commands
    }

    fn step_due(&mut self, due: Due, now: DateTime<Utc>) -> Vec<Command> {
        let event = Event::StepDue { enrolment: self.enrolment.id.clone(), step: due.step, version: due.version };
        self.decide(&event, now)
    }

    fn due(&self) -> Due {
        Due {
            step: self.enrolment.next_step,
            version: self.enrolment.version,
            at: self.enrolment.next_due_at.expect("an active enrolment has a due time"),
        }
    }

    /// A message the enrolment has moved past: re-arms the current step while the
    /// enrolment is active and the message is the one just before, else is dropped.
    fn expect_rearm_or_drop(&mut self, message: Due, now: DateTime<Utc>) {
        let commands = self.step_due(message, now);
        let e = &self.enrolment;
        if e.is_active() && message.version + 1 == e.version {
            let rearm = Command::Rearm {
                enrolment: e.id.clone(),
                step: e.next_step,
                version: e.version,
                at: e.next_due_at.expect("active"),
            };
            assert_eq!(commands, vec![rearm], "an old message at {now}: {message:?}");
            self.run.rearms += 1;
        } else {
            assert_eq!(
                commands,
                vec![Command::Drop { reason: DropReason::StaleToken }],
                "an old message at {now}: {message:?}"
            );
        }
    }

    /// Applies the decision about the current message like `App::execute_step`.
    fn apply(&mut self, due: Due, now: DateTime<Utc>, commands: &[Command]) {
        let steps = self.rules.cadences[&self.enrolment.cadence].steps.len();
        let id = self.enrolment.id.clone();
        match commands {
            [Command::Schedule { enrolment, step, at }] if *step == due.step => {
                assert_eq!(enrolment, &id);
                self.run.deferrals += 1;
                self.enrolment.next_due_at = Some(*at);
            }
            [first @ (Command::Send { .. } | Command::Skip { .. }), next] => {
                match first {
                    Command::Send { enrolment, step, channel, template } => {
                        assert_eq!((enrolment, *step), (&id, due.step));
                        self.run.touch_times.push(now);
                        self.run.sent.push(Sent {
                            at: now,
                            step: *step,
                            channel: *channel,
                            template: template.clone(),
                        });
                        self.run.handled.push((*step, Handled::Sent));
                    }
                    Command::Skip { enrolment, step, .. } => {
                        assert_eq!((enrolment, *step), (&id, due.step));
                        self.run.handled.push((*step, Handled::Skipped));
                    }
                    _ => unreachable!(),
                }
                match next {
                    Command::Schedule { enrolment, step, at } if *step == due.step + 1 => {
                        assert_eq!(enrolment, &id);
                        self.enrolment.next_step = *step;
                        self.enrolment.next_due_at = Some(*at);
                    }
                    Command::Complete { enrolment } if due.step + 1 == steps => {
                        assert_eq!(enrolment, &id);
                        self.enrolment.status = EnrolmentStatus::Completed;
                        self.enrolment.next_step = due.step + 1;
                        self.enrolment.next_due_at = None;
                    }
                    other => panic!("after step {} of {steps} came {other:?}", due.step),
                }
            }
            other => panic!("the current message for step {} at {now} gave {other:?}", due.step),
        }
        self.enrolment.version += 1;
    }

    /// Applies `Stop` commands like the app's stop writes.
    fn apply_stops(&mut self, commands: &[Command], reason: StopReason) {
        let stop = Command::Stop { enrolment: self.enrolment.id.clone(), reason };
        let expected = if self.enrolment.is_active() { vec![stop] } else { vec![] };
        let stops: Vec<Command> = commands.iter().filter(|c| matches!(c, Command::Stop { .. })).cloned().collect();
        assert_eq!(stops, expected);
        if self.enrolment.is_active() {
            self.enrolment.status = EnrolmentStatus::Stopped(reason);
            self.enrolment.next_due_at = None;
            self.enrolment.version += 1;
        }
    }

    fn interrupt(&mut self, kind: Interruption, now: DateTime<Utc>) {
        self.run.interrupted = Some((kind, now, self.run.sent.len()));
        self.lead.version += 1;
        match kind {
            Interruption::OptOut | Interruption::OptOutOnly => {
                self.lead.opted_out.extend(Channel::PHONE);
                if kind == Interruption::OptOut {
                    let event = Event::OptedOut { channels: Channel::PHONE.to_vec() };
                    let commands = self.decide(&event, now);
                    self.apply_stops(&commands, StopReason::OptedOut);
                }
            }
            Interruption::Reply => {
                self.lead.replied_at = Some(now);
                self.lead.needs_human = true;
                let commands = self.decide(&Event::Replied, now);
                assert!(matches!(commands.last(), Some(Command::HandOff { .. })), "a reply hands off: {commands:?}");
                self.apply_stops(&commands, StopReason::Replied);
            }
        }
    }
}

/// Runs `cadence` for `lead` under `rules` from `enrolled_at` to its end.
fn simulate(
    lead: Lead,
    rules: Rules<'_>,
    cadence: &str,
    enrolled_at: DateTime<Utc>,
    prior: &[DateTime<Utc>],
    interrupt: Option<Interrupt>,
    seed: Option<u64>,
) -> Run {
    let enrolment = Enrolment {
        id: EnrolmentId::new(),
        tenant: lead.tenant.clone(),
        lead_id: lead.id.clone(),
        cadence: cadence.to_owned(),
        enrolled_at,
        anchor_at: None,
        gate: None,
        next_step: 0,
        next_due_at: None,
        status: EnrolmentStatus::Active,
        version: 1,
    };
    let run = Run { touch_times: prior.to_vec(), ..Run::default() };
    let mut sim = Sim { lead, enrolment, rules, run };
    let mut rng = Rng(seed);

    // Intake: the first step is placed by the engine; the version stays 1.
    let commands = sim.decide(&Event::Enrolled { enrolment: sim.enrolment.id.clone() }, enrolled_at);
    match commands.as_slice() {
        [Command::Schedule { step: 0, at, .. }] => sim.enrolment.next_due_at = Some(*at),
        [Command::Complete { .. }] => sim.enrolment.status = EnrolmentStatus::Completed,
        other => panic!("enrolling gave {other:?}"),
    }

    let mut clock = enrolled_at;
    let mut previous: Option<Due> = None;
    let mut was_early = false;
    while sim.enrolment.is_active() && sim.run.deliveries < MAX_DELIVERIES {
        let due = sim.due();
        if let Some(i) = interrupt.filter(|i| i.before == sim.run.deliveries && sim.run.interrupted.is_none()) {
            let gap = (due.at - clock).num_milliseconds().max(0);
            let at = clock + Duration::milliseconds(gap * i64::from(i.fraction) / i64::from(u16::MAX));
            clock = at;
            sim.interrupt(i.kind, at);
            if !sim.enrolment.is_active() {
                // The scheduler is at-least-once: the withdrawn message may still arrive.
                let now = due.at.max(clock);
                sim.expect_rearm_or_drop(due, now);
                if let Some(prev) = previous {
                    sim.expect_rearm_or_drop(prev, now);
                }
                break;
            }
        }

        // EventBridge fires anywhere in its minute (so up to a minute early) and sometimes
        // late; never before the message was scheduled.
        let now = if !was_early && rng.one_in(5) {
            (due.at - Duration::milliseconds(1 + rng.below(60_000))).max(clock)
        } else if rng.one_in(8) {
            due.at + Duration::seconds(rng.below(4 * 3600))
        } else {
            due.at
        }
        .max(clock);
        was_early = now < due.at;
        clock = now;

        // A redelivery of the message handled just before this one.
        if let Some(prev) = previous.filter(|_| rng.one_in(6)) {
            sim.expect_rearm_or_drop(prev, now);
        }
        let commands = sim.step_due(due, now);
        sim.apply(due, now, &commands);
        // A duplicate of this message.
        if rng.one_in(6) {
            sim.expect_rearm_or_drop(due, now);
        }
        previous = Some(due);
        sim.run.deliveries += 1;
    }
    sim.run.final_status = Some(sim.enrolment.status);
    sim.run
}

fn simulate_scenario(s: &Scenario) -> Run {
    let cadences = BTreeMap::from([(s.cadence.name.clone(), s.cadence.clone())]);
    let rules = Rules { policy: &s.policy, cadences: &cadences, triggers: &[], scoring: None };
    simulate(s.lead.clone(), rules, &s.cadence.name, s.enrolled_at, &s.prior, s.interrupt, s.seed)
}

/// Touches in `(t - per, t]`.
fn in_window(touches: &[DateTime<Utc>], t: DateTime<Utc>, per: Duration) -> usize {
    touches.iter().filter(|h| **h <= t && t - **h < per).count()
}

fn local_hhmm(zone: LeadZone, t: DateTime<Utc>) -> String {
    zone.local(t).format("%Y-%m-%d %H:%M:%S").to_string()
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn no_touch_is_sent_in_quiet_hours(s in scenario(sometimes_interrupted())) {
        let run = simulate_scenario(&s);
        let zone = s.lead.profile.zone;
        for sent in &run.sent {
            let local = zone.local(sent.at);
            prop_assert!(
                s.policy.quiet_hours.allows(local.time()),
                "step {} sent at {} = {} local, outside {:?}",
                sent.step, sent.at, local, s.policy.quiet_hours
            );
        }
    }

    #[test]
    fn no_cap_is_ever_exceeded(s in scenario(sometimes_interrupted())) {
        let run = simulate_scenario(&s);
        for sent in &run.sent {
            for cap in &s.policy.caps {
                let n = in_window(&run.touch_times, sent.at, cap.per);
                prop_assert!(
                    n <= cap.max as usize,
                    "{n} touches in the {}s up to {} (step {}), cap {}",
                    cap.per.num_seconds(), sent.at, sent.step, cap.max
                );
            }
        }
    }

    #[test]
    fn nothing_is_sent_after_an_opt_out_or_a_reply(s in scenario(interrupt().prop_map(Some))) {
        let run = simulate_scenario(&s);
        let Some((kind, at, sent_before)) = run.interrupted else {
            // The cadence ended before the interruption came.
            prop_assert!(run.final_status == Some(EnrolmentStatus::Completed));
            return Ok(());
        };
        let after = &run.sent[sent_before..];
        for sent in after {
            prop_assert!(sent.at >= at);
        }
        match kind {
            Interruption::OptOut => {
                prop_assert!(after.is_empty(), "sent after the opt-out at {}: {:?}", at, after);
                prop_assert_eq!(run.final_status, Some(EnrolmentStatus::Stopped(StopReason::OptedOut)));
            }
            Interruption::OptOutOnly => {
                let phone: Vec<&Sent> = after.iter().filter(|t| t.channel.uses_phone()).collect();
                prop_assert!(phone.is_empty(), "sms or voice after the opt-out at {}: {:?}", at, phone);
            }
            Interruption::Reply => {
                prop_assert!(after.is_empty(), "sent after the reply at {}: {:?}", at, after);
                prop_assert_eq!(run.final_status, Some(EnrolmentStatus::Stopped(StopReason::Replied)));
            }
        }
    }

    #[test]
    fn only_consented_and_addressed_channels_are_used(s in scenario(sometimes_interrupted())) {
        let run = simulate_scenario(&s);
        let lead = &s.lead;
        for sent in &run.sent {
            prop_assert!(lead.consent.allows(sent.channel), "no consent for {:?}", sent);
            prop_assert!(lead.address(sent.channel).is_some(), "no address for {:?}", sent);
            prop_assert_eq!(&sent.template, &s.cadence.steps[sent.step].template);
            prop_assert_eq!(sent.channel, s.cadence.steps[sent.step].channel);
        }
        if s.interrupt.is_none() {
            // And every reachable step is sent: nothing is skipped without a reason.
            for (step, handled) in &run.handled {
                let reachable = lead.reachable_on(s.cadence.steps[*step].channel);
                prop_assert_eq!(*handled == Handled::Sent, reachable, "step {}", step);
            }
        }
    }

    #[test]
    fn no_step_is_sent_before_it_is_due(s in scenario(sometimes_interrupted())) {
        let run = simulate_scenario(&s);
        for sent in &run.sent {
            let due = s.cadence.steps[sent.step].at.due_at(s.enrolled_at, None, s.lead.profile.zone);
            prop_assert!(sent.at >= due, "step {} due {} sent {}", sent.step, due, sent.at);
        }
    }

    #[test]
    fn schedules_are_never_in_the_past_and_every_cadence_ends(s in scenario(sometimes_interrupted())) {
        let run = simulate_scenario(&s);
        for (now, at) in &run.schedules {
            prop_assert!(at >= now, "scheduled at {} when it was {}", at, now);
        }
        prop_assert!(run.deliveries < MAX_DELIVERIES, "still running after {} deliveries", run.deliveries);
        let steps = s.cadence.steps.len();
        match run.final_status {
            Some(EnrolmentStatus::Completed) => {
                // Every step handled exactly once, in order.
                let order: Vec<usize> = run.handled.iter().map(|(step, _)| *step).collect();
                prop_assert_eq!(order, (0..steps).collect::<Vec<_>>());
            }
            Some(EnrolmentStatus::Stopped(_)) => {
                prop_assert!(matches!(
                    s.interrupt.map(|i| i.kind),
                    Some(Interruption::OptOut | Interruption::Reply)
                ));
                let order: Vec<usize> = run.handled.iter().map(|(step, _)| *step).collect();
                prop_assert_eq!(order.clone(), (0..order.len()).collect::<Vec<_>>());
            }
            other => prop_assert!(false, "ended {:?}", other),
        }
    }
}

// Direct tests of the slot finder, for any zone in the tz database.

/// Any IANA zone, and an instant (to the millisecond) in 2024-2027, often near its DST changes.
fn any_zone_and_instant() -> impl Strategy<Value = (LeadZone, DateTime<Utc>)> {
    (
        prop::sample::select(chrono_tz::TZ_VARIANTS.to_vec()),
        prop::bool::weighted(0.66),
        any::<Index>(),
        -2 * DAY * 1000..2 * DAY * 1000,
        FROM * 1000..UNTIL * 1000,
    )
        .prop_map(|(tz, near, pick, offset_ms, uniform_ms)| {
            let z = zone(tz.name());
            let changes = transitions(z);
            let t = if near && !changes.is_empty() {
                changes[pick.index(changes.len())] + Duration::milliseconds(offset_ms)
            } else {
                DateTime::from_timestamp_millis(uniform_ms).expect("in range")
            };
            (z, t)
        })
}

/// An allowed window from any time up to 12:59 until any time from 13:00, minute precision.
fn wide_quiet_hours() -> impl Strategy<Value = QuietHours> {
    (0..13 * 60u32, 13 * 60..24 * 60u32).prop_map(|(start, end)| quiet_hours(start, end))
}

/// Every zone of the tz database that changes its offset in 2024-2027.
fn zones_with_changes() -> Vec<LeadZone> {
    static ZONES_WITH_CHANGES: OnceLock<Vec<LeadZone>> = OnceLock::new();
    ZONES_WITH_CHANGES
        .get_or_init(|| {
            chrono_tz::TZ_VARIANTS.iter().map(|tz| zone(tz.name())).filter(|z| !transitions(*z).is_empty()).collect()
        })
        .clone()
}

fn minutes_of(t: NaiveTime) -> i32 {
    use chrono::Timelike;
    (t.hour() * 60 + t.minute()) as i32
}

/// A zone, one of its offset changes, an instant within three hours of it, and an allowed
/// window (at least two hours long) that starts or ends within 90 minutes of the wall-clock
/// time of the change: the windows that see a skipped or a repeated hour.
fn window_at_a_change() -> impl Strategy<Value = (LeadZone, DateTime<Utc>, QuietHours)> {
    (
        prop::sample::select(zones_with_changes()),
        any::<Index>(),
        -3 * 3600 * 1000..3 * 3600 * 1000i64,
        any::<bool>(),
        any::<bool>(),
        -90..=90i32,
        any::<u16>(),
    )
        .prop_map(|(z, pick, offset_ms, start_near, before, d, spread)| {
            let changes = transitions(z);
            let change = changes[pick.index(changes.len())];
            let edge = if before { z.local(change - Duration::seconds(1)) } else { z.local(change) };
            let edge = minutes_of(edge.time()) + d;
            let spread = i32::from(spread);
            let (start, end) = if start_near {
                let start = edge.clamp(0, 1439 - 120);
                (start, start + 120 + spread % (1439 - start - 120 + 1))
            } else {
                let end = edge.clamp(120, 1439);
                (spread % (end - 120 + 1), end)
            };
            let hours = quiet_hours(start as u32, end as u32);
            (z, change + Duration::milliseconds(offset_ms), hours)
        })
}

/// `outside_quiet_hours(t)` is at or after `t`, inside the window, and the first such instant.
fn check_outside_quiet_hours(zone: LeadZone, t: DateTime<Utc>, hours: &QuietHours) -> Result<(), TestCaseError> {
    let slot = outside_quiet_hours(t, zone, hours);
    let show = |i: DateTime<Utc>| format!("{i} ({} local)", local_hhmm(zone, i));
    prop_assert!(slot >= t, "{} moved back to {} for {:?}", show(t), show(slot), hours);
    prop_assert!(hours.allows(zone.local(slot).time()), "{} moved to {}, outside {:?}", show(t), show(slot), hours);
    prop_assert_eq!(slot == t, hours.allows(zone.local(t).time()));
    // The first such instant: quiet just before it, and (sampled every 10 minutes) quiet all
    // the way from `t`. One known exception, conservative and so tolerated: when the clocks go
    // back across the window's end (Nuuk, Santiago, Cairo: 24:00 -> 23:00) the window opens
    // again for a while, and `outside_quiet_hours` waits for the next day's start instead.
    if slot > t {
        let just_before = slot - Duration::seconds(1);
        prop_assert!(
            just_before < t || !hours.allows(zone.local(just_before).time()),
            "{} is not the first",
            show(slot)
        );
        let mut probe = t;
        while probe < slot {
            let clock_went_back = zone.local(probe) < zone.local(t);
            prop_assert!(
                !hours.allows(zone.local(probe).time()) || clock_went_back,
                "{} was allowed before {}",
                show(probe),
                show(slot)
            );
            probe += Duration::minutes(10);
        }
    }
    Ok(())
}

/// `next_allowed(t)` is at or after `t`, inside the window and under every cap; `t` itself
/// when it already is.
fn check_next_allowed(
    zone: LeadZone,
    t: DateTime<Utc>,
    policy: &ContactPolicy,
    history: &[DateTime<Utc>],
) -> Result<(), TestCaseError> {
    let slot = next_allowed(t, zone, policy, history);
    let hours = &policy.quiet_hours;
    let show = |i: DateTime<Utc>| format!("{i} ({} local)", local_hhmm(zone, i));
    prop_assert!(slot >= t, "{} moved back to {}", show(t), show(slot));
    prop_assert!(hours.allows(zone.local(slot).time()), "{} moved to {}, outside {:?}", show(t), show(slot), hours);
    for cap in &policy.caps {
        prop_assert!(in_window(history, slot, cap.per) < cap.max as usize, "{:?} full at {}", cap, slot);
    }
    let free =
        hours.allows(zone.local(t).time()) && policy.caps.iter().all(|c| in_window(history, t, c.per) < c.max as usize);
    prop_assert_eq!(slot == t, free);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn outside_quiet_hours_finds_the_first_allowed_instant(
        (zone, t) in any_zone_and_instant(),
        hours in wide_quiet_hours(),
    ) {
        check_outside_quiet_hours(zone, t, &hours)?;
    }

    #[test]
    fn outside_quiet_hours_is_right_when_the_window_meets_a_dst_change(
        (zone, t, hours) in window_at_a_change(),
    ) {
        check_outside_quiet_hours(zone, t, &hours)?;
        check_next_allowed(zone, t, &ContactPolicy { quiet_hours: hours, caps: vec![] }, &[])?;
    }

    #[test]
    fn next_allowed_is_inside_the_window_and_under_the_caps(
        (zone, t) in any_zone_and_instant(),
        hours in wide_quiet_hours(),
        caps in prop::collection::vec(cap(), 0..=3),
        ago in prop::collection::vec(0..8 * DAY, 0..=6),
    ) {
        let history: Vec<DateTime<Utc>> = ago.iter().map(|s| t - Duration::seconds(*s)).collect();
        check_next_allowed(zone, t, &ContactPolicy { quiet_hours: hours, caps }, &history)?;
    }
}

/// The properties only mean something if the simulations reach the interesting paths: check
/// that a fixed sample of scenarios does.
#[test]
fn the_simulations_exercise_every_path() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = scenario(sometimes_interrupted());
    let (mut sent, mut skipped, mut deferrals, mut rearms, mut stopped, mut held_back) = (0, 0, 0, 0, 0, 0);
    for _ in 0..300 {
        let s = strategy.new_tree(&mut runner).expect("a scenario").current();
        let run = simulate_scenario(&s);
        sent += run.sent.len();
        skipped += run.handled.iter().filter(|(_, h)| *h == Handled::Skipped).count();
        deferrals += run.deferrals;
        rearms += run.rearms;
        stopped += usize::from(matches!(run.final_status, Some(EnrolmentStatus::Stopped(_))));
        // Sent later than due by more than the scheduler's lateness: quiet hours or a cap.
        held_back += run
            .sent
            .iter()
            .filter(|t| {
                let due = s.cadence.steps[t.step].at.due_at(s.enrolled_at, None, s.lead.profile.zone);
                t.at - due > Duration::hours(4)
            })
            .count();
    }
    assert!(sent > 600 && skipped > 200, "sent {sent}, skipped {skipped}");
    assert!(deferrals > 30 && rearms > 100, "deferrals {deferrals}, rearms {rearms}");
    assert!(stopped > 10 && held_back > 200, "stopped {stopped}, held back {held_back}");
}

// ---------------------------------------------------------------------------------------------
// The demo cadence, end to end
// ---------------------------------------------------------------------------------------------

#[test]
fn the_demo_cadence_runs_to_its_end_across_the_us_dst_change() {
    let tenant = crate::config::TenantConfig::demo();
    let ny = zone("America/New_York");
    let enrolled_at = Utc.with_ymd_and_hms(2026, 3, 5, 14, 0, 0).unwrap(); // Thu 09:00 EST
                                                                           // Simulated time only: 31 days of cadence run on a manual clock.
    let started = std::time::Instant::now();
    let lead = lead(ny, [true, true, true], true, true, enrolled_at);
    let run = simulate(lead, tenant.rules(), "standard", enrolled_at, &[], None, None);

    let sent: Vec<(String, Channel)> = run.sent.iter().map(|s| (s.at.to_rfc3339(), s.channel)).collect();
    let at = |s: &str| s.to_owned();
    assert_eq!(
        sent,
        vec![
            (at("2026-03-05T14:00:00+00:00"), Channel::Sms),   // 0m: Thu 09:00 EST
            (at("2026-03-05T14:05:00+00:00"), Channel::Email), // 5m
            (at("2026-03-06T14:00:00+00:00"), Channel::Email), // 1d: Fri 09:00 EST
            (at("2026-03-08T14:00:00+00:00"), Channel::Voice), // day 3 at 10:00 EDT (DST from Sun 02:00)
            (at("2026-03-10T21:30:00+00:00"), Channel::Sms),   // day 5 at 17:30 EDT
            (at("2026-03-15T14:00:00+00:00"), Channel::Email), // 10d = 240h: 10:00 EDT
            (at("2026-03-22T14:00:00+00:00"), Channel::Sms),   // day 17 at 10:00 EDT
            (at("2026-03-29T14:00:00+00:00"), Channel::Email), // day 24 at 10:00 EDT
            (at("2026-04-05T14:00:00+00:00"), Channel::Sms),   // day 31 at 10:00 EDT
        ]
    );
    let templates: Vec<&str> = run.sent.iter().map(|s| s.template.as_str()).collect();
    assert_eq!(
        templates,
        [
            "welcome_sms",
            "welcome_email",
            "day1_email",
            "day3_call",
            "day5_sms",
            "day10_email",
            "weekly_sms",
            "weekly_email",
            "last_sms"
        ]
    );
    for s in &run.sent {
        assert!(tenant.policy.quiet_hours.allows(ny.local(s.at).time()), "{s:?}");
        for cap in &tenant.policy.caps {
            assert!(in_window(&run.touch_times, s.at, cap.per) <= cap.max as usize, "{s:?} {cap:?}");
        }
    }
    assert!(run.schedules.iter().all(|(now, at)| at >= now));
    assert_eq!(run.final_status, Some(EnrolmentStatus::Completed));
    println!(
        "demo cadence: {} touches over {} days in {:?}",
        run.sent.len(),
        (run.sent.last().unwrap().at - enrolled_at).num_days(),
        started.elapsed()
    );
}

#[test]
fn the_demo_cadence_enrolled_late_at_night_waits_for_the_morning_and_the_caps() {
    let tenant = crate::config::TenantConfig::demo();
    let ny = zone("America/New_York");
    // Sat 31 Oct 2026, 20:58 EDT; the clocks go back on Sunday 1 November.
    let enrolled_at = Utc.with_ymd_and_hms(2026, 11, 1, 0, 58, 0).unwrap();
    let lead = lead(ny, [true, true, true], true, true, enrolled_at);
    let run = simulate(lead, tenant.rules(), "standard", enrolled_at, &[], None, None);
    let first: Vec<String> = run.sent.iter().take(3).map(|s| local_hhmm(ny, s.at)).collect();
    assert_eq!(
        first,
        [
            "2026-10-31 20:58:00", // at once
            "2026-11-01 08:00:00", // 5m lands at 21:03: quiet until 08:00 EST
            "2026-11-01 19:58:00", // 1d = 24h lands at 19:58 EST: the clocks went back
        ]
    );
    for s in &run.sent {
        assert!(tenant.policy.quiet_hours.allows(ny.local(s.at).time()), "{s:?}");
        for cap in &tenant.policy.caps {
            assert!(in_window(&run.touch_times, s.at, cap.per) <= cap.max as usize, "{s:?} {cap:?}");
        }
    }
    assert_eq!(run.sent.len(), 9);
    assert_eq!(run.final_status, Some(EnrolmentStatus::Completed));
}

// ---------------------------------------------------------------------------------------------
// Reminders anchored to a booked slot
// ---------------------------------------------------------------------------------------------

/// Reminders 1 to 3 days and 1 to 6 hours before a slot.
fn reminder_cadence() -> impl Strategy<Value = Cadence> {
    (1..=3i64, 1..=6i64).prop_map(|(days, hours)| Cadence {
        name: "reminders".to_owned(),
        steps: vec![
            Step {
                channel: Channel::Sms,
                template: "day".to_owned(),
                at: StepTime::Before(Duration::days(days)),
                guard: None,
                preferred: false,
            },
            Step {
                channel: Channel::Sms,
                template: "hour".to_owned(),
                at: StepTime::Before(Duration::hours(hours)),
                guard: None,
                preferred: false,
            },
        ],
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Whenever the booking arrives (weeks ahead or minutes before the slot), across DST
    /// changes, quiet hours and caps: every reminder that goes out goes out after the booking,
    /// inside the window and before the slot; the ones that cannot are skipped, never late.
    #[test]
    fn reminders_go_out_before_the_slot_or_not_at_all(
        (zone, slot) in zone_and_instant(),
        ahead in 0..14 * DAY,
        cadence in reminder_cadence(),
        policy in policy(),
        prior in prop::collection::vec(0..2 * DAY, 0..4),
    ) {
        let booked = slot - Duration::seconds(ahead);
        let lead = lead(zone, [true, true, true], true, true, booked);
        let cadences = BTreeMap::from([(cadence.name.clone(), cadence.clone())]);
        let rules = Rules { policy: &policy, cadences: &cadences, triggers: &[], scoring: None };
        let mut enrolment = Enrolment {
            id: EnrolmentId::new(),
            tenant: lead.tenant.clone(),
            lead_id: lead.id.clone(),
            cadence: cadence.name.clone(),
            enrolled_at: booked,
            anchor_at: Some(slot),
            gate: None,
            next_step: 0,
            next_due_at: None,
            status: EnrolmentStatus::Active,
            version: 1,
        };
        let mut touches: Vec<DateTime<Utc>> = prior.iter().map(|s| booked - Duration::seconds(*s)).collect();
        let mut now = booked;
        let mut event = Event::Enrolled { enrolment: enrolment.id.clone() };
        let mut handled = BTreeSet::new();
        for _ in 0..10 {
            let view = LeadView { lead: &lead, enrolments: std::slice::from_ref(&enrolment), touch_times: &touches };
            let mut next = None;
            for command in decide(view, &event, rules, now) {
                match command {
                    Command::Send { step, .. } => {
                        prop_assert!(now >= booked && now < slot, "step {step} sent at {now}, slot {slot}");
                        prop_assert!(policy.quiet_hours.allows(zone.local(now).time()), "step {step} in quiet hours");
                        prop_assert!(handled.insert(step), "step {step} handled twice");
                        touches.push(now);
                    }
                    Command::Skip { step, .. } => prop_assert!(handled.insert(step), "step {step} handled twice"),
                    Command::Schedule { step, at, .. } => {
                        prop_assert!(at >= now && at < slot, "step {step} scheduled at {at}, now {now}, slot {slot}");
                        next = Some((step, at));
                    }
                    Command::Complete { .. } => {}
                    other => prop_assert!(false, "unexpected {other:?}"),
                }
            }
            let Some((step, at)) = next else { break };
            enrolment.version += 1;
            enrolment.next_step = step;
            enrolment.next_due_at = Some(at);
            now = at;
            event = Event::StepDue { enrolment: enrolment.id.clone(), step, version: enrolment.version };
        }
        prop_assert_eq!(handled.len(), cadence.steps.len(), "every reminder was sent or skipped");
    }
}
