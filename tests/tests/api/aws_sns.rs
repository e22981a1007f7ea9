//! The AWS webhooks through SNS (`/v1/webhooks/aws/sms`, `/v1/webhooks/aws/ses`): messages
//! signed as SNS signs them (RSA, SHA-1 or SHA-256) with a fixture key, whose certificate a
//! loopback server plays SNS's certificate host for; forgeries refused with nothing changed;
//! subscriptions confirmed; bounces and complaints suppressing email.

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use leadflow_core::http::sns::{SnsPolicy, UrlPolicy};
use leadflow_tests::{lead_phone, TestApp, DEMO_NUMBER};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The fixture key and certificates the core's unit tests use too.
const KEY_PEM: &str = include_str!("../../../shared/core/src/http/webhooks/aws/sns/testdata/signing-key.pem");
const CERT_PEM: &str = include_str!("../../../shared/core/src/http/webhooks/aws/sns/testdata/signing-cert.pem");
const OTHER_CERT_PEM: &str = include_str!("../../../shared/core/src/http/webhooks/aws/sns/testdata/other-cert.pem");

const SMS_TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:leadflow-inbound-sms";
const SES_TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:leadflow-ses-events";
const CERT_PATH: &str = "/SimpleNotificationService-0123456789abcdef.pem";
const HELP_TEXT: &str = "Bright Smile Dental: call us at (415) 555-0100 to book. Reply STOP to opt out.";

/// A dev server taking the two topics, and a loopback "SNS" serving the signing certificate.
struct Sns {
    app: TestApp,
    server: MockServer,
}

async fn spawn() -> Sns {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(CERT_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string(CERT_PEM))
        .mount(&server)
        .await;
    let topics = [SMS_TOPIC, SES_TOPIC].map(str::to_owned).into_iter().collect();
    let app = TestApp::builder().sns(SnsPolicy { topics, urls: UrlPolicy::AwsOrLoopback }).spawn().await;
    Sns { app, server }
}

#[derive(Clone, Copy)]
enum Version {
    Sha1,
    Sha256,
}

/// An SNS document of `kind` carrying `message`, at `at`, signed with the fixture key over
/// the fields AWS lists (a confirmation's `Token` and `SubscribeURL` are the caller's to add,
/// then to `sign` again).
fn signed(kind: &str, topic: &str, message: &str, at: DateTime<Utc>, cert_url: &str, version: Version) -> Value {
    let mut doc = json!({
        "Type": kind,
        "MessageId": uuid::Uuid::now_v7().to_string(),
        "TopicArn": topic,
        "Message": message,
        "Timestamp": at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        "SignatureVersion": match version { Version::Sha1 => "1", Version::Sha256 => "2" },
        "SigningCertURL": cert_url,
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x",
    });
    sign(&mut doc, version);
    doc
}

