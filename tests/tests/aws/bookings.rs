//! Tracked links and a Calendly booking through the inbound function on AWS adapters: the
//! link secret read from Parameter Store, the click recorded in DynamoDB, the nudge and then
//! the reminders scheduled in EventBridge Scheduler (and the nudge's schedule withdrawn).

use crate::harness::{event, instant, Stack, LINK_SECRET, PUBLIC_URL};
use base64::Engine;
use chrono::Duration;
use hmac::{Hmac, Mac};
use leadflow_core::domain::{ClickToken, TokenKey};
use leadflow_core::ports::Clock;
use leadflow_tests::start_time;
use serde_json::{json, Value};
use sha2::Sha256;

const BOOKING_URL: &str = "https://calendly.com/bright-smile-dental/consultation";

/// The demo tenant, its first SMS carrying the booking link (in both of the first text's A/B
/// variants: which one a lead gets depends on its id).
fn link_in_first_sms(tenant: String) -> String {
    let edited = tenant
        .replace("When suits you for a quick call?", "Book a time: {{booking_link}}")
        .replace("Would a call this evening or in the morning suit you?", "Book a time: {{booking_link}}");
    assert_eq!(edited.matches("Book a time: {{booking_link}}").count(), 2, "the demo's welcome SMS changed");
    edited
}

/// The inbound function's event for a Calendly webhook of `body`, signed with `key` at `t`.
fn calendly_event(body: &Value, key: &str, t: i64) -> String {
    let body = body.to_string();
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let signature = format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()));
    let body_base64 = base64::engine::general_purpose::STANDARD.encode(body);
    event("apigw-v2-calendly.json", &[("signature", &signature), ("body_base64", &body_base64)])
}

#[tokio::test]
async fn a_click_schedules_the_nudge_and_a_calendly_booking_replaces_it_with_reminders_before_the_slot() {
    let stack = Stack::with_link_tracking(start_time(), link_in_first_sms).await;
    let id = stack.post_lead().await;
    stack.drain().await;

    // The step function signed the link with the key from Parameter Store.
    let body = stack.sent.all()[0].0.body.clone();
    let prefix = format!("{PUBLIC_URL}/r/");
    let token = body[body.find(&prefix).expect("a tracked link") + prefix.len()..].split_whitespace().next().unwrap();
    let click = ClickToken::open(&TokenKey::new(LINK_SECRET.as_bytes()), token).expect("signed with the stack's key");
    assert_eq!(click.lead.as_str(), id);

    // The click through the inbound function: a redirect, and the nudge two hours on, in Scheduler.
    let reply = stack.inbound(&event("apigw-v2-click.json", &[("token", token)])).await;
    assert_eq!(reply.status, 302, "{}", reply.text());
    assert_eq!(reply.headers["location"], BOOKING_URL);
    let nudge_at = start_time() + Duration::hours(2);
    let schedules = stack.schedules().await;
    assert_eq!(schedules.len(), 1, "{schedules:?}");
    assert_eq!(schedules[0].at, nudge_at - Duration::minutes(1), "a minute early, as every schedule");

    // A booking 30 minutes later, for Sunday 8 March at 11:00 EDT.
    stack.advance_to(start_time() + Duration::minutes(30)).await;
    let slot = start_time() + Duration::days(3);
    let booking = json!({
        "event": "invitee.created",
        "payload": {
            "email": "ann1@example.com",
            "text_reminder_number": "+1 415-555-2001",
            "scheduled_event": { "start_time": slot.to_rfc3339() }
        }
    });
    let forged = calendly_event(&booking, "not the signing key", stack.clock.now().timestamp());
    assert_eq!(stack.inbound(&forged).await.status, 403);
    assert_eq!(stack.lead(&id).await["state"], "active", "a forged booking changes nothing");
    let reply =
        stack.inbound(&calendly_event(&booking, "demo_calendly_signing_key", stack.clock.now().timestamp())).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["lead_id"], id.as_str());

    let lead = stack.lead(&id).await;
    assert_eq!(lead["state"], "booked");
    let by_cadence = |name: &str| lead["enrolments"].as_array().unwrap().iter().find(|e| e["cadence"] == name).cloned();
    assert_eq!(by_cadence("nudge").unwrap()["status"], json!({ "state": "stopped", "reason": "booked" }));
    assert_eq!(by_cadence("standard").unwrap()["status"], json!({ "state": "stopped", "reason": "booked" }));
    let reminders = by_cadence("reminders").unwrap();
    assert_eq!(instant(&reminders["anchor_at"]), slot);
    assert_eq!(instant(&reminders["next_due_at"]), slot - Duration::hours(24));
    let schedules = stack.schedules().await;
    assert_eq!(schedules.len(), 1, "the nudge's schedule withdrawn, the reminder's made: {schedules:?}");
    assert_eq!(schedules[0].at, slot - Duration::hours(24) - Duration::minutes(1));

    // The day before, the reminder goes out.
    stack.advance_to(slot - Duration::hours(24)).await;
    stack.drain().await;
    let sent = stack.sent.all();
    let last = &sent.last().unwrap().0;
    assert!(last.body.contains("tomorrow"), "{}", last.body);
    assert!(last.body.contains(&prefix), "the reminder's booking link is tracked too: {}", last.body);
    assert_eq!(sent.len(), 2, "the welcome SMS and the reminder, nothing else");
}
