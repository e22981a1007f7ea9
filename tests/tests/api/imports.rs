//! Database reactivation: `leadflow import` streams a CSV to `leadflow dev` in batches. Headers
//! are recognised by their common names; each row goes through intake (merged into a lead the
//! tenant has, an opted-out number kept silenced, a bad row reported with its line); an aged
//! enquiry gives no consent to texts; the age of the last activity picks the cadence; first
//! touches are paced; an import killed halfway resumes with no row twice and none lost.

use chrono::Duration;
use leadflow_cli::import::{import, ImportOptions, Totals};
use leadflow_core::config::DEMO_API_KEY;
use leadflow_tests::{start_time, TestApp};
use serde_json::{json, Value};
use std::path::Path;

fn options(app: &TestApp, file: &Path) -> ImportOptions {
    ImportOptions {
        file: file.to_owned(),
        api: app.base.clone(),
        key: DEMO_API_KEY.to_owned(),
        tenant: Some("demo".to_owned()),
        map: vec![("Cell #".to_owned(), "phone".to_owned())],
        cadence: None,
        source: None,
        consent: vec!["sms".to_owned(), "email".to_owned()],
        consent_text: Some("Yes, text and email me about my enquiry.".to_owned()),
        batch: 3,
        plan_only: false,
        stop_after: None,
    }
}

fn day(days_ago: i64) -> String {
    (start_time() - Duration::days(days_ago)).format("%Y-%m-%d").to_string()
}

#[tokio::test]
async fn a_contact_list_is_imported_by_common_names_with_consent_by_age_and_tiers_by_activity() {
    let app = TestApp::builder().spawn().await;
    // A lead the tenant already has, and a number that texted STOP.
    let existing = app.post_lead(&json!({ "first_name": "Old", "email": "maria@example.com", "source": "web" })).await;
    assert_eq!(existing.status(), 202);
    assert_eq!(app.text_in("+14155550306", "STOP").await.status(), 200);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("contacts.csv");
    let csv = format!(
        "First Name,Last Name,E-mail,Cell #,Created,Last Contacted,Notes\n\
         Ana,Lima,ana@example.com,+14155550301,{recent},{recent},\"Asked about implants, twice\"\n\
         Ben,Ode,ben@example.com,+14155550302,{year},{year},\n\
         Cy,,cy@example.com,+14155550303,,,no dates\n\
         Dee,,,12,{recent},,a bad number\n\
         Maria,Núñez,maria@example.com,+14155550305,{recent},,already a lead\n\
         Ed,,ed@example.com,+14155550306,{recent},,opted out\n\
         Fay,,fay@example.com,+14155550307,{future},,a date in the future\n",
        recent = day(30),
        year = day(400),
        future = day(-40),
    );
    std::fs::write(&file, csv).unwrap();
    let totals = import(&options(&app, &file)).await.unwrap();
    assert_eq!(totals, Totals { accepted: 5, merged: 1, suppressed: 0, duplicates: 0, rejected: 1 }, "{totals:?}");
    let rejected = std::fs::read_to_string(dir.path().join("contacts.csv.rejected.csv")).unwrap();
    assert!(rejected.starts_with("line,field,reason\n5,phone,"), "{rejected}");
    assert!(!dir.path().join("contacts.csv.import.json").exists(), "a finished import leaves no progress file");

    let lead = |phone: &'static str| {
        let app = &app;
        async move { app.lead(&app.lead_id_by_phone(phone).await.expect(phone)).await }
    };
    // Enquired 30 days ago: consent to texts holds; active a month ago: the check-in tier.
    let ana = lead("+14155550301").await;
    assert_eq!(
        (ana["consent"]["sms"].as_bool(), ana["enrolments"][0]["cadence"].as_str()),
        (Some(true), Some("checkin"))
    );
    assert_eq!(ana["profile"]["source"], "reactivation");
    let received = ana["events"].as_array().unwrap().iter().find(|e| e["type"] == "received").unwrap().clone();
    assert!(received["payload"].as_str().unwrap().ends_with(":batch:2"), "the batch is kept: {received}");
    assert_eq!(ana["profile"]["fields"]["notes"], "Asked about implants, twice");
    // Enquired 400 days ago: past consent_max_age, email only; a year's silence: the reset tier.
    let ben = lead("+14155550302").await;
    assert_eq!((ben["consent"]["sms"].as_bool(), ben["consent"]["email"].as_bool()), (Some(false), Some(true)));
    assert_eq!(ben["enrolments"][0]["cadence"], "reactivation");
    // No dates at all: no evidence for texts, and the oldest tier (email only).
    let cy = lead("+14155550303").await;
    assert_eq!((cy["consent"]["sms"].as_bool(), cy["enrolments"][0]["cadence"].as_str()), (Some(false), Some("reset")));
    // An enquiry dated in the future is no enquiry: no consent to texts.
    assert_eq!(lead("+14155550307").await["consent"]["sms"], false);
    // The opted-out number stays silenced.
    let ed = lead("+14155550306").await;
    assert_eq!(ed["opted_out"], json!(["sms", "voice", "voicemail"]));

    // First touches are paced: row k of the import starts at slot k (a second apart at 60 a
    // minute), not all at once.
    let started = |lead: &Value| lead["enrolments"][0]["enrolled_at"].as_str().unwrap().to_owned();
    assert_eq!(started(&ana), start_time().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true).replace("+00:00", "Z"));
    assert!(started(&ana) < started(&ben), "{} then {}", started(&ana), started(&ben));
}

