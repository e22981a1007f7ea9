//! A reply hands the lead to a human: with `--live-channels`, a message to the tenant's team
//! chat (a Slack incoming webhook, served on loopback) with the lead's topic, score and words,
//! the rep whose turn it is, and an escalation to the manager when nobody marks the lead
//! contacted within the SLA.

use leadflow_core::config::without_demo_team;
use leadflow_tests::{chat_posts, lead_phone, TestApp};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn app_with_slack(slack: &MockServer, live: bool) -> TestApp {
    let webhook = format!("{}/services/T000/B000/XXXX", slack.uri());
    TestApp::builder()
        .tenant(move |demo| format!("[handoff]\nslack_webhook = \"{webhook}\"\n\n{}", without_demo_team(demo)))
        .live_channels_if(live)
        .spawn()
        .await
}

/// A Slack webhook that answers ok, and the demo tenant with two reps, a 15-minute SLA and a
/// manager to escalate to.
async fn team_app(slack: &MockServer) -> TestApp {
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_string("ok")).mount(slack).await;
    let webhook = format!("{}/services/T000/B000/XXXX", slack.uri());
    let team = format!(
        "[handoff]\nslack_webhook = \"{webhook}\"\nsla = \"15m\"\nmanager = \"<@UMARA>\"\n\n\
         [[reps]]\nname = \"Dana\"\nmention = \"<@UDANA>\"\nphone = \"(415) 555-0111\"\n\n\
         [[reps]]\nname = \"Eli\"\n\n"
    );
    TestApp::builder().tenant(move |demo| format!("{team}{}", without_demo_team(demo))).live_channels().spawn().await
}

/// The report's (handoffs, sla_met, sla_missed) for March 2026.
async fn sla_counts(app: &TestApp) -> (u64, u64, u64) {
    let report: Value = app.report("from=2026-03-01&to=2026-03-31").await.json().await.unwrap();
    let count = |name: &str| report[name].as_u64().unwrap();
    (count("handoffs"), count("sla_met"), count("sla_missed"))
}

fn event_types(lead: &Value) -> Vec<String> {
    lead["events"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap().to_owned()).collect()
}

async fn posted(slack: &MockServer) -> Vec<String> {
    chat_posts(slack).await
}

#[tokio::test]
async fn a_reply_posts_the_lead_its_topic_and_its_words_to_the_team_chat() {
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/services/T000/B000/XXXX"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&slack)
        .await;
    let app = app_with_slack(&slack, true).await;
    let id = app.enrol(1).await;

    app.text_in(&lead_phone(1), "Can you do Tuesday at 3?").await;

    let posts = posted(&slack).await;
    assert_eq!(posts.len(), 1, "{posts:?}");
    for expected in ["Ann", "question", "score 60/100", "Can you do Tuesday at 3?", id.as_str()] {
        assert!(posts[0].contains(expected), "{expected:?} missing from {}", posts[0]);
    }
    // A STOP is not a conversation: nobody is called for it.
    app.text_in(&lead_phone(1), "STOP").await;
    assert_eq!(posted(&slack).await.len(), 1);
}

#[tokio::test]
async fn without_live_channels_the_hand_off_is_only_logged() {
    let slack = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&slack).await;
    let app = app_with_slack(&slack, false).await;
    let id = app.enrol(1).await;
    app.text_in(&lead_phone(1), "Call me please").await;
    assert_eq!(app.lead(&id).await["state"], "needs_human");
}

#[tokio::test]
async fn hand_offs_go_round_the_reps_and_a_lead_keeps_its_owner() {
    let slack = MockServer::start().await;
    let app = team_app(&slack).await;
    let (first, second, third) = (app.enrol(1).await, app.enrol(2).await, app.enrol(3).await);

    app.text_in(&lead_phone(1), "Can you do Tuesday at 3?").await;
    app.text_in(&lead_phone(2), "Call me please").await;
    app.text_in(&lead_phone(3), "What does it cost?").await;
    // The first lead writes again: still Dana's, and no new turn is taken.
    app.text_in(&lead_phone(1), "Or Wednesday?").await;

    assert_eq!(app.lead(&first).await["owner"], "Dana");
    assert_eq!(app.lead(&second).await["owner"], "Eli");
    assert_eq!(app.lead(&third).await["owner"], "Dana");
    assert!(event_types(&app.lead(&first).await).contains(&"assigned".to_owned()));
    let posts = posted(&slack).await;
    assert_eq!(posts.len(), 4, "{posts:?}");
    assert!(posts[0].contains("Assigned to <@UDANA>") && posts[0].contains("within 15 min"), "{}", posts[0]);
    assert!(posts[1].contains("Assigned to Eli"), "{}", posts[1]);
}

#[tokio::test]
async fn a_lead_nobody_marks_contacted_within_the_sla_is_escalated_once() {
    let slack = MockServer::start().await;
    let app = team_app(&slack).await;
    let id = app.enrol(1).await;
    app.text_in(&lead_phone(1), "Can you do Tuesday at 3?").await;
    let handed_off_at = app.lead(&id).await["handed_off_at"].clone();
    assert!(handed_off_at.is_string(), "{handed_off_at}");

    app.advance(14 * 60).await;
    assert_eq!(posted(&slack).await.len(), 1, "no escalation before the SLA is up");
    // A second message while the lead waits does not restart the clock.
    app.text_in(&lead_phone(1), "Hello?").await;
    app.advance(60).await;

    let posts = posted(&slack).await;
    assert_eq!(posts.len(), 3, "{posts:?}");
    let escalation = &posts[2];
    for expected in ["<@UMARA>", "waited 15 min", "assigned to <@UDANA>", id.as_str()] {
        assert!(escalation.contains(expected), "{expected:?} missing from {escalation}");
    }
    let lead = app.lead(&id).await;
    assert_eq!(lead["handed_off_at"], handed_off_at);
    assert!(lead["escalated_at"].is_string());
    assert_eq!(event_types(&lead).iter().filter(|t| *t == "escalated").count(), 1);

    app.advance(3600).await;
    assert_eq!(posted(&slack).await.len(), 3, "an escalation is posted once");
    assert_eq!(sla_counts(&app).await, (1, 0, 1), "handoffs, sla_met, sla_missed");
}

#[tokio::test]
async fn a_lead_marked_contacted_in_time_is_not_escalated_and_counts_as_met() {
    let slack = MockServer::start().await;
    let app = team_app(&slack).await;
    let id = app.enrol(1).await;
    app.text_in(&lead_phone(1), "Call me please").await;
    app.advance(5 * 60).await;
    assert_eq!(app.post_event(&id, &json!({ "type": "contacted" })).await.status(), 202);

    app.advance(3600).await;
    assert_eq!(posted(&slack).await.len(), 1, "only the hand-off itself");
    let lead = app.lead(&id).await;
    assert_eq!(lead["escalated_at"], Value::Null);
    assert!(!event_types(&lead).contains(&"escalated".to_owned()));

    // A later reply is a new hand-off with a clock of its own, still with Dana.
    app.text_in(&lead_phone(1), "One more question").await;
    app.advance(16 * 60).await;
    let posts = posted(&slack).await;
    assert_eq!(posts.len(), 3, "{posts:?}");
    assert!(posts[2].contains("<@UMARA>"), "{}", posts[2]);
    assert_eq!(sla_counts(&app).await, (2, 1, 1), "handoffs, sla_met, sla_missed");
}
