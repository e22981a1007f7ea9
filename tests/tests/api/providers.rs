//! `leadflow dev --live-channels`: touches go out through the provider a tenant configured
//! (Telnyx's API, served on loopback), not to the outbox; without the flag, to the outbox.

use leadflow_tests::{TestApp, DEMO_NUMBER};
use serde_json::json;
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The demo tenant sending its SMS through Telnyx at `api_url`, its key from the environment.
fn on_telnyx(api_url: &str) -> impl FnOnce(&str) -> String + '_ {
    move |demo| {
        format!(
            "[sms]\nprovider = \"telnyx\"\nmessages_per_second = 3\n\n\
             [telnyx]\napi_key = \"env:LEADFLOW_TEST_TELNYX_KEY\"\napi_url = \"{api_url}\"\n\n{demo}"
        )
    }
}

#[tokio::test]
async fn with_live_channels_the_first_sms_goes_to_the_tenants_provider_not_the_outbox() {
    std::env::set_var("LEADFLOW_TEST_TELNYX_KEY", "KEY_live_test");
    let telnyx = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/messages"))
        .and(header("authorization", "Bearer KEY_live_test"))
        .and(body_partial_json(json!({ "from": DEMO_NUMBER, "to": leadflow_tests::lead_phone(1) })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": { "id": "40317f5e-telnyx" } })))
        .expect(1)
        .mount(&telnyx)
        .await;
    let app = TestApp::builder().tenant(on_telnyx(&telnyx.uri())).live_channels().spawn().await;

    let id = app.enrol(1).await;
    app.settle().await;

    assert_eq!(app.outbox(Some(&id)).await, Vec::<serde_json::Value>::new(), "nothing in the outbox");
    let lead = app.lead(&id).await;
    assert_eq!(lead["touches"][0]["status"]["provider_id"], "40317f5e-telnyx", "{lead}");
}

#[tokio::test]
async fn without_live_channels_a_configured_provider_is_left_alone() {
    std::env::set_var("LEADFLOW_TEST_TELNYX_KEY", "KEY_live_test");
    let telnyx = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(500)).expect(0).mount(&telnyx).await;
    let app = TestApp::builder().tenant(on_telnyx(&telnyx.uri())).spawn().await;

    let id = app.enrol(1).await;
    app.settle().await;

    assert_eq!(app.outbox(Some(&id)).await.len(), 1, "the first SMS is in the outbox");
}
