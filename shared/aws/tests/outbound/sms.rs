//! AWS End User Messaging SMS (`SendTextMessage`, awsJson1.0).

use crate::support::{assert_signed, fast_policy, json, message, permanent, sdk, sdk_at, FROM, TO};
use leadflow_aws::outbound::{sms_client, EndUserMessagingSms};
use leadflow_core::domain::Channel;
use leadflow_core::ports::{SendError, Sender, Undeliverable};
use leadflow_providers::{Pacer, Rate};
use serde_json::json;
use std::time::{Duration, Instant};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TARGET: &str = "PinpointSMSVoiceV2.SendTextMessage";

async fn adapter(server: &MockServer, origin: Option<&str>, pacer: Pacer) -> EndUserMessagingSms {
    let policy = fast_policy();
    let client = sms_client(&sdk(server).await, &policy);
    EndUserMessagingSms::new(client, origin.map(str::to_owned), Some("leadflow-sms".to_owned()), pacer, policy)
}

fn sent(id: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "MessageId": id }))
}

fn error(status: u16, kind: &str, extra: serde_json::Value) -> ResponseTemplate {
    let mut body = json!({ "__type": format!("com.amazonaws.pinpointsmsvoicev2#{kind}"), "Message": "refused" });
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    ResponseTemplate::new(status).set_body_json(body)
}

async fn mount(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path("/"))
        .and(header("x-amz-target", TARGET))
        .respond_with(response)
        .mount(server)
        .await;
}

/// One text sent to a server that answers `response`: the result, and how many requests it took.
async fn send_against(response: ResponseTemplate) -> (Result<String, SendError>, usize) {
    let server = MockServer::start().await;
    mount(&server, response).await;
    let sms = message(Channel::Sms, TO);
    let result = adapter(&server, None, Pacer::unlimited()).await.send(&sms, chrono::Utc::now()).await;
    (result, server.received_requests().await.unwrap().len())
}

#[tokio::test]
async fn a_text_is_signed_and_names_its_touch_in_the_context() {
    let server = MockServer::start().await;
    mount(&server, sent("msg-0001")).await;
    let sms = message(Channel::Sms, TO);
    let id = adapter(&server, None, Pacer::unlimited()).await.send(&sms, chrono::Utc::now()).await.unwrap();
    assert_eq!(id, "msg-0001");

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_signed(&requests[0], "sms-voice");
    let body = json(&requests[0]);
    assert_eq!(body["DestinationPhoneNumber"], TO);
    assert_eq!(body["OriginationIdentity"], FROM, "the tenant's number when no identity is configured");
    assert_eq!(body["MessageBody"], sms.body);
    assert_eq!(body["ConfigurationSetName"], "leadflow-sms");
    let context = json!({
        "tenant": "acme",
        "touch": sms.touch_id.as_str(),
        "lead": sms.lead_id.as_ref().unwrap().as_str(),
    });
    assert_eq!(body["Context"], context);
}

#[tokio::test]
async fn a_configured_origination_identity_sends_instead_of_the_number() {
    let server = MockServer::start().await;
    mount(&server, sent("msg-0002")).await;
    let sms = message(Channel::Sms, TO);
    adapter(&server, Some("pool-abc123"), Pacer::unlimited()).await.send(&sms, chrono::Utc::now()).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(json(&requests[0])["OriginationIdentity"], "pool-abc123");
}

#[tokio::test]
async fn an_opted_out_destination_closes_the_channel_without_a_retry() {
    let opted_out = error(400, "ConflictException", json!({ "Reason": "DESTINATION_PHONE_NUMBER_OPTED_OUT" }));
    let (result, requests) = send_against(opted_out).await;
    assert_eq!(permanent(result), Undeliverable::OptedOutAtCarrier);
    assert_eq!(requests, 1);
}

