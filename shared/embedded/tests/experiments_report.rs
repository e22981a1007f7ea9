//! The experiments report over the redb store: days of counters in, the replayed decision
//! and the day it was reached out, from the counters alone (no lead is stored here at all).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use chrono::{Days, NaiveDate, TimeZone, Utc};
use leadflow_core::app::{App, Counter, LinkTracking};
use leadflow_core::config::{TenantConfig, TenantDirectory};
use leadflow_core::domain::{replay, ArmDay, Decision, TokenKey};
use leadflow_core::ports::LeadStore;
use leadflow_embedded::{EmbeddedStore, LocalScheduler, ManualClock, OutboxChannel};
use std::sync::Arc;

fn app(store: &EmbeddedStore) -> App {
    let directory = TenantDirectory::new(vec![TenantConfig::demo()]).unwrap();
    let outbox = Arc::new(OutboxChannel::new(store.clone(), false));
    App {
        store: Arc::new(store.clone()),
        scheduler: LocalScheduler::new(store.clone()),
        sender: outbox.clone(),
        notifier: Arc::new(leadflow_core::ports::LogNotifier),
        clock: Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 5, 15, 0, 0).unwrap())),
        lead_ads: Arc::new(leadflow_core::ports::NoLeadAds),
        tenants: Arc::new(directory),
        links: Arc::new(LinkTracking::new("http://127.0.0.1:1", TokenKey::new(b"test-link-key"))),
        contacts: Arc::default(),
    }
}

fn key(variant: &str, source: &str, event: &str) -> String {
    // The counter's own name, as the step and the lead changes write it.
    let name = format!("exp|{event}|first_text|{variant}|{source}");
    assert!(Counter::parse(&name).is_some(), "{name}");
    name
}

#[tokio::test]
async fn the_report_replays_the_days_to_the_first_day_the_winner_held() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path()).unwrap();
    let app = app(&store);
    let tenant = TenantConfig::demo();
    let first = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
    // 30 days; each source sends 50 leads a day to each arm: the control converts 5 of
    // every 100 (a positive reply), the variant 10, and the variant's opt-outs do not rise.
    let mut days = Vec::new();
    for d in 0..30 {
        let day = first + Days::new(d);
        let mut counts = Vec::new();
        for source in ["facebook", "google"] {
            for (variant, conversions) in [("welcome_sms", (2 + d % 2) as i64), ("welcome_sms_slots", 5)] {
                counts.push((key(variant, source, "exposed"), 50));
                counts.push((key(variant, source, "converted"), conversions));
                counts.push((key(variant, source, "opted_out"), 1));
            }
        }
        store.add_counts(&tenant.id, day, &counts).await.unwrap();
        let control = ArmDay { exposures: 100, conversions: 2 * (2 + d % 2), opt_outs: 2 };
        let variant = ArmDay { exposures: 100, conversions: 10, opt_outs: 2 };
        days.push((day, vec![control, variant]));
    }
    // Another experiment's and the summary's counters are not this experiment's.
    store.add_counts(&tenant.id, first, &[("leads|facebook".into(), 7)]).await.unwrap();

    let today = first + Days::new(40);
    let reports = app.experiments_report(&tenant, Some("first_text"), today).await.unwrap();
    let report = &reports[0];
    let expected = replay(tenant.experiments.get("first_text").unwrap(), &days);
    assert_eq!(report.verdict, expected, "the report is the pure replay of its counters");
    assert_eq!(report.verdict.decision, Decision::Winner { variant: "welcome_sms_slots".into() });
    let reached = report.verdict.reached_on.unwrap();
    assert!(reached > first + Days::new(1) && reached < first + Days::new(29), "{reached}");
    let slots = &report.verdict.arms[1];
    assert_eq!((slots.exposures, slots.conversions, slots.opt_outs), (3_000, 300, 60));
    assert_eq!(report.by_source["google"]["welcome_sms_slots"].exposures, 1_500);

    // Looked at on the day before the decision, the same report says it is still running.
    let before = app.experiments_report(&tenant, None, reached - Days::new(1)).await.unwrap();
    assert_eq!(before[0].verdict.decision, Decision::Running);
    assert_eq!(before[0].to, reached - Days::new(1));
}
