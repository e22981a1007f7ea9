//! Routing a hand-off on `leadflow dev`: reps marked away through `PUT /v1/reps/{name}`, rep
//! hours, `max_open`, skills, and the manager when nobody is available; every assignment's
//! reason on the timeline, and the fallback alerted in the team chat.

use leadflow_core::config::without_demo_team;
use leadflow_core::config::DEMO_API_KEY;
use leadflow_tests::{chat_posts, lead_body, lead_phone, TestApp};
use serde_json::{json, Value};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The demo tenant with a chat, a manager and four reps: Dana (weight 2), Eli (weekdays 9 to
/// 5 in New York), Fay (at most one lead waiting), and Gus (social-form leads only, which
/// no one else takes first).
async fn routed_app(slack: &MockServer) -> TestApp {
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_string("ok")).mount(slack).await;
    let webhook = format!("{}/services/T000/B000/XXXX", slack.uri());
    let team = format!(
        "[handoff]\nslack_webhook = \"{webhook}\"\nmanager = \"<@UMARA>\"\n\n\
         [[reps]]\nname = \"Dana\"\nweight = 2\n\n\
         [[reps]]\nname = \"Eli\"\nhours = {{ days = \"mon-fri\", from = \"09:00\", until = \"17:00\" }}\n\n\
         [[reps]]\nname = \"Fay\"\nmax_open = 1\n\n\
         [[reps]]\nname = \"Gus\"\nskills = [\"social-forms\"]\n\n"
    );
    TestApp::builder().tenant(move |demo| format!("{team}{}", without_demo_team(demo))).live_channels().spawn().await
}

async fn put_rep(app: &TestApp, name: &str, body: &Value) -> reqwest::Response {
    let url = format!("{}/v1/reps/{name}", app.base);
    app.client.put(url).bearer_auth(DEMO_API_KEY).json(body).send().await.unwrap()
}

