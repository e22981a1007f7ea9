//! Ringless voicemail: a voicemail step goes to the tenant's vendor (served on loopback) under
//! the lead's voice consent, and a STOP by text silences it as it silences calls.

use leadflow_tests::{demo_step_on, lead_body, lead_phone, TestApp};
use serde_json::{json, Value};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The demo tenant dropping voicemails through `vendor`, its first step a voicemail and its
/// second (five minutes on) another.
pub fn dropping(vendor: &str) -> impl FnOnce(&str) -> String + '_ {
    move |demo| {
        let demo = demo_step_on(&demo_step_on(demo, "0m", "voicemail", "day3_call"), "5m", "voicemail", "day3_call");
        format!(
            "[voicemail]\nurl = \"{vendor}/v1/drops\"\nauth = \"bearer\"\nsecret = \"rvm-test-token\"\n\
             audio_url = \"https://cdn.example.com/demo.mp3\"\n\
             body = {{ phone = \"{{to}}\", caller_id = \"{{from}}\", audio = \"{{audio_url}}\", ref = \"{{touch_id}}\" }}\n\n{demo}"
        )
    }
}

/// A vendor on loopback that takes every drop.
pub async fn vendor() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/drops"))
        .and(header("authorization", "Bearer rvm-test-token"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "id": "drop-1" })))
        .mount(&server)
        .await;
    server
}

async fn drops(vendor: &MockServer) -> Vec<Value> {
    let requests = vendor.received_requests().await.unwrap();
    requests.iter().map(|r| serde_json::from_slice(&r.body).unwrap()).collect()
}

async fn enrol_with(app: &TestApp, body: &Value) -> String {
    let response = app.post_lead(body).await;
    assert_eq!(response.status(), 202);
    let id = response.json::<Value>().await.unwrap()["lead_id"].as_str().unwrap().to_owned();
    app.settle().await;
    id
}

#[tokio::test]
async fn a_voicemail_step_is_dropped_through_the_vendor_with_the_touch_as_reference() {
    let vendor = vendor().await;
    let app = TestApp::builder().tenant(dropping(&vendor.uri())).live_channels().spawn().await;
    let id = app.enrol(1).await;

    let lead = app.lead(&id).await;
    let touch = &lead["touches"][0];
    assert_eq!(touch["channel"], "voicemail");
    assert_eq!(touch["status"]["provider_id"], "drop-1", "{lead}");
    assert_eq!(
        drops(&vendor).await,
        [
            json!({ "phone": lead_phone(1), "caller_id": "+14155550100", "audio": "https://cdn.example.com/demo.mp3", "ref": touch["id"] })
        ]
    );
}

#[tokio::test]
async fn voicemail_needs_voice_consent_and_a_stop_by_text_silences_it() {
    let vendor = vendor().await;
    let app = TestApp::builder().tenant(dropping(&vendor.uri())).live_channels().spawn().await;
    let mut no_calls = lead_body(1);
    no_calls["consent"]["voice"] = json!(false);
    no_calls["consent"]["email"] = json!(true);
    enrol_with(&app, &no_calls).await;
    assert!(drops(&vendor).await.is_empty(), "no voice consent, no voicemail");

    let mut body = lead_body(2);
    body["consent"]["voice"] = json!(true);
    let id = enrol_with(&app, &body).await;
    assert_eq!(drops(&vendor).await.len(), 1);
    app.text_in(&lead_phone(2), "STOP").await;
    app.advance(600).await;

    assert_eq!(drops(&vendor).await.len(), 1, "the second drop was silenced");
    let lead = app.lead(&id).await;
    assert!(lead["opted_out"].as_array().unwrap().contains(&json!("voicemail")), "{lead}");
}
