//! Telnyx: the request it gets, and what its error codes become.

use crate::support::{fast_policy, header, received, sms, Provider, FROM, TELNYX_KEY, TO};
use chrono::Utc;
use leadflow_core::ports::{SendError, Sender, Undeliverable};
use leadflow_providers::{Pacer, TelnyxConfig, TelnyxSms};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn adapter(server: &MockServer, configure: impl FnOnce(&mut TelnyxConfig)) -> TelnyxSms {
    let mut config = TelnyxConfig { base_url: server.uri(), retry: fast_policy(), ..TelnyxConfig::new(TELNYX_KEY) };
    configure(&mut config);
    TelnyxSms::new(config, Pacer::unlimited()).unwrap()
}

async fn accepting_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(Provider::Telnyx.accepted("40317159-5e1a-4f4a-9c4e-7c1f0e5a0001"))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_send_posts_the_json_telnyx_expects_with_a_bearer_key() {
    let server = accepting_server().await;
    let telnyx = adapter(&server, |c| {
        c.webhook_url = Some("https://hooks.example.com/telnyx".into());
        c.messaging_profile_id = Some("4001767e-ce0f-4cae-9d5f-0d5e636e7809".into());
    });
    let body = "Hi Ann \"& co\": 50% off? Reply STOP to opt out";

    let id = telnyx.send(&sms(Some(FROM), TO, body), Utc::now()).await;

    assert_eq!(id.as_deref(), Ok("40317159-5e1a-4f4a-9c4e-7c1f0e5a0001"));
    let requests = received(&server).await;
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), "/v2/messages");
    assert_eq!(header(request, "authorization"), Some(format!("Bearer {TELNYX_KEY}").as_str()));
    assert_eq!(header(request, "content-type"), Some("application/json"));
    assert_eq!(
        request.body_json::<serde_json::Value>().unwrap(),
        json!({
            "from": FROM,
            "to": TO,
            "text": body,
            "webhook_url": "https://hooks.example.com/telnyx",
            "messaging_profile_id": "4001767e-ce0f-4cae-9d5f-0d5e636e7809",
        })
    );
    // The send endpoint declares no idempotency key: none is sent.
    assert_eq!(header(request, "idempotency-key"), None);
}

#[tokio::test]
async fn absent_options_are_left_out_of_the_body() {
    let server = accepting_server().await;

    adapter(&server, |_| {}).send(&sms(Some(FROM), TO, "Hi"), Utc::now()).await.unwrap();

    let requests = received(&server).await;
    assert_eq!(requests[0].body_json::<serde_json::Value>().unwrap(), json!({ "from": FROM, "to": TO, "text": "Hi" }));
}

#[tokio::test]
async fn a_messaging_profile_sends_without_a_from_number() {
    let server = accepting_server().await;
    let telnyx = adapter(&server, |c| c.messaging_profile_id = Some("profile-1".into()));

    telnyx.send(&sms(None, TO, "Hi"), Utc::now()).await.unwrap();

    let requests = received(&server).await;
    assert_eq!(
        requests[0].body_json::<serde_json::Value>().unwrap(),
        json!({ "to": TO, "text": "Hi", "messaging_profile_id": "profile-1" })
    );
}

#[tokio::test]
async fn each_mapped_error_code_becomes_its_reason_and_is_not_retried() {
    let cases = [
        (409, "40300", None, Undeliverable::OptedOutAtCarrier),
        (400, "40310", None, Undeliverable::InvalidAddress),
        (400, "40012", None, Undeliverable::InvalidAddress),
        (422, "10002", Some("/to"), Undeliverable::InvalidAddress),
        (422, "10016", Some("/to"), Undeliverable::InvalidAddress),
        (422, "10016", Some("/from"), Undeliverable::Rejected),
        (400, "40001", None, Undeliverable::Unreachable),
        (400, "40301", None, Undeliverable::Unreachable),
        (400, "40305", Some("/from"), Undeliverable::Rejected),
        (400, "40309", None, Undeliverable::Rejected),
        (403, "40312", None, Undeliverable::Rejected),
        (400, "40003", None, Undeliverable::Rejected),
        (401, "10009", None, Undeliverable::Rejected),
    ];
    for (status, code, pointer, expected) in cases {
        let server = MockServer::start().await;
        let mut error = json!({ "code": code, "title": format!("Telnyx says {code}"), "detail": "see the docs" });
        if let Some(pointer) = pointer {
            error["source"] = json!({ "pointer": pointer });
        }
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(status).set_body_json(json!({ "errors": [error] })))
            .mount(&server)
            .await;

        let result = adapter(&server, |_| {}).send(&sms(Some(FROM), TO, "Hi"), Utc::now()).await;

        match result {
            Err(SendError::Permanent { reason, detail }) => {
                assert_eq!(reason, expected, "code {code} ({pointer:?})");
                assert!(detail.contains(code) && detail.contains(&status.to_string()), "code {code}: {detail}");
            }
            other => panic!("code {code}: expected a permanent error, got {other:?}"),
        }
        assert_eq!(received(&server).await.len(), 1, "code {code} must not be retried");
    }
}

#[tokio::test]
async fn the_leads_number_in_a_telnyx_error_is_masked() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({ "errors": [{
            "code": "40300", "title": "Blocked due to STOP message",
            "detail": format!("Messages cannot be sent from {FROM} to {TO} due to an existing block rule."),
        }]})))
        .mount(&server)
        .await;

    let error = adapter(&server, |_| {}).send(&sms(Some(FROM), TO, "Hi"), Utc::now()).await.unwrap_err();

    let SendError::Permanent { reason, detail } = error else { panic!("expected a permanent error") };
    assert_eq!(reason, Undeliverable::OptedOutAtCarrier);
    assert!(!detail.contains("7654321") && !detail.contains("0001111"), "{detail}");
    assert!(detail.contains("***4321"), "{detail}");
}

#[tokio::test]
async fn debug_output_never_shows_the_api_key() {
    let server = MockServer::start().await;
    let telnyx = adapter(&server, |_| {});

    let shown = format!("{telnyx:?}");

    assert!(!shown.contains(TELNYX_KEY), "{shown}");
    assert!(shown.contains("redacted"), "{shown}");
}
