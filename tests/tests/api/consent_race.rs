//! A STOP and the post of its number's lead at the same moment (issue 8, D1 and D2): whatever
//! their order, the lead ends opted out, and no text or call is claimed after the opt-out.

use chrono::{DateTime, NaiveDate, Utc};
use leadflow_core::app::{App, InboundSms, IntakeRequest, LeadForm, LinkTracking, StepOutcome};
use leadflow_core::config::{TenantConfig, TenantDirectory};
use leadflow_core::domain::{
    Email, Enrolment, IdempotencyKey, IntakeReceipt, Lead, LeadId, OptOutRecord, PhoneNumber, TenantId, TimelineEntry,
    TimelineKind, TokenKey, Touch, TouchStatus,
};
use leadflow_core::ports::{
    Claim, DueTouch, LeadStore, LeadWrite, Listed, LogNotifier, RawPayload, RepState, StoreError,
};
use leadflow_embedded::{EmbeddedStore, LocalScheduler, ManualClock, OutboxChannel};
use leadflow_tests::{lead_body, lead_phone, spawn_app, start_time, TestApp};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// How many (post, STOP) pairs each test races.
const PAIRS: u32 = 300;

/// Posts `PAIRS` leads, each with a STOP from its number 0 to 4 ms before or after it, all
/// pairs at once; answers the ids of the leads.
async fn race_stops_with_posts(app: &Arc<TestApp>) -> Vec<(u32, String)> {
    let mut pairs = tokio::task::JoinSet::new();
    for n in 0..PAIRS {
        let app = app.clone();
        pairs.spawn(async move {
            let lag = Duration::from_millis(u64::from(n % 5));
            let post = async {
                if n % 2 == 1 {
                    tokio::time::sleep(lag).await;
                }
                app.post_lead(&lead_body(n)).await
            };
            let stop = async {
                if n % 2 == 0 {
                    tokio::time::sleep(lag).await;
                }
                app.text_in(&lead_phone(n), "STOP").await
            };
            let (posted, stopped) = tokio::join!(post, stop);
            assert_eq!(posted.status(), 202, "lead {n} is accepted");
            assert_eq!(stopped.status(), 200, "the STOP from lead {n}'s number is answered");
            let receipt: Value = posted.json().await.unwrap();
            (n, receipt["lead_id"].as_str().unwrap().to_owned())
        });
    }
    let mut ids = Vec::new();
    while let Some(pair) = pairs.join_next().await {
        ids.push(pair.unwrap());
    }
    ids
}

fn time(value: &Value) -> DateTime<Utc> {
    value.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("a time: {value}"))
}

