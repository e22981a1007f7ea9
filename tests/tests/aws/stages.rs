//! A lead's stage SLA check travels as the step queue's `stage_sla` message, through
//! EventBridge Scheduler (days out): the step function posts one stale-lead alert for a lead
//! still in the stage, whatever SQS delivers again.

use crate::harness::{sqs_bodies, Stack};
use chrono::Duration;
use leadflow_core::config::without_demo_team;
use leadflow_tests::{chat_posts, start_time};
use serde_json::{json, Value};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_lead_left_in_conversation_past_its_sla_is_announced_once_through_the_scheduler() {
    let slack = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_string("ok")).mount(&slack).await;
    let webhook = format!("{}/services/T0/B0/X", slack.uri());
    let stack = Stack::with_tenant(start_time(), |tenant| {
        format!("[handoff]\nslack_webhook = \"{webhook}\"\nsla = \"7d\"\n\n{}", without_demo_team(&tenant))
    })
    .await;
    let id = stack.post_lead().await;
    stack.drain().await;
    assert_eq!(stack.text("Can you call me after 5?").await.status, 200);
    let lead = stack.lead(&id).await;
    assert_eq!(
        (lead["stage"].clone(), lead["stage_entered_at"].clone()),
        (json!("conversation"), json!("2026-03-05T15:00:00Z"))
    );

    // `new` (1 day) had a check, withdrawn when the first touch moved the lead on; only
    // `conversation`'s (3 days) is left, and its input is the sample event's body.
    let checks: Vec<Value> =
        stack.stage_schedules().await.iter().map(|s| serde_json::from_str::<Value>(&s.input).unwrap()).collect();
    assert_eq!(checks.len(), 1, "{checks:?}");
    let sample = |stage: &str, due_at: &str| {
        let vars =
            [("lead_id", id.as_str()), ("stage", stage), ("entered_at", "2026-03-05T15:00:00Z"), ("due_at", due_at)];
        sqs_bodies("sqs-stage-check.json", &vars).remove(0)
    };
    let conversation = sample("conversation", "2026-03-08T15:00:00Z");
    assert_eq!(checks[0], serde_json::from_str::<Value>(&conversation).unwrap());
    // A check of a stay the lead has left (here `new`'s, delivered as if due now) says nothing.
    stack.enqueue(&sample("new", "2026-03-05T15:00:00Z")).await;
    assert_eq!(stack.drain().await, 1);
    assert!(chat_posts(&slack).await.iter().all(|p| !p.contains("has been in")));

    assert_eq!(stack.advance_to(start_time() + Duration::days(3) + Duration::minutes(1)).await.len(), 1);
    assert_eq!(stack.drain().await, 1);
    // Delivered again (SQS is at-least-once): still one alert.
    stack.enqueue(&conversation).await;
    assert_eq!(stack.drain().await, 1);

    let posts = chat_posts(&slack).await;
    let alerts: Vec<&String> = posts.iter().filter(|p| p.contains("has been in")).collect();
    assert_eq!(alerts.len(), 1, "{posts:?}");
    assert!(alerts[0].contains("*conversation* for 3 d") && alerts[0].contains(&id), "{}", alerts[0]);
    let lead = stack.lead(&id).await;
    assert_eq!(lead["stale"], true);
    assert_eq!(lead["events"].as_array().unwrap().iter().filter(|e| e["type"] == "stage_overdue").count(), 1);
}
