//! Lead sources through the inbound function on AWS: a Google Ads lead form lead (the
//! documented example, as API Gateway hands it over) becomes a lead in DynamoDB and gets its
//! first text through the step queue; Google's retry is the same lead.

use crate::harness::{event, Stack};
use leadflow_tests::start_time;
use serde_json::Value;

#[tokio::test]
async fn a_google_ads_lead_through_the_inbound_function_is_texted_once() {
    let stack = Stack::new(start_time()).await;
    let delivery = event("apigw-v2-google-ads-lead.json", &[]);
    let reply = stack.inbound(&delivery).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let id = reply.json()["lead_id"].as_str().unwrap().to_owned();
    assert_eq!(stack.drain().await, 1, "the first touch, queued");
    let lead = stack.lead(&id).await;
    assert_eq!(lead["profile"]["campaign"], "12345678901");
    assert_eq!(lead["enrolments"][0]["cadence"], "fast");
    let texts = stack.sent.all().iter().filter(|(m, _)| m.to == "+16505550123").count();
    assert_eq!(texts, 1);

    let retry = stack.inbound(&delivery).await;
    assert_eq!(retry.status, 200);
    assert_eq!(retry.json()["lead_id"], Value::from(id.as_str()));
    assert_eq!(stack.drain().await, 0, "nothing new to send");
    assert_eq!(stack.summary().await["leads"], 1);
}

/// The do-not-contact list on AWS: `POST /v1/dnc` through the intake function marks the
/// number's opt-out item in DynamoDB; the lead posted after it is stored silenced for texts and
/// calls, and its cadence goes on by email only.
#[tokio::test]
async fn a_number_listed_through_the_intake_function_is_never_texted() {
    let stack = Stack::new(start_time()).await;
    let listed = stack.intake(&event("apigw-v2-post-dnc.json", &[])).await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    assert_eq!(listed.json(), serde_json::json!({ "added": 1, "already": 0 }));

    let id = stack.post_lead().await;
    stack.drain().await;
    let lead = stack.lead(&id).await;
    assert_eq!(lead["opted_out"], serde_json::json!(["sms", "voice", "voicemail"]), "{lead}");
    assert!(stack.sent.all().iter().all(|(m, _)| m.channel != leadflow_core::domain::Channel::Sms), "no text went out");
}
