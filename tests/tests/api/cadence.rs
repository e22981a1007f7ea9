//! The demo cadence, watched on the manual clock: every touch at its due time, in the lead's
//! own time zone, inside quiet hours and under the caps.

use chrono::{DateTime, Duration, Utc};
use leadflow_tests::{spawn_app, start_time};
use serde_json::Value;

fn at(entry: &Value, field: &str) -> DateTime<Utc> {
    entry[field].as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn fourteen_days_of_the_demo_cadence_run_in_moments_each_touch_at_its_time() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    let started = std::time::Instant::now();
    app.advance(14 * 86_400).await;
    println!("14 simulated days took {:?}", started.elapsed());

    let outbox = app.outbox(Some(&id)).await;
    let sent: Vec<(u64, &str, String)> = outbox
        .iter()
        .map(|e| {
            (e["step"].as_u64().unwrap(), e["channel"].as_str().unwrap(), e["sent_at"].as_str().unwrap().to_owned())
        })
        .collect();
    // Enrolled Thu 5 March 2026 10:00 EST; the US moves to EDT on Sunday 8 March.
    assert_eq!(
        sent,
        [
            (0, "sms", "2026-03-05T15:00:00Z".to_owned()),   // at once
            (1, "email", "2026-03-05T15:05:00Z".to_owned()), // 5 minutes later
            (2, "email", "2026-03-06T15:00:00Z".to_owned()), // 1 day later
            (3, "voice", "2026-03-08T14:00:00Z".to_owned()), // day 3 at 10:00 EDT
            (4, "sms", "2026-03-10T21:30:00Z".to_owned()),   // day 5 at 17:30 EDT
            (5, "email", "2026-03-15T15:00:00Z".to_owned()), // 10 days later
        ]
    );
    for entry in &outbox {
        assert_eq!(at(entry, "sent_at"), at(entry, "due_at"), "sent at its due time");
    }
    assert_eq!(app.lead(&id).await["state"], "active", "the weekly touches are still to come");
    app.advance(20 * 86_400).await;
    assert_eq!(app.outbox(Some(&id)).await.len(), 9);
    assert_eq!(app.lead(&id).await["state"], "finished");
}

#[tokio::test]
async fn the_caps_hold_over_a_whole_cadence() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    // A month in one call: every touch still respects 2 per hour and 3 per day.
    app.advance(40 * 86_400).await;
    let times: Vec<DateTime<Utc>> = app.outbox(Some(&id)).await.iter().map(|e| at(e, "sent_at")).collect();
    assert_eq!(times.len(), 9);
    for (i, t) in times.iter().enumerate() {
        let last_hour = times[..=i].iter().filter(|s| *t - **s < Duration::hours(1)).count();
        let last_day = times[..=i].iter().filter(|s| *t - **s < Duration::days(1)).count();
        assert!(last_hour <= 2 && last_day <= 3, "cap broken at {t}");
    }
    assert!(times[0] >= start_time());
}
