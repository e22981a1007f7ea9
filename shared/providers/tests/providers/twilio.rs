//! Twilio: the request it gets, and what its error codes become.

use crate::support::{fast_policy, header, received, sms, Provider, ACCOUNT_SID, AUTH_TOKEN, FROM, TO};
use base64::Engine;
use chrono::Utc;
use leadflow_core::ports::{SendError, Sender, Undeliverable};
use leadflow_providers::{Credential, Pacer, TwilioAuth, TwilioConfig, TwilioSms};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

fn form(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn adapter(server: &MockServer, configure: impl FnOnce(&mut TwilioConfig)) -> TwilioSms {
    let mut config = TwilioConfig {
        base_url: server.uri(),
        retry: fast_policy(),
        ..TwilioConfig::new(ACCOUNT_SID, TwilioAuth::AuthToken(Credential::new(AUTH_TOKEN)))
    };
    configure(&mut config);
    TwilioSms::new(config, Pacer::unlimited()).unwrap()
}

async fn accepting_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(Provider::Twilio.accepted("SM0123")).mount(&server).await;
    server
}

#[tokio::test]
async fn a_send_posts_the_form_twilio_expects_with_basic_auth() {
    let server = accepting_server().await;
    let twilio = adapter(&server, |c| c.status_callback = Some("https://hooks.example.com/twilio/status".into()));
    let body = "Hi Ann & co: 50% off? Reply STOP to opt out";

    let message = sms(Some(FROM), TO, body);
    let sid = twilio.send(&message, Utc::now()).await;

    assert_eq!(sid.as_deref(), Ok("SM0123"));
    let requests = received(&server).await;
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"));
    assert_eq!(header(request, "authorization"), Some(basic(ACCOUNT_SID, AUTH_TOKEN).as_str()));
    assert_eq!(header(request, "content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(
        form(&request.body),
        pairs(&[
            ("To", TO),
            ("From", FROM),
            ("Body", body),
            (
                "StatusCallback",
                &format!(
                    "https://hooks.example.com/twilio/status?lead={}&touch={}",
                    message.lead_id.as_ref().unwrap(),
                    message.touch_id
                )
            )
        ])
    );
}

#[tokio::test]
async fn an_api_key_authenticates_as_its_sid_and_secret() {
    let server = accepting_server().await;
    let twilio = adapter(&server, |c| {
        c.auth = TwilioAuth::ApiKey {
            sid: "SK0000000000000000000000000000000a".into(),
            secret: Credential::new("key-secret"),
        }
    });

    twilio.send(&sms(Some(FROM), TO, "Hi"), Utc::now()).await.unwrap();

    let requests = received(&server).await;
    assert_eq!(
        header(&requests[0], "authorization"),
        Some(basic("SK0000000000000000000000000000000a", "key-secret").as_str())
    );
    // The account is still the one in the URL.
    assert!(requests[0].url.path().contains(ACCOUNT_SID));
}

#[tokio::test]
async fn a_messaging_service_sends_without_a_from_number() {
    let server = accepting_server().await;
    let twilio = adapter(&server, |c| c.messaging_service_sid = Some("MG00000000000000000000000000000001".into()));

    twilio.send(&sms(None, TO, "Hi"), Utc::now()).await.unwrap();

    let requests = received(&server).await;
    assert_eq!(
        form(&requests[0].body),
        pairs(&[("To", TO), ("MessagingServiceSid", "MG00000000000000000000000000000001"), ("Body", "Hi")])
    );
}

#[tokio::test]
async fn each_mapped_error_code_becomes_its_reason_and_is_not_retried() {
    let cases = [
        (400, 21610, Undeliverable::OptedOutAtCarrier),
        (400, 21211, Undeliverable::InvalidAddress),
        (400, 21217, Undeliverable::InvalidAddress),
        (400, 21614, Undeliverable::Unreachable),
        (400, 21635, Undeliverable::Unreachable),
        (400, 30004, Undeliverable::Blocked),
        (400, 30007, Undeliverable::Rejected),
        (400, 21612, Undeliverable::Rejected),
        (400, 21408, Undeliverable::Rejected),
        (400, 21401, Undeliverable::Rejected),
        (400, 21421, Undeliverable::Rejected),
        (400, 21606, Undeliverable::Rejected),
        (400, 21659, Undeliverable::Rejected),
        (401, 20003, Undeliverable::Rejected),
        (404, 20404, Undeliverable::Rejected),
    ];
    for (status, code, expected) in cases {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(status).set_body_json(serde_json::json!({
                "code": code,
                "message": format!("Twilio says {code}"),
                "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
                "status": status,
            })))
            .mount(&server)
            .await;

        let error = adapter(&server, |_| {}).send(&sms(Some(FROM), TO, "Hi"), Utc::now()).await;

        match error {
            Err(SendError::Permanent { reason, detail }) => {
                assert_eq!(reason, expected, "code {code}");
                assert!(detail.contains(&code.to_string()), "code {code}: {detail}");
            }
            other => panic!("code {code}: expected a permanent error, got {other:?}"),
        }
        assert_eq!(received(&server).await.len(), 1, "code {code} must not be retried");
    }
}

#[tokio::test]
async fn the_leads_number_in_a_twilio_error_is_masked() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "code": 21211, "message": format!("The 'To' number {TO} is not a valid phone number."), "status": 400,
        })))
        .mount(&server)
        .await;

    let error = adapter(&server, |_| {}).send(&sms(Some(FROM), TO, "Hi"), Utc::now()).await.unwrap_err();

    let SendError::Permanent { detail, .. } = error else { panic!("expected a permanent error") };
    assert!(!detail.contains("7654321"), "{detail}");
    assert!(detail.contains("***4321"), "{detail}");
}

#[tokio::test]
async fn debug_output_never_shows_the_credentials() {
    let server = MockServer::start().await;
    let token = adapter(&server, |_| {});
    let key =
        adapter(&server, |c| c.auth = TwilioAuth::ApiKey { sid: "SK1".into(), secret: Credential::new("key-secret") });

    for shown in
        [format!("{token:?}"), format!("{key:?}"), format!("{:?}", TwilioAuth::AuthToken(Credential::new(AUTH_TOKEN)))]
    {
        assert!(!shown.contains(AUTH_TOKEN) && !shown.contains("key-secret"), "{shown}");
        assert!(shown.contains("redacted"), "{shown}");
    }
}
