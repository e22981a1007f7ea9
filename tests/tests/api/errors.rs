//! Every error of every route has the documented shape: `{"error": "...", "fields": [...]}`,
//! or the 404 page where a link route shows one. One bad request per route and way of being
//! wrong: a method the route does not take, a body that is not JSON or has a field of the wrong
//! type, a query parameter given twice, a path that is not UTF-8, a body over the limit
//! (declared or streamed), a broken chunk, no API key, no valid signature.

use base64::Engine;
use ed25519_dalek::SigningKey;
use leadflow_core::config::DEMO_API_KEY;
use leadflow_tests::{lead_phone, twilio_signature, TestApp, DEMO_NUMBER, DEMO_TWILIO_TOKEN};
use serde_json::{json, Value};

/// What an error answer must look like.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// `{"error": "...", "fields": [...]}`.
    Json,
    /// The JSON shape, its first field this one.
    Naming(&'static str),
    /// The HTML page of a link that is not valid.
    Page,
}

enum Request {
    Http(Box<reqwest::RequestBuilder>),
    /// Bytes written as they are, for what reqwest will not send.
    Raw(Vec<u8>),
}

struct Row {
    case: String,
    send: Request,
    status: u16,
    shape: Shape,
}

fn row(case: impl Into<String>, send: Request, status: u16, shape: Shape) -> Row {
    Row { case: case.into(), send, status, shape }
}

fn http(request: reqwest::RequestBuilder) -> Request {
    Request::Http(Box::new(request))
}

/// A POST whose body is sent in chunks as given, with the demo API key.
fn chunked(path: &str, chunks: &str) -> Request {
    Request::Raw(
        format!(
            "POST {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {DEMO_API_KEY}\r\n\
             Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{chunks}"
        )
        .into_bytes(),
    )
}

/// A chunk whose size line is not hexadecimal.
const BROKEN_CHUNK: &str = "zz\r\n{}\r\n0\r\n\r\n";

/// One chunk of 65 KiB: over the limit, with no length declared up front.
fn oversized_chunk() -> String {
    let size = 65 * 1024;
    format!("{size:x}\r\n{}\r\n0\r\n\r\n", "a".repeat(size))
}

/// The demo tenant, receiving through Telnyx: a signature can be checked, and fail.
fn with_telnyx_key(demo: &str) -> String {
    let key = SigningKey::from_bytes(&[42; 32]).verifying_key();
    let key = base64::engine::general_purpose::STANDARD.encode(key.as_bytes());
    format!("[telnyx]\npublic_key = \"{key}\"\n\n{demo}")
}

fn telnyx_event(event_type: &str, from: &str, to: &str) -> String {
    json!({ "data": { "event_type": event_type, "id": "b301ed3f", "payload": {
        "id": "40385f64", "from": { "phone_number": from }, "to": [{ "phone_number": to }], "text": "STOP" } } })
    .to_string()
}

/// An SNS notification from a topic that is not the stack's, with a signature that is not SNS's.
fn foreign_sns_notification() -> String {
    json!({
        "Type": "Notification",
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:someone-else",
        "Message": "{}",
        "Timestamp": "2026-03-05T15:00:00.000Z",
        "SignatureVersion": "2",
        "Signature": "c2lnbmF0dXJl",
        "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem"
    })
    .to_string()
}

