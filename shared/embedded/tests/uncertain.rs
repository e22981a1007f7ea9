//! The step use case over the embedded adapters (redb store, local scheduler, outbox, manual
//! clock) when a process dies between claiming a touch and recording its send: the touch is
//! looked up on the next delivery and resent once, recorded sent, or marked uncertain.
//!
//! A "crash" is a send that never returns: the step is dropped there, as a SIGKILL would stop
//! it, and a new scheduler over the same store reloads the rows that were left (a restart).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use leadflow_core::app::{App, IntakeRequest, Settlement, WakeOutcome};
use leadflow_core::config::TenantConfig;
use leadflow_core::domain::{Channel, LeadId, OptOutRecord, PhoneNumber, TimelineKind, Touch, TouchStatus};
use leadflow_core::ports::{
    Clock, DueTouch, Escalation, Handoff, LeadStore, Lookup, Notifier, OutboundMessage, SendError, Sender, TouchCheck,
    UncertainTouch, Wakeup,
};
use leadflow_embedded::{EmbeddedStore, LocalScheduler, ManualClock, OutboxChannel, OutboxEntry};
use serde_json::json;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// Where the next send of [`Crashing`] stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Crash {
    /// No crash: the outbox, as `leadflow dev` sends.
    Never,
    /// The process dies before the outbox records the touch.
    BeforeSend,
    /// The process dies after the outbox recorded it, before the answer is recorded.
    AfterSend,
}

/// The outbox, with a crash to order; `knows` false makes it a provider that cannot be asked.
struct Crashing {
    outbox: OutboxChannel,
    crash: Mutex<Crash>,
    knows: bool,
    crashed: Notify,
}

impl Crashing {
    fn crash(&self, crash: Crash) {
        *self.crash.lock().unwrap() = crash;
    }
}

#[async_trait]
impl Sender for Crashing {
    async fn send(&self, message: &OutboundMessage, now: DateTime<Utc>) -> Result<String, SendError> {
        let crash = *self.crash.lock().unwrap();
        if crash == Crash::Never {
            return self.outbox.send(message, now).await;
        }
        if crash == Crash::AfterSend {
            self.outbox.send(message, now).await?;
        }
        self.crashed.notify_one();
        std::future::pending().await
    }

    fn longest_send(&self, message: &OutboundMessage) -> std::time::Duration {
        self.outbox.longest_send(message)
    }

    async fn lookup(&self, message: &OutboundMessage, since: DateTime<Utc>) -> Lookup {
        if self.knows {
            self.outbox.lookup(message, since).await
        } else {
            Lookup::Unknown
        }
    }
}

/// The team chat, recorded.
#[derive(Default)]
struct Chat {
    alerts: Mutex<Vec<UncertainTouch>>,
}

#[async_trait]
impl Notifier for Chat {
    async fn hand_off(&self, _: &Handoff) -> Result<(), String> {
        Ok(())
    }

    async fn escalate(&self, _: &Escalation) -> Result<(), String> {
        Ok(())
    }

    async fn uncertain_touch(&self, alert: &UncertainTouch) -> Result<(), String> {
        self.alerts.lock().unwrap().push(alert.clone());
        Ok(())
    }
}

struct Fixture {
    app: App,
    scheduler: Arc<LocalScheduler>,
    store: EmbeddedStore,
    outbox: OutboxChannel,
    channel: Arc<Crashing>,
    chat: Arc<Chat>,
    clock: Arc<ManualClock>,
    tenant: Arc<TenantConfig>,
    _dir: tempfile::TempDir,
}

/// 10:00 in New York.
fn morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 5, 15, 0, 0).unwrap()
}

fn fixture(start: DateTime<Utc>, knows: bool) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path()).unwrap();
    let outbox = OutboxChannel::new(store.clone(), false);
    let channel =
        Arc::new(Crashing { outbox: outbox.clone(), crash: Mutex::new(Crash::Never), knows, crashed: Notify::new() });
    let chat = Arc::new(Chat::default());
    let clock = Arc::new(ManualClock::new(start));
    let (app, scheduler, tenant) = common::demo_app(&store, channel.clone(), chat.clone(), clock.clone());
    Fixture { app, scheduler, store, outbox, channel, chat, clock, tenant, _dir: dir }
}

/// A fixture whose lead's first text was claimed and then `crash`ed, restarted.
async fn crashed(start: DateTime<Utc>, knows: bool, crash: Crash) -> (Fixture, LeadId) {
    let mut f = fixture(start, knows);
    let lead = f.lead().await;
    f.crash_and_restart(crash).await;
    (f, lead)
}

