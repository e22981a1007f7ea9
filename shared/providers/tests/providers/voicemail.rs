//! Ringless voicemail through a generic vendor: the body the tenant file describes, the auth,
//! the touch id as idempotency key, and the sending discipline.

use crate::support::{fast_policy, header, received, sms, FROM, TO};
use chrono::Utc;
use leadflow_core::config::BodyTemplate;
use leadflow_core::domain::Channel;
use leadflow_core::ports::{OutboundMessage, SendError, Sender, Undeliverable};
use leadflow_providers::{Credential, HttpAuth, Pacer, Rate, VoicemailConfig, VoicemailDrop};
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const AUDIO: &str = "https://cdn.example.com/acme/drop.mp3";

fn body_template(toml_body: &str) -> BodyTemplate {
    let table: toml::Table = toml::from_str(&format!("body = {toml_body}")).unwrap();
    BodyTemplate::parse(&table["body"]).unwrap()
}

fn adapter(server: &MockServer, auth: HttpAuth, body: &str) -> VoicemailDrop {
    paced_adapter(server, auth, body, Pacer::unlimited())
}

fn paced_adapter(server: &MockServer, auth: HttpAuth, body: &str, pacer: Pacer) -> VoicemailDrop {
    VoicemailDrop::new(
        VoicemailConfig {
            url: format!("{}/v1/drops", server.uri()),
            auth,
            from: None,
            audio_url: Some(AUDIO.to_owned()),
            body: body_template(body),
            retry: fast_policy(),
        },
        pacer,
    )
    .unwrap()
}

fn drop_message() -> OutboundMessage {
    let mut message = sms(Some(FROM), TO, "Hi Ann, it's Bright Smile Dental \"returning\" your call");
    message.channel = Channel::Voicemail;
    message
}

const BODY: &str = r#"{ phone = "{to}", caller_id = "{from}", recording = "{audio_url}", ref = "{touch_id}", lead = "{lead_id}", text = "{message}", ringless = true }"#;

#[tokio::test]
async fn a_drop_posts_the_configured_body_with_bearer_auth_and_the_touch_as_idempotency_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/drops"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "id": "drop_42", "status": "queued" })))
        .mount(&server)
        .await;
    let message = drop_message();

    let id = adapter(&server, HttpAuth::Bearer(Credential::new("rvm-token")), BODY).send(&message, Utc::now()).await;

    assert_eq!(id.as_deref(), Ok("drop_42"));
    let request = &received(&server).await[0];
    assert_eq!(header(request, "authorization"), Some("Bearer rvm-token"));
    assert_eq!(header(request, "idempotency-key"), Some(message.touch_id.to_string().as_str()));
    assert_eq!(header(request, "content-type"), Some("application/json"));
    let sent: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(
        sent,
        json!({
            "phone": TO, "caller_id": FROM, "recording": AUDIO, "ref": message.touch_id.to_string(),
            "lead": message.lead_id.as_ref().unwrap().to_string(), "text": message.body, "ringless": true
        })
    );
}

#[tokio::test]
async fn basic_and_header_auth_are_sent_as_configured() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(202)).mount(&server).await;
    let basic = HttpAuth::Basic { username: "acct-7".to_owned(), password: Credential::new("pw") };
    let header_auth = HttpAuth::Header { name: "X-Api-Key".to_owned(), value: Credential::new("k-123") };

    let first = adapter(&server, basic, BODY).send(&drop_message(), Utc::now()).await;
    let second = adapter(&server, header_auth, BODY).send(&drop_message(), Utc::now()).await;

    let requests = received(&server).await;
    assert_eq!(header(&requests[0], "authorization"), Some("Basic YWNjdC03OnB3"));
    assert_eq!(header(&requests[1], "x-api-key"), Some("k-123"));
    assert!(header(&requests[1], "authorization").is_none());
    // A vendor that answers without an id: the drop is named after our touch.
    assert!(first.unwrap().starts_with("rvm-tc_") && second.is_ok());
}

#[tokio::test]
async fn a_5xx_is_retried_with_the_same_idempotency_key_and_a_4xx_is_not() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": { "id": 7 } })))
        .mount(&server)
        .await;

    let id = adapter(&server, HttpAuth::Bearer(Credential::new("t")), BODY).send(&drop_message(), Utc::now()).await;

    assert_eq!(id.as_deref(), Ok("7"));
    let requests = received(&server).await;
    assert_eq!(requests.len(), 2);
    assert_eq!(header(&requests[0], "idempotency-key"), header(&requests[1], "idempotency-key"));

    let refusing = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(422).set_body_string(format!("{{\"error\":\"{TO} is not a mobile\"}}")))
        .mount(&refusing)
        .await;
    let error =
        adapter(&refusing, HttpAuth::Bearer(Credential::new("t")), BODY).send(&drop_message(), Utc::now()).await;
    let Err(SendError::Permanent { reason, detail }) = error else { panic!("{error:?}") };
    assert_eq!(reason, Undeliverable::Rejected, "a generic vendor's refusal leaves the channel open");
    assert!(detail.contains("422") && detail.contains("***4321") && !detail.contains(TO), "{detail}");
    assert_eq!(received(&refusing).await.len(), 1);
}

#[tokio::test]
async fn a_vendor_that_takes_the_drop_then_hangs_is_an_unknown_outcome_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;

    let error = adapter(&server, HttpAuth::Bearer(Credential::new("t")), BODY).send(&drop_message(), Utc::now()).await;

    assert!(matches!(error, Err(SendError::OutcomeUnknown(_))), "{error:?}");
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn an_sms_touch_is_not_dropped_as_a_voicemail() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&server).await;

    let error = adapter(&server, HttpAuth::Bearer(Credential::new("t")), BODY)
        .send(&sms(Some(FROM), TO, "Hi"), Utc::now())
        .await;

    assert!(matches!(error, Err(SendError::Permanent { reason: Undeliverable::Rejected, .. })), "{error:?}");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn drops_from_one_caller_id_are_paced() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let adapter = paced_adapter(&server, HttpAuth::Bearer("k".into()), BODY, Pacer::new(Rate::per_second(10.0)));

    let start = std::time::Instant::now();
    for _ in 0..3 {
        adapter.send(&drop_message(), Utc::now()).await.unwrap();
    }

    // Ten a second, one at a time: the third drop waits for the third tenth of a second.
    assert!(start.elapsed() >= std::time::Duration::from_millis(200), "took only {:?}", start.elapsed());
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}