/// Every route, with a method it does not take.
fn wrong_methods(lead: &str) -> Vec<(reqwest::Method, String)> {
    use reqwest::Method;
    vec![
        (Method::GET, "/v1/leads".to_owned()),
        (Method::DELETE, format!("/v1/leads/{lead}")),
        (Method::GET, format!("/v1/leads/{lead}/events")),
        (Method::GET, format!("/v1/leads/{lead}/stage")),
        (Method::GET, "/v1/webhooks/twilio/sms".to_owned()),
        (Method::GET, "/v1/webhooks/twilio/status".to_owned()),
        (Method::GET, "/v1/webhooks/twilio/voice/answer".to_owned()),
        (Method::GET, "/v1/webhooks/twilio/voice/gather".to_owned()),
        (Method::GET, "/v1/webhooks/telnyx/messages".to_owned()),
        (Method::GET, "/v1/webhooks/aws/sms".to_owned()),
        (Method::GET, "/v1/webhooks/aws/ses".to_owned()),
        (Method::GET, "/v1/webhooks/calendly?tenant=demo".to_owned()),
        (Method::PUT, "/v1/webhooks/calcom?tenant=demo".to_owned()),
        (Method::GET, "/v1/webhooks/twilio/voice/incoming".to_owned()),
        (Method::GET, "/v1/webhooks/twilio/voice/incoming/done".to_owned()),
        (Method::GET, "/v1/forms/bright-smile-contact".to_owned()),
        (Method::GET, "/v1/webhooks/forms/bright-smile-typeform".to_owned()),
        (Method::PUT, "/v1/webhooks/meta".to_owned()),
        (Method::GET, "/v1/webhooks/google-ads?tenant=demo".to_owned()),
        (Method::POST, "/v1/payloads/form:x:y".to_owned()),
        (Method::POST, "/r/some-token".to_owned()),
        (Method::PUT, "/u/some-token".to_owned()),
        (Method::POST, "/v1/reports/summary".to_owned()),
        (Method::POST, "/dev/outbox".to_owned()),
        (Method::POST, "/dev/clock".to_owned()),
        (Method::GET, "/dev/clock/advance".to_owned()),
    ]
}

/// Every route that reads a body.
fn body_routes(lead: &str) -> Vec<String> {
    [
        "/v1/leads".to_owned(),
        format!("/v1/leads/{lead}/events"),
        format!("/v1/leads/{lead}/stage"),
        "/v1/webhooks/twilio/sms".to_owned(),
        "/v1/webhooks/twilio/status".to_owned(),
        "/v1/webhooks/twilio/voice/answer".to_owned(),
        "/v1/webhooks/twilio/voice/gather".to_owned(),
        "/v1/webhooks/telnyx/messages".to_owned(),
        "/v1/webhooks/aws/sms".to_owned(),
        "/v1/webhooks/aws/ses".to_owned(),
        "/v1/webhooks/calendly?tenant=demo".to_owned(),
        "/v1/webhooks/calcom?tenant=demo".to_owned(),
        "/v1/webhooks/google-ads?tenant=demo".to_owned(),
        "/v1/webhooks/twilio/voice/incoming".to_owned(),
        "/v1/webhooks/forms/bright-smile-typeform".to_owned(),
        "/u/some-token".to_owned(),
        "/dev/clock/advance".to_owned(),
    ]
    .into()
}

