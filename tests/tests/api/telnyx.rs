//! POST /v1/webhooks/telnyx/messages: ed25519 signatures, the replay window, keywords, and
//! answers sent through the channel (Telnyx takes none in the response).

use base64::Engine;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer, SigningKey};
use leadflow_tests::{lead_phone, TestApp, DEMO_NUMBER};
use serde_json::{json, Value};
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const HELP_TEXT: &str = "Bright Smile Dental: call us at (415) 555-0100 to book. Reply STOP to opt out.";
const OPT_OUT_TEXT: &str =
    "Bright Smile Dental: you are unsubscribed and will get no more messages. Reply START to resubscribe.";

/// The key pair Telnyx would sign with; the tenant file holds its public half.
fn telnyx_key() -> SigningKey {
    SigningKey::from_bytes(&[42; 32])
}

fn public_key_base64(key: &SigningKey) -> String {
    base64::engine::general_purpose::STANDARD.encode(key.verifying_key().as_bytes())
}

/// The demo tenant, receiving through Telnyx.
fn with_public_key(demo: &str) -> String {
    format!("[telnyx]\npublic_key = \"{}\"\n\n{demo}", public_key_base64(&telnyx_key()))
}

async fn spawn() -> TestApp {
    TestApp::builder().tenant(with_public_key).spawn().await
}

/// A Telnyx event as Telnyx posts it, trimmed to what matters.
fn event(event_type: &str, from: &str, to: &str, text: &str) -> String {
    json!({
        "data": {
            "record_type": "event",
            "event_type": event_type,
            "id": "b301ed3f-1490-491f-995f-6e64e69674d4",
            "occurred_at": "2026-03-05T15:00:00.000+00:00",
            "payload": {
                "record_type": "message",
                "direction": if event_type == "message.received" { "inbound" } else { "outbound" },
                "id": uuid::Uuid::now_v7().to_string(),
                "type": "SMS",
                "from": { "phone_number": from, "carrier": "T-MOBILE USA, INC.", "line_type": "Wireless" },
                "to": [{ "phone_number": to, "status": "delivered" }],
                "cc": [],
                "text": text,
                "media": [],
                "errors": []
            }
        }
    })
    .to_string()
}

/// An SMS from `from` to the demo number.
fn inbound(from: &str, text: &str) -> String {
    event("message.received", from, DEMO_NUMBER, text)
}

/// The app's clock (manual: it starts at `leadflow_tests::start_time()`).
async fn app_now(app: &TestApp) -> DateTime<Utc> {
    let clock: Value = app.client.get(format!("{}/dev/clock", app.base)).send().await.unwrap().json().await.unwrap();
    clock["now"].as_str().unwrap().parse().unwrap()
}

/// The `telnyx-signature-ed25519` for `body` signed by `key` at `at`.
fn signature(key: &SigningKey, at: i64, body: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(key.sign(format!("{at}|{body}").as_bytes()).to_bytes())
}

/// POSTs `body` with the given `(signature, timestamp)` headers, if any.
async fn post(app: &TestApp, body: &str, headers: Option<(&str, &str)>) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/v1/webhooks/telnyx/messages", app.base))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some((signature, timestamp)) = headers {
        request = request.header("telnyx-signature-ed25519", signature).header("telnyx-timestamp", timestamp);
    }
    request.send().await.unwrap()
}

/// POSTs `body` signed by `key` at the app's time plus `skew` seconds.
async fn post_signed_by(app: &TestApp, key: &SigningKey, skew: i64, body: &str) -> reqwest::Response {
    let at = app_now(app).await.timestamp() + skew;
    post(app, body, Some((&signature(key, at, body), &at.to_string()))).await
}

/// POSTs `body` signed as Telnyx signs it, now.
async fn post_signed(app: &TestApp, body: &str) -> reqwest::Response {
    post_signed_by(app, &telnyx_key(), 0, body).await
}

/// An SMS from `from` to the demo number through Telnyx, asserting the empty 200.
async fn text_in(app: &TestApp, from: &str, text: &str) {
    let response = post_signed(app, &inbound(from, text)).await;
    assert_eq!(response.status(), 200, "{text:?}");
    assert_eq!(response.json::<Value>().await.unwrap(), json!({}));
}

fn events(lead: &Value) -> Vec<String> {
    lead["events"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap().to_owned()).collect()
}

/// The outbox's replies (entries of no lead) to `to`.
async fn replies_to(app: &TestApp, to: &str) -> Vec<Value> {
    app.outbox(None).await.into_iter().filter(|e| e["lead_id"].is_null() && e["to"] == to).collect()
}

