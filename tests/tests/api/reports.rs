//! GET /v1/reports/summary.

use leadflow_tests::{lead_body, lead_phone, spawn_app};
use serde_json::{json, Value};

#[tokio::test]
async fn the_summary_counts_leads_touches_replies_and_opt_outs_by_source_and_channel() {
    let app = spawn_app().await;
    for n in 0..3 {
        app.enrol(n).await;
    }
    let mut google = lead_body(9);
    google["source"] = json!("google");
    app.post_lead(&google).await;
    app.advance(60).await; // every first touch goes out at once
    app.text_in(&lead_phone(0), "STOP").await;
    app.text_in(&lead_phone(1), "Yes please call me").await;
    app.text_in(&lead_phone(1), "Anytime after 5").await; // a second reply is not a second replier

    let response = app.report("from=2026-03-01&to=2026-03-31").await;
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["leads"], 4);
    assert_eq!(report["first_touches"], 4);
    assert_eq!(report["replies"], 1);
    assert_eq!(report["opt_outs"], 1);
    assert_eq!(report["speed_to_lead_ms"], json!({ "p50": 0, "p90": 0 }), "the manual clock stands still");
    assert_eq!(report["by_source"]["facebook"]["leads"], 3);
    assert_eq!(report["by_source"]["google"]["leads"], 1);
    assert_eq!(report["by_channel"]["sms"]["touches"], 4);
    assert_eq!(report["by_channel"]["sms"]["opt_outs"], 1);
    assert_eq!(report["by_channel"]["sms"]["replies"], 1);
}

#[tokio::test]
async fn a_range_without_leads_is_all_zero() {
    let app = spawn_app().await;
    app.enrol(1).await;
    let report: Value = app.report("from=2025-01-01&to=2025-01-31").await.json().await.unwrap();
    assert_eq!(report["leads"], 0);
    assert_eq!(report["speed_to_lead_ms"]["p50"], Value::Null);
}

#[tokio::test]
async fn bad_dates_are_422_naming_the_field() {
    let app = spawn_app().await;
    for (query, field) in [
        ("from=yesterday", "from"),
        ("to=2026-13-01", "to"),
        ("from=2026-03-10&to=2026-03-01", "to"),
        ("from=2020-01-01&to=2026-01-01", "to"),
    ] {
        let response = app.report(query).await;
        assert_eq!(response.status(), 422, "{query}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["fields"][0]["field"], field, "{query}");
    }
}

#[tokio::test]
async fn a_report_needs_an_api_key() {
    let app = spawn_app().await;
    let response = app.client.get(format!("{}/v1/reports/summary", app.base)).send().await.unwrap();
    assert_eq!(response.status(), 401);
}