fn rows(app: &TestApp, lead: &str) -> Vec<Row> {
    let url = |path: &str| format!("{}{path}", app.base);
    let get = |path: &str| http(app.client.get(url(path)));
    let post = |path: &str| http(app.client.post(url(path)));
    let with_key = |path: &str| app.client.post(url(path)).bearer_auth(DEMO_API_KEY);
    let json_to =
        |path: &str, body: &str| http(with_key(path).header("content-type", "application/json").body(body.to_owned()));
    let signed_call = |path_and_query: &str| {
        let to = lead_phone(1);
        let params = [("CallSid", "CA42"), ("From", DEMO_NUMBER), ("To", to.as_str())];
        let signature = twilio_signature(DEMO_TWILIO_TOKEN, &url(path_and_query), &params);
        http(app.client.post(url(path_and_query)).header("X-Twilio-Signature", signature).form(&params))
    };
    let events = format!("/v1/leads/{lead}/events");
    let stage = format!("/v1/leads/{lead}/stage");
    let (status, answer) = ("/v1/webhooks/twilio/status", "/v1/webhooks/twilio/voice/answer");
    let telnyx = "/v1/webhooks/telnyx/messages";

    let mut rows = vec![
        // The lead API.
        row("a lead without an API key", http(app.client.post(url("/v1/leads")).json(&json!({}))), 401, Shape::Json),
        row("a lead that is not JSON", json_to("/v1/leads", "{\"first_name\":"), 400, Shape::Json),
        row(
            "a lead with a field of the wrong type",
            json_to("/v1/leads", "{\"first_name\": 5}"),
            422,
            Shape::Naming("first_name"),
        ),
        row(
            "a lead with a bad Idempotency-Key",
            http(with_key("/v1/leads").header("Idempotency-Key", "").json(&json!({}))),
            422,
            Shape::Naming("Idempotency-Key"),
        ),
        row("a lead read without an API key", get(&format!("/v1/leads/{lead}")), 401, Shape::Json),
        row(
            "a lead that does not exist",
            http(app.client.get(url("/v1/leads/ld_nope")).bearer_auth(DEMO_API_KEY)),
            404,
            Shape::Json,
        ),
        row(
            "a lead id that is not UTF-8",
            http(app.client.get(url("/v1/leads/%FF")).bearer_auth(DEMO_API_KEY)),
            404,
            Shape::Json,
        ),
        row("an event without an API key", post(&events), 401, Shape::Json),
        row("an event that is not JSON", json_to(&events, "[1,"), 400, Shape::Json),
        row("an event type of the wrong type", json_to(&events, "{\"type\": 5}"), 422, Shape::Naming("type")),
        row(
            "an event type that does not exist",
            json_to(&events, "{\"type\": \"married\"}"),
            422,
            Shape::Naming("type"),
        ),
        row(
            "an event for a lead id that is not UTF-8",
            json_to("/v1/leads/%FF/events", "{\"type\": \"won\"}"),
            404,
            Shape::Json,
        ),
        row("a stage move without an API key", post(&stage), 401, Shape::Json),
        row("a stage move that is not JSON", json_to(&stage, "{\"stage\":"), 400, Shape::Json),
        row("a stage of the wrong type", json_to(&stage, "{\"stage\": 5}"), 422, Shape::Naming("stage")),
        row("a stage the pipeline lacks", json_to(&stage, "{\"stage\": \"limbo\"}"), 422, Shape::Naming("stage")),
        row(
            "a stage move for a lead that does not exist",
            json_to("/v1/leads/ld_0000000000000000000000000000ffff/stage", "{\"stage\": \"won\"}"),
            404,
            Shape::Json,
        ),
        // Twilio.
        row(
            "an unsigned inbound SMS",
            http(app.client.post(url("/v1/webhooks/twilio/sms")).form(&[("To", DEMO_NUMBER), ("Body", "STOP")])),
            403,
            Shape::Json,
        ),
        row("an unsigned delivery status", post(&format!("{status}?lead={lead}")), 403, Shape::Json),
        row("a delivery status with lead twice", post(&format!("{status}?lead=a&lead=b")), 400, Shape::Naming("lead")),
        row("an unsigned call answer", post(&format!("{answer}?lead={lead}&touch=tc_1")), 403, Shape::Json),
        row("a signed call answer without its lead", signed_call(answer), 422, Shape::Naming("lead")),
        row(
            "a signed call answer with lead twice",
            signed_call(&format!("{answer}?lead={lead}&lead={lead}&touch=tc_1")),
            400,
            Shape::Naming("lead"),
        ),
        row(
            "a signed key press with touch twice",
            signed_call(&format!("/v1/webhooks/twilio/voice/gather?lead={lead}&touch=a&touch=b")),
            400,
            Shape::Naming("touch"),
        ),
        // Telnyx: every event is verified, whatever its type.
        row(
            "an unsigned Telnyx delivery report",
            http(app.client.post(url(telnyx)).body(telnyx_event("message.finalized", DEMO_NUMBER, &lead_phone(1)))),
            403,
            Shape::Json,
        ),
        row(
            "an unsigned Telnyx event of a type leadflow does not know",
            http(app.client.post(url(telnyx)).body(telnyx_event("message.unknown", DEMO_NUMBER, &lead_phone(1)))),
            403,
            Shape::Json,
        ),
        row(
            "an unsigned Telnyx inbound message",
            http(app.client.post(url(telnyx)).body(telnyx_event("message.received", &lead_phone(1), DEMO_NUMBER))),
            403,
            Shape::Json,
        ),
        row("a Telnyx event that is not JSON", http(app.client.post(url(telnyx)).body("{")), 400, Shape::Json),
        // AWS, through SNS.
        row(
            "an SNS document without its fields",
            http(app.client.post(url("/v1/webhooks/aws/sms")).body("{}")),
            400,
            Shape::Json,
        ),
        row(
            "an SNS message from another topic (SMS)",
            http(app.client.post(url("/v1/webhooks/aws/sms")).body(foreign_sns_notification())),
            403,
            Shape::Json,
        ),
        row(
            "an SNS message from another topic (SES)",
            http(app.client.post(url("/v1/webhooks/aws/ses")).body(foreign_sns_notification())),
            403,
            Shape::Json,
        ),
        // Booking tools.
        row("a Calendly webhook without its tenant", post("/v1/webhooks/calendly"), 400, Shape::Naming("tenant")),
        row(
            "a Calendly webhook with tenant twice",
            post("/v1/webhooks/calendly?tenant=demo&tenant=demo"),
            400,
            Shape::Naming("tenant"),
        ),
        row(
            "a Cal.com webhook with tenant twice",
            post("/v1/webhooks/calcom?tenant=demo&tenant=demo"),
            400,
            Shape::Naming("tenant"),
        ),
        row("an unsigned Calendly webhook", post("/v1/webhooks/calendly?tenant=demo"), 403, Shape::Json),
        row("an unsigned Cal.com webhook", post("/v1/webhooks/calcom?tenant=demo"), 403, Shape::Json),
        // Lead sources: a fetch() asking for JSON gets the JSON shape; a browser's form post
        // gets a page naming what to correct.
        row(
            "a form post to no such form",
            http(
                app.client.post(url("/v1/forms/no-such-form")).header("accept", "application/json").form(&[("a", "b")]),
            ),
            404,
            Shape::Json,
        ),
        row(
            "a form post that is not a form",
            http(
                app.client
                    .post(url("/v1/forms/bright-smile-contact"))
                    .header("accept", "application/json")
                    .json(&json!({})),
            ),
            415,
            Shape::Json,
        ),
        row(
            "a browser's post to no such form",
            http(app.client.post(url("/v1/forms/no-such-form")).form(&[("a", "b")])),
            404,
            Shape::Page,
        ),
        row("a raw payload without an API key", get("/v1/payloads/form:x:y"), 401, Shape::Json),
        row("an unsigned inbound call", post("/v1/webhooks/twilio/voice/incoming"), 403, Shape::Json),
        row("an unsigned form webhook", post("/v1/webhooks/forms/bright-smile-typeform"), 403, Shape::Json),
        row("a form webhook to no such form", post("/v1/webhooks/forms/no-such-form"), 404, Shape::Json),
        row(
            "a Meta handshake with a wrong token",
            get("/v1/webhooks/meta?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1"),
            403,
            Shape::Json,
        ),
        row("an unsigned Meta webhook", post("/v1/webhooks/meta"), 403, Shape::Json),
        // Meta's route takes 1,000 leads a POST: up to 1 MiB, not 64 KiB.
        row(
            "a body over 1 MiB declared to the Meta webhook",
            http(app.client.post(url("/v1/webhooks/meta")).body("a".repeat(1024 * 1024 + 1))),
            413,
            Shape::Json,
        ),
        row("a broken chunk to the Meta webhook", chunked("/v1/webhooks/meta", BROKEN_CHUNK), 400, Shape::Json),
        // Links: a person's browser gets a page.
        row("a tracked link that is not UTF-8", get("/r/%FF"), 404, Shape::Page),
        row("a tracked link this stack did not sign", get("/r/nonsense"), 404, Shape::Page),
        row("an unsubscribe page that is not UTF-8", get("/u/%FF"), 404, Shape::Page),
        row("an unsubscribe that is not UTF-8", post("/u/%FF"), 404, Shape::Page),
        row("an unsubscribe page this stack did not sign", get("/u/nonsense"), 404, Shape::Page),
        row("an unsubscribe this stack did not sign", post("/u/nonsense"), 404, Shape::Page),
        // Reports.
        row("a report without an API key", get("/v1/reports/summary"), 401, Shape::Json),
        row(
            "a report with a bad date",
            http(app.client.get(url("/v1/reports/summary?from=yesterday")).bearer_auth(DEMO_API_KEY)),
            422,
            Shape::Naming("from"),
        ),
        row(
            "a report with from twice",
            http(app.client.get(url("/v1/reports/summary?from=2026-03-01&from=2026-03-02")).bearer_auth(DEMO_API_KEY)),
            400,
            Shape::Naming("from"),
        ),
        // The dev routes and no route at all.
        row("an outbox with lead_id twice", get("/dev/outbox?lead_id=a&lead_id=b"), 400, Shape::Naming("lead_id")),
        row(
            "a clock advance that is not JSON",
            http(app.client.post(url("/dev/clock/advance")).body("{")),
            422,
            Shape::Naming("seconds"),
        ),
        row("no such route", get("/v2/nothing"), 404, Shape::Json),
    ];
    for (method, path) in wrong_methods(lead) {
        rows.push(row(format!("{method} {path}"), http(app.client.request(method, url(&path))), 405, Shape::Json));
    }
    for path in body_routes(lead) {
        let oversized = http(with_key(&path).body("a".repeat(70 * 1024)));
        rows.push(row(format!("a body over 64 KiB declared to {path}"), oversized, 413, Shape::Json));
        rows.push(row(
            format!("a body over 64 KiB in chunks to {path}"),
            chunked(&path, &oversized_chunk()),
            413,
            Shape::Json,
        ));
        rows.push(row(format!("a broken chunk to {path}"), chunked(&path, BROKEN_CHUNK), 400, Shape::Json));
    }
    rows
}