#[tokio::test]
async fn stop_through_telnyx_opts_the_lead_out_and_nothing_more_is_sent() {
    let app = spawn().await;
    let id = app.enrol(1).await;
    text_in(&app, &lead_phone(1), "STOP").await;

    app.advance(30 * 86_400).await;
    assert_eq!(
        app.outbox(None).await.len(),
        1,
        "only the first touch: no later step, no reply (the carrier confirms STOP)"
    );
    let lead = app.lead(&id).await;
    assert_eq!(lead["state"], "opted_out");
    assert_eq!(lead["opted_out"], json!(["sms", "voice", "voicemail"]));
    assert!(events(&lead).contains(&"opted_out".to_owned()), "{lead}");
}

#[tokio::test]
async fn a_revocation_in_words_gets_one_confirmation_sent_to_the_leads_number() {
    let app = spawn().await;
    let id = app.enrol(1).await;
    text_in(&app, &lead_phone(1), "Please stop texting me").await;

    let replies = replies_to(&app, &lead_phone(1)).await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(replies[0]["body"], OPT_OUT_TEXT);
    assert_eq!(replies[0]["from"], DEMO_NUMBER);
    assert_eq!(replies[0]["channel"], "sms");

    text_in(&app, &lead_phone(1), "I said stop texting me!!").await;
    assert_eq!(replies_to(&app, &lead_phone(1)).await.len(), 1, "at most one confirmation per opt-out");
    app.advance(30 * 86_400).await;
    assert_eq!(app.outbox(Some(&id)).await.len(), 1, "no touch after the opt-out");
    let lead = app.lead(&id).await;
    assert_eq!(lead["state"], "opted_out");
    let evidence = lead["events"].as_array().unwrap().iter().find(|e| e["type"] == "opted_out").unwrap().clone();
    assert_eq!(evidence["message"], "Please stop texting me");
}

#[tokio::test]
async fn help_is_answered_through_the_outbox_and_the_cadence_goes_on() {
    let app = spawn().await;
    let id = app.enrol(1).await;
    text_in(&app, &lead_phone(1), " help ").await;

    let replies = replies_to(&app, &lead_phone(1)).await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(replies[0]["body"], HELP_TEXT);
    assert_eq!(app.outbox(Some(&id)).await.len(), 1, "the reply is no touch of the lead's cadence");
    let lead = app.lead(&id).await;
    assert_eq!(lead["state"], "active");
    assert!(events(&lead).contains(&"help_requested".to_owned()), "{lead}");
}

#[tokio::test]
async fn a_bad_or_missing_signature_is_403_and_changes_nothing() {
    let app = spawn().await;
    let id = app.enrol(1).await;
    let body = inbound(&lead_phone(1), "STOP");
    let at = app_now(&app).await.timestamp();
    let now = at.to_string();

    let impostor = SigningKey::from_bytes(&[43; 32]);
    assert_eq!(post_signed_by(&app, &impostor, 0, &body).await.status(), 403, "another key");
    let signed_other_body = signature(&telnyx_key(), at, &inbound(&lead_phone(1), "hello"));
    let wrong_time = signature(&telnyx_key(), at - 1, &body);
    let headers: [Option<(&str, &str)>; 5] = [
        None,
        Some(("", &now)),
        Some(("not base64!", &now)),
        Some((&signed_other_body, &now)),
        Some((&wrong_time, &now)),
    ];
    for headers in headers {
        let response = post(&app, &body, headers).await;
        assert_eq!(response.status(), 403, "{headers:?}");
        let error: Value = response.json().await.unwrap();
        assert!(error["error"].as_str().unwrap().contains("telnyx-signature-ed25519"), "{error}");
    }
    // A body changed after signing.
    let tampered = body.replace("STOP", "STOPALL");
    assert_eq!(post(&app, &tampered, Some((&signature(&telnyx_key(), at, &body), &now))).await.status(), 403);

    let lead = app.lead(&id).await;
    assert_eq!(lead["state"], "active");
    assert_eq!(events(&lead), ["received", "enrolled", "stage_moved"], "the first touch moved it");
    assert_eq!(app.outbox(None).await.len(), 1, "only the first touch");
}

#[tokio::test]
async fn a_timestamp_outside_the_five_minute_window_is_403_either_way() {
    let app = spawn().await;
    let id = app.enrol(1).await;
    let body = inbound(&lead_phone(1), "STOP");
    for skew in [-301, 301, -86_400] {
        assert_eq!(post_signed_by(&app, &telnyx_key(), skew, &body).await.status(), 403, "{skew} s");
    }
    assert_eq!(app.lead(&id).await["state"], "active");

    // A webhook captured and posted again once the window has passed.
    let help = inbound(&lead_phone(1), "HELP");
    let at = app_now(&app).await.timestamp();
    let headers = (signature(&telnyx_key(), at, &help), at.to_string());
    assert_eq!(post(&app, &help, Some((&headers.0, &headers.1))).await.status(), 200);
    app.advance(301).await;
    assert_eq!(post(&app, &help, Some((&headers.0, &headers.1))).await.status(), 403, "replayed");
    assert_eq!(replies_to(&app, &lead_phone(1)).await.len(), 1, "one answer, to the first delivery");
}

