//! What SQS and Scheduler may deliver: duplicates, stale messages, malformed records.

use crate::harness::{body_json, event, failures, sqs_bodies, Stack};
use aws_lambda_events::event::sqs::SqsEventObj;
use aws_sdk_sqs::types::MessageSystemAttributeName;
use chrono::{TimeZone, Utc};
use leadflow_aws::handlers;
use leadflow_tests::start_time;
use serde_json::{json, Value};

/// The substitutions the SQS samples take, for the lead's (only) enrolment.
fn vars<'a>(id: &'a str, lead: &'a Value, due_at: &'a str) -> [(&'static str, &'a str); 3] {
    [("lead_id", id), ("enrolment_id", lead["enrolments"][0]["id"].as_str().unwrap()), ("due_at", due_at)]
}

#[tokio::test]
async fn a_duplicate_delivery_sends_once_in_one_batch_and_across_batches() {
    let stack = Stack::new(start_time()).await;
    let id = stack.post_lead().await;
    let lead = stack.lead(&id).await;
    // The same due touch a second time (SQS and Scheduler are both at-least-once).
    let duplicate = &sqs_bodies("sqs-due-touch.json", &vars(&id, &lead, "2026-03-05T15:00:00Z"))[0];
    stack.enqueue(duplicate).await;

    // Both copies in one batch: one send, no failure.
    let batch = stack.receive(0).await;
    assert_eq!(batch.len(), 2, "both copies in one batch");
    assert_eq!(body_json(&batch[0]), body_json(&batch[1]), "the same due touch twice");
    assert_eq!(failures(&stack.invoke_step(&batch).await), Vec::<String>::new());
    assert_eq!(stack.sent.steps(), [0]);

    // The invocation "timed out" after its work: nothing was deleted, and once the visibility
    // timeout ends SQS delivers the same two messages again in a second batch.
    stack.make_visible(&batch).await;
    let again = stack.receive(0).await;
    let ids = |b: &[aws_sdk_sqs::types::Message]| {
        let mut ids: Vec<String> = b.iter().map(|m| m.message_id().unwrap().to_owned()).collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&again), ids(&batch), "redelivered with the same message ids");
    for message in &again {
        let count = &message.attributes().unwrap()[&MessageSystemAttributeName::ApproximateReceiveCount];
        assert_eq!(count, "2");
    }
    assert_eq!(failures(&stack.step(&again).await), Vec::<String>::new());
    // And a third copy on its own, later.
    stack.enqueue(duplicate).await;
    assert_eq!(stack.drain().await, 1);

    assert_eq!(stack.sent.steps(), [0], "the channel was asked once");
    let lead = stack.lead(&id).await;
    assert_eq!(lead["touches"].as_array().unwrap().len(), 1);
    let report = stack.summary().await;
    assert_eq!((report["first_touches"].clone(), report["touches"].clone()), (json!(1), json!(1)), "{report:#}");
}

#[tokio::test]
async fn stop_deletes_the_pending_schedule_and_a_stale_message_after_it_sends_nothing() {
    // 20:58 in New York: step 1 (08:00 next morning) is an EventBridge schedule.
    let stack = Stack::new(Utc.with_ymd_and_hms(2026, 3, 6, 1, 58, 0).unwrap()).await;
    let id = stack.post_lead().await;
    assert_eq!(stack.drain().await, 1);
    let before_stop = stack.lead(&id).await;
    let enrolment = &before_stop["enrolments"][0];
    let schedules = stack.schedules().await;
    assert_eq!(schedules.len(), 1);
    assert_eq!(serde_json::from_str::<Value>(&schedules[0].input).unwrap()["step"], 1);

    assert_eq!(stack.text_stop().await.status, 200);
    let after_stop = stack.lead(&id).await;
    assert_eq!(after_stop["state"], "opted_out");
    assert!(stack.schedules().await.is_empty(), "STOP withdrew the pending schedule");

    // Step 1's message as it was scheduled before STOP (had Scheduler fired it anyway, or a
    // copy was already on its way), arriving at its due time.
    let due_at = enrolment["next_due_at"].as_str().unwrap();
    let stale = &sqs_bodies("sqs-stale-touch.json", &vars(&id, &before_stop, due_at))[0];
    assert_eq!(
        serde_json::from_str::<Value>(stale).unwrap(),
        serde_json::from_str::<Value>(&schedules[0].input).unwrap(),
        "the sample is the message that was scheduled"
    );
    stack.advance_to(due_at.parse().unwrap()).await;
    stack.enqueue(stale).await;
    let messages = stack.receive(0).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(failures(&stack.step(&messages).await), Vec::<String>::new(), "dropped, not retried");

    assert_eq!(stack.sent.steps(), [0], "nothing after STOP");
    assert_eq!(stack.queue_depth().await, (0, 0, 0), "nothing re-armed or re-delayed");
    assert!(stack.schedules().await.is_empty());
    let lead = stack.lead(&id).await;
    assert_eq!(lead["touches"].as_array().unwrap().len(), 1);
    assert_eq!(lead["enrolments"], after_stop["enrolments"], "the enrolment is untouched");
    assert_eq!(lead["enrolments"][0]["status"], json!({ "state": "stopped", "reason": "opted_out" }));
}

#[tokio::test]
async fn a_malformed_record_fails_alone() {
    let stack = Stack::new(start_time()).await;

    // The sample batch as the event source delivers it: its one record is reported.
    let sample: SqsEventObj<Value> = serde_json::from_str(&event("sqs-malformed.json", &[])).unwrap();
    let sample_id = sample.records[0].message_id.clone().unwrap();
    let response = handlers::step_batch(&stack.app, sample.clone()).await;
    assert_eq!(failures(&response), [sample_id]);

    // The same body next to a good record, both from the real queue in one batch.
    let id = stack.post_lead().await;
    let malformed = serde_json::to_string(&sample.records[0].body).unwrap();
    stack.enqueue(&malformed).await;
    let batch = stack.receive(0).await;
    assert_eq!(batch.len(), 2, "one batch");
    let bad = batch.iter().find(|m| body_json(m) == sample.records[0].body).unwrap();
    let response = stack.step(&batch).await;
    assert_eq!(failures(&response), [bad.message_id().unwrap().to_owned()], "only the malformed record");

    assert_eq!(stack.sent.steps(), [0], "the good record was handled");
    assert_eq!(stack.lead(&id).await["touches"][0]["status"]["state"], "sent");
    // The good one deleted, the bad one left for redelivery (and in time the DLQ); step 1 delayed.
    assert_eq!(stack.queue_depth().await, (0, 1, 1));
}
