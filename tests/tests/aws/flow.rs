//! A lead through all four functions: intake → SQS → step → inbound STOP → report.

use crate::harness::{body_json, event, failures, instant, Stack};
use leadflow_tests::start_time;
use serde_json::json;

#[tokio::test]
async fn a_lead_goes_from_intake_through_the_queue_to_its_first_sms_then_stop_and_the_report() {
    let stack = Stack::new(start_time()).await;

    // Intake answers at once and leaves step 0 on the queue: due now, so SQS, not Scheduler.
    stack.counter.take();
    let id = stack.post_lead().await;
    // Intake is one atomic write: lead, dedupe keys and enrolment in one transaction.
    let requests = stack.counter.take();
    let count = |op: &str| requests.get(&("DynamoDB".to_owned(), op.to_owned())).copied().unwrap_or(0);
    assert_eq!(count("TransactWriteItems"), 1, "{requests:?}");
    assert_eq!(count("PutItem"), 0, "nothing written outside the transaction: {requests:?}");
    let lead = stack.lead(&id).await;
    assert_eq!(lead["state"], "active");
    assert_eq!(lead["touches"], json!([]), "intake sends nothing itself");
    let enrolment = lead["enrolments"][0].clone();
    let messages = stack.receive(0).await;
    assert_eq!(messages.len(), 1);
    assert!(stack.schedules().await.is_empty());
    // The sample event's body is exactly what intake puts on the queue.
    let sample = &crate::harness::sqs_bodies(
        "sqs-due-touch.json",
        &[("lead_id", &id), ("enrolment_id", enrolment["id"].as_str().unwrap()), ("due_at", "2026-03-05T15:00:00Z")],
    )[0];
    assert_eq!(body_json(&messages[0]), serde_json::from_str::<serde_json::Value>(sample).unwrap());

    // The step function sends the first SMS and records it.
    let response = stack.step(&messages).await;
    assert_eq!(failures(&response), Vec::<String>::new());
    let sent = stack.sent.all();
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0].0.step, sent[0].0.channel.as_str(), sent[0].0.to.as_str()), (0, "sms", "+14155552001"));
    assert!(sent[0].0.body.starts_with("Hi Ann, thanks for reaching out to Bright Smile Dental!"));
    let lead = stack.lead(&id).await;
    let touch = &lead["touches"][0];
    assert_eq!((touch["step"].clone(), touch["channel"].clone()), (json!(0), json!("sms")));
    assert_eq!(touch["status"]["state"], "sent");
    assert_eq!(instant(&touch["status"]["sent_at"]), start_time());
    // Step 1 (an email 5 minutes on) waits on the queue with a delay, not in Scheduler.
    assert_eq!(lead["enrolments"][0]["next_step"], 1);
    assert_eq!(instant(&lead["enrolments"][0]["next_due_at"]), start_time() + chrono::Duration::minutes(5));
    assert_eq!(stack.queue_depth().await, (0, 0, 1));
    assert!(stack.schedules().await.is_empty());

    // A webhook whose signature does not match is refused and changes nothing.
    let forged = event("apigw-v2-twilio-sms.json", &[]).replace("5mJj5fUqhdW5+iCyG4WGTFaj1xA=", "bm90IHR3aWxpbw==");
    assert_eq!(stack.inbound(&forged).await.status, 403);
    assert_eq!(stack.lead(&id).await["state"], "active");

    // STOP from the lead's phone: empty TwiML, the lead opted out, the cadence stopped.
    let reply = stack.text_stop().await;
    assert_eq!(reply.status, 200);
    assert!(reply.headers["content-type"].to_str().unwrap().starts_with("text/xml"));
    assert_eq!(reply.text(), "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>");
    let lead = stack.lead(&id).await;
    assert_eq!(lead["state"], "opted_out");
    assert_eq!(lead["opted_out"], json!(["sms", "voice", "voicemail"]));
    assert_eq!(lead["enrolments"][0]["status"], json!({ "state": "stopped", "reason": "opted_out" }));

    // The report reads the counters the other functions kept.
    let report = stack.summary().await;
    assert_eq!(report["leads"], 1, "{report:#}");
    assert_eq!(report["first_touches"], 1, "{report:#}");
    assert_eq!(report["opt_outs"], 1, "{report:#}");
    assert_eq!(report["by_channel"]["sms"]["touches"], 1, "{report:#}");
    assert_eq!(report["by_source"]["facebook"]["leads"], 1, "{report:#}");
}
