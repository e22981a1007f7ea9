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

/// The figures of `report[path]`'s funnel steps, in order.
fn steps(funnel: &Value) -> Vec<u64> {
    funnel["steps"].as_array().unwrap().iter().map(|s| s["leads"].as_u64().unwrap()).collect()
}

#[tokio::test]
async fn every_report_follows_leads_from_arrival_to_won() {
    let app = spawn_app().await;
    // The second lead books, cancels and books again: a second booking of the same lead is
    // not a second booking in the funnel.
    let ids = app.leads_through_the_funnel().await;
    let query = "from=2026-03-01&to=2026-03-31";

    let funnel: Value = app.report_named("funnel", query).await.json().await.unwrap();
    assert_eq!(steps(&funnel["total"]), vec![5, 5, 1, 2, 1, 1], "{funnel}");
    assert_eq!(funnel["total"]["steps"][3]["conversion"], 2.0, "two bookings from one reply");
    assert_eq!(funnel["total"]["steps"][3]["of_leads"], 0.4);
    assert_eq!(steps(&funnel["by_source"]["google"]), vec![1, 1, 0, 0, 0, 0]);
    assert_eq!(
        funnel["time_in_stage"][0],
        json!({ "stage": "new", "exits": 5, "median_ms": 0 }),
        "every lead left `new` at its first touch, at once (the manual clock stands still)"
    );
    let campaigns = funnel["by_campaign"].as_array().unwrap();
    let spring_sale = campaigns.iter().find(|c| c["campaign"] == "spring-sale").unwrap();
    assert_eq!(spring_sale["source"], "google");
    assert_eq!(steps(campaigns.iter().find(|c| c["campaign"] == "spring").unwrap()), vec![4, 4, 1, 2, 1, 1]);

    let speed: Value = app.report_named("speed", query).await.json().await.unwrap();
    assert_eq!(speed["first_touch"]["count"], 5);
    assert_eq!(speed["first_touch"]["bands"][0], json!({ "band": "under 1 min", "count": 5, "share": 1.0 }));
    assert_eq!(speed["business_hours"]["count"], 5, "10:00 on a Thursday in New York");
    assert_eq!(speed["after_hours"]["count"], 0);
    assert_eq!(speed["first_human_contact"]["count"], 1);
    let human = speed["first_human_contact"]["p50_ms"].as_u64().unwrap();
    assert!((235_000..=245_000).contains(&human), "four minutes after arrival: {human}");
    assert_eq!(speed["first_human_contact"]["bands"][1]["count"], 1, "1-5 min");

    let channels: Value = app.report_named("channels", query).await.json().await.unwrap();
    assert_eq!(channels["channels"]["sms"]["touches"], 5);
    assert_eq!(channels["channels"]["sms"]["replies"], 1);
    assert_eq!(channels["bookings"], 2);
    assert_eq!(channels["touches_per_booking"], 2.5);

    let sources: Value = app.report_named("sources", query).await.json().await.unwrap();
    let facebook = sources["sources"].as_array().unwrap().iter().find(|s| s["source"] == "facebook").unwrap().clone();
    assert_eq!(
        (facebook["leads"].clone(), facebook["booked"].clone(), facebook["won"].clone()),
        (json!(4), json!(2), json!(1))
    );

    let people: Value = app.report_named("people", query).await.json().await.unwrap();
    let owner = app.lead(&ids[0]).await["owner"].as_str().unwrap().to_owned();
    let rep = people["reps"].as_array().unwrap().iter().find(|r| r["rep"] == owner.as_str()).unwrap().clone();
    assert_eq!(rep["assigned"], 1, "{people}");
    assert_eq!(rep["first_contacts"], 1);
    assert_eq!(rep["sla_met"], 1);

    let csv = app
        .client
        .get(format!("{}/v1/reports/funnel?{query}", app.base))
        .bearer_auth(leadflow_core::config::DEMO_API_KEY)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("source,campaign,step,leads,conversion,of_leads"));
    assert_eq!(lines.next(), Some("(all),(all),leads,5,,"));
    assert_eq!(lines.next(), Some("(all),(all),contacted,5,1,1"));
}

#[tokio::test]
async fn an_unknown_report_is_a_404_naming_the_reports() {
    let app = spawn_app().await;
    let response = app.report_named("roi", "").await;
    assert_eq!(response.status(), 404);
    let error: Value = response.json().await.unwrap();
    assert!(error["error"].as_str().unwrap().contains("funnel"), "{error}");
}
