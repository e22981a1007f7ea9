//! A reply hands the lead to a human: with `--live-channels`, a message to the tenant's team
//! chat (a Slack incoming webhook, served on loopback) with the lead's topic, score and words.

use leadflow_tests::{lead_phone, spawn_app_with, TestApp};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn app_with_slack(slack: &MockServer, live: bool) -> TestApp {
    let webhook = format!("{}/services/T000/B000/XXXX", slack.uri());
    spawn_app_with(move |demo| format!("[handoff]\nslack_webhook = \"{webhook}\"\n\n{demo}"), live).await
}

async fn posted(slack: &MockServer) -> Vec<String> {
    let requests = slack.received_requests().await.unwrap();
    requests.iter().map(|r| serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["text"].to_string()).collect()
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