/// Every lead is opted out of texts and calls, and every text, call or voicemail it got was
/// claimed no later than the opt-out on its timeline.
async fn assert_every_lead_opted_out_and_nothing_after(app: &TestApp, leads: &[(u32, String)]) {
    let mut lost = Vec::new();
    for (n, id) in leads {
        let lead = app.lead(id).await;
        let opted_out: Vec<&str> = lead["opted_out"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        if !(opted_out.contains(&"sms") && opted_out.contains(&"voice")) {
            lost.push(*n);
            continue;
        }
        let events = lead["events"].as_array().unwrap();
        let opted_out_at = events
            .iter()
            .find(|e| e["type"] == "opted_out")
            .map(|e| time(&e["at"]))
            .or_else(|| events.iter().find(|e| e["type"] == "received").map(|e| time(&e["at"])))
            .unwrap();
        for touch in lead["touches"].as_array().unwrap() {
            if ["sms", "voice", "voicemail"].contains(&touch["channel"].as_str().unwrap()) {
                assert!(
                    time(&touch["claimed_at"]) <= opted_out_at,
                    "lead {n}: a {} touch was claimed after the opt-out: {touch} / {events:?}",
                    touch["channel"]
                );
            }
        }
    }
    assert!(lost.is_empty(), "{} of {PAIRS} leads lost their STOP: {lost:?}", lost.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stop_racing_its_leads_post_always_opts_the_lead_out_on_the_manual_clock() {
    let app = Arc::new(spawn_app().await);
    let leads = race_stops_with_posts(&app).await;
    app.settle().await;
    assert_every_lead_opted_out_and_nothing_after(&app, &leads).await;

    // Over the whole cadence, nothing more reaches their phones.
    let before: usize = phone_touches(&app).await;
    for _ in 0..30 {
        app.advance(24 * 3600).await;
    }
    assert_eq!(phone_touches(&app).await, before, "no text or call after the opt-outs, over 30 days");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stop_racing_its_leads_post_always_opts_the_lead_out_on_the_system_clock() {
    let app = Arc::new(TestApp::builder().system_clock().spawn().await);
    let leads = race_stops_with_posts(&app).await;
    // Touches due now run in the background: give them a moment on the real clock.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_every_lead_opted_out_and_nothing_after(&app, &leads).await;
}

async fn phone_touches(app: &TestApp) -> usize {
    app.outbox(None)
        .await
        .iter()
        .filter(|t| ["sms", "voice", "voicemail"].contains(&t["channel"].as_str().unwrap()))
        .count()
}

/// The store of the dev server, with a STOP's record held back until the test lets it through.
struct HeldOptOuts {
    inner: EmbeddedStore,
    release: tokio::sync::Semaphore,
}

#[async_trait::async_trait]
impl LeadStore for HeldOptOuts {
    async fn record_number_opt_out(
        &self,
        tenant: &TenantId,
        phone: &PhoneNumber,
        record: &OptOutRecord,
    ) -> Result<bool, StoreError> {
        let _go = self.release.acquire().await.expect("the gate stays open");
        self.inner.record_number_opt_out(tenant, phone, record).await
    }
    async fn receipt(
        &self,
        tenant: &TenantId,
        key: &IdempotencyKey,
        now: DateTime<Utc>,
    ) -> Result<Option<IntakeReceipt>, StoreError> {
        self.inner.receipt(tenant, key, now).await
    }
    async fn lead(&self, tenant: &TenantId, id: &LeadId) -> Result<Option<Lead>, StoreError> {
        self.inner.lead(tenant, id).await
    }
    async fn lead_by_email(&self, tenant: &TenantId, email: &Email) -> Result<Option<Lead>, StoreError> {
        self.inner.lead_by_email(tenant, email).await
    }
    async fn lead_by_phone(&self, tenant: &TenantId, phone: &PhoneNumber) -> Result<Option<Lead>, StoreError> {
        self.inner.lead_by_phone(tenant, phone).await
    }
    async fn write_lead(&self, write: LeadWrite) -> Result<(), StoreError> {
        self.inner.write_lead(write).await
    }
    async fn claim(&self, claim: Claim) -> Result<(), StoreError> {
        self.inner.claim(claim).await
    }
    async fn record_touch(&self, touch: &Touch) -> Result<(), StoreError> {
        self.inner.record_touch(touch).await
    }
    async fn settle_touch(
        &self,
        touch: &Touch,
        expected: &TouchStatus,
        unless_opted_out: Option<&PhoneNumber>,
    ) -> Result<bool, StoreError> {
        self.inner.settle_touch(touch, expected, unless_opted_out).await
    }
    async fn enrolments(&self, tenant: &TenantId, lead: &LeadId) -> Result<Vec<Enrolment>, StoreError> {
        self.inner.enrolments(tenant, lead).await
    }
    async fn active_enrolments(&self, tenant: &TenantId) -> Result<Vec<Enrolment>, StoreError> {
        self.inner.active_enrolments(tenant).await
    }
    async fn touches(&self, tenant: &TenantId, lead: &LeadId) -> Result<Vec<Touch>, StoreError> {
        self.inner.touches(tenant, lead).await
    }
    async fn timeline(&self, tenant: &TenantId, lead: &LeadId) -> Result<Vec<TimelineEntry>, StoreError> {
        self.inner.timeline(tenant, lead).await
    }
    async fn append_timeline(
        &self,
        tenant: &TenantId,
        lead: &LeadId,
        entries: &[TimelineEntry],
    ) -> Result<(), StoreError> {
        self.inner.append_timeline(tenant, lead, entries).await
    }
    async fn number_opt_out(&self, tenant: &TenantId, phone: &PhoneNumber) -> Result<Option<OptOutRecord>, StoreError> {
        self.inner.number_opt_out(tenant, phone).await
    }
    async fn lift_number_opt_out(&self, tenant: &TenantId, phone: &PhoneNumber) -> Result<bool, StoreError> {
        self.inner.lift_number_opt_out(tenant, phone).await
    }
    async fn add_to_dnc(
        &self,
        tenant: &TenantId,
        phone: &PhoneNumber,
        record: &OptOutRecord,
    ) -> Result<bool, StoreError> {
        self.inner.add_to_dnc(tenant, phone, record).await
    }
    async fn claim_inbound(
        &self,
        tenant: &TenantId,
        message_id: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.inner.claim_inbound(tenant, message_id, now, expires_at).await
    }
    async fn release_inbound(&self, tenant: &TenantId, message_id: &str) -> Result<(), StoreError> {
        self.inner.release_inbound(tenant, message_id).await
    }
    async fn next_turn(&self, tenant: &TenantId, rotation: &str) -> Result<u64, StoreError> {
        self.inner.next_turn(tenant, rotation).await
    }
    async fn rep_states(&self, tenant: &TenantId) -> Result<Vec<RepState>, StoreError> {
        self.inner.rep_states(tenant).await
    }
    async fn listed(&self, tenant: &TenantId, list: &str) -> Result<Vec<Listed>, StoreError> {
        self.inner.listed(tenant, list).await
    }
    async fn set_rep_away(&self, tenant: &TenantId, rep: &str, away: bool) -> Result<(), StoreError> {
        self.inner.set_rep_away(tenant, rep, away).await
    }
    async fn add_counts(&self, tenant: &TenantId, day: NaiveDate, counts: &[(String, i64)]) -> Result<(), StoreError> {
        self.inner.add_counts(tenant, day, counts).await
    }
    async fn count_hit(
        &self,
        tenant: &TenantId,
        rate: &str,
        window_start: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        self.inner.count_hit(tenant, rate, window_start, expires_at).await
    }
    async fn keep_payload(&self, tenant: &TenantId, payload: &RawPayload) -> Result<(), StoreError> {
        self.inner.keep_payload(tenant, payload).await
    }
    async fn payload(
        &self,
        tenant: &TenantId,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<RawPayload>, StoreError> {
        self.inner.payload(tenant, key, now).await
    }
    async fn counts(
        &self,
        tenant: &TenantId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, String, u64)>, StoreError> {
        self.inner.counts(tenant, from, to).await
    }
}

/// A touch claimed while a STOP is on its way (received, not yet stored) went out before the
/// opt-out took effect: the timeline must say the opt-out came after it, not at the moment
/// the STOP arrived.
/// An app over the held-back store, the manual clock at `start_time()`, with one lead enrolled
/// (its first text due now, not yet run).
struct Held {
    app: App,
    store: Arc<HeldOptOuts>,
    clock: Arc<ManualClock>,
    tenant: TenantConfig,
    lead: LeadId,
    first: DueTouch,
    _data: tempfile::TempDir,
}

async fn held() -> Held {
    let data = tempfile::tempdir().unwrap();
    let embedded = EmbeddedStore::open(data.path()).unwrap();
    let store = Arc::new(HeldOptOuts { inner: embedded.clone(), release: tokio::sync::Semaphore::new(0) });
    let clock = Arc::new(ManualClock::new(start_time()));
    let tenant = TenantConfig::demo();
    let app = App {
        store: store.clone(),
        scheduler: LocalScheduler::new(embedded.clone()),
        sender: Arc::new(OutboxChannel::new(embedded, false)),
        notifier: Arc::new(LogNotifier),
        clock: clock.clone(),
        lead_ads: Arc::new(leadflow_core::ports::NoLeadAds),
        tenants: Arc::new(TenantDirectory::new(vec![tenant.clone()]).unwrap()),
        links: Arc::new(LinkTracking::new("http://127.0.0.1", TokenKey::new(b"test"))),
        contacts: Arc::default(),
    };
    let form: LeadForm = serde_json::from_value(lead_body(1)).unwrap();
    let receipt = app
        .intake(&tenant, IntakeRequest { form, idempotency_key: None, payload: None, placement: Default::default() })
        .await
        .unwrap()
        .receipt;
    let enrolment = store.enrolments(&tenant.id, &receipt.lead_id).await.unwrap().remove(0);
    let first = DueTouch::next_of(&enrolment).unwrap();
    Held { app, store, clock, tenant, lead: receipt.lead_id, first, _data: data }
}

/// A number whose STOP is stored gets no text, even while its lead does not say so yet (the
/// STOP's own change of the lead has not landed): the claim checks the number itself.
#[tokio::test]
async fn a_text_is_not_claimed_for_a_number_whose_stop_is_stored_before_its_lead_is_marked() {
    let Held { app, store, tenant, lead, first, .. } = held().await;
    let phone = PhoneNumber::parse_e164(&lead_phone(1)).unwrap();
    let stop = OptOutRecord::by_message(start_time(), leadflow_core::domain::Channel::Sms, "STOP".into());
    store.inner.record_number_opt_out(&tenant.id, &phone, &stop).await.unwrap();
    assert!(store.lead(&tenant.id, &lead).await.unwrap().unwrap().opted_out.is_empty(), "the lead is not marked yet");

    let outcome = app.execute_step(&first).await.unwrap();
    assert!(!matches!(outcome, StepOutcome::Sent { .. }), "{outcome:?}");
    let touches = store.touches(&tenant.id, &lead).await.unwrap();
    assert!(touches.iter().all(|t| !t.channel.uses_phone()), "no text or call was claimed: {touches:?}");
}

/// A touch claimed while a STOP is on its way (received, not yet stored) went out before the
/// opt-out took effect: the timeline must say the opt-out came after it, not at the moment
/// the STOP arrived.
#[tokio::test]
async fn the_opt_out_is_timed_when_it_takes_effect_after_a_touch_claimed_meanwhile() {
    let Held { app, store, clock, tenant, lead, first, .. } = held().await;
    // The STOP arrives now, and its record is held back ...
    let phone = PhoneNumber::parse_e164(&lead_phone(1)).unwrap();
    let stop = InboundSms { from: phone, body: "STOP".to_owned(), message_id: Some("SM1".to_owned()) };
    let stopping = tokio::spawn({
        let (app, tenant) = (app.clone(), tenant.clone());
        async move { app.inbound_sms(&tenant, stop).await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    // ... while, a second later, the first text is claimed and sent.
    clock.set(start_time() + chrono::Duration::seconds(1));
    assert!(matches!(app.execute_step(&first).await.unwrap(), StepOutcome::Sent { .. }));
    store.release.add_permits(1);
    stopping.await.unwrap().unwrap();

    let touches = store.touches(&tenant.id, &lead).await.unwrap();
    let timeline = store.timeline(&tenant.id, &lead).await.unwrap();
    let opted_out_at = timeline.iter().find(|e| matches!(e.kind, TimelineKind::OptedOut { .. })).unwrap().at;
    assert_eq!(touches.len(), 1);
    assert!(
        touches[0].claimed_at <= opted_out_at,
        "the opt-out ({opted_out_at}) is on the timeline before the text claimed at {}",
        touches[0].claimed_at
    );
}
