//! Calls: a voice step dials the lead through Twilio's Calls API (served on loopback); Twilio
//! fetches the call's script from the answer webhook, which speaks the message to a person
//! with "press 1", or leaves it on a voicemail box; pressing 1 connects the call to the
//! tenant's line and hands the lead to a human, as a reply does.

use leadflow_core::config::without_demo_team;
use leadflow_tests::{demo_step_on, lead_phone, twilio_signature, TestApp, DEMO_NUMBER, DEMO_TWILIO_TOKEN};
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The URL the tests' Twilio calls and signs: the deployment's public one.
const PUBLIC: &str = "https://leads.example.test";
const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
const OFFICE: &str = "+14155550199";

/// The demo tenant calling through Twilio at `api_url`, its first step a call whose script
/// names the lead (with markup in it, to be escaped).
fn calling(api_url: &str) -> impl FnOnce(&str) -> String + '_ {
    move |demo| {
        let demo = demo_step_on(demo, "0m", "voice", "day3_call").replace(
                "[twilio]\nauth_token = \"demo_twilio_auth_token\"\n",
                &format!(
                    "[twilio]\nauth_token = \"demo_twilio_auth_token\"\naccount_sid = \"{ACCOUNT_SID}\"\napi_url = \"{api_url}\"\n"
                ),
            );
        format!("[voice]\nprovider = \"twilio\"\ntransfer_to = \"{OFFICE}\"\n\n{demo}")
    }
}

/// A Twilio account on loopback that takes every call.
async fn twilio() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json")))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(serde_json::json!({ "sid": "CA42", "status": "queued" })),
        )
        .mount(&server)
        .await;
    server
}

/// A voice webhook for the lead's call, signed as Twilio signs it (or forged).
async fn call_webhook(app: &TestApp, path_and_query: &str, extra: &[(&str, &str)], signed: bool) -> (u16, String) {
    call_webhook_to(app, 1, path_and_query, extra, signed).await
}

/// `call_webhook` for the call to lead number `n`.
async fn call_webhook_to(
    app: &TestApp,
    n: u32,
    path_and_query: &str,
    extra: &[(&str, &str)],
    signed: bool,
) -> (u16, String) {
    let to = lead_phone(n);
    let mut params = vec![("CallSid", "CA42"), ("AccountSid", ACCOUNT_SID), ("From", DEMO_NUMBER), ("To", &to)];
    params.extend_from_slice(extra);
    let signature = if signed {
        twilio_signature(DEMO_TWILIO_TOKEN, &format!("{PUBLIC}{path_and_query}"), &params)
    } else {
        twilio_signature("not-the-token", &format!("{PUBLIC}{path_and_query}"), &params)
    };
    let response = app
        .client
        .post(format!("{}{path_and_query}", app.base))
        .header("X-Twilio-Signature", signature)
        .form(&params)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The query Twilio was given for the lead's call (`lead=…&touch=…`).
async fn call_query(twilio: &MockServer) -> String {
    let requests = twilio.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "one call");
    let form: Vec<(String, String)> = form_urlencoded::parse(&requests[0].body).into_owned().collect();
    let url = &form.iter().find(|(k, _)| k == "Url").expect("the call names its answer URL").1;
    let query = url.strip_prefix(&format!("{PUBLIC}/v1/webhooks/twilio/voice/answer?")).expect(url);
    query.to_owned()
}

