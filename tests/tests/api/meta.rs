//! Meta lead ads on `leadflow dev`, with a loopback stand-in for the Graph API: the
//! subscription handshake; a signed webhook answered at once and its lead read after the
//! answer (Meta's documented sample payload and a Graph lead with escaped unicode); Meta's
//! retry of a batch is no second lead; a forged signature records nothing; a Graph API failing
//! for an hour delays the lead, never loses it; one failing for a day leaves a placeholder lead
//! that says why, counted in the report.

use hmac::{Hmac, Mac};
use leadflow_tests::TestApp;
use serde_json::Value;
use sha2::Sha256;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/fixtures/sources/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn signature(secret: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The Graph API: the documented lead while `healthy`, else Meta's 500 error body.
struct Graph {
    healthy: Arc<AtomicBool>,
    status_when_down: u16,
}

impl Respond for Graph {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        if self.healthy.load(Ordering::SeqCst) {
            ResponseTemplate::new(200).set_body_raw(fixture("meta-graph-lead.json"), "application/json")
        } else {
            let error = r#"{"error":{"message":"An unknown error has occurred.","type":"OAuthException","code":1,"fbtrace_id":"A1b2"}}"#;
            ResponseTemplate::new(self.status_when_down).set_body_raw(error, "application/json")
        }
    }
}

async fn stack(healthy: bool, status_when_down: u16) -> (TestApp, MockServer, Arc<AtomicBool>) {
    let graph = MockServer::start().await;
    let flag = Arc::new(AtomicBool::new(healthy));
    Mock::given(method("GET"))
        .and(path("/v21.0/444444444444"))
        .and(header("authorization", "Bearer demo_meta_page_token"))
        .respond_with(Graph { healthy: flag.clone(), status_when_down })
        .mount(&graph)
        .await;
    let url = format!("{}/v21.0", graph.uri());
    let app = TestApp::builder()
        .tenant(move |demo| {
            demo.replace("# graph_url = \"https://graph.facebook.com/v21.0\"", &format!("graph_url = \"{url}\""))
        })
        .spawn()
        .await;
    (app, graph, flag)
}

async fn post(app: &TestApp, body: &str, signature: Option<String>) -> reqwest::Response {
    let mut request =
        app.client.post(format!("{}/v1/webhooks/meta", app.base)).header("content-type", "application/json");
    if let Some(signature) = signature {
        request = request.header("x-hub-signature-256", signature);
    }
    request.body(body.to_owned()).send().await.unwrap()
}

async fn report(app: &TestApp) -> Value {
    app.report("from=2026-03-05&to=2026-03-06").await.json().await.unwrap()
}

