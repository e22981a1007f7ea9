//! POST /v1/leads/{id}/events and GET /v1/leads/{id}.

use leadflow_core::config::DEMO_API_KEY;
use leadflow_tests::spawn_app;
use serde_json::{json, Value};

#[tokio::test]
async fn booked_stops_the_cadence() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    let response = app.post_event(&id, &json!({ "type": "booked" })).await;
    assert_eq!(response.status(), 202);
    app.advance(30 * 86_400).await;
    assert_eq!(app.outbox(Some(&id)).await.len(), 1, "only the first SMS, sent before the booking");
    let lead = app.lead(&id).await;
    assert_eq!(lead["state"], "booked");
    assert_eq!(lead["enrolments"][0]["status"], json!({ "state": "stopped", "reason": "booked" }));
}

#[tokio::test]
async fn contacted_clears_the_handoff_but_the_cadence_goes_on() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    assert_eq!(app.post_event(&id, &json!({ "type": "contacted" })).await.status(), 202);
    app.advance(86_400 + 3600).await;
    assert!(app.outbox(Some(&id)).await.len() >= 3);
}

#[tokio::test]
async fn an_unknown_event_type_is_422_and_a_missing_one_too() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    for body in [json!({ "type": "married" }), json!({})] {
        let response = app.post_event(&id, &body).await;
        assert_eq!(response.status(), 422);
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["fields"][0]["field"], "type");
    }
}

#[tokio::test]
async fn events_for_an_unknown_lead_are_404() {
    let app = spawn_app().await;
    let response = app.post_event("ld_0000000000000000000000000000ffff", &json!({ "type": "won" })).await;
    assert_eq!(response.status(), 404);
    let response = app.post_event("../../etc/passwd", &json!({ "type": "won" })).await;
    assert_eq!(response.status(), 404);
    // Not even UTF-8: still a JSON 404, not a text 400.
    let response = app.get_lead_as(DEMO_API_KEY, "%FF%FE").await;
    assert_eq!(response.status(), 404);
    let error: Value = response.json().await.unwrap();
    assert!(error["error"].is_string());
}

#[tokio::test]
async fn a_lead_shows_its_state_touches_and_timeline() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    let lead = app.lead(&id).await;
    assert_eq!(lead["id"], id.as_str());
    assert_eq!(lead["state"], "active");
    assert_eq!(lead["profile"]["phone"], "+14155552001");
    assert_eq!(lead["consent"]["evidence"]["ip"], "203.0.113.9");
    assert_eq!(lead["touches"][0]["status"]["state"], "sent");
    let events: Vec<&str> = lead["events"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    // The first touch moved it to `contacted`.
    assert_eq!(events, ["received", "enrolled", "stage_moved"]);
    let unknown = app.get_lead_as(DEMO_API_KEY, "ld_0000000000000000000000000000ffff").await;
    assert_eq!(unknown.status(), 404);
}
