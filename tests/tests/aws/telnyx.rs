//! The inbound function fed `apigw-v2-telnyx-message.json`: a STOP from the lead's phone as
//! Telnyx posts it, signed with ed25519 over `timestamp|body` by the key whose public half is
//! in the tenant file (the test key: 32 bytes of 42).

use crate::harness::{event, Stack};
use chrono::{Duration, TimeZone, Utc};
use serde_json::json;

const TELNYX_PUBLIC_KEY: &str = "GX9rI+FshTLGq8g4+s1ep4m+DHaykgM0A5v6iz02jWE=";

/// The sample's `telnyx-timestamp`: 2026-03-05T15:02:00Z.
fn signed_at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 5, 15, 2, 0).unwrap()
}

async fn stack() -> Stack {
    Stack::with_tenant(leadflow_tests::start_time(), |tenant| {
        format!("[telnyx]\npublic_key = \"{TELNYX_PUBLIC_KEY}\"\n\n{tenant}")
    })
    .await
}

#[tokio::test]
async fn a_signed_telnyx_stop_opts_the_lead_out_through_the_inbound_function() {
    let stack = stack().await;
    let id = stack.post_lead().await;
    stack.drain().await;
    stack.advance_to(signed_at()).await;

    let reply = stack.inbound(&event("apigw-v2-telnyx-message.json", &[])).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let lead = stack.lead(&id).await;
    assert_eq!(lead["state"], "opted_out");
    assert_eq!(lead["opted_out"], json!(["sms", "voice", "voicemail"]));
    assert_eq!(lead["enrolments"][0]["status"], json!({ "state": "stopped", "reason": "opted_out" }));
}

#[tokio::test]
async fn a_forged_or_replayed_telnyx_webhook_is_403_and_changes_nothing() {
    let stack = stack().await;
    let id = stack.post_lead().await;
    stack.drain().await;
    stack.advance_to(signed_at()).await;

    let forged = event("apigw-v2-telnyx-message.json", &[]).replace(r#"\"text\":\"STOP\""#, r#"\"text\":\"STOP!\""#);
    assert_ne!(forged, event("apigw-v2-telnyx-message.json", &[]), "the sample's text moved");
    assert_eq!(stack.inbound(&forged).await.status, 403);

    // The genuine message, ten minutes after it was signed: outside the replay window.
    stack.advance_to(signed_at() + Duration::minutes(10)).await;
    assert_eq!(stack.inbound(&event("apigw-v2-telnyx-message.json", &[])).await.status, 403);
    assert_eq!(stack.lead(&id).await["state"], "active");
}
