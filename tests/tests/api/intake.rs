//! POST /v1/leads: enrolment, bad input of every class, idempotency, merge, suppression.

use leadflow_core::config::DEMO_API_KEY;
use leadflow_tests::{lead_body, lead_phone, spawn_app, start_time};
use serde_json::{json, Value};

#[tokio::test]
async fn a_valid_lead_is_enrolled_and_texted_at_once() {
    let app = spawn_app().await;
    let response = app.post_lead(&lead_body(1)).await;
    assert_eq!(response.status(), 202);
    let receipt: Value = response.json().await.unwrap();
    assert_eq!(receipt["status"], "enrolled");
    assert_eq!(receipt["cadence"], "standard");
    assert_eq!(receipt["next_touch_at"], json!(start_time()));

    let outbox = app.outbox(receipt["lead_id"].as_str()).await;
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    assert_eq!(outbox[0]["channel"], "sms");
    assert_eq!(outbox[0]["to"], lead_phone(1));
    assert_eq!(outbox[0]["step"], 0);
    assert_eq!(outbox[0]["sent_at"], json!(start_time()));
    let body = outbox[0]["body"].as_str().unwrap();
    assert!(body.starts_with("Hi Ann, thanks for reaching out to Bright Smile Dental!"), "{body}");
}

#[tokio::test]
async fn a_post_without_a_valid_api_key_is_401() {
    let app = spawn_app().await;
    let no_key = app.client.post(format!("{}/v1/leads", app.base)).json(&lead_body(1)).send().await.unwrap();
    assert_eq!(no_key.status(), 401);
    assert_eq!(no_key.headers()["www-authenticate"], "Bearer");
    assert_eq!(app.post_lead_as("wrong-key", None, &lead_body(1)).await.status(), 401);
    let basic = app
        .client
        .post(format!("{}/v1/leads", app.base))
        .header("Authorization", format!("Basic {DEMO_API_KEY}"))
        .json(&lead_body(1))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 401);
    assert!(app.outbox(None).await.is_empty());
}

#[tokio::test]
async fn a_body_that_is_not_json_is_400() {
    let app = spawn_app().await;
    for body in ["{not json", "[1, 2]", "\"a string\"", ""] {
        let response = app
            .client
            .post(format!("{}/v1/leads", app.base))
            .bearer_auth(DEMO_API_KEY)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{body:?}");
        let error: Value = response.json().await.unwrap();
        assert!(error["error"].as_str().unwrap().contains("JSON"), "{error}");
    }
}

#[tokio::test]
async fn a_field_of_the_wrong_type_is_422_naming_it() {
    let app = spawn_app().await;
    let mut body = lead_body(1);
    body["consent"]["sms"] = json!("yes");
    let response = app.post_lead(&body).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["fields"][0]["field"], "consent.sms");
}

