//! The step function sending through a tenant's real SMS provider (Twilio's API, served on
//! loopback): the request Twilio receives, and what a permanent refusal does to the lead.

use crate::harness::{failures, Stack};
use leadflow_tests::start_time;
use serde_json::{json, Value};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";

/// The demo tenant sending its SMS through Twilio at `api_url`.
async fn stack_on_twilio(api_url: &str) -> Stack {
    Stack::with_tenant(start_time(), |tenant| {
        let tenant =
            tenant.replace("[twilio]\n", &format!("[twilio]\naccount_sid = \"{ACCOUNT}\"\napi_url = \"{api_url}\"\n"));
        format!("[sms]\nprovider = \"twilio\"\n\n{tenant}")
    })
    .await
}

/// Twilio's Messages API on loopback, answering one send (authenticated with the account SID
/// and the token the function read from SSM) with `status` and `body`.
async fn twilio_answering(status: u16, body: Value) -> MockServer {
    let twilio = MockServer::start().await;
    let auth = format!("Basic {}", base64_encode(&format!("{ACCOUNT}:{}", leadflow_tests::DEMO_TWILIO_TOKEN)));
    Mock::given(method("POST"))
        .and(path(format!("/2010-04-01/Accounts/{ACCOUNT}/Messages.json")))
        .and(header("authorization", auth.as_str()))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .expect(1)
        .mount(&twilio)
        .await;
    twilio
}

#[tokio::test]
async fn the_first_sms_goes_to_twilio_authenticated_with_the_token_from_parameter_store() {
    let twilio = twilio_answering(201, json!({ "sid": "SM0000000000000000000000000000abcd" })).await;
    let stack = stack_on_twilio(&twilio.uri()).await;

    let id = stack.post_lead().await;
    let messages = stack.receive(0).await;
    assert_eq!(failures(&stack.step(&messages).await), Vec::<String>::new());

    let requests = twilio.received_requests().await.unwrap();
    let form: Vec<(String, String)> = form_urlencoded_pairs(&requests[0].body);
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    assert_eq!(field("To").as_deref(), Some("+14155552001"));
    assert_eq!(field("From").as_deref(), Some("+14155550100"));
    assert!(field("Body").unwrap().starts_with("Hi Ann, thanks for reaching out to Bright Smile Dental!"));

    let lead = stack.lead(&id).await;
    let touch = &lead["touches"][0];
    assert_eq!(touch["status"]["state"], "sent", "{touch}");
    assert_eq!(touch["status"]["provider_id"], "SM0000000000000000000000000000abcd");
}

#[tokio::test]
async fn a_number_unsubscribed_at_the_carrier_closes_sms_for_the_lead_and_the_cadence_moves_on() {
    let refusal = json!({ "code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400 });
    let twilio = twilio_answering(400, refusal).await;
    let stack = stack_on_twilio(&twilio.uri()).await;

    let id = stack.post_lead().await;
    let messages = stack.receive(0).await;
    assert_eq!(failures(&stack.step(&messages).await), Vec::<String>::new(), "a refusal is not a retry");

    let lead = stack.lead(&id).await;
    assert_eq!(lead["undeliverable"], json!({ "sms": "opted_out_at_carrier" }), "{lead}");
    assert_eq!(lead["touches"][0]["status"]["state"], "failed");
    let suppressed: Vec<&Value> =
        lead["events"].as_array().unwrap().iter().filter(|e| e["type"] == "channel_suppressed").collect();
    assert_eq!(suppressed.len(), 1, "{lead}");
    // The cadence moved on: the 5-minute email is next, on the queue.
    assert_eq!(lead["enrolments"][0]["next_step"], 1, "{lead}");
    assert_eq!(stack.receive(0).await.len(), 0, "the email waits its 5 minutes");
}

fn base64_encode(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn form_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}
