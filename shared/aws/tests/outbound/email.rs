//! SES v2 (`SendEmail`, restJson1) with one-click unsubscribe headers.

use crate::support::{assert_signed, fast_policy, json, message, permanent, sdk};
use leadflow_aws::outbound::{email_client, SesEmail};
use leadflow_core::domain::{Channel, Email};
use leadflow_core::ports::{Sender, Undeliverable};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SEND_EMAIL: &str = "/v2/email/outbound-emails";
const LEAD: &str = "ann@example.com";

async fn adapter(server: &MockServer) -> SesEmail {
    let policy = fast_policy();
    let client = email_client(&sdk(server).await, &policy);
    let reply_to = Some(Email::parse("desk@brightsmile.example").unwrap());
    SesEmail::new(client, "Bright Smile <hello@brightsmile.example>".into(), "leadflow-events".into(), reply_to, policy)
}

fn sent(id: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "MessageId": id }))
}

fn error(status: u16, kind: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).insert_header("x-amzn-ErrorType", kind).set_body_json(json!({ "message": "refused" }))
}

#[tokio::test]
async fn an_email_carries_the_one_click_unsubscribe_headers_and_our_ids_as_tags() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path(SEND_EMAIL)).respond_with(sent("ses-0001")).mount(&server).await;
    let mut email = message(Channel::Email, LEAD);
    email.unsubscribe_url = Some("https://leads.example.com/u/acme.ld_1.sig".to_owned());
    assert_eq!(adapter(&server).await.send(&email, chrono::Utc::now()).await.unwrap(), "ses-0001");

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_signed(&requests[0], "ses");
    let body = json(&requests[0]);
    assert_eq!(body["FromEmailAddress"], "Bright Smile <hello@brightsmile.example>");
    assert_eq!(body["Destination"]["ToAddresses"], json!([LEAD]));
    assert_eq!(body["ReplyToAddresses"], json!(["desk@brightsmile.example"]));
    assert_eq!(body["ConfigurationSetName"], "leadflow-events");
    let simple = &body["Content"]["Simple"];
    assert_eq!(simple["Subject"]["Data"], "Your visit");
    assert_eq!(simple["Body"]["Text"]["Data"], email.body);
    assert_eq!(simple["Body"]["Text"]["Charset"], "UTF-8");
    assert_eq!(
        simple["Headers"],
        json!([
            { "Name": "List-Unsubscribe", "Value": "<https://leads.example.com/u/acme.ld_1.sig>" },
            { "Name": "List-Unsubscribe-Post", "Value": "List-Unsubscribe=One-Click" },
        ])
    );
    let tags = json!([
        { "Name": "tenant", "Value": "acme" },
        { "Name": "touch", "Value": email.touch_id.as_str() },
        { "Name": "lead", "Value": email.lead_id.as_ref().unwrap().as_str() },
    ]);
    assert_eq!(body["EmailTags"], tags);
}

#[tokio::test]
async fn without_a_link_no_unsubscribe_headers_are_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path(SEND_EMAIL)).respond_with(sent("ses-0002")).mount(&server).await;
    adapter(&server).await.send(&message(Channel::Email, LEAD), chrono::Utc::now()).await.unwrap();
    let body = json(&server.received_requests().await.unwrap()[0]);
    assert!(body["Content"]["Simple"].get("Headers").is_none(), "{body}");
}

#[tokio::test]
async fn a_refusal_leaves_the_leads_email_open_and_is_not_retried() {
    for kind in
        ["MessageRejected", "MailFromDomainNotVerifiedException", "AccountSuspendedException", "NotFoundException"]
    {
        let server = MockServer::start().await;
        Mock::given(method("POST")).respond_with(error(400, kind)).mount(&server).await;
        let result = adapter(&server).await.send(&message(Channel::Email, LEAD), chrono::Utc::now()).await;
        assert_eq!(permanent(result), Undeliverable::Rejected, "{kind}");
        assert_eq!(server.received_requests().await.unwrap().len(), 1, "{kind}");
    }
}

#[tokio::test]
async fn too_many_requests_is_retried_then_sent_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(error(429, "TooManyRequestsException"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(sent("ses-0003")).with_priority(2).mount(&server).await;
    let id = adapter(&server).await.send(&message(Channel::Email, LEAD), chrono::Utc::now()).await.unwrap();
    assert_eq!(id, "ses-0003");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn an_email_without_a_subject_or_a_text_message_is_refused_before_sending() {
    let server = MockServer::start().await;
    let mut email = message(Channel::Email, LEAD);
    email.subject = None;
    let adapter = adapter(&server).await;
    assert_eq!(permanent(adapter.send(&email, chrono::Utc::now()).await), Undeliverable::Rejected);
    let sms = message(Channel::Sms, "+15557654321");
    assert_eq!(permanent(adapter.send(&sms, chrono::Utc::now()).await), Undeliverable::Rejected);
    assert!(server.received_requests().await.unwrap().is_empty());
}
