//! `leadflow dev --live-channels` with a tenant that sends email through SES (its API served on
//! loopback, the SDK pointed at it with `AWS_ENDPOINT_URL`): the link the email's
//! `List-Unsubscribe` header names is the one in its body, and one POST to it stops the emails.

use leadflow_tests::TestApp;
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The demo tenant sending its email through SES.
fn on_ses(demo: &str) -> String {
    format!(
        "[email]\nprovider = \"ses\"\nfrom = \"Bright Smile Dental <hello@brightsmile.example>\"\n\
         configuration_set = \"leadflow-email\"\n\n{demo}"
    )
}

#[tokio::test]
async fn an_email_through_ses_carries_its_unsubscribe_link_and_one_post_stops_the_emails() {
    let ses = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/email/outbound-emails"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "MessageId": "0100018e-ses" })))
        .mount(&ses)
        .await;
    // Only this test's tenant sends through AWS, so only its server reads these.
    std::env::set_var("AWS_ENDPOINT_URL", ses.uri());
    std::env::set_var("AWS_REGION", "us-east-1");
    std::env::set_var("AWS_ACCESS_KEY_ID", "AKIDTEST");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "secret-test");
    let app = TestApp::builder().tenant(on_ses).live_channels().spawn().await;

    let id = app.enrol(1).await;
    app.advance(300).await;
    let requests = ses.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "the five-minute email");
    let sent: Value = serde_json::from_slice(&requests[0].body).unwrap();
    let simple = &sent["Content"]["Simple"];
    let header = simple["Headers"][0]["Value"].as_str().unwrap();
    let body = simple["Body"]["Text"]["Data"].as_str().unwrap();
    let link = body.lines().find_map(|l| l.strip_prefix("Unsubscribe: ")).expect("the link in the body");
    assert_eq!(header, format!("<{link}>"));
    assert_eq!(simple["Headers"][1]["Value"], "List-Unsubscribe=One-Click");
    let lead = app.lead(&id).await;
    let email = lead["touches"].as_array().unwrap().iter().find(|t| t["channel"] == "email").unwrap().clone();
    assert_eq!(email["status"]["provider_id"], "0100018e-ses", "{lead}");

    // What a mail client does for its "unsubscribe" button.
    let response = app
        .client
        .post(link)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    app.advance(2 * 86_400).await;
    assert_eq!(ses.received_requests().await.unwrap().len(), 1, "no email after the unsubscribe");
}