#[tokio::test]
async fn refusals_map_to_what_they_say_about_the_number() {
    let invalid =
        json!({ "Reason": "INVALID_PARAMETER", "Fields": [{ "Name": "DestinationPhoneNumber", "Message": "bad" }] });
    let cases = [
        (error(400, "ValidationException", invalid), Undeliverable::InvalidAddress),
        (
            error(400, "ValidationException", json!({ "Reason": "DESTINATION_COUNTRY_BLOCKED" })),
            Undeliverable::Rejected,
        ),
        (
            error(400, "ConflictException", json!({ "Reason": "DESTINATION_PHONE_NUMBER_NOT_VERIFIED" })),
            Undeliverable::Rejected,
        ),
        (error(400, "AccessDeniedException", json!({ "Reason": "ACCOUNT_DISABLED" })), Undeliverable::Rejected),
        (error(404, "ResourceNotFoundException", json!({})), Undeliverable::Rejected),
    ];
    for (response, expected) in cases {
        let (result, requests) = send_against(response).await;
        assert_eq!(permanent(result), expected);
        assert_eq!(requests, 1, "a refusal is never retried");
    }
}

#[tokio::test]
async fn throttling_and_server_errors_are_retried_then_sent_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(error(400, "ThrottlingException", json!({})))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(error(500, "InternalServerException", json!({})))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(sent("msg-0003")).with_priority(3).mount(&server).await;
    let sms = message(Channel::Sms, TO);
    let id = adapter(&server, None, Pacer::unlimited()).await.send(&sms, chrono::Utc::now()).await.unwrap();
    assert_eq!(id, "msg-0003");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn throttling_that_outlasts_the_attempts_is_transient() {
    let (result, requests) = send_against(error(400, "ThrottlingException", json!({}))).await;
    assert!(matches!(result, Err(SendError::Transient(_))), "{result:?}");
    assert_eq!(requests, 3);
}

#[tokio::test]
async fn no_answer_in_time_is_an_unknown_outcome_never_resent() {
    let (result, requests) = send_against(sent("late").set_delay(Duration::from_secs(2))).await;
    assert!(matches!(result, Err(SendError::OutcomeUnknown(_))), "{result:?}");
    assert_eq!(requests, 1);
}

#[tokio::test]
async fn a_success_without_a_message_id_is_an_unknown_outcome() {
    let (result, _) = send_against(ResponseTemplate::new(200).set_body_json(json!({}))).await;
    assert!(matches!(result, Err(SendError::OutcomeUnknown(_))), "{result:?}");
}

#[tokio::test]
async fn a_connection_that_never_opens_is_retried_then_transient() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let policy = fast_policy();
    let sdk = sdk_at(&format!("http://127.0.0.1:{port}")).await;
    let adapter = EndUserMessagingSms::new(sms_client(&sdk, &policy), None, None, Pacer::unlimited(), policy);
    let result = adapter.send(&message(Channel::Sms, TO), chrono::Utc::now()).await;
    match result {
        Err(SendError::Transient(reason)) => assert!(reason.contains("gave up after 3 attempts"), "{reason}"),
        other => panic!("expected a transient error, got {other:?}"),
    }
}

#[tokio::test]
async fn each_sending_number_is_paced() {
    let server = MockServer::start().await;
    mount(&server, sent("msg-paced")).await;
    let adapter = adapter(&server, None, Pacer::new(Rate::per_second(10.0))).await;
    let started = Instant::now();
    for _ in 0..3 {
        adapter.send(&message(Channel::Sms, TO), chrono::Utc::now()).await.unwrap();
    }
    assert!(started.elapsed() >= Duration::from_millis(190), "{:?}", started.elapsed());
}

#[tokio::test]
async fn an_email_is_not_for_this_adapter() {
    let server = MockServer::start().await;
    let result = adapter(&server, None, Pacer::unlimited())
        .await
        .send(&message(Channel::Email, "a@b.example"), chrono::Utc::now())
        .await;
    assert_eq!(permanent(result), Undeliverable::Rejected);
    assert!(server.received_requests().await.unwrap().is_empty());
}