/// What is wrong with an answer, if anything.
fn check(row: &Row, status: u16, content_type: &str, allow: Option<&str>, body: &str) -> Option<String> {
    if status != row.status {
        return Some(format!("status {status}, not {}: {body:?}", row.status));
    }
    if status == 405 && allow.is_none() {
        return Some("405 without an Allow header".to_owned());
    }
    let Shape::Page = row.shape else {
        if !content_type.starts_with("application/json") {
            return Some(format!("content-type {content_type:?}: {body:?}"));
        }
        let Ok(Value::Object(error)) = serde_json::from_str::<Value>(body) else {
            return Some(format!("not a JSON object: {body:?}"));
        };
        let mut keys: Vec<&str> = error.keys().map(String::as_str).collect();
        keys.sort();
        let message = error["error"].as_str().unwrap_or_default();
        if keys != ["error", "fields"] || message.is_empty() || !error["fields"].is_array() {
            return Some(format!("not {{error, fields}}: {body}"));
        }
        if let Shape::Naming(field) = row.shape {
            if error["fields"][0]["field"] != field || !error["fields"][0]["message"].is_string() {
                return Some(format!("does not name {field:?}: {body}"));
            }
        }
        return None;
    };
    if !content_type.starts_with("text/html") || !body.contains("not valid") {
        return Some(format!("not the 404 page ({content_type:?}): {body:?}"));
    }
    None
}

