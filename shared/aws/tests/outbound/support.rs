//! A message, a fast retry policy and an SDK configuration pointed at a mock server.

use aws_config::SdkConfig;
use chrono::Utc;
use leadflow_core::domain::{Channel, LeadId, TenantId, TouchId};
use leadflow_core::ports::{OutboundMessage, SendError, Undeliverable};
use leadflow_providers::RetryPolicy;
use std::time::Duration;
use wiremock::{MockServer, Request};

pub const FROM: &str = "+15550001111";
pub const TO: &str = "+15557654321";

/// The SDK's configuration, every service's endpoint at `server`, with fixed credentials.
pub async fn sdk(server: &MockServer) -> SdkConfig {
    sdk_at(&server.uri()).await
}

/// `sdk` at any endpoint.
pub async fn sdk_at(endpoint: &str) -> SdkConfig {
    let credentials = aws_sdk_sesv2::config::Credentials::new("AKIDTEST", "secret-test", None, None, "test");
    leadflow_aws::runtime::sdk_loader()
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(credentials)
        .load()
        .await
}

/// Three attempts, millisecond backoff, a short timeout: the discipline, quickly.
pub fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        attempts: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
        timeout: Duration::from_millis(500),
        connect_timeout: Duration::from_millis(250),
    }
}

/// A touch on `channel` to `to`.
pub fn message(channel: Channel, to: &str) -> OutboundMessage {
    OutboundMessage {
        touch_id: TouchId::new(),
        tenant: TenantId::parse("acme").unwrap(),
        lead_id: Some(LeadId::new()),
        channel,
        to: to.to_owned(),
        from: channel.uses_phone().then(|| FROM.to_owned()),
        subject: (channel == Channel::Email).then(|| "Your visit".to_owned()),
        body: "Hi Ann, thanks for reaching out!".to_owned(),
        unsubscribe_url: None,
        step: 1,
        due_at: Utc::now(),
    }
}

/// The request's JSON body.
pub fn json(request: &Request) -> serde_json::Value {
    serde_json::from_slice(&request.body).unwrap()
}

/// A SigV4 `Authorization` header for `service` in us-east-1 with the test key.
pub fn assert_signed(request: &Request, service: &str) {
    let auth = request.headers.get("authorization").expect("an Authorization header").to_str().unwrap();
    assert!(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDTEST/"), "{auth}");
    assert!(auth.contains(&format!("/us-east-1/{service}/aws4_request")), "{auth}");
    assert!(auth.contains("Signature="), "{auth}");
    assert!(request.headers.contains_key("x-amz-date"));
}

/// The reason of a permanent failure.
pub fn permanent(result: Result<String, SendError>) -> Undeliverable {
    match result {
        Err(SendError::Permanent { reason, .. }) => reason,
        other => panic!("expected a permanent error, got {other:?}"),
    }
}
