//! Kill `leadflow dev` with SIGKILL and start it again on the same data directory: nothing
//! accepted is lost, every pending touch fires exactly once, and a start serves at once
//! while it repairs lost schedules in the background.

use super::dev_process::{start, start_live};
use chrono::{Timelike, Utc};
use leadflow_core::app::{App, IntakeRequest, LinkTracking};
use leadflow_core::config::{TenantConfig, TenantDirectory, DEMO_API_KEY};
use leadflow_core::domain::TokenKey;
use leadflow_core::ports::{LogNotifier, ScheduleError, TouchScheduler, Wakeup};
use leadflow_embedded::{EmbeddedStore, ManualClock, OutboxChannel};
use leadflow_tests::{lead_body, start_time};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

async fn outbox(client: &reqwest::Client, base: &str) -> Vec<Value> {
    client.get(format!("{base}/dev/outbox")).send().await.unwrap().json().await.unwrap()
}

/// Moves the manual clock; answers how many wakeups are still pending.
async fn advance(client: &reqwest::Client, base: &str, seconds: i64) -> u64 {
    let response =
        client.post(format!("{base}/dev/clock/advance")).json(&json!({ "seconds": seconds })).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json::<Value>().await.unwrap()["pending"].as_u64().unwrap()
}

/// Posts `count` distinct leads, asserting each 202; answers their ids.
async fn post_leads(client: &reqwest::Client, base: &str, count: u32) -> Vec<String> {
    let mut ids = Vec::new();
    for n in 0..count {
        let response =
            client.post(format!("{base}/v1/leads")).bearer_auth(DEMO_API_KEY).json(&lead_body(n)).send().await.unwrap();
        assert_eq!(response.status(), 202);
        ids.push(response.json::<Value>().await.unwrap()["lead_id"].as_str().unwrap().to_owned());
    }
    ids
}

/// (lead, step) -> how many times it was sent.
fn sends(outbox: &[Value]) -> BTreeMap<(String, u64), usize> {
    let mut counts = BTreeMap::new();
    for entry in outbox {
        let key = (entry["lead_id"].as_str().unwrap().to_owned(), entry["step"].as_u64().unwrap());
        *counts.entry(key).or_default() += 1;
    }
    counts
}

/// Each lead got its first `steps` touches once each, and nothing else went out.
fn assert_each_sent_once(outbox: &[Value], ids: &[String], steps: u64) {
    let counts = sends(outbox);
    for id in ids {
        for step in 0..steps {
            assert_eq!(counts.get(&(id.clone(), step)), Some(&1), "lead {id} step {step}");
        }
    }
    assert_eq!(outbox.len() as u64, ids.len() as u64 * steps, "no touch twice, no touch lost");
}

#[tokio::test]
async fn a_killed_server_restarts_with_nothing_lost_and_every_touch_sent_once() {
    let data = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let server = start(data.path(), "2026-03-05T15:00:00Z");
    let ids = post_leads(&client, &server.base, 20).await;
    // Killed at rest: the first texts are out, everything else is pending. (A kill in the
    // middle of a send is the next test.)
    advance(&client, &server.base, 0).await;
    assert_eq!(outbox(&client, &server.base).await.len(), ids.len());
    server.kill();

    // Two days later: the 5-minute emails and the day-1 emails are overdue and must fire now.
    let server = start(data.path(), "2026-03-07T15:00:00Z");
    advance(&client, &server.base, 0).await;
    let after_restart = outbox(&client, &server.base).await;
    for id in &ids {
        let lead: Value = client
            .get(format!("{}/v1/leads/{id}", server.base))
            .bearer_auth(DEMO_API_KEY)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(lead["id"], id.as_str(), "every accepted lead survived");
    }
    assert!(after_restart.len() >= 40, "overdue touches fired after the restart: {}", after_restart.len());
    server.kill();

    // And once more, then run the rest of the cadence.
    let server = start(data.path(), "2026-03-07T16:00:00Z");
    advance(&client, &server.base, 40 * 86_400).await;
    let all = outbox(&client, &server.base).await;
    server.kill();
    assert_each_sent_once(&all, &ids, 9);
}

