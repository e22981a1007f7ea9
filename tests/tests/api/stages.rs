//! Pipeline stages: signals move a lead forward (first touch, reply, booking, outcomes), a
//! no-show back to `conversation`, people anywhere (`POST /v1/leads/{id}/stage`), and a lead
//! that sits in a stage past its SLA is announced in the team chat once.

use leadflow_core::config::without_demo_team;
use leadflow_tests::{chat_posts, lead_phone, spawn_app, TestApp};
use serde_json::{json, Value};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The stages the lead stayed in, oldest first.
fn stays(lead: &Value) -> Vec<String> {
    lead["stages"].as_array().unwrap().iter().map(|s| s["stage"].as_str().unwrap().to_owned()).collect()
}

fn stage_moves(lead: &Value) -> Vec<Value> {
    lead["events"].as_array().unwrap().iter().filter(|e| e["type"] == "stage_moved").cloned().collect()
}

#[tokio::test]
async fn signals_move_a_lead_forward_and_a_no_show_back_to_conversation() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    let lead = app.lead(&id).await;
    assert_eq!(lead["stage"], "contacted", "the first touch went out");
    assert_eq!(stays(&lead), ["new", "contacted"]);
    assert!(lead["stages"][0]["exited_at"].is_string() && lead["stages"][1]["exited_at"].is_null(), "{lead}");
    assert_eq!((lead["in_stage_for"].clone(), lead["stale"].clone()), (json!("0s"), json!(false)));

    app.text_in(&lead_phone(1), "Can you do Tuesday at 3?").await;
    app.advance(3600).await;
    assert_eq!(app.lead(&id).await["in_stage_for"], "1h 0m");
    assert_eq!(app.post_event(&id, &json!({ "type": "booked" })).await.status(), 202);
    // A reply on a booked lead does not take it back.
    app.text_in(&lead_phone(1), "See you then").await;
    assert_eq!(app.lead(&id).await["stage"], "booked");
    assert_eq!(app.post_event(&id, &json!({ "type": "no_show" })).await.status(), 202);
    assert_eq!(app.post_event(&id, &json!({ "type": "won" })).await.status(), 202);
    // Won is closed: a later signal leaves it there.
    assert_eq!(app.post_event(&id, &json!({ "type": "no_show" })).await.status(), 202);

    let lead = app.lead(&id).await;
    assert_eq!(stays(&lead), ["new", "contacted", "conversation", "booked", "conversation", "won"]);
    let causes: Vec<String> = stage_moves(&lead).iter().map(|e| e["cause"].as_str().unwrap().to_owned()).collect();
    assert_eq!(causes, ["first_touch", "replied", "booked", "no_show", "won"]);
}

#[tokio::test]
async fn a_person_moves_a_lead_to_any_stage_and_is_named_on_its_timeline() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    let moved = app.post_stage(&id, &json!({ "stage": "showed", "by": "Dana" })).await;
    assert_eq!(moved.status(), 200);
    let moved: Value = moved.json().await.unwrap();
    assert_eq!((moved["lead_id"].as_str(), moved["stage"].as_str()), (Some(id.as_str()), Some("showed")));
    assert_eq!(app.post_stage(&id, &json!({ "stage": "new" })).await.status(), 200, "back, by hand");

    let lead = app.lead(&id).await;
    assert_eq!(lead["stage"], "new");
    let moves = stage_moves(&lead);
    assert_eq!(
        (moves[1]["from"].clone(), moves[1]["to"].clone(), moves[1]["cause"].clone(), moves[1]["by"].clone()),
        (json!("contacted"), json!("showed"), json!("manual"), json!("Dana"))
    );
    assert!(moves[2].get("by").is_none(), "{}", moves[2]);
}

#[tokio::test]
async fn an_unknown_stage_is_422_naming_the_allowed_ones_and_an_unknown_lead_404() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    for (body, message) in [
        (json!({ "stage": "limbo" }), "must be one of new, contacted, conversation, booked, showed, won, lost"),
        (json!({ "stage": "Won" }), "must be one of"),
        (json!({}), "is required"),
    ] {
        let response = app.post_stage(&id, &body).await;
        assert_eq!(response.status(), 422, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["fields"][0]["field"], "stage");
        assert!(error["fields"][0]["message"].as_str().unwrap().contains(message), "{error}");
    }
    let unknown = app.post_stage("ld_0000000000000000000000000000ffff", &json!({ "stage": "won" })).await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(app.lead(&id).await["stage"], "contacted", "nothing moved");
}

/// The demo tenant (an SLA of 1 day on `new`, 3 days on `conversation`) with a team chat.
async fn team_app(slack: &MockServer) -> TestApp {
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_string("ok")).mount(slack).await;
    let webhook = format!("{}/services/T000/B000/XXXX", slack.uri());
    let team = format!("[handoff]\nslack_webhook = \"{webhook}\"\nsla = \"7d\"\n\n[[reps]]\nname = \"Dana\"\n\n");
    TestApp::builder().tenant(move |demo| format!("{team}{}", without_demo_team(demo))).live_channels().spawn().await
}

fn stale_alerts(posts: &[String]) -> Vec<&String> {
    posts.iter().filter(|p| p.contains("has been in")).collect()
}

#[tokio::test]
async fn a_lead_past_its_stages_sla_is_announced_once_and_one_that_moved_on_not_at_all() {
    let slack = MockServer::start().await;
    let app = team_app(&slack).await;
    let (waiting, booked) = (app.enrol(1).await, app.enrol(2).await);
    app.text_in(&lead_phone(1), "Tell me more").await;
    app.text_in(&lead_phone(2), "Tell me more").await;
    app.advance(2 * 86_400).await;
    assert_eq!(app.post_event(&booked, &json!({ "type": "booked" })).await.status(), 202);

    app.advance(86_400 - 60).await;
    assert!(stale_alerts(&chat_posts(&slack).await).is_empty(), "not before the SLA is up");
    app.advance(60).await;
    let posts = chat_posts(&slack).await;
    let alerts = stale_alerts(&posts);
    assert_eq!(alerts.len(), 1, "{posts:?}");
    assert!(alerts[0].contains("*conversation* for 3 d") && alerts[0].contains(&waiting), "{}", alerts[0]);
    assert!(alerts[0].starts_with("Dana: "), "{}", alerts[0]);
    let lead = app.lead(&waiting).await;
    assert_eq!(lead["stale"], true);
    assert_eq!(lead["events"].as_array().unwrap().iter().filter(|e| e["type"] == "stage_overdue").count(), 1);

    app.advance(30 * 86_400).await;
    assert_eq!(stale_alerts(&chat_posts(&slack).await).len(), 1, "one alert per stay");
}
