//! Kill `leadflow dev` with SIGKILL and start it again on the same data directory: nothing
//! accepted is lost, and every pending touch fires exactly once.

use chrono::{Timelike, Utc};
use leadflow_core::config::DEMO_API_KEY;
use leadflow_tests::lead_body;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Running {
    child: Child,
    base: String,
}

/// `leadflow dev` on a manual clock starting at `now`.
fn start(data: &Path, now: &str) -> Running {
    start_with(data, &["--clock", "manual", "--now", now])
}

/// `leadflow dev` on the system clock: real time, as a laptop runs it.
fn start_live(data: &Path) -> Running {
    start_with(data, &[])
}

fn start_with(data: &Path, clock: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_leadflow-under-test"))
        .args(["dev", "--listen", "127.0.0.1:0", "--quiet"])
        .args(clock)
        .arg("--data")
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let base = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_owned();
    Running { child, base }
}

impl Running {
    /// SIGKILL: no shutdown hook, no flush, as a crash or `kill -9` would.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

async fn outbox(client: &reqwest::Client, base: &str) -> Vec<Value> {
    client.get(format!("{base}/dev/outbox")).send().await.unwrap().json().await.unwrap()
}

async fn advance(client: &reqwest::Client, base: &str, seconds: i64) {
    let response =
        client.post(format!("{base}/dev/clock/advance")).json(&json!({ "seconds": seconds })).send().await.unwrap();
    assert_eq!(response.status(), 200);
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
    let counts = sends(&all);
    for id in &ids {
        for step in 0..9u64 {
            assert_eq!(counts.get(&(id.clone(), step)), Some(&1), "lead {id} step {step}");
        }
    }
    assert_eq!(all.len(), ids.len() * 9, "no touch twice, no touch lost");
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