#[tokio::test]
async fn a_kill_in_the_middle_of_a_busy_run_never_sends_a_touch_twice() {
    let data = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let server = start(data.path(), "2026-03-05T15:00:00Z");
    post_leads(&client, &server.base, 40).await;
    // Start a month-long run and kill the process while it is in full flight.
    let (c, base) = (client.clone(), server.base.clone());
    let run = tokio::spawn(async move {
        c.post(format!("{base}/dev/clock/advance")).json(&json!({ "seconds": 40 * 86_400 })).send().await
    });
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    server.kill();
    let _ = run.await;

    let server = start(data.path(), "2026-03-05T15:00:00Z");
    advance(&client, &server.base, 45 * 86_400).await;
    let all = outbox(&client, &server.base).await;
    server.kill();
    let counts = sends(&all);
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent twice: {twice:?}");
    // A touch killed between its claim and its send is looked up in the outbox after the
    // restart and, not being there, sent then: none is missing.
    assert_eq!(counts.len(), 40 * 9, "every step of every lead sent: {} of {}", counts.len(), 40 * 9);
}

/// A lead form in a zone where it is about midday now, so that quiet hours never hold back a
/// first text sent on the system clock. (`Etc/GMT-3` is UTC+3: the sign is the other way.)
fn midday_lead(n: u32) -> Value {
    let offset = 12 - Utc::now().hour() as i32;
    let zone = match offset {
        0 => "Etc/GMT".to_owned(),
        east if east > 0 => format!("Etc/GMT-{east}"),
        west => format!("Etc/GMT+{}", -west),
    };
    let mut body = lead_body(n);
    body["timezone"] = json!(zone);
    body
}

/// Posts the leads `numbers`, `CONCURRENT` at a time, recording the id of each one answered
/// 202. Posts to a killed server fail and are not recorded (they may or may not have landed).
async fn burst(
    client: reqwest::Client,
    base: String,
    numbers: std::ops::Range<u32>,
    accepted: Arc<Mutex<Vec<String>>>,
) {
    const CONCURRENT: u32 = 32;
    let next = Arc::new(Mutex::new(numbers));
    let workers = (0..CONCURRENT).map(|_| {
        let (client, base, next, accepted) = (client.clone(), base.clone(), next.clone(), accepted.clone());
        tokio::spawn(async move {
            loop {
                let Some(n) = next.lock().unwrap().next() else { return };
                let posted =
                    client.post(format!("{base}/v1/leads")).bearer_auth(DEMO_API_KEY).json(&midday_lead(n)).send();
                let Ok(response) = posted.await else { return };
                if response.status() != 202 {
                    continue;
                }
                if let Ok(receipt) = response.json::<Value>().await {
                    accepted.lock().unwrap().push(receipt["lead_id"].as_str().unwrap().to_owned());
                }
            }
        })
    });
    for worker in workers.collect::<Vec<_>>() {
        let _ = worker.await;
    }
}

