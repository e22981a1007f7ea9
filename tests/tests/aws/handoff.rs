//! A reply through the inbound function is assigned to a rep and starts its SLA check; the
//! check travels as the step queue's second kind of message (through EventBridge Scheduler
//! when it is more than 15 minutes out) and, with nobody having marked the lead contacted,
//! the step function escalates it to the manager in the team chat, once.

use crate::harness::{instant, sqs_bodies, Stack};
use chrono::Duration;
use leadflow_tests::start_time;
use serde_json::{json, Value};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_reply_is_assigned_and_its_sla_check_escalates_through_the_scheduler_once() {
    let slack = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_string("ok")).mount(&slack).await;
    let webhook = format!("{}/services/T0/B0/X", slack.uri());
    let stack = Stack::with_tenant(start_time(), |tenant| {
        format!(
            "[handoff]\nslack_webhook = \"{webhook}\"\nsla = \"20m\"\nmanager = \"<@UMARA>\"\n\n\
             [[reps]]\nname = \"Dana\"\n\n{tenant}"
        )
    })
    .await;
    let id = stack.post_lead().await;
    stack.drain().await;

    let reply = stack.text("Can you call me after 5?").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let lead = stack.lead(&id).await;
    assert_eq!((lead["state"].clone(), lead["owner"].clone()), (json!("needs_human"), json!("Dana")));
    let handed_off_at = instant(&lead["handed_off_at"]);
    assert_eq!(handed_off_at, start_time());

    // Twenty minutes out: a schedule, whose input is the sample event's body.
    let schedules = stack.schedules().await;
    let checks: Vec<Value> = schedules
        .iter()
        .map(|s| serde_json::from_str::<Value>(&s.input).unwrap())
        .filter(|input| input["kind"] == "handoff_sla")
        .collect();
    assert_eq!(checks.len(), 1, "{schedules:?}");
    let sample = &sqs_bodies(
        "sqs-sla-check.json",
        &[("lead_id", &id), ("handed_off_at", "2026-03-05T15:00:00Z"), ("due_at", "2026-03-05T15:20:00Z")],
    )[0];
    assert_eq!(checks[0], serde_json::from_str::<Value>(sample).unwrap());

    // Scheduler fires it in the minute before; at that minute's last second it is 1 s early,
    // and the step function puts it back on the queue for the rest.
    assert!(stack.advance_to(handed_off_at + Duration::seconds(18 * 60 + 59)).await.is_empty());
    assert_eq!(stack.advance_to(handed_off_at + Duration::seconds(19 * 60 + 59)).await.len(), 1);
    stack.start_real_time();
    assert_eq!(stack.drain().await, 1);
    assert_eq!(stack.lead(&id).await["escalated_at"], Value::Null, "not before the SLA is up");
    // Re-delayed through SQS, beside the stopped cadence's step 1 (stale, 5 minutes out).
    assert_eq!(stack.queue_depth().await, (0, 0, 2));

    let (handled, _) = stack.wait_and_step(std::time::Duration::from_secs(5)).await;
    assert_eq!(handled, 1);
    let escalated = stack.lead(&id).await;
    assert!(escalated["escalated_at"].is_string(), "{escalated}");
    // Delivered again (SQS is at-least-once): still escalated once.
    let again = &sqs_bodies(
        "sqs-sla-check.json",
        &[("lead_id", &id), ("handed_off_at", "2026-03-05T15:00:00Z"), ("due_at", "2026-03-05T15:20:00Z")],
    )[0];
    stack.enqueue(again).await;
    assert_eq!(stack.drain().await, 1);

    let lead = stack.lead(&id).await;
    assert_eq!(lead["escalated_at"], escalated["escalated_at"]);
    assert!(instant(&lead["escalated_at"]) - handed_off_at < Duration::minutes(20) + Duration::seconds(2));
    let posts: Vec<String> = slack
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap()["text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(posts.len(), 2, "the hand-off and one escalation: {posts:?}");
    assert!(posts[1].starts_with("<@UMARA>") && posts[1].contains("waited 20 min"), "{}", posts[1]);
    let summary = stack.summary().await;
    assert_eq!((summary["handoffs"].clone(), summary["sla_missed"].clone()), (json!(1), json!(1)));
}
