//! The inbound function's SNS webhooks as its main builds them: only the stack's topics, and
//! signing certificates only from SNS's own hosts — no loopback allowance, whatever the
//! message says (that allowance exists for `leadflow dev` and the API tests only).

use crate::harness::{event, Stack};
use leadflow_tests::start_time;
use serde_json::Value;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The topics of the sample events.
const SMS_TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:leadflow-InboundSmsTopic-1A2B3C4D5E6F";
const SES_TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:leadflow-SesEventsTopic-6F5E4D3C2B1A";
const SAMPLE_CERT_URL: &str =
    "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-01d088a6f77103d0fe307c0069e40ed6.pem";

#[tokio::test]
async fn the_inbound_function_refuses_foreign_topics_and_loopback_certificates_and_changes_nothing() {
    let stack = Stack::new(start_time()).await;
    let id = stack.post_lead().await;
    // A server that would hand out a certificate to anyone who asked: nobody may ask.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("cert"))
        .expect(0)
        .mount(&server)
        .await;

    let bounce = event("apigw-v2-aws-ses-bounce.json", &[]);
    let reply = stack.inbound_taking_sns(&[SMS_TOPIC], &bounce).await;
    assert_eq!(reply.status, 403, "a topic not in LEADFLOW_SNS_TOPICS: {}", reply.text());

    let stop = event("apigw-v2-aws-sms.json", &[]).replace(SAMPLE_CERT_URL, &format!("{}/cert.pem", server.uri()));
    let reply = stack.inbound_taking_sns(&[SMS_TOPIC, SES_TOPIC], &stop).await;
    assert_eq!(reply.status, 403, "a certificate on loopback: {}", reply.text());
    let error: Value = reply.json();
    assert!(error["error"].as_str().unwrap().contains("SigningCertURL"), "{error}");

    // `http_router` (what intake and report serve) takes no SNS message at all.
    let reply = stack.inbound(&event("apigw-v2-aws-sms.json", &[])).await;
    assert_eq!(reply.status, 403);

    let lead = stack.lead(&id).await;
    assert_eq!(lead["state"], "active");
    assert!(lead.get("undeliverable").is_none(), "{lead}");
}
