//! Phone calls are leads too: an inbound call to the demo's Twilio number rings the front desk;
//! nobody answering makes the caller a lead texted back at once (once, whatever Twilio
//! retries); an answered call records the lead as contacted; a caller who texted STOP is asked
//! to leave a message instead; outside the office's hours the call is missed at once.

use leadflow_tests::{twilio_signature, TestApp, DEMO_NUMBER, DEMO_TWILIO_TOKEN};
use serde_json::Value;

const CALLER: &str = "+14155550188";

async fn call(app: &TestApp, path: &str, params: &[(&str, &str)]) -> reqwest::Response {
    let url = format!("{}{path}", app.base);
    let signature = twilio_signature(DEMO_TWILIO_TOKEN, &url, params);
    app.client.post(url).header("x-twilio-signature", signature).form(params).send().await.unwrap()
}

fn ringing(sid: &str) -> Vec<(&'static str, String)> {
    vec![
        ("CallSid", sid.to_owned()),
        ("From", CALLER.to_owned()),
        ("To", DEMO_NUMBER.to_owned()),
        ("CallStatus", "ringing".to_owned()),
        ("AccountSid", "AC123".to_owned()),
    ]
}

async fn dial_ended(app: &TestApp, sid: &str, status: &str) -> String {
    let mut params = ringing(sid);
    params.push(("DialCallStatus", status.to_owned()));
    let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = call(app, "/v1/webhooks/twilio/voice/incoming/done", &pairs).await;
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

async fn texts_to_caller(app: &TestApp) -> Vec<Value> {
    app.outbox(None).await.into_iter().filter(|m| m["to"] == CALLER && m["channel"] == "sms").collect()
}

#[tokio::test]
async fn a_call_rings_the_front_desk_and_a_missed_one_is_a_lead_texted_back_once() {
    let app = TestApp::builder().spawn().await;
    let params = ringing("CA001");
    let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let answer = call(&app, "/v1/webhooks/twilio/voice/incoming", &pairs).await;
    assert_eq!(answer.status(), 200);
    let twiml = answer.text().await.unwrap();
    let action = format!("{}/v1/webhooks/twilio/voice/incoming/done", app.base);
    assert!(
        twiml.contains(&format!(
            "<Dial timeout=\"20\" action=\"{action}\" method=\"POST\"><Number>+14155550123</Number></Dial>"
        )),
        "{twiml}"
    );

    let missed = dial_ended(&app, "CA001", "no-answer").await;
    assert!(missed.contains("texting you") && missed.contains("<Hangup/>"), "{missed}");
    let id = app.lead_id_by_phone(CALLER).await.expect("the caller is a lead");
    let lead = app.lead(&id).await;
    assert_eq!(
        (lead["profile"]["source"].as_str(), lead["profile"]["first_name"].as_str()),
        (Some("call"), Some("Caller"))
    );
    assert_eq!(lead["consent"]["sms"], false, "a call is no consent to texts");
    let received = lead["events"].as_array().unwrap().iter().find(|e| e["type"] == "received").unwrap().clone();
    assert_eq!(received["payload"], "call:CA001", "the call's webhook is kept");
    let kept =
        app.client.get(format!("{}/v1/payloads/call:CA001", app.base)).bearer_auth(leadflow_core::config::DEMO_API_KEY);
    assert!(kept.send().await.unwrap().text().await.unwrap().contains("CallSid=CA001"));
    let texts = texts_to_caller(&app).await;
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0]["body"].as_str().unwrap().contains("Sorry we missed your call"));
    assert_eq!(texts[0]["from"], DEMO_NUMBER);

    // Twilio retries the callback: the same lead, no second text.
    dial_ended(&app, "CA001", "no-answer").await;
    assert_eq!(texts_to_caller(&app).await.len(), 1);
    assert_eq!(app.lead_id_by_phone(CALLER).await.as_deref(), Some(id.as_str()));
}

#[tokio::test]
async fn an_answered_call_records_the_caller_as_contacted() {
    let app = TestApp::builder().spawn().await;
    assert!(dial_ended(&app, "CA002", "completed").await.contains("<Hangup/>"));
    let id = app.lead_id_by_phone(CALLER).await.expect("the caller is a lead");
    let lead = app.lead(&id).await;
    assert!(
        lead["events"].as_array().unwrap().iter().any(|e| e["type"] == "outcome" && e["outcome"] == "contacted"),
        "{lead}"
    );
    assert!(texts_to_caller(&app).await.is_empty(), "nobody texts a caller the office spoke to");
}

#[tokio::test]
async fn a_caller_who_opted_out_is_asked_for_a_message_not_texted() {
    let app = TestApp::builder().spawn().await;
    assert_eq!(app.text_in(CALLER, "STOP").await.status(), 200);
    let before = texts_to_caller(&app).await.len();
    let twiml = dial_ended(&app, "CA003", "busy").await;
    assert!(twiml.contains("leave a message") && twiml.contains("<Record maxLength=\"120\""), "{twiml}");
    assert_eq!(texts_to_caller(&app).await.len(), before);
}

#[tokio::test]
async fn outside_the_office_s_hours_a_call_is_missed_at_once() {
    let app = TestApp::builder()
        .tenant(|demo| {
            demo.replace(
                "hours = { days = \"mon-sat\", from = \"08:00\", until = \"18:00\" }",
                "hours = { days = \"sun\", from = \"08:00\", until = \"09:00\" }",
            )
        })
        .spawn()
        .await;
    let params = ringing("CA004");
    let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let twiml = call(&app, "/v1/webhooks/twilio/voice/incoming", &pairs).await.text().await.unwrap();
    assert!(!twiml.contains("<Dial"), "{twiml}");
    assert!(twiml.contains("texting you"), "{twiml}");
    assert_eq!(texts_to_caller(&app).await.len(), 1);
}

#[tokio::test]
async fn an_unsigned_call_records_nothing() {
    let app = TestApp::builder().spawn().await;
    let params = ringing("CA005");
    let response = app
        .client
        .post(format!("{}/v1/webhooks/twilio/voice/incoming/done", app.base))
        .form(&params)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(app.lead_id_by_phone(CALLER).await.is_none());
}

#[tokio::test]
async fn a_missed_call_in_the_caller_s_quiet_hours_gets_the_voicemail_prompt_not_a_text() {
    // 22:00 in New York (the demo office is open until 18:00, so make it open all day).
    let app = TestApp::builder()
        .tenant(|demo| demo.replace("hours = { days = \"mon-sat\", from = \"08:00\", until = \"18:00\" }\n", ""))
        .spawn()
        .await;
    app.advance(12 * 3600).await;
    let twiml = dial_ended(&app, "CA006", "no-answer").await;
    assert!(twiml.contains("leave a message"), "{twiml}");
    assert!(texts_to_caller(&app).await.is_empty(), "no text in quiet hours");
    assert!(app.lead_id_by_phone(CALLER).await.is_some(), "the caller is a lead all the same");
}