#[tokio::test]
async fn every_error_of_every_route_is_the_documented_json_or_page() {
    let app = TestApp::builder().tenant(with_telnyx_key).spawn().await;
    let lead = app.enrol(1).await;
    let mut wrong = Vec::new();
    let rows = rows(&app, &lead);
    for row in &rows {
        let (status, content_type, allow, body) = match &row.send {
            Request::Http(request) => {
                let response = request.try_clone().unwrap().send().await.unwrap();
                let header = |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
                let (content_type, allow) = (header("content-type").unwrap_or_default(), header("allow"));
                (response.status().as_u16(), content_type, allow, response.text().await.unwrap())
            }
            Request::Raw(bytes) => {
                let response = app.raw(bytes).await;
                let content_type = response.header("content-type").unwrap_or_default().to_owned();
                let allow = response.header("allow").map(str::to_owned);
                (response.status, content_type, allow, response.body)
            }
        };
        if let Some(problem) = check(row, status, &content_type, allow.as_deref(), &body) {
            wrong.push(format!("{}: {problem}", row.case));
        }
    }
    assert!(wrong.is_empty(), "{} of {} rows:\n{}", wrong.len(), rows.len(), wrong.join("\n"));
    // Nothing above reached the lead.
    let after = app.lead(&lead).await;
    assert_eq!(after["state"], "active", "{after}");
}
