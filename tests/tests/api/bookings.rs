//! Tracked links, the booking nudge, and Calendly / Cal.com bookings with reminders and
//! rebooking, on the demo tenant's booking cadences and the manual clock.
//!
//! The demo lead is enrolled on Thursday 5 March 2026 at 10:00 EST; its day-1 email (Friday
//! 15:00Z) is the first message that carries the booking link.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use leadflow_tests::{spawn_app, TestApp};
use serde_json::{json, Value};
use sha2::Sha256;

const BOOKING_URL: &str = "https://calendly.com/bright-smile-dental/consultation";
const CALENDLY_KEY: &str = "demo_calendly_signing_key";
const CALCOM_SECRET: &str = "demo_calcom_secret";

fn hmac_hex(key: &str, parts: &[&[u8]]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    for part in parts {
        mac.update(part);
    }
    hex::encode(mac.finalize().into_bytes())
}

async fn now(app: &TestApp) -> DateTime<Utc> {
    let clock: Value = app.client.get(format!("{}/dev/clock", app.base)).send().await.unwrap().json().await.unwrap();
    clock["now"].as_str().unwrap().parse().unwrap()
}

/// POSTs a Calendly event for tenant `tenant`, signed with `key` at the server's time.
async fn calendly_as(app: &TestApp, tenant: &str, key: &str, event: &Value) -> reqwest::Response {
    let body = event.to_string();
    let t = now(app).await.timestamp().to_string();
    let signature = hmac_hex(key, &[t.as_bytes(), b".", body.as_bytes()]);
    app.client
        .post(format!("{}/v1/webhooks/calendly?tenant={tenant}", app.base))
        .header("Calendly-Webhook-Signature", format!("t={t},v1={signature}"))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn calendly(app: &TestApp, event: &Value) -> reqwest::Response {
    calendly_as(app, "demo", CALENDLY_KEY, event).await
}

async fn calcom_as(app: &TestApp, secret: &str, event: &Value) -> reqwest::Response {
    let body = event.to_string();
    app.client
        .post(format!("{}/v1/webhooks/calcom?tenant=demo", app.base))
        .header("X-Cal-Signature-256", hmac_hex(secret, &[body.as_bytes()]))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

fn invitee_created(email: &str, slot: &str) -> Value {
    json!({
        "event": "invitee.created",
        "created_at": "2026-03-06T15:30:00.000000Z",
        "payload": {
            "email": email,
            "name": "Ann Lee",
            "text_reminder_number": null,
            "rescheduled": false,
            "scheduled_event": { "start_time": slot, "end_time": slot, "name": "Consultation" },
            "uri": "https://api.calendly.com/scheduled_events/EV1/invitees/IN1"
        }
    })
}

fn calcom_event(trigger: &str, email: &str, slot: &str) -> Value {
    json!({
        "triggerEvent": trigger,
        "createdAt": "2026-03-06T15:30:00.000Z",
        "payload": {
            "uid": "bk_1",
            "startTime": slot,
            "endTime": slot,
            "attendees": [{ "email": email, "name": "Ann Lee", "timeZone": "America/New_York" }]
        }
    })
}

/// The lead's outbox entries, as (template-identifying body start, sent_at).
async fn sent(app: &TestApp, lead: &str) -> Vec<(String, String)> {
    app.outbox(Some(lead))
        .await
        .iter()
        .map(|e| (e["body"].as_str().unwrap().to_owned(), e["sent_at"].as_str().unwrap().to_owned()))
        .collect()
}

fn sent_with<'a>(sent: &'a [(String, String)], text: &str) -> Vec<&'a str> {
    sent.iter().filter(|(body, _)| body.contains(text)).map(|(_, at)| at.as_str()).collect()
}

