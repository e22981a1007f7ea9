//! Stopping `leadflow dev`: SIGTERM or Ctrl-C answers the requests in flight, closes the store
//! and exits 0, so the next start opens the store without walking it; a kill while idle costs
//! the next start nothing either, and only a kill in the middle of writing makes it check the
//! whole file (and say so).

use super::dev_process::{start, Running};
use leadflow_core::config::DEMO_API_KEY;
use leadflow_tests::lead_body;
use serde_json::Value;
use std::time::Duration;

/// What `leadflow dev` logs when it opens a store that was not closed cleanly.
const REPAIRING: &str = "not closed cleanly";

/// Posts `count` leads one after another, asserting each 202; answers their ids.
async fn post_leads(server: &Running, count: u32) -> Vec<String> {
    let client = reqwest::Client::new();
    let mut ids = Vec::new();
    for n in 0..count {
        let response = client
            .post(format!("{}/v1/leads", server.base))
            .bearer_auth(DEMO_API_KEY)
            .json(&lead_body(n))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202);
        ids.push(response.json::<Value>().await.unwrap()["lead_id"].as_str().unwrap().to_owned());
    }
    ids
}

/// Every lead in `ids` is there.
async fn assert_all_there(server: &Running, ids: &[String]) {
    let client = reqwest::Client::new();
    for id in ids {
        let response =
            client.get(format!("{}/v1/leads/{id}", server.base)).bearer_auth(DEMO_API_KEY).send().await.unwrap();
        assert_eq!(response.status(), 200, "lead {id} after the restart");
    }
}

fn repaired(log: &[String]) -> bool {
    log.iter().any(|line| line.contains(REPAIRING))
}

#[tokio::test]
async fn sigterm_answers_the_request_in_flight_and_closes_the_store() {
    let data = tempfile::tempdir().unwrap();
    let server = start(data.path(), "2026-03-05T15:00:00Z");
    let ids = post_leads(&server, 20).await;
    // A post sent just before the signal is answered, not cut.
    let client = reqwest::Client::new();
    let posting =
        client.post(format!("{}/v1/leads", server.base)).bearer_auth(DEMO_API_KEY).json(&lead_body(99)).send();
    let posting = tokio::spawn(posting);
    tokio::time::sleep(Duration::from_millis(5)).await;
    let log = tokio::task::spawn_blocking(move || server.terminate()).await.unwrap();
    assert!(log.iter().any(|line| line.contains("stopped cleanly")), "log: {log:#?}");
    let last = posting.await.unwrap();
    let last_id = match last {
        Ok(response) => {
            assert_eq!(response.status(), 202, "the post in flight was answered");
            Some(response.json::<Value>().await.unwrap()["lead_id"].as_str().unwrap().to_owned())
        }
        // Sent after the listener closed: refused before anything was accepted.
        Err(error) => {
            assert!(error.is_connect() || error.is_request(), "{error}");
            None
        }
    };

    let server = start(data.path(), "2026-03-05T15:00:00Z");
    assert_all_there(&server, &ids).await;
    assert_all_there(&server, last_id.as_slice()).await;
    let log = server.kill();
    assert!(!repaired(&log), "a cleanly stopped store opened with a repair: {log:#?}");
}

#[tokio::test]
async fn a_kill_while_idle_costs_the_next_start_no_repair() {
    let data = tempfile::tempdir().unwrap();
    let server = start(data.path(), "2026-03-05T15:00:00Z");
    let ids = post_leads(&server, 20).await;
    // Idle for longer than the writer waits before it saves the allocator state (200 ms).
    tokio::time::sleep(Duration::from_millis(800)).await;
    server.kill();

    let server = start(data.path(), "2026-03-05T15:00:00Z");
    assert_all_there(&server, &ids).await;
    let log = server.kill();
    assert!(!repaired(&log), "a store killed while idle opened with a repair: {log:#?}");
}

#[tokio::test]
async fn a_kill_right_after_a_write_makes_the_next_start_check_the_file_and_say_so() {
    let data = tempfile::tempdir().unwrap();
    let server = start(data.path(), "2026-03-05T15:00:00Z");
    let ids = post_leads(&server, 20).await;
    // Killed within the writer's idle wait: the last commit did not save the allocator state.
    server.kill();

    let server = start(data.path(), "2026-03-05T15:00:00Z");
    assert_all_there(&server, &ids).await;
    let log = server.kill();
    assert!(repaired(&log), "the repair was not logged: {log:#?}");
}
