//! Calls on AWS: the step function dials through Twilio's Calls API (on loopback) with the
//! token it read from Parameter Store, naming the stack's public URL for the call's script;
//! the inbound function takes the key the lead pressed.

use crate::harness::{event, failures, Stack};
use base64::Engine;
use leadflow_tests::{demo_step_on, start_time, twilio_signature, DEMO_NUMBER, DEMO_TWILIO_TOKEN};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const PUBLIC: &str = "https://leads.example.test";

/// A stack whose demo tenant's first step is a call through the Twilio account at `twilio`.
async fn calling_through(twilio: &MockServer) -> Stack {
    let api_url = twilio.uri();
    Stack::behind(PUBLIC, start_time(), |tenant| {
        let tenant = demo_step_on(&tenant, "0m", "voice", "day3_call")
            .replace("[twilio]\n", &format!("[twilio]\naccount_sid = \"{ACCOUNT}\"\napi_url = \"{api_url}\"\n"));
        format!("[voice]\nprovider = \"twilio\"\ntransfer_to = \"+14155550199\"\n\n{tenant}")
    })
    .await
}

#[tokio::test]
async fn a_call_step_dials_through_twilio_and_pressing_1_hands_the_lead_over() {
    let twilio = MockServer::start().await;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT}:{DEMO_TWILIO_TOKEN}"));
    Mock::given(method("POST"))
        .and(path(format!("/2010-04-01/Accounts/{ACCOUNT}/Calls.json")))
        .and(header("authorization", format!("Basic {auth}").as_str()))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({ "sid": "CA0001" })))
        .expect(1)
        .mount(&twilio)
        .await;
    let stack = calling_through(&twilio).await;

    let id = stack.post_lead().await;
    let messages = stack.receive(0).await;
    assert_eq!(failures(&stack.step(&messages).await), Vec::<String>::new());

    let requests = twilio.received_requests().await.unwrap();
    let form: Vec<(String, String)> = form_urlencoded::parse(&requests[0].body).into_owned().collect();
    let url = &form.iter().find(|(k, _)| k == "Url").unwrap().1;
    let query = url.strip_prefix(&format!("{PUBLIC}/v1/webhooks/twilio/voice/answer?")).expect(url).to_owned();
    assert!(query.starts_with(&format!("lead={id}&touch=tc_")), "{query}");
    assert_eq!(stack.lead(&id).await["touches"][0]["status"]["provider_id"], "CA0001");

    let params = [("CallSid", "CA0001"), ("From", DEMO_NUMBER), ("To", "+14155552001"), ("Digits", "1")];
    let signed_url = format!("{PUBLIC}/v1/webhooks/twilio/voice/gather?{query}");
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    let gather = |signature: &str| {
        event(
            "apigw-v2-twilio-voice-gather.json",
            &[
                ("query", &query),
                ("body", &base64::engine::general_purpose::STANDARD.encode(&body)),
                ("signature", signature),
            ],
        )
    };

    let forged = stack.inbound(&gather("c2lnbmVkIGJ5IHNvbWVvbmUgZWxzZQ==")).await;
    assert_eq!(forged.status, 403);
    assert_eq!(stack.lead(&id).await["state"], "active");

    let reply = stack.inbound(&gather(&twilio_signature(DEMO_TWILIO_TOKEN, &signed_url, &params))).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.text().ends_with("<Dial>+14155550199</Dial></Response>"), "{}", reply.text());
    assert_eq!(stack.lead(&id).await["state"], "needs_human");
}

#[tokio::test]
async fn a_missed_call_reported_by_twilio_starts_the_missed_call_text_once() {
    let twilio = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/2010-04-01/Accounts/{ACCOUNT}/Calls.json")))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({ "sid": "CA0002" })))
        .mount(&twilio)
        .await;
    let stack = calling_through(&twilio).await;
    let id = stack.post_lead().await;
    assert_eq!(failures(&stack.step(&stack.receive(0).await).await), Vec::<String>::new());
    let requests = twilio.received_requests().await.unwrap();
    let form: Vec<(String, String)> = form_urlencoded::parse(&requests[0].body).into_owned().collect();
    let callback = &form.iter().find(|(k, _)| k == "StatusCallback").expect("the call asks for its end").1;
    let query = callback.strip_prefix(&format!("{PUBLIC}/v1/webhooks/twilio/voice/status?")).expect(callback);

    let params = [
        ("CallSid", "CA0002"),
        ("AccountSid", ACCOUNT),
        ("From", DEMO_NUMBER),
        ("To", "+14155552001"),
        ("CallStatus", "no-answer"),
        ("CallDuration", "0"),
    ];
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    let status = event(
        "apigw-v2-twilio-voice-status.json",
        &[
            ("query", query),
            ("body", &base64::engine::general_purpose::STANDARD.encode(&body)),
            ("signature", &twilio_signature(DEMO_TWILIO_TOKEN, callback, &params)),
        ],
    );
    let reply = stack.inbound(&status).await;
    assert_eq!(reply.status, 204, "{}", reply.text());
    let lead = stack.lead(&id).await;
    assert_eq!(lead["signals"][0]["signal"], "call_missed", "{lead}");

    stack.drain().await;
    let sorry = |stack: &Stack| {
        let sent = stack.sent.all();
        sent.iter().filter(|(m, _)| m.body.contains("sorry we missed you")).count()
    };
    assert_eq!(sorry(&stack), 1, "the missed-call text went out through the step function");

    // Twilio's retry of the same callback records nothing and texts nothing.
    assert_eq!(stack.inbound(&status).await.status, 204);
    stack.drain().await;
    assert_eq!(sorry(&stack), 1);
    assert_eq!(stack.lead(&id).await["signals"].as_array().unwrap().len(), 1);
}
