//! One tenant can never read, change or message another tenant's leads.

use leadflow_tests::{spawn_app, TestApp, OTHER_API_KEY};
use serde_json::{json, Value};

#[tokio::test]
async fn another_tenants_key_cannot_read_or_change_a_lead() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    assert_eq!(app.get_lead_as(OTHER_API_KEY, &id).await.status(), 404);
    let event = app
        .client
        .post(format!("{}/v1/leads/{id}/events", app.base))
        .bearer_auth(OTHER_API_KEY)
        .json(&json!({ "type": "won" }))
        .send()
        .await
        .unwrap();
    assert_eq!(event.status(), 404);
    assert_eq!(app.lead(&id).await["outcome"], Value::Null);
}

#[tokio::test]
async fn the_same_person_in_two_tenants_is_two_leads() {
    let app = spawn_app().await;
    let demo = app.enrol(1).await;
    let response = app.post_lead_as(OTHER_API_KEY, None, &TestApp::other_lead_body(1)).await;
    assert_eq!(response.status(), 202);
    let other: Value = response.json().await.unwrap();
    assert_eq!(other["status"], "enrolled", "no merge across tenants");
    assert_ne!(other["lead_id"], demo.as_str());
    assert_eq!(other["cadence"], "short");
}

#[tokio::test]
async fn a_report_counts_only_its_own_tenant() {
    let app = spawn_app().await;
    app.enrol(1).await;
    app.post_lead_as(OTHER_API_KEY, None, &TestApp::other_lead_body(2)).await;
    app.post_lead_as(OTHER_API_KEY, None, &TestApp::other_lead_body(3)).await;
    let report: Value = app
        .client
        .get(format!("{}/v1/reports/summary?from=2026-03-01&to=2026-03-31", app.base))
        .bearer_auth(OTHER_API_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["leads"], 2);
}