#[tokio::test]
async fn every_invalid_field_is_reported_with_its_reason() {
    let app = spawn_app().await;
    let body = json!({
        "first_name": "  ",
        "email": "ann(at)example.com",
        "phone": "555",
        "timezone": "Atlantis/Capital",
        "consent": { "captured_at": "last tuesday" }
    });
    let response = app.post_lead(&body).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    let fields: Vec<&str> = error["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["first_name", "email", "phone", "timezone", "consent.captured_at"]);
    for field in error["fields"].as_array().unwrap() {
        assert!(!field["message"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_lead_with_neither_email_nor_phone_is_422() {
    let app = spawn_app().await;
    let response = app.post_lead(&json!({ "first_name": "Ann" })).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["fields"][0]["field"], "email");
    assert!(error["fields"][0]["message"].as_str().unwrap().contains("email or a phone"));
}

#[tokio::test]
async fn a_body_over_64_kib_is_413() {
    let app = spawn_app().await;
    let mut body = lead_body(1);
    body["fields"]["notes"] = json!("x".repeat(70 * 1024));
    let response = app.post_lead(&body).await;
    assert_eq!(response.status(), 413);
    assert!(app.outbox(None).await.is_empty());
}

#[tokio::test]
async fn a_replay_with_the_same_idempotency_key_returns_the_first_answer() {
    let app = spawn_app().await;
    let first = app.post_lead_as(DEMO_API_KEY, Some("form-42"), &lead_body(1)).await;
    assert_eq!(first.status(), 202);
    let first: Value = first.json().await.unwrap();
    // Even a different body: the key decides.
    let replay = app.post_lead_as(DEMO_API_KEY, Some("form-42"), &lead_body(2)).await;
    assert_eq!(replay.status(), 202);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    let replay: Value = replay.json().await.unwrap();
    assert_eq!(replay, first);
    assert_eq!(app.outbox(None).await.len(), 1, "one lead, one first touch");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_replays_create_one_lead() {
    let app = spawn_app().await;
    let mut posts = Vec::new();
    for _ in 0..8 {
        let (client, base) = (app.client.clone(), app.base.clone());
        posts.push(tokio::spawn(async move {
            let response = client
                .post(format!("{base}/v1/leads"))
                .bearer_auth(DEMO_API_KEY)
                .header("Idempotency-Key", "burst")
                .json(&lead_body(1))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 202);
            response.json::<Value>().await.unwrap()
        }));
    }
    let mut ids = std::collections::BTreeSet::new();
    for post in posts {
        ids.insert(post.await.unwrap()["lead_id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(app.outbox(None).await.len(), 1);
}

/// A form provider retrying a double-click, 200 times at once and without an idempotency
/// key: one lead, and every post answered (`merged` for all but the first), not refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_posts_of_one_contact_is_merged_not_refused() {
    let app = spawn_app().await;
    let mut posts = tokio::task::JoinSet::new();
    for _ in 0..200 {
        let (client, base) = (app.client.clone(), app.base.clone());
        posts.spawn(async move {
            let response =
                client.post(format!("{base}/v1/leads")).bearer_auth(DEMO_API_KEY).json(&lead_body(1)).send().await;
            let response = response.unwrap();
            (response.status().as_u16(), response.json::<Value>().await.unwrap())
        });
    }
    let mut statuses = std::collections::BTreeMap::<String, usize>::new();
    let mut ids = std::collections::BTreeSet::new();
    while let Some(post) = posts.join_next().await {
        let (status, body) = post.unwrap();
        assert_eq!(status, 202, "every post of the burst is accepted: {body}");
        *statuses.entry(body["status"].as_str().unwrap().to_owned()).or_default() += 1;
        ids.insert(body["lead_id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 1, "one lead: {ids:?}");
    assert_eq!(statuses.get("enrolled"), Some(&1), "{statuses:?}");
    assert_eq!(statuses.get("merged"), Some(&199), "{statuses:?}");
    assert_eq!(app.outbox(None).await.len(), 1, "one first touch");
}

#[tokio::test]
async fn an_invalid_idempotency_key_is_422() {
    let app = spawn_app().await;
    let response = app.post_lead_as(DEMO_API_KEY, Some(&"k".repeat(300)), &lead_body(1)).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["fields"][0]["field"], "Idempotency-Key");
}

#[tokio::test]
async fn the_same_email_again_merges_into_the_existing_lead() {
    let app = spawn_app().await;
    let first = app.enrol(1).await;
    let mut again = lead_body(1);
    again["phone"] = json!(null);
    again["source"] = json!("google");
    let response = app.post_lead(&again).await;
    assert_eq!(response.status(), 202);
    let receipt: Value = response.json().await.unwrap();
    assert_eq!(receipt["lead_id"], first.as_str());
    assert_eq!(receipt["status"], "merged");
    let lead = app.lead(&first).await;
    assert_eq!(lead["profile"]["source"], "google");
    let events: Vec<&str> = lead["events"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert!(events.contains(&"merged"), "{events:?}");
    assert_eq!(app.outbox(None).await.len(), 1, "the active cadence is not restarted");
}

#[tokio::test]
async fn the_same_phone_in_another_format_merges_too() {
    let app = spawn_app().await;
    let first = app.enrol(1).await;
    let again = json!({ "first_name": "Ann", "phone": lead_phone(1), "email": "other@example.com", "source": "web" });
    let receipt: Value = app.post_lead(&again).await.json().await.unwrap();
    assert_eq!(receipt["lead_id"], first.as_str());
    assert_eq!(receipt["status"], "merged");
}

#[tokio::test]
async fn a_lead_without_consent_is_stored_but_suppressed() {
    let app = spawn_app().await;
    let mut body = lead_body(1);
    body["consent"] = json!({ "sms": false, "email": false, "voice": false });
    let receipt: Value = app.post_lead(&body).await.json().await.unwrap();
    assert_eq!(receipt["status"], "suppressed");
    assert_eq!(receipt["next_touch_at"], Value::Null);
    app.advance(14 * 86_400).await;
    assert!(app.outbox(None).await.is_empty());
    assert_eq!(app.lead(receipt["lead_id"].as_str().unwrap()).await["state"], "suppressed");
}

#[tokio::test]
async fn a_lead_from_a_segment_source_gets_the_segment_cadence() {
    let app = spawn_app().await;
    let mut body = lead_body(1);
    body["source"] = json!("partner-acme");
    let receipt: Value = app.post_lead(&body).await.json().await.unwrap();
    assert_eq!(receipt["cadence"], "warm");
}

#[tokio::test]
async fn a_lead_arriving_at_night_is_texted_at_eight_in_the_morning_local_time() {
    let app = spawn_app().await;
    let mut body = lead_body(1);
    body["timezone"] = json!("Asia/Tokyo"); // 00:00 in Tokyo at the start time
    let receipt: Value = app.post_lead(&body).await.json().await.unwrap();
    assert_eq!(receipt["next_touch_at"], "2026-03-05T23:00:00Z"); // 08:00 JST
    assert!(app.outbox(None).await.is_empty());
    app.advance(8 * 3600).await;
    let outbox = app.outbox(None).await;
    // The SMS, and the 5-minute email that was held back with it (2 per hour allowed).
    assert_eq!(outbox.len(), 2);
    assert_eq!(outbox[0]["channel"], "sms");
    for touch in &outbox {
        assert_eq!(touch["sent_at"], "2026-03-05T23:00:00Z");
    }
}

#[tokio::test]
async fn a_lead_is_enrolled_in_the_first_segment_it_matches_by_source_form_and_consent() {
    let app = spawn_app().await;
    let mut body = lead_body(7);
    body["source"] = json!("Google Ads");
    body["fields"] = json!({ "treatment": "implants" });
    let response = app.post_lead(&body).await;
    assert_eq!(response.status(), 202);
    let id = response.json::<Value>().await.unwrap()["lead_id"].as_str().unwrap().to_owned();
    let lead = app.lead(&id).await;
    assert_eq!(lead["enrolments"][0]["cadence"], "fast", "{lead}");

    // Without consent to calls, the fast segment (a call in two minutes) is not for this lead.
    let mut no_calls = lead_body(8);
    no_calls["source"] = json!("google-ads");
    no_calls["fields"] = json!({ "treatment": "implants" });
    no_calls["consent"]["voice"] = json!(false);
    let response = app.post_lead(&no_calls).await;
    let id = response.json::<Value>().await.unwrap()["lead_id"].as_str().unwrap().to_owned();
    assert_eq!(app.lead(&id).await["enrolments"][0]["cadence"], "standard");
}