/// Enrols demo lead `n` and lets a day pass, so its day-1 email with the booking link is out;
/// answers the lead's id and that link as sent.
async fn lead_with_booking_link(app: &TestApp, n: u32) -> (String, String) {
    let id = app.enrol(n).await;
    app.advance(86_400).await;
    let outbox = app.outbox(Some(&id)).await;
    let email = outbox.iter().find(|e| e["subject"].as_str().is_some_and(|s| s.contains("Still looking"))).unwrap();
    let body = email["body"].as_str().unwrap();
    assert!(!body.contains(BOOKING_URL), "the booking link goes out tracked: {body}");
    let start = body.find(&format!("{}/r/", app.base)).expect("a tracked link");
    let link = body[start..].split_whitespace().next().unwrap().to_owned();
    (id, link)
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

#[tokio::test]
async fn a_click_on_the_booking_link_redirects_and_without_a_booking_a_nudge_follows_two_hours_later() {
    let app = spawn_app().await;
    let (id, link) = lead_with_booking_link(&app, 1).await;

    let click = no_redirects().get(&link).send().await.unwrap();
    assert_eq!(click.status(), 302);
    assert_eq!(click.headers()["location"], BOOKING_URL);
    assert_eq!(click.headers()["referrer-policy"], "no-referrer");
    // A second click while the nudge waits starts no second one.
    assert_eq!(no_redirects().get(&link).send().await.unwrap().status(), 302);

    app.advance(2 * 3600 - 1).await;
    assert!(sent_with(&sent(&app, &id).await, "still looking for a time").is_empty(), "not before two hours");
    app.advance(1).await;
    assert_eq!(sent_with(&sent(&app, &id).await, "still looking for a time"), ["2026-03-06T17:00:00Z"]);

    let lead = app.lead(&id).await;
    let clicks: Vec<&Value> =
        lead["events"].as_array().unwrap().iter().filter(|e| e["type"] == "link_clicked").collect();
    assert_eq!(clicks.len(), 2);
    assert_eq!(clicks[0]["url"], BOOKING_URL);
    assert_eq!(clicks[0]["booking"], true);
    let nudges = lead["enrolments"].as_array().unwrap().iter().filter(|e| e["cadence"] == "nudge").count();
    assert_eq!(nudges, 1);
    let report: Value = app.report("from=2026-03-01&to=2026-03-31").await.json().await.unwrap();
    assert_eq!(report["clicks"], 2);
    assert_eq!(report["booking_clicks"], 2);
}

#[tokio::test]
async fn a_booking_after_the_click_stops_the_nudge_and_the_follow_up_and_reminds_24_hours_and_1_hour_before() {
    let app = spawn_app().await;
    let (id, link) = lead_with_booking_link(&app, 1).await;
    assert_eq!(no_redirects().get(&link).send().await.unwrap().status(), 302);
    app.advance(1800).await;

    // Monday 9 March, 11:00 EDT (the US moved its clocks on Sunday the 8th).
    let booked = calendly(&app, &invitee_created("ann1@example.com", "2026-03-09T15:00:00.000000Z")).await;
    assert_eq!(booked.status(), 200);
    assert_eq!(booked.json::<Value>().await.unwrap()["lead_id"], id.as_str());
    let before = sent(&app, &id).await.len();

    app.advance(7 * 86_400).await;
    let all = sent(&app, &id).await;
    assert!(sent_with(&all, "still looking for a time").is_empty(), "the booking stopped the nudge");
    assert_eq!(sent_with(&all, "tomorrow"), ["2026-03-08T15:00:00Z"]);
    assert_eq!(sent_with(&all, "within the hour"), ["2026-03-09T14:00:00Z"]);
    assert_eq!(all.len(), before + 2, "nothing else: the follow-up cadence stopped");

    let lead = app.lead(&id).await;
    assert_eq!(lead["state"], "booked");
    let outcome = lead["events"].as_array().unwrap().iter().find(|e| e["type"] == "outcome").unwrap();
    assert_eq!(outcome["slot"], "2026-03-09T15:00:00Z");
}

#[tokio::test]
async fn a_cancelled_booking_sends_no_reminders() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    let slot = "2026-03-09T15:00:00.000Z";
    assert_eq!(
        calcom_as(&app, CALCOM_SECRET, &calcom_event("BOOKING_CREATED", "ann1@example.com", slot)).await.status(),
        200
    );
    app.advance(3600).await;
    let cancelled = calcom_as(&app, CALCOM_SECRET, &calcom_event("BOOKING_CANCELLED", "ann1@example.com", slot)).await;
    assert_eq!(cancelled.status(), 200);
    let before = sent(&app, &id).await.len();

    app.advance(7 * 86_400).await;
    assert_eq!(sent(&app, &id).await.len(), before, "no reminder, and no follow-up either");
    let lead = app.lead(&id).await;
    assert_eq!(lead["state"], "cancelled");
    let reminders = lead["enrolments"].as_array().unwrap().iter().find(|e| e["cadence"] == "reminders").unwrap();
    assert_eq!(reminders["status"], json!({ "state": "stopped", "reason": "cancelled" }));
}

#[tokio::test]
async fn a_no_show_reported_by_calendly_starts_the_rebook_cadence() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    let booked = calendly(&app, &invitee_created("ann1@example.com", "2026-03-06T15:00:00.000000Z")).await;
    assert_eq!(booked.status(), 200);
    // The slot was Friday 10:00 EST; the practice marks the no-show at 11:00.
    app.advance(86_400 + 3600).await;
    let no_show = json!({
        "event": "invitee_no_show.created",
        "payload": { "email": "ann1@example.com", "name": "Ann Lee", "no_show": { "created_at": "2026-03-06T16:00:00Z" } }
    });
    assert_eq!(calendly(&app, &no_show).await.status(), 200);
    app.advance(3600).await;
    assert_eq!(sent_with(&sent(&app, &id).await, "sorry we missed you"), ["2026-03-06T17:00:00Z"]);
    assert_eq!(app.lead(&id).await["state"], "no_show");
}

