//! Twilio calls: the Calls API request a voice touch becomes, and what its errors mean.

use crate::support::{
    fast_policy, header, received, twilio_account, Provider, ACCOUNT_SID, ANSWER_URL, AUTH_TOKEN, FROM, STATUS_URL, TO,
};
use base64::Engine;
use chrono::Utc;
use leadflow_core::ports::{SendError, Sender, Undeliverable};
use leadflow_providers::{Pacer, TwilioVoice};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn form(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

async fn server_answering(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(response).mount(&server).await;
    server
}

#[tokio::test]
async fn a_call_posts_to_the_calls_api_with_the_answer_url_and_machine_detection() {
    let server = server_answering(Provider::TwilioVoice.accepted("CA0123")).await;
    let voice = Provider::TwilioVoice.fast(&server);
    let message = Provider::TwilioVoice.message(Some(FROM), TO, "Hello Ann & <friends>");

    let sid = voice.send(&message, Utc::now()).await;

    assert_eq!(sid.as_deref(), Ok("CA0123"));
    let requests = received(&server).await;
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.url.path(), format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"));
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT_SID}:{AUTH_TOKEN}"));
    assert_eq!(header(request, "authorization"), Some(format!("Basic {basic}").as_str()));
    let query = format!("?lead={}&touch={}", message.lead_id.as_ref().unwrap(), message.touch_id);
    let (url, status_url) = (format!("{ANSWER_URL}{query}"), format!("{STATUS_URL}{query}"));
    let expected: Vec<(String, String)> = [
        ("To", TO),
        ("From", FROM),
        ("Url", url.as_str()),
        ("Method", "POST"),
        ("StatusCallback", status_url.as_str()),
        ("StatusCallbackMethod", "POST"),
        ("MachineDetection", "DetectMessageEnd"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(form(&request.body), expected, "the message itself is spoken by the answer webhook, not sent here");
}

#[tokio::test]
async fn a_configured_caller_id_wins_over_the_touchs_sending_number() {
    let server = server_answering(Provider::TwilioVoice.accepted("CA1")).await;
    let account = twilio_account(&server.uri(), fast_policy());
    let voice = TwilioVoice::new(&account, ANSWER_URL, STATUS_URL, Some("+15550002222".to_owned()), Pacer::unlimited())
        .unwrap();

    voice.send(&Provider::TwilioVoice.message(Some(FROM), TO, "Hi"), Utc::now()).await.unwrap();

    let sent = form(&received(&server).await[0].body);
    assert!(sent.contains(&("From".to_owned(), "+15550002222".to_owned())), "{sent:?}");
}

#[tokio::test]
async fn a_call_without_a_lead_is_rejected_without_a_request() {
    let server = server_answering(Provider::TwilioVoice.accepted("NEVER")).await;
    let mut message = Provider::TwilioVoice.message(Some(FROM), TO, "Hi");
    message.lead_id = None;

    let error = Provider::TwilioVoice.fast(&server).send(&message, Utc::now()).await.unwrap_err();

    assert!(matches!(error, SendError::Permanent { reason: Undeliverable::Rejected, .. }), "{error:?}");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn call_errors_that_say_the_number_is_bad_close_the_channel_and_ours_do_not() {
    let cases = [
        (21211, "Invalid 'To' Phone Number: +15557654321", Undeliverable::InvalidAddress),
        (21217, "Phone number does not appear to be valid", Undeliverable::InvalidAddress),
        (21210, "'From' phone number not verified", Undeliverable::Rejected),
        (21215, "Geo Permission configuration is not permitting call", Undeliverable::Rejected),
    ];
    for (code, text, expected) in cases {
        let body = serde_json::json!({ "code": code, "message": text, "status": 400 });
        let server = server_answering(ResponseTemplate::new(400).set_body_json(body)).await;

        let error = Provider::TwilioVoice
            .fast(&server)
            .send(&Provider::TwilioVoice.message(Some(FROM), TO, "Hi"), Utc::now())
            .await;

        let Err(SendError::Permanent { reason, detail }) = error else { panic!("{code}: {error:?}") };
        assert_eq!(reason, expected, "{code}");
        assert!(detail.contains(&format!("error {code}")) && !detail.contains(TO), "{code}: {detail}");
        assert_eq!(received(&server).await.len(), 1, "{code}: a refusal is not retried");
    }
}