/// Sets `Signature` over the document's signed fields, as SNS does.
fn sign(doc: &mut Value, version: Version) {
    let signed_fields: &[&str] = if doc["Type"] == "Notification" {
        &["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    } else {
        &["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    };
    let text: String =
        signed_fields.iter().filter_map(|name| doc[*name].as_str().map(|value| format!("{name}\n{value}\n"))).collect();
    let key = RsaPrivateKey::from_pkcs8_pem(KEY_PEM).unwrap();
    let signature = match version {
        Version::Sha1 => SigningKey::<sha1::Sha1>::new(key).sign(text.as_bytes()).to_vec(),
        Version::Sha256 => SigningKey::<sha2::Sha256>::new(key).sign(text.as_bytes()).to_vec(),
    };
    doc["Signature"] = json!(base64::engine::general_purpose::STANDARD.encode(signature));
}

impl Sns {
    fn cert_url(&self) -> String {
        format!("{}{CERT_PATH}", self.server.uri())
    }

    async fn now(&self) -> DateTime<Utc> {
        let clock: Value =
            self.app.client.get(format!("{}/dev/clock", self.app.base)).send().await.unwrap().json().await.unwrap();
        clock["now"].as_str().unwrap().parse().unwrap()
    }

    /// A notification on `topic`, signed now with SHA-256.
    async fn notification(&self, topic: &str, message: &Value) -> Value {
        signed("Notification", topic, &message.to_string(), self.now().await, &self.cert_url(), Version::Sha256)
    }

    async fn post(&self, route: &str, doc: &Value) -> reqwest::Response {
        // SNS posts JSON as text/plain.
        let url = format!("{}/v1/webhooks/aws/{route}", self.app.base);
        let request = self.app.client.post(url).header("content-type", "text/plain; charset=UTF-8");
        request
            .header("x-amz-sns-message-type", doc["Type"].as_str().unwrap_or(""))
            .body(doc.to_string())
            .send()
            .await
            .unwrap()
    }

    /// A two-way SMS from `from` to the demo number, as AWS End User Messaging publishes it.
    async fn text_in(&self, from: &str, body: &str) -> Value {
        self.notification(SMS_TOPIC, &sms(from, body)).await
    }
}

fn sms(from: &str, body: &str) -> Value {
    json!({
        "originationNumber": from,
        "destinationNumber": DEMO_NUMBER,
        "messageKeyword": "KEYWORD_123456789012",
        "messageBody": body,
        "inboundMessageId": uuid::Uuid::now_v7().to_string(),
        "previousPublishedMessageId": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    })
}

/// An SES event of a mail leadflow sent for `tenant` (its `tenant` tag) to `to`.
fn ses_event(tenant: Option<&str>, to: &str, body: Value) -> Value {
    let mut tags = json!({ "ses:configuration-set": ["leadflow"], "lead": ["ld_x"] });
    if let Some(tenant) = tenant {
        tags["tenant"] = json!([tenant]);
    }
    let mut event = json!({
        "mail": {
            "timestamp": "2026-03-05T14:59:00.000Z",
            "source": "hello@brightsmile.example",
            "messageId": "0100018e0b1f5c3a-mail",
            "destination": [to],
            "tags": tags
        }
    });
    event.as_object_mut().unwrap().extend(body.as_object().unwrap().clone());
    event
}

fn bounce(tenant: Option<&str>, to: &str, bounce_type: &str, sub_type: &str) -> Value {
    ses_event(
        tenant,
        to,
        json!({
            "eventType": "Bounce",
            "bounce": {
                "bounceType": bounce_type,
                "bounceSubType": sub_type,
                "bouncedRecipients": [{ "emailAddress": to, "action": "failed", "status": "5.1.1",
                                        "diagnosticCode": "smtp; 550 5.1.1 user unknown" }],
                "timestamp": "2026-03-05T14:59:30.000Z",
                "feedbackId": "0100018e0b1f5c3a-feedback"
            }
        }),
    )
}

fn complaint(to: &str) -> Value {
    ses_event(
        Some("demo"),
        to,
        json!({
            "eventType": "Complaint",
            "complaint": {
                "complainedRecipients": [{ "emailAddress": to }],
                "timestamp": "2026-03-05T15:00:00.000Z",
                "feedbackId": "0100018e0b1f5c3a-complaint",
                "complaintFeedbackType": "abuse"
            }
        }),
    )
}

fn events(lead: &Value) -> Vec<String> {
    lead["events"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_signed_stop_opts_the_lead_out_and_help_is_answered_through_the_channel() {
    let sns = spawn().await;
    let id = sns.app.enrol(1).await;

    let help = signed(
        "Notification",
        SMS_TOPIC,
        &sms(&lead_phone(1), "HELP").to_string(),
        sns.now().await,
        &sns.cert_url(),
        Version::Sha1,
    );
    assert_eq!(sns.post("sms", &help).await.status(), 200);
    let replies: Vec<Value> =
        sns.app.outbox(None).await.into_iter().filter(|e| e["lead_id"].is_null() && e["to"] == lead_phone(1)).collect();
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!((replies[0]["body"].as_str(), replies[0]["from"].as_str()), (Some(HELP_TEXT), Some(DEMO_NUMBER)));

    let stop = sns.text_in(&lead_phone(1), "STOP").await;
    assert_eq!(sns.post("sms", &stop).await.status(), 200);

    sns.app.advance(30 * 86_400).await;
    assert_eq!(sns.app.outbox(Some(&id)).await.len(), 1, "only the first touch");
    let lead = sns.app.lead(&id).await;
    assert_eq!(lead["state"], "opted_out");
    assert_eq!(lead["opted_out"], json!(["sms", "voice", "voicemail"]));
    assert!(events(&lead).contains(&"opted_out".to_owned()), "{lead}");

    let fetches = sns.server.received_requests().await.unwrap();
    assert_eq!(fetches.len(), 1, "the certificate is fetched once per process: {fetches:?}");
}

#[tokio::test]
async fn a_forged_stale_or_foreign_message_is_403_and_changes_nothing() {
    let sns = spawn().await;
    let id = sns.app.enrol(1).await;
    let now = sns.now().await;
    Mock::given(method("GET"))
        .and(path("/other.pem"))
        .respond_with(ResponseTemplate::new(200).set_body_string(OTHER_CERT_PEM))
        .mount(&sns.server)
        .await;
    let stop = sms(&lead_phone(1), "STOP").to_string();
    let cert = sns.cert_url();
    let doc = |topic: &str, at: DateTime<Utc>, cert_url: &str| {
        signed("Notification", topic, &stop, at, cert_url, Version::Sha256)
    };

    let mut tampered = doc(SMS_TOPIC, now, &cert);
    tampered["Message"] = json!(sms(&lead_phone(1), "STOPALL").to_string());
    let mut unsigned = doc(SMS_TOPIC, now, &cert);
    unsigned["Signature"] = json!("");
    let mut resigned_elsewhere = doc(SMS_TOPIC, now, &cert);
    resigned_elsewhere["SigningCertURL"] = json!(format!("{}/other.pem", sns.server.uri()));
    let mut version_swapped = doc(SMS_TOPIC, now, &cert);
    version_swapped["SignatureVersion"] = json!("1");
    let cases = [
        ("a message changed after signing", tampered),
        ("no signature", unsigned),
        ("another key's certificate", resigned_elsewhere),
        ("a SHA-256 signature claimed as SHA-1", version_swapped),
        ("a topic that is not the stack's", doc("arn:aws:sns:us-east-1:999999999999:elsewhere", now, &cert)),
        ("a timestamp over an hour old", doc(SMS_TOPIC, now - Duration::minutes(61), &cert)),
        ("a timestamp over an hour ahead", doc(SMS_TOPIC, now + Duration::minutes(61), &cert)),
        ("a certificate off SNS's hosts", doc(SMS_TOPIC, now, "https://certs.example.com/sns.pem")),
        ("a certificate over http", doc(SMS_TOPIC, now, "http://sns.us-east-1.amazonaws.com/cert.pem")),
    ];
    for (case, doc) in cases {
        let response = sns.post("sms", &doc).await;
        assert_eq!(response.status(), 403, "{case}");
        let error: Value = response.json().await.unwrap();
        assert!(error["error"].as_str().unwrap().starts_with("not a verified SNS message"), "{case}: {error}");
    }

    let lead = sns.app.lead(&id).await;
    assert_eq!(lead["state"], "active");
    assert_eq!(lead["opted_out"], json!([]));
    assert!(!events(&lead).contains(&"opted_out".to_owned()), "{lead}");
}

#[tokio::test]
async fn without_the_loopback_allowance_a_loopback_certificate_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_string(CERT_PEM)).mount(&server).await;
    let topics = [SMS_TOPIC.to_owned()].into_iter().collect();
    let app = TestApp::builder().sns(SnsPolicy { topics, urls: UrlPolicy::Aws }).spawn().await;
    let sns = Sns { app, server };
    let id = sns.app.enrol(1).await;

    let stop = sns.text_in(&lead_phone(1), "STOP").await;
    assert_eq!(sns.post("sms", &stop).await.status(), 403);
    assert!(sns.server.received_requests().await.unwrap().is_empty(), "nothing fetched from a host not SNS's");
    assert_eq!(sns.app.lead(&id).await["state"], "active");
}

#[tokio::test]
async fn a_subscription_confirmation_is_confirmed_by_getting_its_subscribe_url() {
    let sns = spawn().await;
    Mock::given(method("GET"))
        .and(path("/"))
        .and(query_param("Action", "ConfirmSubscription"))
        .and(query_param("Token", "2336412f37fb687f5d51e6e241d09c8"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<ConfirmSubscriptionResponse/>"))
        .expect(1)
        .mount(&sns.server)
        .await;
    let now = sns.now().await;
    let url = format!(
        "{}/?Action=ConfirmSubscription&TopicArn={SES_TOPIC}&Token=2336412f37fb687f5d51e6e241d09c8",
        sns.server.uri()
    );
    let message = "You have chosen to subscribe to the topic.\nTo confirm the subscription, visit the SubscribeURL.";
    let mut doc = signed("SubscriptionConfirmation", SES_TOPIC, message, now, &sns.cert_url(), Version::Sha256);
    doc["Token"] = json!("2336412f37fb687f5d51e6e241d09c8");
    doc["SubscribeURL"] = json!(url);
    sign(&mut doc, Version::Sha256);
    assert_eq!(sns.post("ses", &doc).await.status(), 200);

    // The SubscribeURL is signed: one changed to point elsewhere is refused, and not fetched.
    let mut redirected = doc.clone();
    redirected["SubscribeURL"] = json!(format!("{}/?Action=ConfirmSubscription&Token=other", sns.server.uri()));
    assert_eq!(sns.post("ses", &redirected).await.status(), 403);
    // Signed, but off SNS's hosts: refused, and not fetched either.
    let mut elsewhere = doc.clone();
    elsewhere["SubscribeURL"] = json!("https://attacker.example/?Action=ConfirmSubscription");
    sign(&mut elsewhere, Version::Sha256);
    assert_eq!(sns.post("ses", &elsewhere).await.status(), 403);
}

#[tokio::test]
async fn a_permanent_bounce_closes_the_leads_email_and_a_transient_one_changes_nothing() {
    let sns = spawn().await;
    let id = sns.app.enrol(1).await;

    let transient =
        sns.notification(SES_TOPIC, &bounce(Some("demo"), "ann1@example.com", "Transient", "MailboxFull")).await;
    assert_eq!(sns.post("ses", &transient).await.status(), 200);
    let lead = sns.app.lead(&id).await;
    assert!(lead.get("undeliverable").is_none_or(|u| u.get("email").is_none()), "{lead}");

    let permanent =
        sns.notification(SES_TOPIC, &bounce(Some("demo"), "Ann1@Example.com", "Permanent", "General")).await;
    assert_eq!(sns.post("ses", &permanent).await.status(), 200);
    let lead = sns.app.lead(&id).await;
    assert_eq!(lead["undeliverable"]["email"], "invalid_address", "{lead}");
    let suppressed = lead["events"].as_array().unwrap().iter().find(|e| e["type"] == "channel_suppressed").unwrap();
    assert_eq!(suppressed["channel"], "email");
    assert!(suppressed["detail"].as_str().unwrap().contains("550 5.1.1"), "{suppressed}");

    // The cadence goes on without its emails: the SMS of day 5 still goes out.
    sns.app.advance(6 * 86_400).await;
    let touches = sns.app.outbox(Some(&id)).await;
    assert!(touches.iter().all(|t| t["channel"] != "email"), "{touches:?}");
    assert!(touches.len() >= 2, "{touches:?}");
}

#[tokio::test]
async fn a_complaint_opts_the_lead_out_of_email_with_its_evidence() {
    let sns = spawn().await;
    let id = sns.app.enrol(1).await;

    let doc = sns.notification(SES_TOPIC, &complaint("ann1@example.com")).await;
    assert_eq!(sns.post("ses", &doc).await.status(), 200);
    assert_eq!(sns.post("ses", &doc).await.status(), 200, "a redelivery");

    let lead = sns.app.lead(&id).await;
    assert_eq!(lead["opted_out"], json!(["email"]));
    let opt_outs: Vec<&Value> =
        lead["events"].as_array().unwrap().iter().filter(|e| e["type"] == "opted_out").collect();
    assert_eq!(opt_outs.len(), 1, "{lead}");
    assert_eq!(opt_outs[0]["channel"], "email");
    assert!(opt_outs[0]["message"].as_str().unwrap().contains("abuse"), "{lead}");
    sns.app.advance(6 * 86_400).await;
    assert!(sns.app.outbox(Some(&id)).await.iter().all(|t| t["channel"] != "email"));
}

#[tokio::test]
async fn ses_events_of_no_or_another_tenant_change_nothing_here() {
    let sns = spawn().await;
    let id = sns.app.enrol(1).await;

    let untagged = sns.notification(SES_TOPIC, &bounce(None, "ann1@example.com", "Permanent", "General")).await;
    assert_eq!(sns.post("ses", &untagged).await.status(), 200, "a mail leadflow did not send: dropped");
    // The other tenant has no lead at this address: the demo tenant's lead stays open.
    let other = sns.notification(SES_TOPIC, &bounce(Some("other"), "ann1@example.com", "Permanent", "General")).await;
    assert_eq!(sns.post("ses", &other).await.status(), 200);
    let unknown =
        sns.notification(SES_TOPIC, &bounce(Some("nobody"), "ann1@example.com", "Permanent", "General")).await;
    let response = sns.post("ses", &unknown).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["fields"][0]["field"], "Message.mail.tags.tenant", "{error}");

    let lead = sns.app.lead(&id).await;
    assert!(lead.get("undeliverable").is_none_or(|u| u.get("email").is_none()), "{lead}");
}

#[tokio::test]
async fn what_is_not_an_sns_message_or_not_the_routes_payload_is_a_4xx_naming_the_field() {
    let sns = spawn().await;
    let response = sns.post("sms", &json!({ "Type": "Notification" })).await;
    assert_eq!(response.status(), 400);

    let not_sms = sns.notification(SMS_TOPIC, &json!({ "destinationNumber": DEMO_NUMBER })).await;
    let response = sns.post("sms", &not_sms).await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert!(error["error"].as_str().unwrap().starts_with("Message"), "{error}");

    let bad_number = sns.notification(SMS_TOPIC, &sms("not a number", "STOP")).await;
    let response = sns.post("sms", &bad_number).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["fields"][0]["field"], "Message.originationNumber", "{error}");

    let mut not_ours = sms(&lead_phone(1), "STOP");
    not_ours["destinationNumber"] = json!("+14155559999");
    let response = sns.post("sms", &sns.notification(SMS_TOPIC, &not_ours).await).await;
    assert_eq!(response.status(), 422);
}

/// An SES `Open` (or `Click`) event of an email leadflow sent to the lead `lead`.
fn opened(kind: &str, lead: &str, to: &str) -> Value {
    let mut event = ses_event(Some("demo"), to, json!({ "eventType": kind }));
    event["mail"]["tags"]["lead"] = json!([lead]);
    let detail = if kind == "Open" {
        json!({ "ipAddress": "192.0.2.1", "timestamp": "2026-03-05T15:10:00.000Z", "userAgent": "Mozilla/5.0" })
    } else {
        json!({ "ipAddress": "192.0.2.1", "link": "https://brightsmile.example/", "linkTags": {},
                "timestamp": "2026-03-05T15:10:00.000Z", "userAgent": "Mozilla/5.0" })
    };
    event[kind.to_lowercase()] = detail;
    event
}

fn signal_names(lead: &Value) -> Vec<String> {
    let signals = lead["signals"].as_array().cloned().unwrap_or_default();
    signals.iter().map(|s| s["signal"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn an_email_opened_without_a_click_gets_a_short_text_two_hours_later() {
    let sns = spawn().await;
    let id = sns.app.enrol(1).await;
    sns.app.advance(300).await;

    let open = sns.notification(SES_TOPIC, &opened("Open", &id, "ann1@example.com")).await;
    assert_eq!(sns.post("ses", &open).await.status(), 200);
    // A second reading of the same mail (or its SES click) within the hour is the same open.
    let click = sns.notification(SES_TOPIC, &opened("Click", &id, "ann1@example.com")).await;
    assert_eq!(sns.post("ses", &click).await.status(), 200);
    let lead = sns.app.lead(&id).await;
    assert_eq!(signal_names(&lead), ["email_opened"], "{lead}");

    sns.app.advance(2 * 3600).await;
    let texts: Vec<String> = sns.app.outbox(Some(&id)).await.iter().map(|t| t["body"].to_string()).collect();
    assert_eq!(texts.iter().filter(|t| t.contains("any questions about Bright Smile Dental")).count(), 1, "{texts:?}");
}

#[tokio::test]
async fn an_open_followed_by_a_click_holds_the_text_back_and_says_why() {
    let sns = spawn().await;
    let id = sns.app.enrol(1).await;
    // A day on: the day-1 email, with the booking link, is out.
    sns.app.advance(86_400).await;
    let open = sns.notification(SES_TOPIC, &opened("Open", &id, "ann1@example.com")).await;
    assert_eq!(sns.post("ses", &open).await.status(), 200);

    // The lead follows the link within the two hours.
    let touches = sns.app.outbox(Some(&id)).await;
    let bodies: Vec<String> = touches.iter().filter_map(|t| t["body"].as_str().map(str::to_owned)).collect();
    let link = bodies.iter().flat_map(|b| b.split_whitespace()).find(|w| w.contains("/r/")).unwrap().to_owned();
    let no_redirect = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    assert_eq!(no_redirect.get(&link).send().await.unwrap().status(), 302);

    sns.app.advance(2 * 3600).await;
    let lead = sns.app.lead(&id).await;
    // The day-1 email was the third touch without engagement.
    assert_eq!(signal_names(&lead), ["unengaged", "email_opened", "booking_clicked"], "{lead}");
    let texts: Vec<String> = sns.app.outbox(Some(&id)).await.iter().map(|t| t["body"].to_string()).collect();
    assert!(!texts.iter().any(|t| t.contains("any questions about")), "{texts:?}");
    let skipped = lead["events"].as_array().unwrap().iter().find(|e| e["type"] == "step_skipped").unwrap();
    assert_eq!(skipped["reason"], "held back by its condition: its trigger's unless clicked", "{lead}");
    let stopped = lead["events"].as_array().unwrap().iter().find(|e| e["type"] == "cadence_stopped").unwrap();
    assert_eq!((stopped["cadence"].clone(), stopped["reason"].clone()), (json!("opened_no_click"), json!("held_back")));
}