/// The SIGKILL test, on the system clock and the outbox: a burst of leads, the server
/// killed in the middle of it (four times), started again; then every lead that was answered
/// 202 has its first text in the outbox exactly once. A touch killed between its claim and its
/// send is resolved on the restart: the outbox says it was not sent, so it is sent once.
#[tokio::test]
async fn a_server_killed_mid_burst_sends_every_accepted_leads_first_text_exactly_once() {
    const ROUNDS: u32 = 4;
    const PER_ROUND: u32 = 100;
    let data = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let accepted = Arc::new(Mutex::new(Vec::new()));
    for round in 0..ROUNDS {
        let server = start_live(data.path());
        let before = accepted.lock().unwrap().len();
        let numbers = round * PER_ROUND..(round + 1) * PER_ROUND;
        let posting = tokio::spawn(burst(client.clone(), server.base.clone(), numbers, accepted.clone()));
        // Killed once half the round is in: posts, claims and sends are all in flight.
        let deadline = Instant::now() + Duration::from_secs(10);
        while accepted.lock().unwrap().len() < before + PER_ROUND as usize / 2 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        server.kill();
        posting.await.unwrap();
    }
    let accepted: BTreeSet<String> = accepted.lock().unwrap().iter().cloned().collect();
    assert!(accepted.len() >= (ROUNDS * PER_ROUND / 2) as usize, "only {} leads were accepted", accepted.len());

    // Started once more, it resolves what the kills left claimed and unsent, and sends it.
    let server = start_live(data.path());
    let deadline = Instant::now() + Duration::from_secs(25);
    let (mut first_texts, mut all) = (BTreeMap::new(), Vec::new());
    while Instant::now() < deadline {
        all = outbox(&client, &server.base).await;
        first_texts =
            sends(&all).into_iter().filter(|((_, step), _)| *step == 0).map(|((lead, _), n)| (lead, n)).collect();
        if accepted.iter().all(|id| first_texts.contains_key(id)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    server.kill();
    let missing: Vec<_> = accepted.iter().filter(|id| !first_texts.contains_key(*id)).collect();
    assert!(
        missing.is_empty(),
        "{} of {} accepted leads never got their first text: {missing:?}",
        missing.len(),
        accepted.len()
    );
    let twice: Vec<_> = sends(&all).into_iter().filter(|(_, n)| *n > 1).collect();
    assert!(twice.is_empty(), "sent twice: {twice:?}");
}

/// Loses every wakeup it is given: with it, intake leaves what a crash between its write and
/// its schedule would.
struct LosingScheduler;

#[async_trait::async_trait]
impl TouchScheduler for LosingScheduler {
    async fn schedule(&self, _: Wakeup) -> Result<(), ScheduleError> {
        Ok(())
    }

    async fn cancel(&self, _: &Wakeup) -> Result<(), ScheduleError> {
        Ok(())
    }
}

/// Stores `count` demo leads (`lead_body(0..count)`) through intake at `start_time()`, each
/// enrolled with its first touch due, and none of them in the schedule table; answers their
/// ids.
async fn leads_whose_schedule_was_lost(data: &Path, count: u32) -> Vec<String> {
    let store = EmbeddedStore::open(data).unwrap();
    let tenant = TenantConfig::demo();
    let app = App {
        store: Arc::new(store.clone()),
        scheduler: Arc::new(LosingScheduler),
        sender: Arc::new(OutboxChannel::new(store.clone(), false)),
        notifier: Arc::new(LogNotifier),
        clock: Arc::new(ManualClock::new(start_time())),
        lead_ads: Arc::new(leadflow_core::ports::NoLeadAds),
        tenants: Arc::new(TenantDirectory::new(vec![tenant.clone()]).unwrap()),
        links: Arc::new(LinkTracking::new("http://127.0.0.1", TokenKey::new(b"restart-test-link-key"))),
        contacts: Arc::default(),
    };
    let posts: Vec<_> = (0..count)
        .map(|n| {
            let (app, tenant) = (app.clone(), tenant.clone());
            tokio::spawn(async move {
                let form = serde_json::from_value(lead_body(n)).unwrap();
                let receipt = app
                    .intake(
                        &tenant,
                        IntakeRequest { form, idempotency_key: None, payload: None, placement: Default::default() },
                    )
                    .await
                    .unwrap()
                    .receipt;
                receipt.lead_id.to_string()
            })
        })
        .collect();
    let mut ids = Vec::new();
    for post in posts {
        ids.push(post.await.unwrap());
    }
    drop((app, store));
    // The store's writer thread lets go of the file once the last handle is gone.
    let file = data.join("leadflow.redb");
    let deadline = Instant::now() + Duration::from_secs(10);
    while let Err(e) = redb::Database::open(&file) {
        assert!(Instant::now() < deadline, "the store stayed open: {e}");
        std::thread::sleep(Duration::from_millis(10));
    }
    ids
}

#[tokio::test]
async fn a_lead_whose_schedule_was_lost_gets_its_touches_after_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let ids = leads_whose_schedule_was_lost(data.path(), 3).await;
    let client = reqwest::Client::new();
    let server = start(data.path(), "2026-03-05T15:00:00Z");
    // The clock waits for the reconcile in the background, then runs what it re-armed.
    advance(&client, &server.base, 0).await;
    advance(&client, &server.base, 600).await;
    let all = outbox(&client, &server.base).await;
    server.kill();
    assert_each_sent_once(&all, &ids, 2);
}

#[tokio::test]
async fn a_restart_answers_before_its_reconcile_is_done() {
    let data = tempfile::tempdir().unwrap();
    let count = 3000;
    let ids = leads_whose_schedule_was_lost(data.path(), count).await;
    // An hour before the first touches are due, so the clock can be moved without running them.
    let server = start(data.path(), "2026-03-05T14:00:00Z");
    let client = reqwest::Client::new();
    let lead =
        client.get(format!("{}/v1/leads/{}", server.base, ids[0])).bearer_auth(DEMO_API_KEY).send().await.unwrap();
    let answered = Instant::now();
    assert_eq!(lead.status(), 200);
    let reloaded = server.logged("schedule reloaded", Duration::from_secs(300)).expect("the reconcile ends");
    assert!(answered < reloaded, "the read waited {:?} for the reconcile", answered - reloaded);
    assert_eq!(advance(&client, &server.base, 0).await, u64::from(count), "every lost first touch is pending again");
    server.kill();
}

#[test]
fn the_dev_server_refuses_to_listen_beyond_loopback() {
    let output = Command::new(env!("CARGO_BIN_EXE_leadflow-under-test"))
        .args(["dev", "--listen", "0.0.0.0:0", "--data"])
        .arg(tempfile::tempdir().unwrap().path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("loopback"));
}
