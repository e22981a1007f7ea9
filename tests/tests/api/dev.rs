//! The dev-only routes: the outbox and the manual clock.

use leadflow_tests::spawn_app;
use serde_json::{json, Value};

#[tokio::test]
async fn the_outbox_filters_by_lead() {
    let app = spawn_app().await;
    let first = app.enrol(1).await;
    app.enrol(2).await;
    assert_eq!(app.outbox(None).await.len(), 2);
    let mine = app.outbox(Some(&first)).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["lead_id"], first.as_str());
    let bad = app.client.get(format!("{}/dev/outbox?lead_id=nope", app.base)).send().await.unwrap();
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn advancing_the_clock_needs_a_whole_number_of_seconds() {
    let app = spawn_app().await;
    for body in [json!({}), json!({ "seconds": "ten" }), json!({ "seconds": -5 })] {
        let response = app.client.post(format!("{}/dev/clock/advance", app.base)).json(&body).send().await.unwrap();
        assert_eq!(response.status(), 422, "{body}");
    }
    let moved = app.advance(90).await;
    assert_eq!(moved["now"], "2026-03-05T15:01:30Z");
}

#[tokio::test]
async fn an_unknown_route_is_a_json_404() {
    let app = spawn_app().await;
    let response = app.client.get(format!("{}/v2/nothing", app.base)).send().await.unwrap();
    assert_eq!(response.status(), 404);
    let error: Value = response.json().await.unwrap();
    assert!(error["error"].is_string());
}
