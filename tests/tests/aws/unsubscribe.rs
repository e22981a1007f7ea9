//! One-click unsubscribe through the inbound function, its key read from Parameter Store.

use crate::harness::{event, Stack, LINK_SECRET};
use leadflow_core::domain::{LeadId, TenantId, TokenKey, UnsubscribeToken};
use leadflow_tests::start_time;
use serde_json::json;

#[tokio::test]
async fn a_one_click_post_opts_the_lead_out_of_email_and_a_forged_one_changes_nothing() {
    let stack = Stack::new(start_time()).await;
    let id = stack.post_lead().await;
    let key = TokenKey::new(LINK_SECRET.as_bytes());
    let demo = TenantId::parse("demo").unwrap();

    let forged =
        UnsubscribeToken::sign(&TokenKey::new(b"not-the-stacks-key-0123"), &demo, &LeadId::parse(&id).unwrap());
    let reply = stack.inbound(&event("apigw-v2-unsubscribe.json", &[("token", &forged.to_string())])).await;
    assert_eq!(reply.status, 404, "{}", reply.text());
    assert_eq!(stack.lead(&id).await["opted_out"], json!([]));

    let token = UnsubscribeToken::sign(&key, &demo, &LeadId::parse(&id).unwrap()).to_string();
    for _ in 0..2 {
        let reply = stack.inbound(&event("apigw-v2-unsubscribe.json", &[("token", &token)])).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    let lead = stack.lead(&id).await;
    assert_eq!(lead["opted_out"], json!(["email"]));
    let opt_outs: Vec<_> = lead["events"].as_array().unwrap().iter().filter(|e| e["type"] == "opted_out").collect();
    assert_eq!(opt_outs.len(), 1);
    assert_eq!(opt_outs[0]["channel"], "email");
}
