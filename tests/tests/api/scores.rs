//! Scores and tiers on `leadflow dev`: the points behind a lead's score on `GET /v1/leads/{id}`,
//! engagement halving with time and silence making a lead dormant, and the team chat told once
//! when a lead becomes hot, at intake from its form or later from what it does.

use leadflow_core::config::without_demo_team;
use leadflow_tests::{chat_posts, lead_body, lead_phone, TestApp};
use serde_json::{json, Value};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The demo tenant with a team chat at `slack`, sending for real (the chat) over loopback;
/// `fit` the points a form's treatment of implants is worth.
async fn app_with_chat(slack: &MockServer, fit: u32) -> TestApp {
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_string("ok")).mount(slack).await;
    let webhook = format!("{}/services/T000/B000/XXXX", slack.uri());
    TestApp::builder()
        .tenant(move |demo| {
            let demo = demo.replacen("points = 30", &format!("points = {fit}"), 1);
            format!("[handoff]\nslack_webhook = \"{webhook}\"\n\n{}", without_demo_team(&demo))
        })
        .live_channels()
        .spawn()
        .await
}

/// The chat posts that announce a hot lead.
async fn hot_posts(slack: &MockServer) -> Vec<String> {
    chat_posts(slack).await.into_iter().filter(|text| text.contains("is hot")).collect()
}

fn implants(n: u32) -> Value {
    let mut body = lead_body(n);
    body["fields"] = json!({ "treatment": "implants" });
    body
}

#[tokio::test]
async fn a_lead_that_becomes_hot_is_announced_once_with_what_made_it_hot() {
    let slack = MockServer::start().await;
    let app = app_with_chat(&slack, 30).await;
    let response = app.post_lead(&implants(1)).await;
    let id = response.json::<Value>().await.unwrap()["lead_id"].as_str().unwrap().to_owned();
    app.advance(0).await;
    let lead = app.lead(&id).await;
    assert_eq!((lead["score"].as_f64(), lead["tier"].as_str()), (Some(30.0), Some("warm")), "{lead}");
    assert!(hot_posts(&slack).await.is_empty(), "30 is not hot");

    app.text_in(&lead_phone(1), "Yes, can you call me after 5?").await;
    let booked = app.post_event(&id, &json!({ "type": "booked" })).await;
    assert_eq!(booked.status(), 202);
    app.advance(0).await;

    let lead = app.lead(&id).await;
    assert_eq!((lead["score"].as_f64(), lead["tier"].as_str()), (Some(75.0), Some("hot")), "{lead}");
    let why: Vec<&str> = lead["points"].as_array().unwrap().iter().map(|p| p["why"].as_str().unwrap()).collect();
    assert_eq!(why, ["replied", "booked", "fields.treatment in ['implants', 'invisalign']"]);
    let posts = hot_posts(&slack).await;
    assert_eq!(posts.len(), 1, "{posts:?}");
    for expected in ["Ann Lee", "is hot: score 75", "facebook, campaign spring", "treatment: implants", &id] {
        assert!(posts[0].contains(expected), "{expected:?} missing from {}", posts[0]);
    }

    // Still hot after another signal: no second announcement.
    let again = app.post_event(&id, &json!({ "type": "booked" })).await;
    assert_eq!(again.status(), 202);
    app.advance(60).await;
    assert_eq!(hot_posts(&slack).await.len(), 1);

    // A month of silence later the engagement has halved; two months, and the lead is dormant.
    app.advance(31 * 86_400).await;
    let lead = app.lead(&id).await;
    assert!(lead["score"].as_f64().unwrap() < 75.0 - 20.0, "{lead}");
    app.advance(30 * 86_400).await;
    assert_eq!(app.lead(&id).await["tier"], "dormant:60d");
}

#[tokio::test]
async fn a_form_that_is_hot_on_arrival_is_announced_at_intake() {
    let slack = MockServer::start().await;
    let app = app_with_chat(&slack, 60).await;
    let response = app.post_lead(&implants(2)).await;
    assert_eq!(response.status(), 202);
    let id = response.json::<Value>().await.unwrap()["lead_id"].as_str().unwrap().to_owned();
    app.advance(0).await;
    let posts = hot_posts(&slack).await;
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert!(posts[0].contains("Next: email at"), "the next touch after the first text: {}", posts[0]);
    assert_eq!(app.lead(&id).await["tier"], "hot");

    // The same person posting again (a merge) is no new announcement.
    assert_eq!(app.post_lead(&implants(2)).await.status(), 202);
    app.advance(0).await;
    assert_eq!(hot_posts(&slack).await.len(), 1);
}

