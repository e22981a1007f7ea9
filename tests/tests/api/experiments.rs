//! GET /v1/reports/experiments: the demo's A/B test of its first text, end to end on
//! `leadflow dev`'s stack (redb store, in-process scheduler, outbox).

use leadflow_core::config::DEMO_API_KEY;
use leadflow_tests::{lead_body, TestApp};
use serde_json::{json, Value};

/// The demo with its first-text experiment counting bookings, `settings` appended to it.
async fn spawn(settings: &'static str) -> TestApp {
    TestApp::builder()
        .tenant(move |demo| {
            demo.replace(r#"metric = "positive_reply""#, &format!("metric = \"booked\"\n{settings}"))
                .replace("min_sample = 200 ", "")
                .replace("auto_promote = false ", "")
        })
        .spawn()
        .await
}

async fn experiments(app: &TestApp, query: &str) -> reqwest::Response {
    let url = format!("{}/v1/reports/experiments{query}", app.base);
    app.client.get(url).bearer_auth(DEMO_API_KEY).send().await.unwrap()
}

/// The variant lead `id` was sent, as its first touch names it, after checking the lead
/// records the same arm.
async fn arm_of(app: &TestApp, id: &str) -> String {
    let lead = app.lead(id).await;
    let template = lead["touches"][0]["template"].as_str().unwrap().to_owned();
    assert_eq!(lead["experiments"]["first_text"]["variant"], json!(template), "{lead}");
    template
}

fn arm<'r>(report: &'r Value, variant: &str) -> &'r Value {
    report["arms"].as_array().unwrap().iter().find(|a| a["variant"] == variant).unwrap()
}

#[tokio::test]
async fn a_claimed_first_text_is_an_exposure_and_a_booking_converts_it_once() {
    let app = spawn("min_sample = 200").await;
    let id = app.enrol(1).await;
    let variant = arm_of(&app, &id).await;
    let text = &app.outbox(Some(&id)).await[0];
    let slots = text["body"].as_str().unwrap().contains("Reply 1 or 2");
    assert_eq!(slots, variant == "welcome_sms_slots", "the text sent is the variant's: {text}");

    assert_eq!(app.post_event(&id, &json!({ "type": "booked" })).await.status(), 202);
    // A second booking of the same lead is not a second conversion.
    app.post_event(&id, &json!({ "type": "booked" })).await;

    let response = experiments(&app, "").await;
    assert_eq!(response.status(), 200);
    let reports: Value = response.json().await.unwrap();
    let report = &reports[0];
    assert_eq!((report["name"].clone(), report["metric"].clone()), (json!("first_text"), json!("booked")));
    assert_eq!(report["decision"], json!({ "state": "running" }), "{report}");
    assert_eq!(report["reached_on"], Value::Null);
    assert_eq!(report["arms"][0]["variant"], "welcome_sms", "the control comes first");
    assert_eq!(
        (arm(report, &variant)["exposures"].clone(), arm(report, &variant)["conversions"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(arm(report, &variant)["rate"], 1.0);
    assert_eq!(report["by_source"]["facebook"][&variant], json!({ "exposures": 1, "conversions": 1, "opt_outs": 0 }));
    let total: u64 = report["arms"].as_array().unwrap().iter().map(|a| a["exposures"].as_u64().unwrap()).sum();
    assert_eq!(total, 1, "one lead, one exposure: {report}");

    // One experiment by name; a name the tenant file does not have is 404.
    let named: Value = experiments(&app, "?name=first_text").await.json().await.unwrap();
    assert_eq!(named, reports);
    assert_eq!(experiments(&app, "?name=nope").await.status(), 404);
}

#[tokio::test]
async fn with_auto_promote_the_winner_takes_every_new_lead() {
    let app = spawn("min_sample = 20\nauto_promote = true").await;
    // 80 leads, split by the hash (each arm gets under 20 about once in 300,000 runs); every
    // lead sent the variant books, none sent the control.
    let mut seen = std::collections::BTreeMap::<String, u32>::new();
    for n in 0..80 {
        let id = app.enrol(n).await;
        let variant = arm_of(&app, &id).await;
        if variant == "welcome_sms_slots" {
            app.post_event(&id, &json!({ "type": "booked" })).await;
        }
        *seen.entry(variant).or_default() += 1;
    }
    assert!(seen.values().all(|n| *n >= 20), "both arms have their minimum sample: {seen:?}");
    let report: Value = experiments(&app, "?name=first_text").await.json().await.unwrap();
    let report = &report[0];
    assert_eq!(report["decision"], json!({ "state": "winner", "variant": "welcome_sms_slots" }), "{report}");
    assert!(report["reached_on"].is_string(), "{report}");
    let lift = &arm(report, "welcome_sms_slots")["lift"];
    assert!(lift["difference_low"].as_f64().unwrap() > 0.0 && lift["p_value"].as_f64().unwrap() <= 0.05, "{lift}");

    for n in 200..210 {
        let id = app.enrol(n).await;
        assert_eq!(arm_of(&app, &id).await, "welcome_sms_slots", "lead {n} gets the winner");
    }
}

#[tokio::test]
async fn the_experiments_report_needs_an_api_key() {
    let app = spawn("min_sample = 200").await;
    let response = app.client.get(format!("{}/v1/reports/experiments", app.base)).send().await.unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn a_lead_keeps_its_arm_when_it_enquires_again() {
    let app = spawn("min_sample = 200").await;
    let id = app.enrol(7).await;
    let first = arm_of(&app, &id).await;
    let mut again = lead_body(7);
    again["source"] = json!("google");
    assert_eq!(app.post_lead(&again).await.status(), 202);
    app.settle().await;
    assert_eq!(app.lead(&id).await["experiments"]["first_text"]["variant"], json!(first));
}
