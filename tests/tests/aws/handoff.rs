//! A reply through the inbound function is assigned to a rep and starts its SLA check; the
//! check travels as the step queue's second kind of message (through EventBridge Scheduler
//! when it is more than 15 minutes out) and, with nobody having marked the lead contacted,
//! the step function escalates it to the manager in the team chat, once.

use crate::harness::{event, instant, sqs_bodies, Stack};
use chrono::Duration;
use leadflow_core::config::without_demo_team;
use leadflow_tests::{chat_posts, start_time};
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
             [[reps]]\nname = \"Dana\"\n\n{}",
            without_demo_team(&tenant)
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
    let posts = chat_posts(&slack).await;
    assert_eq!(posts.len(), 2, "the hand-off and one escalation: {posts:?}");
    assert!(posts[1].starts_with("<@UMARA>") && posts[1].contains("waited 20 min"), "{}", posts[1]);
    let summary = stack.summary().await;
    assert_eq!((summary["handoffs"].clone(), summary["sla_missed"].clone()), (json!(1), json!(1)));
}

/// `PUT /v1/reps/{name}` through the intake function, with `available`.
async fn mark_rep(stack: &Stack, rep: &str, available: bool) -> Value {
    // Escaped for the event's JSON string; the body API Gateway passes on has no backslashes.
    let body = format!("{{\\\"available\\\": {available}}}");
    let length = body.replace('\\', "").len().to_string();
    let reply =
        stack.intake(&event("apigw-v2-put-rep.json", &[("rep", rep), ("body", &body), ("length", &length)])).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()
}

#[tokio::test]
async fn a_rep_marked_away_through_the_intake_function_is_skipped_and_the_wait_is_counted_in_dynamodb() {
    let stack = Stack::with_tenant(start_time(), |tenant| {
        let team =
            "[handoff]\nmanager = \"Mara\"\n\n[[reps]]\nname = \"Dana\"\n\n[[reps]]\nname = \"Eli\"\nmax_open = 1\n\n";
        format!("{team}{}", without_demo_team(&tenant))
    })
    .await;
    let away = mark_rep(&stack, "Dana", false).await;
    assert_eq!((away["available"].clone(), away["unavailable"].clone()), (json!(false), json!("away")));
    let id = stack.post_lead().await;
    stack.drain().await;

    assert_eq!(stack.text("Can you call me after 5?").await.status, 200);
    let lead = stack.lead(&id).await;
    assert_eq!(lead["owner"], "Eli");
    let assigned = lead["events"].as_array().unwrap().iter().find(|e| e["type"] == "assigned").unwrap().clone();
    assert_eq!(assigned["reason"], "next turn among Eli; skipped Dana: away");

    // The wait on Eli was counted in the lead's own transaction: he is full now.
    let eli = mark_rep(&stack, "Eli", true).await;
    assert_eq!((eli["open"].clone(), eli["available"].clone()), (json!(1), json!(false)), "{eli}");
    assert_eq!(mark_rep(&stack, "Dana", true).await["available"], true);
}