fn list(rows: u32) -> String {
    let mut csv = String::from("Name,Mobile,Email,Created\n");
    for i in 0..rows {
        csv.push_str(&format!("Person {i},+1415{:07},p{i}@example.com,{}\n", 3_000_000 + i, day(10)));
    }
    csv
}

#[tokio::test]
async fn an_import_killed_halfway_resumes_with_no_row_twice_and_none_lost() {
    let app = TestApp::builder().spawn().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("list.csv");
    std::fs::write(&file, list(50)).unwrap();
    let mut first = options(&app, &file);
    first.batch = 10;
    first.stop_after = Some(2);
    let halfway = import(&first).await.unwrap();
    assert_eq!(halfway.accepted, 20);
    let state: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("list.csv.import.json")).unwrap()).unwrap();
    assert_eq!(state["done_line"], 21, "the last line the API acknowledged");

    // The crash came after the API took the second batch but before it was written down: the
    // resumed import sends that batch again, and the API takes none of it twice.
    let mut behind = state.clone();
    behind["done_line"] = json!(11);
    std::fs::write(dir.path().join("list.csv.import.json"), behind.to_string()).unwrap();
    let resumed = import(&ImportOptions { stop_after: None, ..first }).await.unwrap();
    assert_eq!((resumed.accepted, resumed.duplicates), (50, 10), "{resumed:?}");
    let report: Value = app.report("from=2026-03-05&to=2026-03-05").await.json().await.unwrap();
    assert_eq!(report["leads"], 50, "every row once");
}

#[tokio::test]
async fn the_plan_is_shown_before_anything_is_sent_and_a_bad_batch_is_refused_by_field() {
    let app = TestApp::builder().spawn().await;
    let plan: Value = app
        .client
        .post(format!("{}/v1/imports/plan", app.base))
        .bearer_auth(DEMO_API_KEY)
        .json(&json!({ "rows": 50_000 }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // The demo's pacing: 2,000 a day, weekdays 10:00-17:00 in New York, from Thursday 10:00.
    assert_eq!(
        plan["summary"].as_str().unwrap().split(" (").next(),
        Some("50000 leads over 25 days at up to 2000 a day")
    );
    assert_eq!(plan["pacing"]["daily_cap"], 2000);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("list.csv");
    std::fs::write(&file, list(5)).unwrap();
    let mut only_plan = options(&app, &file);
    only_plan.plan_only = true;
    import(&only_plan).await.unwrap();
    let report: Value = app.report("from=2026-03-05&to=2026-03-05").await.json().await.unwrap();
    assert_eq!(report["leads"], 0, "--plan sends nothing");
    let elsewhere = ImportOptions { tenant: Some("other".to_owned()), plan_only: false, ..only_plan };
    let refused = import(&elsewhere).await.unwrap_err().to_string();
    assert!(refused.contains("belongs to tenant \"demo\""), "{refused}");

    let bad = app
        .client
        .post(format!("{}/v1/imports", app.base))
        .bearer_auth(DEMO_API_KEY)
        .json(&json!({ "import_id": "a b", "map": { "X": "phone_number" }, "cadence": "nope", "rows": [] }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let fields: Vec<String> = bad.json::<Value>().await.unwrap()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["import_id", "rows", "map.X"]);
}