#[tokio::test]
async fn meta_s_handshake_echoes_the_challenge_for_the_verify_token_only() {
    let (app, _graph, _) = stack(true, 500).await;
    let url = |query: &str| format!("{}/v1/webhooks/meta?{query}", app.base);
    let ok = app
        .client
        .get(url("hub.mode=subscribe&hub.verify_token=demo_meta_verify_token&hub.challenge=1158201444"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert!(ok.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    assert_eq!(ok.text().await.unwrap(), "1158201444");
    for query in [
        "hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1",
        "hub.mode=unsubscribe&hub.verify_token=demo_meta_verify_token&hub.challenge=1",
        "hub.mode=subscribe&hub.challenge=1",
    ] {
        assert_eq!(app.client.get(url(query)).send().await.unwrap().status(), 403, "{query}");
    }
}

#[tokio::test]
async fn a_signed_webhook_is_answered_at_once_and_its_lead_read_after_once() {
    let (app, graph, _) = stack(true, 500).await;
    let body = fixture("meta-leadgen.json");
    let signed = Some(signature("demo_meta_app_secret", &body));
    let answer = post(&app, &body, signed.clone()).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.json::<Value>().await.unwrap(), serde_json::json!({ "received": 1, "scheduled": 1 }));

    app.settle().await;
    let id = app.lead_id_by_phone("+14155550146").await.expect("the lead, read from the Graph API");
    let lead = app.lead(&id).await;
    assert_eq!(
        (lead["profile"]["first_name"].as_str(), lead["profile"]["last_name"].as_str()),
        (Some("José"), Some("Núñez"))
    );
    assert_eq!(lead["profile"]["source"], "meta");
    assert_eq!(lead["profile"]["campaign"], "spring-implants", "by its instant form");
    assert_eq!(lead["profile"]["postcode"], "94043");
    let fields = &lead["profile"]["fields"];
    assert_eq!(
        (fields["which_treatment_are_you_interested_in"].as_str(), fields["best_days"].as_str()),
        (Some("Implants"), Some("Monday, Friday"))
    );
    assert_eq!(
        (fields["meta_lead_id"].as_str(), fields["meta_form_id"].as_str()),
        (Some("444444444444"), Some("444444444444"))
    );
    assert!(lead["consent"]["evidence"]["text"].as_str().unwrap().starts_with("By submitting"));
    assert_eq!(app.outbox(Some(&id)).await.len(), 1, "texted at once");
    let received = lead["events"].as_array().unwrap().iter().find(|e| e["type"] == "received").unwrap().clone();
    assert_eq!(received["payload"], "meta:444444444444", "the Graph answer is kept");

    // Meta retries a batch it got no 200 for: its read finds the lead taken, and asks nothing.
    let again = post(&app, &body, signed).await;
    assert_eq!(again.status(), 200);
    app.settle().await;
    assert_eq!(graph.received_requests().await.unwrap().len(), 1, "one Graph read");
    assert_eq!(report(&app).await["leads"], 1);
}

#[tokio::test]
async fn a_forged_or_unsigned_webhook_records_nothing() {
    let (app, graph, _) = stack(true, 500).await;
    let body = fixture("meta-leadgen.json");
    assert_eq!(post(&app, &body, Some(signature("guessed", &body))).await.status(), 403);
    assert_eq!(post(&app, &body, None).await.status(), 403);
    let escaped = body.replace("leadgen", "leadgen\\u0020");
    assert_eq!(post(&app, &escaped, Some(signature("demo_meta_app_secret", &body))).await.status(), 403);
    app.settle().await;
    assert!(graph.received_requests().await.unwrap().is_empty());
    assert_eq!(report(&app).await["leads"], 0);
}

#[tokio::test]
async fn a_graph_api_down_for_an_hour_delays_the_lead_and_loses_nothing() {
    let (app, graph, healthy) = stack(false, 503).await;
    let body = fixture("meta-leadgen.json");
    assert_eq!(post(&app, &body, Some(signature("demo_meta_app_secret", &body))).await.status(), 200);
    for _ in 0..6 {
        app.advance(600).await;
    }
    assert!(app.lead_id_by_phone("+14155550146").await.is_none(), "not read while Meta fails");
    healthy.store(true, Ordering::SeqCst);
    for _ in 0..4 {
        app.advance(600).await;
    }
    let id = app.lead_id_by_phone("+14155550146").await.expect("read once Meta answers");
    assert_eq!(app.lead(&id).await["profile"]["first_name"], "José");
    let reads = graph.received_requests().await.unwrap().len();
    assert!(reads <= 40, "backoff, not a storm: {reads} reads");
    assert_eq!(report(&app).await["source_failures"], 0);
}

#[tokio::test]
async fn a_lead_meta_cannot_give_for_a_day_becomes_a_placeholder_that_says_why() {
    let (app, _graph, _) = stack(false, 400).await;
    let body = fixture("meta-leadgen.json");
    assert_eq!(post(&app, &body, Some(signature("demo_meta_app_secret", &body))).await.status(), 200);
    for _ in 0..52 {
        app.advance(1_800).await;
    }
    let report = report(&app).await;
    assert_eq!((report["leads"].as_u64(), report["source_failures"].as_u64()), (Some(0), Some(1)));
    assert!(app.outbox(None).await.is_empty(), "a placeholder is never contacted");
    let id = app.lead_id_by_receipt("meta:444444444444").await.expect("the placeholder");
    let lead = app.lead(&id).await;
    assert_eq!(lead["profile"]["fields"]["meta_lead_id"], "444444444444");
    let failed = lead["events"].as_array().unwrap().iter().find(|e| e["type"] == "source_failed").unwrap().clone();
    let reason = failed["reason"].as_str().unwrap();
    assert!(reason.contains("not read from the Graph API in 24 hours") && reason.contains("code 1"), "{reason}");
}

#[tokio::test]
async fn a_batch_of_a_thousand_leads_is_answered_and_each_one_is_read() {
    let (app, _graph, _) = stack(true, 500).await;
    let changes: Vec<Value> = (0..1_000_u64)
        .map(|i| {
            serde_json::json!({ "field": "leadgen", "value": {
            "leadgen_id": (9_007_199_254_740_993_u64 + i).to_string(), "page_id": "444444444444",
            "form_id": "444444444444", "ad_id": "444444444", "created_time": 1_502_121_171 } })
        })
        .collect();
    let body = serde_json::json!({ "object": "page", "entry": [{ "id": "444444444444", "time": 1_502_121_171, "changes": changes }] }).to_string();
    assert!(body.len() > 64 * 1024, "over the other routes' limit: {}", body.len());
    let answer = post(&app, &body, Some(signature("demo_meta_app_secret", &body))).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.json::<Value>().await.unwrap(), serde_json::json!({ "received": 1000, "scheduled": 1000 }));
}

#[tokio::test]
async fn a_lead_intake_would_refuse_is_taken_without_the_refused_values() {
    // An instant form with no name question and a phone that does not parse.
    let graph = MockServer::start().await;
    let lead = r#"{"id":"444444444444","form_id":"444444444444","field_data":[
        {"name":"email","values":["no.name@example.com"]},{"name":"phone_number","values":["12"]}]}"#;
    Mock::given(method("GET"))
        .and(path("/v21.0/444444444444"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(lead, "application/json"))
        .mount(&graph)
        .await;
    let url = format!("{}/v21.0", graph.uri());
    let app = TestApp::builder()
        .tenant(move |demo| {
            demo.replace("# graph_url = \"https://graph.facebook.com/v21.0\"", &format!("graph_url = \"{url}\""))
        })
        .spawn()
        .await;
    let body = fixture("meta-leadgen.json");
    assert_eq!(post(&app, &body, Some(signature("demo_meta_app_secret", &body))).await.status(), 200);
    app.settle().await;
    let id = app.lead_id_by_receipt("meta:444444444444").await.expect("the lead");
    let lead = app.lead(&id).await;
    assert_eq!(
        (lead["profile"]["first_name"].as_str(), lead["profile"]["email"].as_str()),
        (Some("Meta lead"), Some("no.name@example.com"))
    );
    assert_eq!(lead["profile"]["fields"]["meta_phone_as_given"], "12");
    assert_eq!(report(&app).await["source_failures"], 0);
}