impl Fixture {
    /// Takes a lead (its first text due at once); answers its id.
    async fn lead(&self) -> LeadId {
        let form = serde_json::from_value(json!({
            "first_name": "Ann", "last_name": "Lee", "email": "ann@example.com", "phone": "(415) 555-2671",
            "source": "facebook", "timezone": "America/New_York",
            "consent": { "sms": true, "email": true, "text": "I agree to be contacted" },
        }))
        .unwrap();
        let receipt = self
            .app
            .intake(
                &self.tenant,
                IntakeRequest { form, idempotency_key: None, payload: None, placement: Default::default() },
            )
            .await
            .unwrap()
            .receipt;
        receipt.lead_id
    }

    /// Runs what is due until the channel's send crashes there, and leaves that run hanging,
    /// as a killed process leaves it; then starts over on the same store, as a restart does.
    async fn crash_and_restart(&mut self, crash: Crash) {
        self.channel.crash(crash);
        let scheduler = self.scheduler.clone();
        let running = tokio::spawn(async move { scheduler.drain().await });
        self.channel.crashed.notified().await;
        running.abort();
        self.channel.crash(Crash::Never);
        let scheduler = LocalScheduler::new(self.store.clone());
        self.app = App { scheduler: scheduler.clone(), ..self.app.clone() };
        scheduler.attach(self.app.clone());
        self.scheduler = scheduler;
    }

    /// Moves the clock on by `seconds`, running everything due on the way.
    async fn advance(&self, seconds: i64) {
        let target = self.clock.now() + Duration::seconds(seconds);
        self.scheduler.advance_to(&self.clock, target).await.unwrap();
    }

    /// The first message due for the lead's enrolment, as the scheduler first delivered it.
    async fn first_due(&self, lead: &LeadId) -> DueTouch {
        let enrolment = self.store.enrolments(&self.tenant.id, lead).await.unwrap().remove(0);
        DueTouch {
            tenant: self.tenant.id.clone(),
            lead_id: lead.clone(),
            enrolment_id: enrolment.id,
            step: 0,
            version: 1,
            due_at: enrolment.enrolled_at,
        }
    }

    /// Delivers the lead's first message twice at once, `seconds` after the claim.
    async fn redeliver_twice_at_once(&self, lead: &LeadId, seconds: i64) {
        self.clock.set(morning() + Duration::seconds(seconds));
        let due = self.first_due(lead).await;
        let (a, b) = tokio::join!(self.app.execute_step(&due), self.app.execute_step(&due));
        a.unwrap();
        b.unwrap();
    }

    async fn first_touch(&self, lead: &LeadId) -> Touch {
        let touches = self.store.touches(&self.tenant.id, lead).await.unwrap();
        touches.into_iter().find(|t| t.step == 0).expect("the first step was claimed")
    }

    /// The lead's entries of step 0 in the outbox.
    fn first_texts(&self, lead: &LeadId) -> Vec<OutboxEntry> {
        self.outbox.list(Some(lead)).unwrap().into_iter().filter(|e| e.step == 0).collect()
    }

    async fn timeline(&self, lead: &LeadId) -> Vec<TimelineKind> {
        self.store.timeline(&self.tenant.id, lead).await.unwrap().into_iter().map(|e| e.kind).collect()
    }

    async fn summary(&self) -> leadflow_core::app::Summary {
        let day = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        self.app.summary(&self.tenant, day, day + chrono::Days::new(2)).await.unwrap()
    }
}

#[tokio::test]
async fn a_first_text_killed_before_the_outbox_got_it_is_sent_once_after_the_restart() {
    let (f, lead) = crashed(morning(), true, Crash::BeforeSend).await;
    assert_eq!(f.first_touch(&lead).await.status, TouchStatus::Claimed, "the crash left it claimed");
    assert!(f.first_texts(&lead).is_empty());

    // The step's row runs again at once, finds the claim too fresh to judge, and comes back
    // when the outbox's longest send has passed.
    f.advance(0).await;
    assert_eq!(f.first_touch(&lead).await.status, TouchStatus::Claimed, "not judged while it may be in flight");
    f.advance(60).await;

    let texts = f.first_texts(&lead);
    assert_eq!(texts.len(), 1, "the first text went out once: {texts:?}");
    let touch = f.first_touch(&lead).await;
    assert_eq!(texts[0].id, touch.id);
    assert!(matches!(touch.status, TouchStatus::Sent { .. }), "{:?}", touch.status);
    assert!(f.timeline(&lead).await.contains(&TimelineKind::TouchResent { step: 0, channel: Channel::Sms }));
    let summary = f.summary().await;
    assert_eq!((summary.total.first_touches, summary.total.touches, summary.total.uncertain), (1, 1, 0));
}

#[tokio::test]
async fn two_deliveries_at_once_resend_a_touch_only_once() {
    let (f, lead) = crashed(morning(), true, Crash::BeforeSend).await;

    f.redeliver_twice_at_once(&lead, 30).await;

    assert_eq!(f.first_texts(&lead).len(), 1, "one resend between them");
    assert!(matches!(f.first_touch(&lead).await.status, TouchStatus::Sent { .. }));
}

