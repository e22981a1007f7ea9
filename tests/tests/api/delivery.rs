//! POST /v1/webhooks/twilio/status: Twilio reporting, after it accepted a touch, how far the
//! message got: recorded on the touch, and a failure that says the number cannot take SMS
//! closes the lead's SMS channel.

use leadflow_tests::{lead_phone, spawn_app, twilio_signature, TestApp, DEMO_NUMBER, DEMO_TWILIO_TOKEN};
use serde_json::json;

/// A status callback for a touch the lead does not have.
async fn report(app: &TestApp, lead: &str, status: &str, code: Option<&str>, signed: bool) -> reqwest::Response {
    report_on(app, lead, "tc_0000000000000000000000000000abcd", status, code, signed).await
}

/// A status callback for `lead`'s SMS `touch`, signed as Twilio signs it (the URL with its query).
async fn report_on(
    app: &TestApp,
    lead: &str,
    touch: &str,
    status: &str,
    code: Option<&str>,
    signed: bool,
) -> reqwest::Response {
    let url = format!("{}/v1/webhooks/twilio/status?lead={lead}&touch={touch}", app.base);
    let to = lead_phone(1);
    let mut params = vec![("MessageSid", "SM1"), ("MessageStatus", status), ("From", DEMO_NUMBER), ("To", &to)];
    if let Some(code) = code {
        params.push(("ErrorCode", code));
    }
    let signature = if signed { twilio_signature(DEMO_TWILIO_TOKEN, &url, &params) } else { "forged".to_owned() };
    app.client.post(url).form(&params).header("X-Twilio-Signature", signature).send().await.unwrap()
}

#[tokio::test]
async fn an_undelivered_sms_to_a_landline_closes_sms_and_the_cadence_skips_it_from_then_on() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    app.settle().await;

    let response = report(&app, &id, "undelivered", Some("30006"), true).await;
    assert_eq!(response.status(), 204);
    let lead = app.lead(&id).await;
    assert_eq!(lead["undeliverable"], json!({ "sms": "unreachable" }));
    let events: Vec<&str> = lead["events"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(events.iter().filter(|e| **e == "channel_suppressed").count(), 1, "{events:?}");

    // A repeated report changes nothing more.
    report(&app, &id, "failed", Some("30006"), true).await;
    let again = app.lead(&id).await;
    assert_eq!(again["events"].as_array().unwrap().len(), lead["events"].as_array().unwrap().len());

    // The cadence goes on by email, and its later SMS steps are skipped.
    app.advance(31 * 86_400).await;
    let channels: Vec<String> =
        app.outbox(Some(&id)).await.iter().map(|m| m["channel"].as_str().unwrap().to_owned()).collect();
    assert_eq!(channels.iter().filter(|c| *c == "sms").count(), 1, "only the SMS sent before the report: {channels:?}");
    assert!(channels.iter().any(|c| c == "email"), "{channels:?}");
}

#[tokio::test]
async fn delivered_statuses_and_failures_of_ours_leave_the_lead_alone() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    for (status, code) in [("delivered", None), ("sent", None), ("failed", Some("30007")), ("undelivered", Some("x"))] {
        assert_eq!(report(&app, &id, status, code, true).await.status(), 204, "{status} {code:?}");
    }
    assert!(app.lead(&id).await.get("undeliverable").is_none(), "30007 (filtered) is ours: the lead keeps SMS");
}

#[tokio::test]
async fn a_forged_status_callback_is_403_and_changes_nothing() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    assert_eq!(report(&app, &id, "undelivered", Some("30006"), false).await.status(), 403);
    assert!(app.lead(&id).await.get("undeliverable").is_none());
}

#[tokio::test]
async fn the_touch_records_how_far_its_message_got_and_a_late_report_does_not_undo_it() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    app.settle().await;
    let touch = app.lead(&id).await["touches"][0]["id"].as_str().unwrap().to_owned();
    let delivery = |lead: serde_json::Value| lead["touches"][0]["delivery"].clone();

    assert_eq!(report_on(&app, &id, &touch, "queued", None, true).await.status(), 204);
    assert_eq!(delivery(app.lead(&id).await), serde_json::Value::Null, "queued says nothing yet");
    report_on(&app, &id, &touch, "sent", None, true).await;
    assert_eq!(delivery(app.lead(&id).await)["state"], "sent");
    report_on(&app, &id, &touch, "delivered", None, true).await;
    let delivered = delivery(app.lead(&id).await);
    assert_eq!(delivered["state"], "delivered");
    assert!(delivered["at"].is_string());
    // Callbacks arrive out of order: a late `sent` or a second final word changes nothing.
    report_on(&app, &id, &touch, "sent", None, true).await;
    report_on(&app, &id, &touch, "undelivered", Some("30003"), true).await;
    assert_eq!(delivery(app.lead(&id).await), delivered);
    // A malformed touch id is named.
    let bad = report_on(&app, &id, "nope", "delivered", None, true).await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("touch"));
}

#[tokio::test]
async fn a_failure_is_recorded_with_its_code() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    app.settle().await;
    let touch = app.lead(&id).await["touches"][0]["id"].as_str().unwrap().to_owned();
    report_on(&app, &id, &touch, "undelivered", Some("30006"), true).await;
    let lead = app.lead(&id).await;
    assert_eq!(lead["touches"][0]["delivery"]["state"], "undelivered");
    assert_eq!(lead["touches"][0]["delivery"]["error_code"], 30006);
}

#[tokio::test]
async fn the_first_delivered_text_verifies_the_phone_and_later_ones_write_nothing_on_the_lead() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    let touch = app.lead(&id).await["touches"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(report_on(&app, &id, &touch, "delivered", None, true).await.status(), 204);
    let verified = app.lead(&id).await;
    let delivered = |lead: &serde_json::Value| {
        lead["signals"].as_array().unwrap().iter().filter(|s| s["signal"] == "sms_delivered").count()
    };
    assert_eq!(delivered(&verified), 1, "{verified}");
    assert!(verified["points"].as_array().unwrap().iter().any(|p| p["why"] == "sms_delivered" && p["points"] == 10.0));

    // The next text's (day 5) delivery report: on its touch, not on the lead (no write, no
    // timeline entry).
    app.advance(6 * 86_400).await;
    let lead = app.lead(&id).await;
    let texts: Vec<&serde_json::Value> =
        lead["touches"].as_array().unwrap().iter().filter(|t| t["channel"] == "sms").collect();
    assert_eq!(texts.len(), 2, "{lead}");
    let second = texts[1]["id"].as_str().unwrap().to_owned();
    assert_eq!(report_on(&app, &id, &second, "delivered", None, true).await.status(), 204);
    let after = app.lead(&id).await;
    assert_eq!(
        after["touches"].as_array().unwrap().iter().filter(|t| t["delivery"]["state"] == "delivered").count(),
        2
    );
    assert_eq!(delivered(&after), 1);
    assert_eq!(after["version"], lead["version"], "the lead was not written again");
    assert_eq!(after["events"].as_array().unwrap().len(), lead["events"].as_array().unwrap().len());
}