async fn reps(app: &TestApp) -> Value {
    let response = app.client.get(format!("{}/v1/reps", app.base)).bearer_auth(DEMO_API_KEY).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// The reason of the lead's `assigned` (or `unassigned`) entry.
fn routing_reason(lead: &Value) -> String {
    let events = lead["events"].as_array().unwrap();
    let entry = events.iter().find(|e| e["type"] == "assigned" || e["type"] == "unassigned").unwrap();
    entry["reason"].as_str().unwrap().to_owned()
}

/// Posts lead `n` (with `source`), lets its first text out, and has it reply.
async fn reply_from(app: &TestApp, n: u32, source: &str) -> Value {
    let mut body = lead_body(n);
    body["source"] = json!(source);
    let response = app.post_lead(&body).await;
    assert_eq!(response.status(), 202);
    let id = response.json::<Value>().await.unwrap()["lead_id"].as_str().unwrap().to_owned();
    app.settle().await;
    app.text_in(&lead_phone(n), "Can you call me?").await;
    app.lead(&id).await
}

#[tokio::test]
async fn a_rep_marked_away_is_skipped_with_the_reason_until_marked_back() {
    let slack = MockServer::start().await;
    let app = routed_app(&slack).await;
    let away = put_rep(&app, "Dana", &json!({ "available": false })).await;
    assert_eq!(away.status(), 200);
    let away: Value = away.json().await.unwrap();
    assert_eq!((away["available"].clone(), away["unavailable"].clone()), (json!(false), json!("away")));

    // Thursday 10:00 in New York: Eli works; Fay has room. Dana is away.
    let first = reply_from(&app, 1, "facebook").await;
    assert_ne!(first["owner"], "Dana", "{first}");
    let reason = routing_reason(&first);
    assert!(reason.contains("skipped Dana: away"), "{reason}");
    assert!(reason.starts_with("next turn among Eli, Fay, Gus"), "{reason}");

    assert_eq!(put_rep(&app, "Dana", &json!({ "available": true })).await.status(), 200);
    let listed = reps(&app).await;
    let dana = listed["reps"].as_array().unwrap().iter().find(|r| r["name"] == "Dana").unwrap().clone();
    assert_eq!(
        (dana["available"].clone(), dana["away"].clone(), dana["weight"].clone()),
        (json!(true), json!(false), json!(2))
    );
    let mut got = Vec::new();
    for n in 2..=4 {
        got.push(reply_from(&app, n, "facebook").await["owner"].as_str().unwrap().to_owned());
    }
    assert!(got.contains(&"Dana".to_owned()), "Dana takes leads again once back: {got:?}");
}

#[tokio::test]
async fn a_full_rep_is_skipped_until_their_lead_is_contacted() {
    let slack = MockServer::start().await;
    let app = routed_app(&slack).await;
    for name in ["Dana", "Eli", "Gus"] {
        put_rep(&app, name, &json!({ "available": false })).await;
    }
    let first = reply_from(&app, 1, "facebook").await;
    assert_eq!(first["owner"], "Fay");
    let listed = reps(&app).await;
    let fay = listed["reps"].as_array().unwrap().iter().find(|r| r["name"] == "Fay").unwrap().clone();
    assert_eq!((fay["open"].clone(), fay["unavailable"].clone()), (json!(1), json!("1 leads waiting, max_open 1")));

    // Fay is full, everyone else away: the manager gets it, and the chat is told why.
    let second = reply_from(&app, 2, "facebook").await;
    assert_eq!(second["owner"], "<@UMARA>");
    let reason = routing_reason(&second);
    assert!(reason.starts_with("no rep available (skipped Dana: away;"), "{reason}");
    assert!(
        reason.contains("skipped Fay: 1 leads waiting, max_open 1") && reason.ends_with("to the manager, <@UMARA>"),
        "{reason}"
    );
    let posts = chat_posts(&slack).await;
    assert!(posts.last().unwrap().contains(":warning: no rep available"), "{posts:?}");

    // Fay marks her lead contacted: it no longer waits on her, and she takes the next one.
    let id = first["id"].as_str().unwrap();
    assert_eq!(app.post_event(id, &json!({ "type": "contacted" })).await.status(), 202);
    assert_eq!(reply_from(&app, 3, "facebook").await["owner"], "Fay");
}

#[tokio::test]
async fn a_rep_outside_their_hours_is_skipped_and_skills_take_their_segment() {
    let slack = MockServer::start().await;
    let app = routed_app(&slack).await;
    // Thursday 18:00 in New York: Eli's day is over.
    app.advance(8 * 3600).await;
    let mut owners = Vec::new();
    for n in 1..=4 {
        let lead = reply_from(&app, n, "facebook").await;
        let reason = routing_reason(&lead);
        assert!(
            reason.contains("skipped Eli: outside hours (Mon,Tue,Wed,Thu,Fri 09:00-17:00 America/New_York)"),
            "{reason}"
        );
        owners.push(lead["owner"].as_str().unwrap().to_owned());
    }
    assert!(!owners.contains(&"Eli".to_owned()), "{owners:?}");
    // An Instagram lead is a social-form lead: Gus has that skill, so he alone is asked.
    let social = reply_from(&app, 5, "instagram").await;
    assert_eq!(social["owner"], "Gus");
    assert_eq!(routing_reason(&social), "next turn among Gus (skills: social-forms)");
}

#[tokio::test]
async fn marking_a_rep_refuses_an_unknown_rep_a_bad_body_and_a_missing_key() {
    let slack = MockServer::start().await;
    let app = routed_app(&slack).await;
    let unknown = put_rep(&app, "Zed", &json!({ "available": false })).await;
    assert_eq!(unknown.status(), 404);
    for (body, message) in [(json!({}), "is required"), (json!({ "available": "no" }), "must be true or false")] {
        let refused = put_rep(&app, "Dana", &body).await;
        assert_eq!(refused.status(), 422, "{body}");
        let error: Value = refused.json().await.unwrap();
        assert_eq!(error["fields"][0]["field"], "available", "{error}");
        assert!(error["fields"][0]["message"].as_str().unwrap().contains(message), "{error}");
    }
    let url = format!("{}/v1/reps/Dana", app.base);
    let anonymous = app.client.put(url).json(&json!({ "available": false })).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(reps(&app).await["reps"][0]["available"], true, "nothing was changed");
}
