//! A lead hot on arrival through the intake function: the intake function has no team chat, so
//! the announcement travels as a wakeup on the step queue, and the step function posts it,
//! once, however often SQS delivers it.

use crate::harness::{body_json, Stack};
use leadflow_core::config::without_demo_team;
use leadflow_tests::start_time;
use serde_json::Value;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_lead_hot_on_arrival_is_announced_by_the_step_function_once() {
    let slack = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_string("ok")).mount(&slack).await;
    let webhook = format!("{}/services/T0/B0/X", slack.uri());
    let stack = Stack::with_tenant(start_time(), |tenant| {
        // The sample lead's treatment (whitening) is worth 60 here: hot on arrival.
        let tenant = tenant.replacen(
            "if = \"fields.treatment in ['implants', 'invisalign']\"\npoints = 30",
            "if = \"fields.treatment == 'whitening'\"\npoints = 60",
            1,
        );
        format!("[handoff]\nslack_webhook = \"{webhook}\"\n\n{}", without_demo_team(&tenant))
    })
    .await;
    let id = stack.post_lead().await;

    let messages = stack.receive(0).await;
    let kinds: Vec<Value> = messages.iter().map(|m| body_json(m)["kind"].clone()).collect();
    assert!(kinds.contains(&Value::from("hot_alert")), "{kinds:?}");
    // Delivered twice (as SQS may): posted once.
    stack.invoke_step(&messages).await;
    stack.step(&messages).await;
    stack.drain().await;

    let posts: Vec<String> = slack
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap()["text"].to_string())
        .filter(|text| text.contains("is hot"))
        .collect();
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert!(posts[0].contains(&id) && posts[0].contains("score 60"), "{}", posts[0]);
    let lead = stack.lead(&id).await;
    assert_eq!(lead["tier"], "hot", "{lead}");
    assert!(lead["hot_alerted_at"].is_string(), "{lead}");
}

/// Dormancy on AWS: the intake function schedules the 60-day check in EventBridge Scheduler;
/// when it fires, the step function records the silence and starts the check-in cadence,
/// whose text goes out, once, however often the check is delivered.
#[tokio::test]
async fn sixty_days_of_silence_fire_the_check_in_through_the_scheduler() {
    let stack = Stack::new(start_time()).await;
    let id = stack.post_lead().await;
    stack.drain().await;
    let dormancy = stack.dormancy_schedules().await;
    assert_eq!(dormancy.len(), 1, "{dormancy:?}");
    // Scheduler fires anywhere in the minute before: schedules are set a minute early.
    assert_eq!(dormancy[0].at, start_time() + chrono::Duration::days(60) - chrono::Duration::minutes(1));

    // Through the cadence (the scheduler firing each touch) to day 60.
    for day in [1, 3, 6, 11, 18, 25, 32, 60] {
        stack.advance_to(start_time() + chrono::Duration::days(day)).await;
        let messages = stack.receive(0).await;
        // The dormancy check delivered twice (as SQS may): acted on once.
        if day == 60 {
            stack.invoke_step(&messages).await;
        }
        stack.step(&messages).await;
        stack.drain().await;
    }
    let checkins = stack.sent.all().iter().filter(|(m, _)| m.body.contains("Still thinking about a visit")).count();
    assert_eq!(checkins, 1);
    let lead = stack.lead(&id).await;
    let dormant = lead["events"].as_array().unwrap().iter().filter(|e| e["type"] == "went_dormant").count();
    assert_eq!(dormant, 1, "{lead}");
    assert_eq!(lead["tier"], "dormant:60d");
    // The next threshold is scheduled: 180 days.
    let next: Vec<Value> =
        stack.dormancy_schedules().await.iter().map(|s| serde_json::from_str(&s.input).unwrap()).collect();
    assert_eq!(next.len(), 1, "{next:?}");
    assert_eq!(next[0]["after_seconds"], 180 * 86_400);
}