#[tokio::test]
async fn a_delivery_report_is_200_and_changes_nothing() {
    let app = spawn().await;
    let id = app.enrol(1).await;
    // The report of a message the tenant sent, whose text says STOP: not the lead speaking.
    let finalized = event("message.finalized", DEMO_NUMBER, &lead_phone(1), "Reply STOP to opt out.");
    let response = post_signed(&app, &finalized).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap(), json!({}));

    let lead = app.lead(&id).await;
    assert_eq!(lead["state"], "active");
    assert_eq!(events(&lead), ["received", "enrolled", "stage_moved"], "the first touch moved it");
    assert_eq!(app.outbox(None).await.len(), 1);
}

#[tokio::test]
async fn a_malformed_event_is_400_naming_the_problem() {
    let app = spawn().await;

    let truncated = &inbound(&lead_phone(1), "STOP")[..40];
    let response = post_signed(&app, truncated).await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert!(error["error"].as_str().unwrap().starts_with("the body is not valid JSON"), "{error}");

    let no_sender = json!({ "data": { "event_type": "message.received",
        "payload": { "to": [{ "phone_number": DEMO_NUMBER }], "text": "STOP" } } })
    .to_string();
    let response = post_signed(&app, &no_sender).await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["fields"][0]["field"], "data.payload", "{error}");
    assert_eq!(error["fields"][0]["message"], "missing field `from`", "{error}");

    let numeric = inbound(&lead_phone(1), "STOP").replace(&format!("\"{}\"", lead_phone(1)), "14155552001");
    let response = post_signed(&app, &numeric).await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["fields"][0]["field"], "data.payload.from.phone_number", "{error}");

    let no_type = json!({ "data": { "payload": {} } }).to_string();
    let error: Value = post_signed(&app, &no_type).await.json().await.unwrap();
    assert_eq!(error["error"], "data: missing field `event_type`", "{error}");

    // Well formed and signed, but the sender is no phone number: refused by name, as Twilio's.
    let response = post_signed(&app, &inbound("not-a-number", "hi")).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["fields"][0]["field"], "data.payload.from.phone_number", "{error}");
}

#[tokio::test]
async fn a_number_no_tenant_owns_or_a_tenant_without_a_telnyx_key_is_403() {
    let app = spawn().await;
    let unknown = event("message.received", &lead_phone(1), "+14155559999", "STOP");
    assert_eq!(post_signed(&app, &unknown).await.status(), 403);
    // The second tenant has a Twilio token but no Telnyx key.
    let other = event("message.received", "+447700900123", "+442079460000", "STOP");
    assert_eq!(post_signed(&app, &other).await.status(), 403);
}

#[tokio::test]
async fn with_live_channels_the_answer_goes_out_through_the_tenants_telnyx_account() {
    std::env::set_var("LEADFLOW_TEST_TELNYX_REPLY_KEY", "KEY_reply_test");
    let telnyx = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/messages"))
        .and(body_partial_json(json!({ "from": DEMO_NUMBER, "to": lead_phone(5), "text": HELP_TEXT })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": { "id": "40317f5e-reply" } })))
        .expect(1)
        .mount(&telnyx)
        .await;
    let api_url = telnyx.uri();
    let app = TestApp::builder()
        .tenant(|demo| {
            format!(
                "[sms]\nprovider = \"telnyx\"\n\n[telnyx]\napi_key = \"env:LEADFLOW_TEST_TELNYX_REPLY_KEY\"\n\
                 api_url = \"{api_url}\"\npublic_key = \"{}\"\n\n{demo}",
                public_key_base64(&telnyx_key())
            )
        })
        .live_channels()
        .spawn()
        .await;

    // From a number that is not a lead: the answer goes out all the same.
    text_in(&app, &lead_phone(5), "HELP").await;
    assert!(app.outbox(None).await.is_empty(), "sent through Telnyx, not the outbox");
}

#[tokio::test]
async fn a_message_telnyx_delivers_twice_gets_one_help_answer() {
    let app = spawn().await;
    app.enrol(1).await;
    let help = inbound(&lead_phone(1), "HELP");
    for _ in 0..2 {
        assert_eq!(post_signed(&app, &help).await.status(), 200);
    }
    assert_eq!(replies_to(&app, &lead_phone(1)).await.len(), 1, "the same message id is handled once");
    text_in(&app, &lead_phone(1), "HELP").await;
    assert_eq!(replies_to(&app, &lead_phone(1)).await.len(), 2, "a new message is answered again");
}
