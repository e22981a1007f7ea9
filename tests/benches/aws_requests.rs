//! AWS requests per lead, measured: one lead through the demo cadence's distinct paths on the
//! real handlers against the emulator, every SDK request counted by an interceptor, then
//! multiplied out over the demo cadence and priced at us-east-1 list prices.
//!
//! Paths measured: intake; a touch whose next is queued on SQS (≤ 15 min away); a touch
//! whose next becomes an EventBridge schedule; a scheduled touch arriving a minute early (put
//! back on SQS); the same touch arriving on time; the `unengaged` signal the third touch
//! without engagement notes (taken apart from that touch: it comes once per three); a STOP.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

#[path = "../tests/aws/harness.rs"]
#[allow(dead_code)]
mod harness;

use chrono::{Duration, TimeZone, Utc};
use harness::{event, Stack};
use std::collections::BTreeMap;

type Counts = BTreeMap<(String, String), u64>;

fn total(counts: &Counts) -> u64 {
    counts.values().sum()
}

fn show(name: &str, counts: &Counts) {
    let detail: Vec<String> = counts.iter().map(|((service, op), n)| format!("{service}.{op}×{n}")).collect();
    println!("  {name:<44} {:>3}  {}", total(counts), detail.join(" "));
}

fn add(into: &mut Counts, from: &Counts, times: u64) {
    for (key, n) in from {
        *into.entry(key.clone()).or_default() += n * times;
    }
}

/// The message that runs the enrolment's current step (what SQS or Scheduler delivers).
fn due_body(lead: &serde_json::Value) -> String {
    let e = &lead["enrolments"][0];
    serde_json::json!({
        "tenant": "demo",
        "lead_id": lead["id"],
        "enrolment_id": e["id"],
        "step": e["next_step"],
        "version": e["version"],
        "due_at": e["next_due_at"],
    })
    .to_string()
}