#[tokio::test]
async fn silence_is_scheduled_not_polled_a_slower_nurture_at_60_days_a_reset_at_180() {
    let app = leadflow_tests::spawn_app().await;
    let id = app.enrol(3).await;
    app.advance(59 * 86_400).await;
    let sent_before = app.outbox(Some(&id)).await.len();
    app.advance(86_400).await;
    let outbox = app.outbox(Some(&id)).await;
    let checkin =
        outbox.iter().filter(|t| t["body"].as_str().unwrap().contains("Still thinking about a visit")).count();
    assert_eq!((outbox.len(), checkin), (sent_before + 1, 1), "{outbox:?}");
    let lead = app.lead(&id).await;
    let dormant: Vec<&Value> =
        lead["events"].as_array().unwrap().iter().filter(|e| e["type"] == "went_dormant").collect();
    assert_eq!(dormant.len(), 1, "{lead}");
    assert_eq!(dormant[0]["silent_for"], "60d");
    assert_eq!(lead["tier"], "dormant:60d");

    app.advance(120 * 86_400).await;
    let outbox = app.outbox(Some(&id)).await;
    // The slower nurture: after the check-in, an email a month (days 90 and 120), until the
    // reset replaces it.
    let nurture = outbox.iter().filter(|t| t["subject"].as_str().is_some_and(|s| s.contains("a quick note"))).count();
    assert_eq!(nurture, 2, "{outbox:?}");
    let reset: Vec<&Value> = outbox
        .iter()
        .filter(|t| t["channel"] == "email" && t["subject"].as_str().unwrap().contains("close your file"))
        .collect();
    assert_eq!(reset.len(), 1, "{outbox:?}");
    assert_eq!(app.lead(&id).await["tier"], "dormant:180d");
}

#[tokio::test]
async fn a_lead_that_engages_moves_its_dormancy_back() {
    let app = leadflow_tests::spawn_app().await;
    let id = app.enrol(4).await;
    // A day-1 email carries the booking link; the lead follows it on day 40.
    app.advance(40 * 86_400).await;
    let outbox = app.outbox(Some(&id)).await;
    let link = outbox
        .iter()
        .filter_map(|t| t["body"].as_str())
        .flat_map(|b| b.split_whitespace())
        .find(|w| w.contains("/r/"))
        .unwrap()
        .to_owned();
    let no_redirect = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    assert_eq!(no_redirect.get(&link).send().await.unwrap().status(), 302);
    // Day 61: no check-in (the click was 21 days ago); day 100 (60 days after it): one.
    app.advance(21 * 86_400).await;
    let checkins = |outbox: &[Value]| {
        outbox
            .iter()
            .filter(|t| t["body"].as_str().unwrap_or_default().contains("Still thinking about a visit"))
            .count()
    };
    assert_eq!(checkins(&app.outbox(Some(&id)).await), 0);
    app.advance(40 * 86_400).await;
    assert_eq!(checkins(&app.outbox(Some(&id)).await), 1);
}

#[tokio::test]
async fn three_touches_without_engagement_cost_ten_points_until_the_lead_replies() {
    let app = leadflow_tests::spawn_app().await;
    let id = app.enrol(1).await;
    let unengaged = |lead: &Value| {
        let signals = lead["signals"].as_array().cloned().unwrap_or_default();
        signals.iter().filter(|s| s["signal"] == "unengaged").count()
    };
    // The text at once and the email five minutes later: two touches, not yet.
    app.advance(300).await;
    assert_eq!(unengaged(&app.lead(&id).await), 0);
    // The day-1 email is the third.
    app.advance(86_400).await;
    let lead = app.lead(&id).await;
    assert_eq!(unengaged(&lead), 1, "{lead}");
    assert!(
        lead["points"].as_array().unwrap().iter().any(|p| p["why"] == "unengaged" && p["points"] == -10.0),
        "{lead}"
    );
    let signal_entries = lead["events"].as_array().unwrap().iter().filter(|e| e["signal"] == "unengaged").count();
    assert_eq!(signal_entries, 1, "on the timeline once");

    // A reply forgives it.
    app.text_in(&lead_phone(1), "Sorry, busy week. Is Thursday ok?").await;
    let replied = app.lead(&id).await;
    assert!(!replied["points"].as_array().unwrap().iter().any(|p| p["why"] == "unengaged"), "{replied}");
}
