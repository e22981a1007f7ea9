//! `POST /v1/webhooks/google-ads?tenant=demo`: Google Ads lead form leads, checked by their
//! `google_key`, through intake like any lead (Google's retries are one lead), test leads
//! counted and never contacted, and a wrong key or a malformed body recording nothing.

use leadflow_tests::{spawn_app, TestApp};
use serde_json::{json, Value};

/// Google's documented example, with the demo tenant's key.
fn sample() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/sources/google-ads-lead.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

async fn post(app: &TestApp, query: &str, body: &Value) -> reqwest::Response {
    let url = format!("{}/v1/webhooks/google-ads{query}", app.base);
    app.client.post(url).json(body).send().await.unwrap()
}

async fn leads_today(app: &TestApp) -> (u64, u64) {
    let report: Value = app.report("from=2026-03-05&to=2026-03-05").await.json().await.unwrap();
    (report["leads"].as_u64().unwrap(), report["test_leads"].as_u64().unwrap())
}

#[tokio::test]
async fn a_google_ads_lead_is_taken_once_and_texted_at_once() {
    let app = spawn_app().await;
    let first = post(&app, "?tenant=demo", &sample()).await;
    assert_eq!(first.status(), 200);
    let receipt: Value = first.json().await.unwrap();
    let id = receipt["lead_id"].as_str().unwrap().to_owned();
    app.settle().await;

    let lead = app.lead(&id).await;
    assert_eq!(
        (lead["profile"]["source"].clone(), lead["profile"]["campaign"].clone()),
        (json!("google-ads"), json!("12345678901"))
    );
    assert_eq!(lead["profile"]["phone"], "+16505550123");
    assert_eq!(lead["profile"]["fields"]["google_form_id"], "40000000000");
    assert!(lead["consent"]["evidence"]["text"].as_str().unwrap().starts_with("By submitting this form"));
    // Implants from paid search, calls consented: the fast segment.
    assert_eq!(lead["enrolments"][0]["cadence"], "fast");
    let outbox = app.outbox(Some(&id)).await;
    assert_eq!(outbox.len(), 1, "the first text at once: {outbox:?}");

    // Google retries a delivery it got no 200 for: the same lead, not a second.
    let again = post(&app, "?tenant=demo", &sample()).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.headers().get("idempotent-replayed").map(|v| v.to_str().unwrap()), Some("true"));
    assert_eq!(again.json::<Value>().await.unwrap()["lead_id"], id.as_str());
    assert_eq!(leads_today(&app).await, (1, 0));
}

#[tokio::test]
async fn a_test_lead_is_answered_and_counted_never_contacted() {
    let app = spawn_app().await;
    let mut test = sample();
    test["is_test"] = json!(true);
    let response = post(&app, "?tenant=demo", &test).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap(), json!({ "test": true }));
    app.settle().await;
    assert!(app.outbox(None).await.is_empty());
    assert_eq!(leads_today(&app).await, (0, 1));
}

#[tokio::test]
async fn a_wrong_key_a_bad_url_or_a_malformed_lead_records_nothing() {
    let app = spawn_app().await;
    let mut wrong = sample();
    wrong["google_key"] = json!("guess");
    let mut keyless = sample();
    keyless.as_object_mut().unwrap().remove("google_key");
    for (query, body, status) in [
        ("?tenant=demo", wrong, 403),
        ("?tenant=demo", keyless, 403),
        ("?tenant=nobody", sample(), 403),
        ("", sample(), 400),
    ] {
        let response = post(&app, query, &body).await;
        assert_eq!(response.status(), status, "{query}");
    }
    let mut float = sample();
    float["campaign_id"] = json!(12345678901.5);
    let refused = post(&app, "?tenant=demo", &float).await;
    assert_eq!(refused.status(), 400);
    assert_eq!(refused.json::<Value>().await.unwrap()["fields"][0]["field"], "campaign_id");
    let mut no_id = sample();
    no_id.as_object_mut().unwrap().remove("lead_id");
    assert_eq!(post(&app, "?tenant=demo", &no_id).await.status(), 422);
    let broken = app
        .client
        .post(format!("{}/v1/webhooks/google-ads?tenant=demo", app.base))
        .body("{\"lead_id\":")
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), 400);
    app.settle().await;
    assert!(app.outbox(None).await.is_empty());
    assert_eq!(leads_today(&app).await, (0, 0));
}