#[tokio::main]
async fn main() {
    // Thursday 5 March 2026, 10:00 in New York: inside the allowed window.
    let start = Utc.with_ymd_and_hms(2026, 3, 5, 15, 0, 0).unwrap();
    let stack = Stack::new(start).await;
    stack.counter.take();

    let id = stack.post_lead().await;
    let intake = stack.counter.take();

    stack.drain().await; // step 0 (SMS at once); step 1 (+5 min) goes on SQS with a delay
    let touch_next_on_sqs = stack.counter.take();

    // Step 1 falls due: deliver what SQS would; step 2 (+1 day) becomes a schedule.
    let lead = stack.lead(&id).await;
    stack.counter.take();
    stack.clock.set(start + Duration::minutes(5));
    stack.enqueue(&due_body(&lead)).await;
    stack.drain().await;
    let touch_next_scheduled = stack.counter.take();

    // Step 2: Scheduler fires in the minute before it; the step function puts it back.
    let due = start + Duration::days(1);
    let fired = stack.advance_to(due - Duration::seconds(1)).await;
    assert_eq!(fired.len(), 1, "one schedule fires");
    stack.drain().await;
    let early_arrival = stack.counter.take();
    stack.start_real_time();
    let (_, waited) = stack.wait_and_step(std::time::Duration::from_secs(5)).await;
    let on_time_and_unengaged = stack.counter.take();
    // Step 2 was the third touch without engagement: it noted `unengaged`. What that costs
    // alone, measured by noting it again, is taken out of the touch.
    let lead_id = leadflow_core::domain::LeadId::parse(&id).unwrap();
    let tenant = leadflow_core::domain::TenantId::parse("demo").unwrap();
    let noted = stack.app.record_signal(&tenant, &lead_id, leadflow_core::domain::Signal::Unengaged, None).await;
    assert!(noted.unwrap());
    let unengaged = stack.counter.take();
    let mut on_time_arrival = on_time_and_unengaged.clone();
    for (key, n) in &unengaged {
        let left = on_time_arrival.get_mut(key).expect("the third touch noted unengaged");
        *left -= n;
    }
    on_time_arrival.retain(|_, n| *n > 0);

    let reply = stack.inbound(&event("apigw-v2-twilio-sms.json", &[])).await;
    assert_eq!(reply.status, 200);
    let stop = stack.counter.take();
    let _ = stack.summary().await;
    let report = stack.counter.take();

    println!("AWS requests by path (DynamoDB, SQS, Scheduler calls made by leadflow's code):");
    show("intake (POST /v1/leads)", &intake);
    show("touch; next on SQS (<= 15 min)", &touch_next_on_sqs);
    show("touch; next as an EventBridge schedule", &touch_next_scheduled);
    show("scheduled touch arriving early (re-delay)", &early_arrival);
    show("scheduled touch arriving on time", &on_time_arrival);
    show("unengaged noted (every 3rd silent touch)", &unengaged);
    show("reply STOP (inbound)", &stop);
    show("report (GET /v1/reports/summary)", &report);
    println!("  (re-delay waited {waited:?} of real time)");

    // The demo cadence: 9 touches; steps 0 and 1 are at most 15 minutes apart (SQS), steps
    // 2..8 are scheduled (each arrives early, then on time); touches 3, 6 and 9 go unanswered
    // and note `unengaged`; then one reply.
    let mut per_lead = Counts::new();
    add(&mut per_lead, &intake, 1);
    add(&mut per_lead, &touch_next_on_sqs, 1);
    add(&mut per_lead, &touch_next_scheduled, 1);
    add(&mut per_lead, &early_arrival, 7);
    add(&mut per_lead, &on_time_arrival, 7);
    add(&mut per_lead, &unengaged, 3);
    add(&mut per_lead, &stop, 1);
    let count = |service: &str| per_lead.iter().filter(|((s, _), _)| s == service).map(|(_, n)| n).sum::<u64>();
    let (dynamodb, sqs, scheduler) = (count("DynamoDB"), count("SQS"), count("Scheduler"));

    // Made by AWS on our behalf, not by our code: one Lambda invocation per intake, per
    // SQS delivery and per webhook; one Scheduler invocation per schedule; the Lambda SQS
    // poller's ReceiveMessage + DeleteMessage per delivery (at low volume, one each).
    let deliveries = 2 + 7 * 2;
    let lambda_invocations = 1 + deliveries + 1;
    let scheduler_invocations = 7;
    let poller_sqs = 2 * deliveries;
    let api_requests = 2;
    println!("\nPer lead, demo cadence (9 touches over 31 days, one reply):");
    println!("  DynamoDB requests        {dynamodb}");
    println!("  SQS requests             {} (ours {sqs} + Lambda poller {poller_sqs})", sqs + poller_sqs);
    println!("  Scheduler API requests   {scheduler}; schedule invocations {scheduler_invocations}");
    println!("  Lambda invocations       {lambda_invocations}; HTTP API requests {api_requests}");
    println!("  minimum the design needs: 1 write to accept, 1 read + 1 conditional write + 1 record per touch, 1 schedule per touch");

    // us-east-1 list prices (November 2026): DynamoDB on-demand $0.625 per million write and
    // $0.125 per million read request units; SQS $0.40 per million requests; Scheduler
    // $1.00 per million invocations (API calls are free); Lambda $0.20 per million requests
    // plus $0.0000133334 per GB-second on arm64; HTTP API $1.00 per million requests.
    let writes: u64 = per_lead
        .iter()
        .filter(|((s, op), _)| s == "DynamoDB" && !matches!(op.as_str(), "GetItem" | "Query"))
        .map(|(_, n)| n)
        .sum();
    let reads = dynamodb - writes;
    // Transactions cost two units per item; items are small (< 1 KB). Take 3 items per
    // transaction on average (lead + keys at intake, enrolment + touch + event on a claim).
    let transact: u64 =
        per_lead.iter().filter(|((s, op), _)| s == "DynamoDB" && op == "TransactWriteItems").map(|(_, n)| n).sum();
    let write_units = (writes - transact) + transact * 3 * 2;
    let read_units = reads; // strongly consistent, < 4 KB: one unit each
    let gb_seconds = lambda_invocations as f64 * 0.256 * 0.05; // 256 MB, ~50 ms each
    let cost_per_lead = write_units as f64 * 0.625e-6
        + read_units as f64 * 0.125e-6
        + (sqs + poller_sqs) as f64 * 0.40e-6
        + scheduler_invocations as f64 * 1.00e-6
        + lambda_invocations as f64 * 0.20e-6
        + gb_seconds * 0.0000133334
        + api_requests as f64 * 1.00e-6;
    println!("\nCost per 1,000 leads at us-east-1 prices: ${:.3}", cost_per_lead * 1000.0);
    println!(
        "  ({write_units} write units, {read_units} read units, {} SQS requests, {scheduler_invocations} schedule invocations, {lambda_invocations} Lambda invocations per lead)",
        sqs + poller_sqs
    );
}