#[tokio::test]
async fn a_no_show_posted_through_the_events_api_starts_the_rebook_cadence_too() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    assert_eq!(app.post_event(&id, &json!({ "type": "no_show" })).await.status(), 202);
    app.advance(3600).await;
    assert_eq!(sent_with(&sent(&app, &id).await, "sorry we missed you"), ["2026-03-05T16:00:00Z"]);
}

#[tokio::test]
async fn forged_booking_webhooks_get_403_and_change_nothing() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    let lead_before = app.lead(&id).await;
    let event = invitee_created("ann1@example.com", "2026-03-09T15:00:00.000000Z");

    assert_eq!(calendly_as(&app, "demo", "guessed key", &event).await.status(), 403);
    // Another tenant's name on a body signed with the demo key: its own key does not match.
    assert_eq!(calendly_as(&app, "other", CALENDLY_KEY, &event).await.status(), 403);
    assert_eq!(calendly_as(&app, "nobody", CALENDLY_KEY, &event).await.status(), 403);
    // A signature captured and replayed four minutes later.
    let body = event.to_string();
    let t = (now(&app).await.timestamp() - 240).to_string();
    let stale = format!("t={t},v1={}", hmac_hex(CALENDLY_KEY, &[t.as_bytes(), b".", body.as_bytes()]));
    let replayed = app
        .client
        .post(format!("{}/v1/webhooks/calendly?tenant=demo", app.base))
        .header("Calendly-Webhook-Signature", stale)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(replayed.status(), 403);
    let unsigned = app.client.post(format!("{}/v1/webhooks/calcom?tenant=demo", app.base)).body("{}").send().await;
    assert_eq!(unsigned.unwrap().status(), 403);
    let cal = calcom_event("BOOKING_CREATED", "ann1@example.com", "2026-03-09T15:00:00.000Z");
    assert_eq!(calcom_as(&app, "guessed secret", &cal).await.status(), 403);

    let lead_after = app.lead(&id).await;
    assert_eq!(lead_after["events"], lead_before["events"]);
    assert_eq!(lead_after["enrolments"], lead_before["enrolments"]);
    assert_eq!(lead_after["state"], "active");
}

#[tokio::test]
async fn a_booking_for_nobody_we_know_is_acknowledged_and_a_malformed_one_names_its_field() {
    let app = spawn_app().await;
    let stranger = calendly(&app, &invitee_created("stranger@example.com", "2026-03-09T15:00:00Z")).await;
    assert_eq!(stranger.status(), 200, "the tool must not retry it forever");
    assert_eq!(stranger.json::<Value>().await.unwrap()["lead_id"], Value::Null);

    let mut no_slot = invitee_created("ann1@example.com", "2026-03-09T15:00:00Z");
    no_slot["payload"]["scheduled_event"]["start_time"] = json!("next Monday");
    let malformed = calendly(&app, &no_slot).await;
    assert_eq!(malformed.status(), 400);
    let body: Value = malformed.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "payload.scheduled_event.start_time", "{body}");

    let event = calcom_event("BOOKING_CREATED", "not an email", "2026-03-09T15:00:00Z");
    let bad_email = calcom_as(&app, CALCOM_SECRET, &event);
    let body: Value = bad_email.await.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "payload.attendees[0].email", "{body}");

    let ping = calcom_as(&app, CALCOM_SECRET, &json!({ "triggerEvent": "PING", "payload": {} })).await;
    assert_eq!(ping.status(), 200);
}

#[tokio::test]
async fn a_forged_or_broken_link_is_a_404_page_not_a_redirect() {
    let app = spawn_app().await;
    let (_, link) = lead_with_booking_link(&app, 1).await;
    let token = link.rsplit('/').next().unwrap();
    // One character changed in the middle: the lead id's bytes, which the tag covers.
    let mut forged = token.to_owned();
    let swap = if &forged[10..11] == "A" { "B" } else { "A" };
    forged.replace_range(10..11, swap);
    for bad in [forged.as_str(), &token[..token.len() - 3], "nonsense", "%00"] {
        let response = no_redirects().get(format!("{}/r/{bad}", app.base)).send().await.unwrap();
        assert_eq!(response.status(), 404, "{bad}");
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        assert!(response.text().await.unwrap().contains("This link is not valid"));
    }
}