#[tokio::test]
async fn a_first_text_killed_after_the_outbox_got_it_is_recorded_sent_not_resent() {
    let (f, lead) = crashed(morning(), true, Crash::AfterSend).await;
    assert_eq!(f.first_touch(&lead).await.status, TouchStatus::Claimed);
    assert_eq!(f.first_texts(&lead).len(), 1);

    f.advance(60).await;

    assert_eq!(f.first_texts(&lead).len(), 1, "not sent again");
    let touch = f.first_touch(&lead).await;
    match &touch.status {
        TouchStatus::Sent { provider_id, sent_at } => {
            assert_eq!(provider_id, &format!("outbox-{}", touch.id));
            assert_eq!(*sent_at, morning(), "when the outbox took it");
        }
        other => panic!("expected sent, found {other:?}"),
    }
    assert!(!f.timeline(&lead).await.iter().any(|k| matches!(k, TimelineKind::TouchResent { .. })));
    let summary = f.summary().await;
    assert_eq!((summary.total.first_touches, summary.total.touches), (1, 1));
}

#[tokio::test]
async fn a_touch_no_one_can_account_for_is_uncertain_counted_on_the_timeline_and_told_once() {
    let (f, lead) = crashed(morning(), false, Crash::BeforeSend).await;

    f.redeliver_twice_at_once(&lead, 120).await;
    f.app.execute_step(&f.first_due(&lead).await).await.unwrap();

    let touch = f.first_touch(&lead).await;
    assert!(matches!(touch.status, TouchStatus::Uncertain { .. }), "{:?}", touch.status);
    assert!(f.first_texts(&lead).is_empty(), "an uncertain touch is never sent again");
    let uncertain: Vec<_> =
        f.timeline(&lead).await.into_iter().filter(|k| matches!(k, TimelineKind::TouchUncertain { .. })).collect();
    assert_eq!(uncertain.len(), 1, "{uncertain:?}");
    assert_eq!(f.summary().await.total.uncertain, 1);
    let alerts = f.chat.alerts.lock().unwrap().clone();
    assert_eq!(alerts.len(), 1, "one alert, however often the message comes back: {alerts:?}");
    assert_eq!((alerts[0].channel, alerts[0].step, alerts[0].first), (Channel::Sms, 0, true));
    assert_eq!((alerts[0].lead_name.as_str(), alerts[0].cadence.as_str()), ("Ann Lee", "standard"));
}

#[tokio::test]
async fn a_resend_the_rules_no_longer_allow_is_not_sent() {
    let (f, lead) = crashed(morning(), true, Crash::BeforeSend).await;
    let phone = PhoneNumber::parse_e164("+14155552671").unwrap();
    let stop = OptOutRecord::by_message(morning(), Channel::Sms, "STOP".to_owned());
    f.store.record_number_opt_out(&f.tenant.id, &phone, &stop).await.unwrap();

    f.advance(60).await;

    assert!(f.first_texts(&lead).is_empty(), "no text after an opt-out");
    match f.first_touch(&lead).await.status {
        TouchStatus::Failed { reason, .. } => assert!(reason.contains("the number opted out"), "{reason}"),
        other => panic!("expected failed, found {other:?}"),
    }
    assert!(f.timeline(&lead).await.iter().any(
        |k| matches!(k, TimelineKind::StepSkipped { step: 0, reason, .. } if reason.contains("not resent after a crash"))
    ));
}

#[tokio::test]
async fn a_resend_that_falls_in_quiet_hours_waits_for_the_morning() {
    // 20:59:55 in New York: the first text is claimed just before quiet hours begin.
    let evening = Utc.with_ymd_and_hms(2026, 3, 6, 1, 59, 55).unwrap();
    let (f, lead) = crashed(evening, true, Crash::BeforeSend).await;

    f.advance(60).await;
    assert_eq!(f.first_touch(&lead).await.status, TouchStatus::Claimed, "held back, not refused");
    assert!(f.first_texts(&lead).is_empty());

    f.advance(12 * 3600).await;
    let texts = f.first_texts(&lead);
    assert_eq!(texts.len(), 1);
    assert_eq!(texts[0].sent_at, Utc.with_ymd_and_hms(2026, 3, 6, 13, 0, 0).unwrap(), "08:00 in New York");
}

#[tokio::test]
async fn a_touch_check_for_a_touch_recorded_since_does_nothing() {
    let f = fixture(morning(), true);
    let lead = f.lead().await;
    f.advance(0).await;
    let touch = f.first_touch(&lead).await;
    assert!(matches!(touch.status, TouchStatus::Sent { .. }));

    let check =
        TouchCheck { tenant: f.tenant.id.clone(), lead_id: lead.clone(), touch_id: touch.id, due_at: morning() };
    let outcome = f.app.wake(&Wakeup::TouchCheck(check)).await.unwrap();
    assert_eq!(outcome, WakeOutcome::Check(Settlement::Nothing));
    assert_eq!(f.first_texts(&lead).len(), 1);
}
