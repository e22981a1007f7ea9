//! The tenant's do-not-contact list: `POST /v1/dnc` and `leadflow dnc import`. A listed
//! number is never texted, called or voicemailed again (its email goes on), a START from it
//! does not take it off, and a list with a wrong number changes nothing.

use leadflow_core::config::DEMO_API_KEY;
use leadflow_tests::{lead_phone, spawn_app, TestApp, DEMO_NUMBER};
use serde_json::{json, Value};

async fn post_dnc(app: &TestApp, body: &Value) -> reqwest::Response {
    app.client.post(format!("{}/v1/dnc", app.base)).bearer_auth(DEMO_API_KEY).json(body).send().await.unwrap()
}

fn channels(outbox: &[Value]) -> Vec<String> {
    outbox.iter().map(|t| t["channel"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_listed_number_gets_no_more_texts_or_calls_and_a_start_does_not_lift_it() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    assert_eq!(channels(&app.outbox(Some(&id)).await), ["sms"]);
    let listed =
        post_dnc(&app, &json!({ "numbers": [lead_phone(1), "(415) 555-0199"], "reason": "asked on a call" })).await;
    assert_eq!(listed.status(), 200);
    assert_eq!(listed.json::<Value>().await.unwrap(), json!({ "added": 2, "already": 0 }));
    let again = post_dnc(&app, &json!({ "numbers": [lead_phone(1)] })).await;
    assert_eq!(again.json::<Value>().await.unwrap(), json!({ "added": 0, "already": 1 }));

    // A START from the number: the carrier's business, not the tenant's list.
    app.text_in(&lead_phone(1), "START").await;
    // The whole cadence: its emails go out, its texts and its call do not.
    app.advance(31 * 86_400).await;
    let sent = channels(&app.outbox(Some(&id)).await);
    assert_eq!(
        sent.iter().filter(|c| *c == "sms" || *c == "voice").count(),
        1,
        "only the text before the listing: {sent:?}"
    );
    assert!(sent.iter().filter(|c| *c == "email").count() >= 3, "{sent:?}");
    let lead = app.lead(&id).await;
    let skipped = lead["events"].as_array().unwrap().iter().filter(|e| e["type"] == "step_skipped").count();
    assert!(skipped >= 3, "the phone steps are skipped, with why: {lead}");
}

#[tokio::test]
async fn a_list_with_a_wrong_number_or_no_key_changes_nothing() {
    let app = spawn_app().await;
    let refused = post_dnc(&app, &json!({ "numbers": [lead_phone(1), "12", "not a number"] })).await;
    assert_eq!(refused.status(), 422);
    let error: Value = refused.json().await.unwrap();
    let fields: Vec<&str> = error["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["numbers[1]", "numbers[2]"]);
    for body in [json!({}), json!({ "numbers": [] })] {
        let refused = post_dnc(&app, &body).await;
        assert_eq!(refused.status(), 422, "{body}");
        assert_eq!(refused.json::<Value>().await.unwrap()["fields"][0]["field"], "numbers");
    }
    let anonymous =
        app.client.post(format!("{}/v1/dnc", app.base)).json(&json!({ "numbers": [DEMO_NUMBER] })).send().await;
    assert_eq!(anonymous.unwrap().status(), 401);
    // Nothing was listed: lead 1 is texted.
    let id = app.enrol(1).await;
    assert_eq!(channels(&app.outbox(Some(&id)).await), ["sms"]);
}

#[tokio::test]
async fn leadflow_dnc_import_lists_a_files_numbers_and_a_new_lead_with_one_is_not_texted() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dnc.csv");
    std::fs::write(&file, format!("Phone Number,Name\n{},Ann\n\n# old CRM\n(415) 555-0199,Bo\n", lead_phone(1)))
        .unwrap();
    // The command runs beside the server, which answers it on this test's runtime.
    let (base, path) = (app.base.clone(), file.clone());
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_leadflow-under-test"))
            .args(["dnc", "import"])
            .arg(&path)
            .args(["--api", &base, "--key", DEMO_API_KEY])
            .env_remove("RUST_LOG")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "2 numbers put on the do-not-contact list, 0 already on it"
    );

    let response = app.post_lead(&leadflow_tests::lead_body(1)).await;
    assert_eq!(response.status(), 202);
    let id = response.json::<Value>().await.unwrap()["lead_id"].as_str().unwrap().to_owned();
    app.advance(600).await;
    assert_eq!(channels(&app.outbox(Some(&id)).await), ["email"], "the welcome text is skipped, the email goes");
}