fn event_types(lead: &Value) -> Vec<String> {
    lead["events"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_person_hears_the_message_with_press_1_and_a_voicemail_box_only_the_message() {
    let twilio = twilio().await;
    let app = TestApp::builder().tenant(calling(&twilio.uri())).live_channels().public_url(PUBLIC).spawn().await;
    let id = app.enrol(1).await;
    let query = call_query(&twilio).await;
    assert!(query.starts_with(&format!("lead={id}&touch=tc_")), "{query}");

    let (status, human) =
        call_webhook(&app, &format!("/v1/webhooks/twilio/voice/answer?{query}"), &[("AnsweredBy", "human")], true)
            .await;
    assert_eq!(status, 200, "{human}");
    let gather = format!(
        "<Gather numDigits=\"1\" action=\"{PUBLIC}/v1/webhooks/twilio/voice/gather?{}\" method=\"POST\">",
        query.replace('&', "&amp;")
    );
    assert!(human.contains(&gather), "{human}");
    assert!(
        human.contains("<Say>Hello Ann, this is Bright Smile Dental returning your enquiry.")
            && human.contains("<Say>To speak with someone now, press 1.</Say></Gather>"),
        "{human}"
    );

    let (_, machine) = call_webhook(
        &app,
        &format!("/v1/webhooks/twilio/voice/answer?{query}"),
        &[("AnsweredBy", "machine_end_beep")],
        true,
    )
    .await;
    assert!(!machine.contains("<Gather"), "{machine}");
    assert!(
        machine.contains("<Say>Hello Ann, this is Bright Smile Dental") && machine.ends_with("<Hangup/></Response>")
    );
    assert_eq!(app.lead(&id).await["touches"][0]["status"]["provider_id"], "CA42");
}

#[tokio::test]
async fn pressing_1_connects_the_office_and_hands_the_lead_to_a_human_for_good() {
    let twilio = twilio().await;
    let app = TestApp::builder().tenant(calling(&twilio.uri())).live_channels().public_url(PUBLIC).spawn().await;
    let id = app.enrol(1).await;
    let query = call_query(&twilio).await;

    let (status, twiml) =
        call_webhook(&app, &format!("/v1/webhooks/twilio/voice/gather?{query}"), &[("Digits", "1")], true).await;

    assert_eq!(status, 200);
    assert!(twiml.ends_with(&format!("<Dial>{OFFICE}</Dial></Response>")), "{twiml}");
    let lead = app.lead(&id).await;
    assert_eq!(lead["state"], "needs_human", "{lead}");
    let events = event_types(&lead);
    assert!(events.contains(&"replied".to_owned()) && events.contains(&"handed_off".to_owned()), "{events:?}");
    // The sequence stopped: a month on, nothing more went out (no SMS, email or call).
    app.advance(31 * 86_400).await;
    assert!(app.outbox(Some(&id)).await.is_empty());
    assert_eq!(twilio.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn another_key_says_goodbye_and_a_forged_press_is_refused() {
    let twilio = twilio().await;
    let app = TestApp::builder().tenant(calling(&twilio.uri())).live_channels().public_url(PUBLIC).spawn().await;
    let id = app.enrol(1).await;
    let query = call_query(&twilio).await;
    let gather = format!("/v1/webhooks/twilio/voice/gather?{query}");

    let (status, twiml) = call_webhook(&app, &gather, &[("Digits", "2")], true).await;
    assert_eq!(status, 200);
    assert!(twiml.contains("Goodbye.</Say><Hangup/>") && !twiml.contains("<Dial>"), "{twiml}");

    let (status, _) = call_webhook(&app, &gather, &[("Digits", "1")], false).await;
    assert_eq!(status, 403);
    let (status, _) = call_webhook(&app, &format!("/v1/webhooks/twilio/voice/answer?{query}"), &[], false).await;
    assert_eq!(status, 403);
    let lead = app.lead(&id).await;
    assert_eq!(lead["state"], "active", "{lead}");
    assert!(!event_types(&lead).contains(&"handed_off".to_owned()));
}

#[tokio::test]
async fn a_voice_webhook_without_its_lead_names_the_field() {
    let twilio = twilio().await;
    let app = TestApp::builder().tenant(calling(&twilio.uri())).live_channels().public_url(PUBLIC).spawn().await;
    let (status, body) =
        call_webhook(&app, "/v1/webhooks/twilio/voice/gather?lead=nope", &[("Digits", "1")], true).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("\"lead\""), "{body}");
}

#[tokio::test]
async fn pressing_1_connects_the_rep_whose_turn_it_is_when_the_rep_has_a_phone() {
    let twilio = twilio().await;
    let with_reps = |demo: &str| {
        let demo = calling(&twilio.uri())(demo);
        format!(
            "[[reps]]\nname = \"Dana\"\nphone = \"+14155550111\"\n\n[[reps]]\nname = \"Eli\"\n\n{}",
            without_demo_team(&demo)
        )
    };
    let app = TestApp::builder().tenant(with_reps).live_channels().public_url(PUBLIC).spawn().await;
    let id = app.enrol(1).await;
    let query = call_query(&twilio).await;

    let (_, twiml) =
        call_webhook(&app, &format!("/v1/webhooks/twilio/voice/gather?{query}"), &[("Digits", "1")], true).await;

    assert!(twiml.ends_with("<Dial>+14155550111</Dial></Response>"), "Dana's line, not the office: {twiml}");
    assert_eq!(app.lead(&id).await["owner"], "Dana");
}

/// The signals on the lead, by name.
fn signals(lead: &Value) -> Vec<String> {
    let signals = lead["signals"].as_array().cloned().unwrap_or_default();
    signals.iter().map(|s| s["signal"].as_str().unwrap().to_owned()).collect()
}

/// The texts the lead was sent, by body.
async fn texts(app: &TestApp, id: &str) -> Vec<String> {
    let outbox = app.outbox(Some(id)).await;
    outbox.iter().filter(|t| t["channel"] == "sms").map(|t| t["body"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_missed_call_is_followed_by_a_text_at_once_and_a_retried_callback_changes_nothing() {
    let twilio = twilio().await;
    let app = TestApp::builder().tenant(calling(&twilio.uri())).live_channels().public_url(PUBLIC).spawn().await;
    let id = app.enrol(1).await;
    let query = call_query(&twilio).await;
    let requests = twilio.received_requests().await.unwrap();
    let form: Vec<(String, String)> = form_urlencoded::parse(&requests[0].body).into_owned().collect();
    let callback = form.iter().find(|(k, _)| k == "StatusCallback").map(|(_, v)| v.as_str());
    assert_eq!(callback, Some(format!("{PUBLIC}/v1/webhooks/twilio/voice/status?{query}").as_str()));

    let status_path = format!("/v1/webhooks/twilio/voice/status?{query}");
    let (forged, _) = call_webhook(&app, &status_path, &[("CallStatus", "no-answer")], false).await;
    assert_eq!(forged, 403);
    assert!(signals(&app.lead(&id).await).is_empty(), "a forged callback records nothing");

    let (status, _) =
        call_webhook(&app, &status_path, &[("CallStatus", "no-answer"), ("CallDuration", "0")], true).await;
    assert_eq!(status, 204);
    app.advance(0).await;
    let lead = app.lead(&id).await;
    assert_eq!(signals(&lead), ["call_missed"], "{lead}");
    assert_eq!(lead["touches"][0]["delivery"]["state"], "undelivered", "{lead}");
    let signal = lead["events"].as_array().unwrap().iter().find(|e| e["type"] == "signal").unwrap();
    assert_eq!((&signal["signal"], &signal["channel"]), (&"call_missed".into(), &"voice".into()));
    assert!(event_types(&lead).contains(&"enrolled".to_owned()));
    let sorry = texts(&app, &id).await;
    assert_eq!(sorry.len(), 1, "{sorry:?}");
    assert!(sorry[0].starts_with("Hi Ann, sorry we missed you just now."), "{sorry:?}");

    // Twilio retries a callback it got no 2xx for; a repeat records nothing and texts nothing.
    let (again, _) = call_webhook(&app, &status_path, &[("CallStatus", "no-answer")], true).await;
    assert_eq!(again, 204);
    app.advance(60).await;
    assert_eq!(signals(&app.lead(&id).await), ["call_missed"]);
    assert_eq!(texts(&app, &id).await.iter().filter(|t| t.contains("sorry we missed you")).count(), 1);
}

#[tokio::test]
async fn an_answered_call_is_a_signal_and_a_message_on_a_voicemail_box_is_a_missed_call_too() {
    let twilio = twilio().await;
    let app = TestApp::builder().tenant(calling(&twilio.uri())).live_channels().public_url(PUBLIC).spawn().await;
    let id = app.enrol(1).await;
    let query = call_query(&twilio).await;
    let status_path = format!("/v1/webhooks/twilio/voice/status?{query}");

    // Intermediate statuses say nothing yet.
    let (ringing, _) = call_webhook(&app, &status_path, &[("CallStatus", "ringing")], true).await;
    assert_eq!(ringing, 204);
    assert!(signals(&app.lead(&id).await).is_empty());

    let done = [("CallStatus", "completed"), ("AnsweredBy", "human"), ("CallDuration", "42")];
    assert_eq!(call_webhook(&app, &status_path, &done, true).await.0, 204);
    app.advance(0).await;
    let lead = app.lead(&id).await;
    assert_eq!(signals(&lead), ["call_answered"], "{lead}");
    assert_eq!(lead["touches"][0]["delivery"]["state"], "delivered", "{lead}");
    assert!(!texts(&app, &id).await.iter().any(|t| t.contains("sorry we missed you")), "no text for an answered call");

    let other = app.enrol(2).await;
    let requests = twilio.received_requests().await.unwrap();
    let form: Vec<(String, String)> = form_urlencoded::parse(&requests[1].body).into_owned().collect();
    let url = &form.iter().find(|(k, _)| k == "StatusCallback").unwrap().1;
    let other_path = url.strip_prefix(PUBLIC).unwrap().to_owned();
    let machine = [("CallStatus", "completed"), ("AnsweredBy", "machine_end_beep")];
    assert_eq!(call_webhook_to(&app, 2, &other_path, &machine, true).await.0, 204);
    app.advance(0).await;
    assert_eq!(signals(&app.lead(&other).await), ["call_missed", "voicemail_left"]);
}

#[tokio::test]
async fn a_fast_segment_lead_whose_call_is_missed_gets_the_text_within_a_minute_under_the_demo_caps() {
    let twilio = twilio().await;
    let with_voice = |demo: &str| {
        let demo = demo.replace(
            "[twilio]\nauth_token = \"demo_twilio_auth_token\"\n",
            &format!("[twilio]\nauth_token = \"demo_twilio_auth_token\"\naccount_sid = \"{ACCOUNT_SID}\"\napi_url = \"{}\"\n", twilio.uri()),
        );
        format!("[voice]\nprovider = \"twilio\"\ntransfer_to = \"{OFFICE}\"\n\n{demo}")
    };
    let app = TestApp::builder().tenant(with_voice).live_channels().public_url(PUBLIC).spawn().await;
    // Paid search, implants, calls consented: the `fast` segment (a text at once, a call at 2 minutes).
    let mut body = leadflow_tests::lead_body(1);
    body["source"] = "google-ads".into();
    body["fields"] = serde_json::json!({ "treatment": "implants" });
    let response = app.post_lead(&body).await;
    assert_eq!(response.status(), 202);
    let id = response.json::<Value>().await.unwrap()["lead_id"].as_str().unwrap().to_owned();
    app.settle().await;
    app.advance(120).await;
    let query = call_query(&twilio).await;

    let status_path = format!("/v1/webhooks/twilio/voice/status?{query}");
    let (status, _) = call_webhook(&app, &status_path, &[("CallStatus", "busy")], true).await;
    assert_eq!(status, 204);
    app.advance(59).await;
    let outbox = app.outbox(Some(&id)).await;
    let sorry: Vec<&Value> =
        outbox.iter().filter(|t| t["body"].as_str().unwrap_or("").contains("sorry we missed you")).collect();
    assert_eq!(sorry.len(), 1, "the third touch in the hour is inside the demo's caps: {outbox:?}");
}
