//! Every touch at its second: a touch days away is a schedule a minute early, re-delayed
//! through SQS when it fires; an early message goes back on the queue with a delay.

use crate::harness::{body_json, failures, instant, sqs_bodies, Stack};
use chrono::{DateTime, Duration, TimeZone, Utc};
use leadflow_tests::start_time;
use serde_json::{json, Value};

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn sent_at(lead: &Value, step: u64) -> DateTime<Utc> {
    let touch = lead["touches"].as_array().unwrap().iter().find(|t| t["step"] == step).expect("a touch for the step");
    assert_eq!(touch["status"]["state"], "sent", "{touch:#}");
    instant(&touch["status"]["sent_at"])
}

#[tokio::test]
async fn a_touch_due_in_three_days_is_scheduled_a_minute_early_and_goes_out_at_its_second() {
    // Thursday 5 March 2026, 20:58 in New York: the 5-minute email would fall in quiet hours,
    // so every later step of the demo cadence is days or hours away, an EventBridge schedule.
    let enrolled = Utc.with_ymd_and_hms(2026, 3, 6, 1, 58, 0).unwrap();
    let stack = Stack::new(enrolled).await;
    let id = stack.post_lead().await;
    assert_eq!(stack.drain().await, 1);
    assert_eq!(stack.sent.steps(), [0]);

    // Steps 1 (08:00 next morning) and 2 (a day after enrolment): each a schedule, fired here
    // at its due second itself (later in the minute than Scheduler's at() minute, as a retried
    // delivery would be), so the step runs on time without a re-delay.
    for (step, due) in [(1, "2026-03-06T13:00:00Z"), (2, "2026-03-07T01:58:00Z")] {
        assert_eq!(stack.queue_depth().await, (0, 0, 0), "step {step} is not an SQS message");
        let fired = stack.advance_to(utc(due)).await;
        assert_eq!(fired.len(), 1, "step {step}");
        assert_eq!(fired[0].at, utc(due) - Duration::minutes(1));
        assert_eq!(stack.drain().await, 1);
        assert_eq!(sent_at(&stack.lead(&id).await, step), utc(due));
    }
    assert_eq!(stack.sent.steps(), [0, 1, 2]);

    // Step 3, "day 3 at 10:00" in New York: Sunday 8 March, after the switch to EDT, 14:00 UTC.
    let due = utc("2026-03-08T14:00:00Z");
    let lead = stack.lead(&id).await;
    let enrolment = &lead["enrolments"][0];
    assert_eq!((enrolment["next_step"].clone(), instant(&enrolment["next_due_at"])), (json!(3), due));
    assert_eq!(stack.queue_depth().await, (0, 0, 0), "not an SQS message");
    let schedules = stack.schedules().await;
    assert_eq!(schedules.len(), 1, "one pending schedule per enrolment: {schedules:?}");
    let schedule = &schedules[0];
    assert_eq!(schedule.at, utc("2026-03-08T13:59:00Z"), "its whole minute lies before the due time");
    assert_eq!(schedule.timezone.as_deref(), Some("UTC"));
    assert_eq!(schedule.window.as_deref(), Some("OFF"));
    assert_eq!(schedule.action_after_completion.as_deref(), Some("DELETE"));
    assert_eq!(schedule.target_arn, stack.settings.targets.queue_arn);
    assert_eq!(schedule.role_arn, stack.settings.targets.scheduler_role_arn);
    let input: Value = serde_json::from_str(&schedule.input).unwrap();
    assert_eq!(
        input,
        json!({
            "kind": "touch", "tenant": "demo", "lead_id": id, "enrolment_id": enrolment["id"], "step": 3,
            "version": enrolment["version"], "due_at": "2026-03-08T14:00:00Z",
        })
    );

    // Nothing fires before its minute.
    assert!(stack.advance_to(utc("2026-03-08T13:58:59Z")).await.is_empty());
    // Scheduler fires anywhere in the minute; at its last second the message is 1 s early.
    let fired = stack.advance_to(utc("2026-03-08T13:59:59Z")).await;
    assert_eq!(fired.len(), 1);
    assert!(stack.schedules().await.is_empty(), "ActionAfterCompletion DELETE");
    stack.start_real_time();
    assert_eq!(stack.drain().await, 1);
    assert_eq!(stack.sent.steps(), [0, 1, 2], "too early: nothing sent");
    assert_eq!(stack.queue_depth().await, (0, 0, 1), "re-delayed through SQS");
    assert!(stack.schedules().await.is_empty(), "not through Scheduler again");

    // The emulator holds the delay in real time; the clock follows real time meanwhile.
    let (handled, waited) = stack.wait_and_step(std::time::Duration::from_secs(5)).await;
    assert_eq!(handled, 1);
    println!("the re-delayed touch became visible after {waited:?} of real time");
    assert_eq!(stack.sent.steps(), [0, 1, 2, 3]);
    let (message, now) = stack.sent.all()[3].clone();
    assert_eq!((message.channel.as_str(), message.due_at), ("voice", due));
    let sent = sent_at(&stack.lead(&id).await, 3);
    assert_eq!(sent, now);
    println!("step 3 due at {due}, sent at {sent}");
    assert!(sent >= due && sent - due < Duration::seconds(1), "sent at {sent}, due at {due}");
}

#[tokio::test]
async fn an_early_message_goes_back_on_the_queue_with_a_delay_and_sends_nothing() {
    let stack = Stack::new(start_time()).await;
    let id = stack.post_lead().await;
    assert_eq!(stack.drain().await, 1);
    let lead = stack.lead(&id).await;
    let enrolment = &lead["enrolments"][0];
    assert_eq!(stack.queue_depth().await, (0, 0, 1), "step 1, 5 minutes on, waits with a delay");

    // Step 1's message delivered now, 5 minutes before it is due.
    let due_at = enrolment["next_due_at"].as_str().unwrap();
    let vars = [("lead_id", id.as_str()), ("enrolment_id", enrolment["id"].as_str().unwrap()), ("due_at", due_at)];
    let early = &sqs_bodies("sqs-early-touch.json", &vars)[0];
    let expected = json!({ "step": enrolment["next_step"], "version": enrolment["version"] });
    let parsed: Value = serde_json::from_str(early).unwrap();
    assert_eq!(json!({ "step": parsed["step"], "version": parsed["version"] }), expected, "the current token");
    stack.enqueue(early).await;
    let messages = stack.receive(0).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(body_json(&messages[0]), parsed);
    assert_eq!(failures(&stack.step(&messages).await), Vec::<String>::new());

    assert_eq!(stack.sent.steps(), [0], "nothing sent early");
    assert_eq!(stack.queue_depth().await, (0, 0, 2), "put back on the queue with DelaySeconds");
    assert!(stack.schedules().await.is_empty(), "within 15 minutes: SQS, not Scheduler");
    let lead = stack.lead(&id).await;
    assert_eq!(lead["touches"].as_array().unwrap().len(), 1);
    assert_eq!(lead["enrolments"][0]["next_step"], 1);
    assert_eq!(lead["enrolments"][0]["next_due_at"], due_at, "still due at its time");
}
