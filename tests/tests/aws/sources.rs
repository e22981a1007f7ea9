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

/// A plain HTML form's post through the intake function, as API Gateway hands over a
/// browser's post (base64 body, `X-Forwarded-For` with the client's own claim first): the
/// lead is stored with the address API Gateway saw, sent on to the thank-you page, texted
/// once through the step queue; its raw post is kept in DynamoDB and read back byte for byte.
#[tokio::test]
async fn a_page_s_form_post_through_the_intake_function_is_a_lead_with_its_evidence() {
    let stack = Stack::new(start_time()).await;
    let reply = stack.intake(&event("apigw-v2-post-form.json", &[])).await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location"), Some("http://localhost:8080/thanks".to_owned()));
    assert_eq!(reply.header("access-control-allow-origin"), Some("http://localhost:8080".to_owned()));
    assert_eq!(stack.drain().await, 1, "the first touch, queued");
    assert_eq!(stack.sent.all().iter().filter(|(m, _)| m.to == "+14155550199").count(), 1);

    let id = stack.lead_id_by_phone("+14155550199").await.expect("the lead is in DynamoDB");
    let lead = stack.lead(&id).await;
    assert_eq!(lead["profile"]["source"], "website");
    assert_eq!(lead["profile"]["fields"]["message"], "Olá, quero um orçamento");
    let evidence = &lead["consent"]["evidence"];
    assert_eq!(evidence["ip"], "198.51.100.7", "the address API Gateway saw, not the client's claim");
    assert!(evidence["user_agent"].as_str().unwrap().contains("iPhone"));
    let received = lead["events"].as_array().unwrap().iter().find(|e| e["type"] == "received").unwrap().clone();
    let key = received["payload"].as_str().unwrap();
    let raw = stack.payload(key).await.expect("the raw post is kept");
    assert_eq!(raw.content_type, "application/x-www-form-urlencoded");
    assert!(String::from_utf8(raw.body).unwrap().starts_with("name=Ana+Lima&"));
    assert_eq!(raw.expires_at - raw.received_at, chrono::Duration::days(30));
}

/// A Typeform response through the inbound function, signed as Typeform signs it (the secret
/// resolved like any tenant secret): a lead texted once through the step queue, and Typeform's
/// retry is the same lead; a tampered body is 403.
#[tokio::test]
async fn a_typeform_response_through_the_inbound_function_is_one_lead() {
    let stack = Stack::new(start_time()).await;
    let delivery = event("apigw-v2-typeform.json", &[]);
    let reply = stack.inbound(&delivery).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let id = reply.json()["lead_id"].as_str().unwrap().to_owned();
    assert_eq!(stack.drain().await, 1);
    assert_eq!(stack.lead(&id).await["profile"]["first_name"], "Laura");
    let retry = stack.inbound(&delivery).await;
    assert_eq!(retry.json()["lead_id"], Value::from(id.as_str()));
    let tampered = stack.inbound(&delivery.replace("Laura", "Mallory")).await;
    assert_eq!(tampered.status, 403);
    assert_eq!(stack.summary().await["leads"], 1);
}

/// Meta lead ads on AWS: the inbound function answers the signed webhook at once and puts the
/// lead's read on the step queue; the step function reads it from the Graph API (a loopback
/// stand-in) and takes it through intake; Meta's retry of the batch claims nothing new.
#[tokio::test]
async fn a_meta_lead_is_acknowledged_by_inbound_and_read_by_the_step_function() {
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let graph = MockServer::start().await;
    let lead =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/sources/meta-graph-lead.json")).unwrap();
    Mock::given(method("GET"))
        .and(path("/v21.0/444444444444"))
        .and(header("authorization", "Bearer demo_meta_page_token"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(lead, "application/json"))
        .mount(&graph)
        .await;
    let url = format!("{}/v21.0", graph.uri());
    let stack = Stack::with_tenant(start_time(), move |demo| {
        demo.replace("# graph_url = \"https://graph.facebook.com/v21.0\"", &format!("graph_url = \"{url}\""))
    })
    .await;
    let delivery = event("apigw-v2-meta-leadgen.json", &[]);
    let reply = stack.inbound(&delivery).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json(), serde_json::json!({ "received": 1, "scheduled": 1 }));
    assert!(stack.lead_id_by_phone("+14155550146").await.is_none(), "read after the answer, not in it");

    assert!(stack.drain().await >= 1, "the read, then the first touch");
    let id = stack.lead_id_by_phone("+14155550146").await.expect("the lead is in DynamoDB");
    assert_eq!(stack.lead(&id).await["profile"]["first_name"], "José");
    assert_eq!(stack.sent.all().iter().filter(|(m, _)| m.to == "+14155550146").count(), 1);

    let retry = stack.inbound(&delivery).await;
    assert_eq!(retry.status, 200);
    stack.drain().await;
    assert_eq!(graph.received_requests().await.unwrap().len(), 1, "the retry's read found the lead taken");
    assert_eq!(stack.summary().await["leads"], 1);
}

