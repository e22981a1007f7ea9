//! The pipeline's counters over the embedded adapters: each stage a lead enters and the time
//! it spent in the one it left, by day of arrival (the funnel), and how many leads are in each
//! stage now (the pipeline board), which goes down as well as up.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use leadflow_core::app::{latency_bucket, App, IntakeRequest};
use leadflow_core::config::TenantConfig;
use leadflow_core::domain::{LeadId, OutcomeKind};
use leadflow_core::ports::{Clock, LeadStore, LogNotifier};
use leadflow_embedded::{EmbeddedStore, LocalScheduler, ManualClock, OutboxChannel};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;

struct Fixture {
    app: App,
    scheduler: Arc<LocalScheduler>,
    store: EmbeddedStore,
    clock: Arc<ManualClock>,
    tenant: Arc<TenantConfig>,
    _dir: tempfile::TempDir,
}

/// 10:00 in New York.
fn morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 5, 15, 0, 0).unwrap()
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path()).unwrap();
    let clock = Arc::new(ManualClock::new(morning()));
    let sender = Arc::new(OutboxChannel::new(store.clone(), false));
    let (app, scheduler, tenant) = common::demo_app(&store, sender, Arc::new(LogNotifier), clock.clone());
    Fixture { app, scheduler, store, clock, tenant, _dir: dir }
}

impl Fixture {
    /// Takes lead `n` (its first text due at once); answers its id.
    async fn lead(&self, n: u32) -> LeadId {
        let form = serde_json::from_value(json!({
            "first_name": "Ann", "email": format!("ann{n}@example.com"), "phone": format!("(415) 555-26{n:02}"),
            "source": "facebook", "timezone": "America/New_York",
            "consent": { "sms": true, "email": true, "text": "I agree to be contacted" },
        }))
        .unwrap();
        let request = IntakeRequest { form, idempotency_key: None, payload: None, placement: Default::default() };
        self.app.intake(&self.tenant, request).await.unwrap().receipt.lead_id
    }

    async fn advance(&self, seconds: i64) {
        let target = self.clock.now() + Duration::seconds(seconds);
        self.scheduler.advance_to(&self.clock, target).await.unwrap();
    }

    /// The counters of one day, by name.
    async fn counts(&self, day: chrono::NaiveDate) -> BTreeMap<String, u64> {
        let counts = self.store.counts(&self.tenant.id, day, day).await.unwrap();
        counts.into_iter().map(|(_, name, n)| (name, n)).collect()
    }
}

#[tokio::test]
async fn stages_entered_time_in_each_and_leads_in_each_now_are_counted() {
    let f = fixture();
    let (booked, waiting) = (f.lead(1).await, f.lead(2).await);
    f.advance(0).await; // Both first texts go out: both leads are contacted.
    f.advance(2 * 3600).await;
    f.app.record_outcome(&f.tenant, &booked, OutcomeKind::Booked, None).await.unwrap();
    f.app.move_lead_stage(&f.tenant, &waiting, "lost", Some("Dana".to_owned())).await.unwrap();
    f.app.move_lead_stage(&f.tenant, &waiting, "conversation", None).await.unwrap();

    let arrival = f.counts(morning().date_naive()).await;
    let entered = |stage: &str| arrival.get(&format!("stage|facebook|{stage}")).copied();
    assert_eq!(
        [entered("new"), entered("contacted"), entered("booked"), entered("lost"), entered("conversation")],
        [Some(2), Some(2), Some(1), Some(1), Some(1)],
        "{arrival:?}"
    );
    let in_new = format!("stage_ms|new|{}", latency_bucket(0));
    let in_contacted = format!("stage_ms|contacted|{}", latency_bucket(2 * 3_600_000));
    assert_eq!((arrival.get(&in_new), arrival.get(&in_contacted)), (Some(&2), Some(&2)), "{arrival:?}");

    // Up on entry and down on exit, on the arrival day: the day's sum is the count now.
    let in_stage = |stage: &str| arrival.get(&format!("in_stage|{stage}")).copied().unwrap_or(0);
    let board = ["new", "contacted", "booked", "lost", "conversation"].map(in_stage);
    assert_eq!(board, [0, 0, 1, 0, 1], "{arrival:?}");
}
