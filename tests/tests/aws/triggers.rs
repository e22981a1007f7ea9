//! A trigger that waits and checks on AWS: an email opened (`after = "2h"`, `unless =
//! "clicked"` in the demo) puts the text behind a gate in DynamoDB, EventBridge Scheduler
//! fires it two hours later, and the step function sends it, or, if the lead clicked since,
//! stops the cadence unsent.
//!
//! The open is recorded through the use case the SES webhook calls: the webhook itself needs
//! an SNS signature from SNS's own certificate hosts, which the API tests cover on loopback
//! (`tests/api/aws_sns.rs`).

use crate::harness::Stack;
use chrono::Duration;
use leadflow_core::domain::{Channel, LeadId, Signal, TenantId};
use leadflow_tests::start_time;
use serde_json::{json, Value};

fn opened_texts(stack: &Stack) -> usize {
    stack.sent.all().iter().filter(|(m, _)| m.body.contains("any questions about Bright Smile Dental")).count()
}

/// Posts the sample lead, sends its first touches, and records an email open ten minutes in.
async fn opened_lead(stack: &Stack) -> LeadId {
    let id = stack.post_lead().await;
    stack.drain().await;
    stack.advance_to(start_time() + Duration::minutes(5)).await;
    stack.drain().await;
    stack.clock.set(start_time() + Duration::minutes(10));
    let (tenant, lead) = (TenantId::parse("demo").unwrap(), LeadId::parse(&id).unwrap());
    assert!(stack.app.email_opened(&tenant, &lead).await.unwrap());
    lead
}

#[tokio::test]
async fn an_open_without_a_click_is_texted_two_hours_later_through_the_scheduler() {
    let stack = Stack::new(start_time()).await;
    let id = opened_lead(&stack).await;
    let gated = stack.schedules().await;
    let due: Vec<Value> = gated.iter().map(|s| serde_json::from_str(&s.input).unwrap()).collect();
    assert!(due.iter().any(|d| d["due_at"] == "2026-03-05T17:10:00Z"), "the text waits two hours: {due:?}");

    stack.advance_to(start_time() + Duration::minutes(120)).await;
    stack.drain().await;
    assert_eq!(opened_texts(&stack), 0, "not before the wait is over");
    stack.advance_to(start_time() + Duration::minutes(130)).await;
    stack.drain().await;
    assert_eq!(opened_texts(&stack), 1);
    let lead = stack.lead(id.as_str()).await;
    let completed = lead["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["type"] == "cadence_completed" && e["cadence"] == "opened_no_click");
    assert!(completed, "{lead}");
}

#[tokio::test]
async fn a_click_after_the_open_stops_the_text_when_its_wait_is_over() {
    let stack = Stack::new(start_time()).await;
    let id = opened_lead(&stack).await;
    stack.clock.set(start_time() + Duration::minutes(40));
    let tenant = TenantId::parse("demo").unwrap();
    assert!(stack.app.record_signal(&tenant, &id, Signal::Clicked, Some(Channel::Email)).await.unwrap());

    stack.advance_to(start_time() + Duration::minutes(130)).await;
    stack.drain().await;
    assert_eq!(opened_texts(&stack), 0);
    let lead = stack.lead(id.as_str()).await;
    let events = lead["events"].as_array().unwrap();
    let stopped = events.iter().find(|e| e["type"] == "cadence_stopped").unwrap();
    assert_eq!((stopped["cadence"].clone(), stopped["reason"].clone()), (json!("opened_no_click"), json!("held_back")));
    let skipped = events.iter().find(|e| e["type"] == "step_skipped").unwrap();
    assert_eq!(skipped["reason"], "held back by its condition: its trigger's unless clicked");
}