/// A missed inbound call on AWS: the `<Dial>`'s callback through the inbound function (signed
/// for the stack's public URL) makes the caller a lead in DynamoDB and texts it back once;
/// Twilio's retry of the callback texts nothing more.
#[tokio::test]
async fn a_missed_call_through_the_inbound_function_is_a_lead_texted_back_once() {
    use base64::Engine;
    const PUBLIC: &str = "https://leads.example.test";
    let stack = Stack::behind(PUBLIC, start_time(), |tenant| tenant).await;
    let params = [
        ("CallSid", "CA00000000000000000000000000000009"),
        ("AccountSid", "AC0123456789abcdef0123456789abcdef"),
        ("From", "+14155550187"),
        ("To", leadflow_tests::DEMO_NUMBER),
        ("CallStatus", "in-progress"),
        ("DialCallStatus", "no-answer"),
    ];
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    let url = format!("{PUBLIC}/v1/webhooks/twilio/voice/incoming/done");
    let callback = event(
        "apigw-v2-twilio-voice-incoming-done.json",
        &[
            ("body", &base64::engine::general_purpose::STANDARD.encode(&body)),
            ("signature", &leadflow_tests::twilio_signature(leadflow_tests::DEMO_TWILIO_TOKEN, &url, &params)),
        ],
    );
    let reply = stack.inbound(&callback).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.text().contains("texting you"), "{}", reply.text());
    let id = stack.lead_id_by_phone("+14155550187").await.expect("the caller is a lead");
    assert_eq!(stack.lead(&id).await["profile"]["source"], "call");
    let texts = |stack: &Stack| stack.sent.all().iter().filter(|(m, _)| m.to == "+14155550187").count();
    assert_eq!(texts(&stack), 1);
    assert_eq!(stack.inbound(&callback).await.status, 200);
    stack.drain().await;
    assert_eq!(texts(&stack), 1, "Twilio's retry texts nothing more");
}

/// A contact list's batch through the intake function: each row a lead in DynamoDB (a bad one
/// reported by line), consent to texts only for the recent enquiry, the tier by age, the
/// first touches paced; the same batch again takes nothing twice.
#[tokio::test]
async fn an_import_batch_through_the_intake_function_takes_each_row_once() {
    let stack = Stack::new(start_time()).await;
    let batch = event("apigw-v2-post-import.json", &[]);
    let reply = stack.intake(&batch).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let report = reply.json();
    assert_eq!((report["accepted"].as_u64(), report["duplicates"].as_u64()), (Some(2), Some(0)), "{report}");
    assert_eq!(report["rejected"][0]["line"], 4);
    let ana = stack.lead(&stack.lead_id_by_phone("+14155550401").await.unwrap()).await;
    assert_eq!(
        (ana["consent"]["sms"].as_bool(), ana["enrolments"][0]["cadence"].as_str()),
        (Some(true), Some("checkin"))
    );
    let ben = stack.lead(&stack.lead_id_by_phone("+14155550402").await.unwrap()).await;
    assert_eq!(
        (ben["consent"]["sms"].as_bool(), ben["enrolments"][0]["cadence"].as_str()),
        (Some(false), Some("reactivation"))
    );
    assert!(ana["enrolments"][0]["next_due_at"].as_str() < ben["enrolments"][0]["next_due_at"].as_str(), "paced");

    let again = stack.intake(&batch).await.json();
    assert_eq!((again["accepted"].as_u64(), again["duplicates"].as_u64()), (Some(0), Some(2)), "{again}");
    assert_eq!(again["rejected"][0]["line"], 4, "a bad row is refused again, never stored");
    assert_eq!(stack.summary().await["leads"], 2);
}
