//! `leadflow simulate`: the demo tenant's preview of one lead, through the library function
//! and through the binary.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, Utc};
use leadflow_cli::simulate::{parse_event, simulate, Preview, PreviewEntry, SimulateOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;

/// Thursday 5 March 2026, 10:00 in New York (EST; the clocks go forward on the 8th).
const START: &str = "2026-03-05T15:00:00Z";

const ANN: &str = r#"{"first_name":"Ann","last_name":"Lee","email":"ann@example.com","phone":"(415) 555-2671",
  "source":"facebook","timezone":"America/New_York",
  "consent":{"sms":true,"email":true,"voice":true,"text":"I agree to be contacted"}}"#;

fn start() -> DateTime<Utc> {
    START.parse().unwrap()
}

/// A directory holding `lead.json` with `body`.
fn lead_file(body: &str) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lead.json");
    std::fs::write(&path, body).unwrap();
    (dir, path)
}

async fn preview(events: &[&str]) -> Preview {
    let (_dir, lead) = lead_file(ANN);
    let events = events.iter().map(|e| parse_event(e).unwrap()).collect();
    simulate(SimulateOptions { config: None, lead, start: start(), days: 14, events }).await.unwrap()
}

/// The templates of the touches sent, each variant of the demo's first-text experiment read
/// as its control (see [`control`]).
fn templates(preview: &Preview) -> Vec<&str> {
    preview.touches().map(|t| control(t.template.as_deref().unwrap_or("?"))).collect()
}

/// The demo's first text is an A/B test: each run's lead (a new id) gets `welcome_sms` or its
/// variant `welcome_sms_slots` by a hash of that id. Read either as the control.
fn control(template: &str) -> &str {
    match template {
        "welcome_sms_slots" => "welcome_sms",
        other => other,
    }
}

fn after(entry: &PreviewEntry, offset: Duration) -> bool {
    entry.at > start() + offset
}

fn leadflow(lead: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leadflow"))
        .args(["simulate", "--lead"])
        .arg(lead)
        .args(["--start", START])
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

#[tokio::test]
async fn fourteen_days_of_the_demo_cadence_each_step_once_in_order_at_the_leads_local_times() {
    let preview = preview(&[]).await;
    assert_eq!(
        templates(&preview),
        ["welcome_sms", "welcome_email", "day1_email", "day3_call", "day5_sms", "day10_email"],
        "{preview:#?}"
    );
    let touches: Vec<_> = preview.touches().collect();
    assert_eq!(touches[0].at, start(), "the welcome text at once");
    assert_eq!(touches[0].local.format("%H:%M").to_string(), "10:00");
    assert!(touches[0].text.as_deref().unwrap().starts_with("Hi Ann, thanks for reaching out to Bright Smile Dental!"));
    assert_eq!(touches[1].at, start() + Duration::minutes(5), "the email five minutes later");
    assert_eq!(touches[1].subject.as_deref(), Some("Ann, your enquiry at Bright Smile Dental"));
    // Day 3 at 10:00 local is 14:00 UTC: New York is on EDT by then.
    assert_eq!(touches[3].at.to_rfc3339(), "2026-03-08T14:00:00+00:00");
    assert_eq!(touches[3].local.format("%a %H:%M").to_string(), "Sun 10:00");
    assert!(touches.windows(2).all(|pair| pair[0].at < pair[1].at), "in time order, none twice");
    let kinds: Vec<&str> = preview.entries.iter().take(2).map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["received", "enrolled"]);
}

#[tokio::test]
async fn a_reply_stops_the_cadence_and_nothing_is_sent_after_it() {
    let preview = preview(&["2h:replied:yes please"]).await;
    assert_eq!(templates(&preview), ["welcome_sms", "welcome_email"]);
    assert!(preview.touches().all(|t| !after(t, Duration::hours(2))), "{preview:#?}");
    let replied = preview.entries.iter().find(|e| e.kind == "replied").expect("a replied entry");
    assert_eq!((replied.at, replied.text.as_deref()), (start() + Duration::hours(2), Some("yes please")));
    let stopped = preview.entries.iter().find(|e| e.kind == "cadence_stopped").expect("a stop");
    assert_eq!(stopped.detail.as_deref(), Some("standard: replied"));
    assert!(preview.entries.iter().any(|e| e.kind == "handed_off"));
}

#[tokio::test]
async fn a_missed_call_gets_the_missed_call_text_right_after() {
    let preview = preview(&["1h:call_missed"]).await;
    let missed = preview.entries.iter().position(|e| e.detail.as_deref() == Some("call_missed")).expect("the signal");
    assert_eq!(preview.entries[missed].at, start() + Duration::hours(1));
    let next_touch = preview.entries[missed..].iter().find(|e| e.kind == "sent").unwrap();
    assert_eq!(next_touch.template.as_deref(), Some("missed_call_sms"));
    assert!(next_touch.at - preview.entries[missed].at <= Duration::minutes(1), "{preview:#?}");
    assert!(next_touch.text.as_deref().unwrap().starts_with("Hi Ann, sorry we missed you just now."));
    assert_eq!(templates(&preview).iter().filter(|t| **t == "missed_call_sms").count(), 1);
}

#[tokio::test]
async fn a_click_on_the_booking_link_it_was_sent_gets_the_nudge_two_hours_later() {
    let preview = preview(&["25h:booking_clicked"]).await;
    let clicked = preview.entries.iter().find(|e| e.kind == "link_clicked").expect("the click");
    assert!(clicked.detail.as_deref().unwrap().ends_with("(the booking link)"));
    let nudge = preview.touches().find(|t| t.template.as_deref() == Some("booking_nudge")).expect("the nudge");
    assert_eq!(nudge.at, start() + Duration::hours(27));
}

#[tokio::test]
async fn a_click_before_any_message_carried_the_link_is_refused_by_name() {
    let (_dir, lead) = lead_file(ANN);
    let events = vec![parse_event("1h:booking_clicked").unwrap()];
    let error = simulate(SimulateOptions { config: None, lead, start: start(), days: 14, events }).await.unwrap_err();
    assert!(error.to_string().contains("\"1h:booking_clicked\": by then the lead had been sent no message"), "{error}");
}

#[test]
fn the_binary_prints_a_table_and_the_same_touches_as_json() {
    let (_dir, lead) = lead_file(ANN);
    let table = leadflow(&lead, &[]);
    assert!(table.status.success(), "{}", String::from_utf8_lossy(&table.stderr));
    assert!(table.stderr.is_empty(), "nothing logged: {}", String::from_utf8_lossy(&table.stderr));
    let table = String::from_utf8(table.stdout).unwrap();
    let sent: Vec<&str> = table.lines().filter(|l| l.contains(" sent ")).collect();
    assert_eq!(sent.len(), 6, "{table}");
    assert!(sent[0].starts_with("2026-03-05 15:00  Thu 2026-03-05 10:00  sent") && sent[0].contains("welcome_sms"));
    assert!(sent[1].starts_with("2026-03-05 15:05  Thu 2026-03-05 10:05  sent") && sent[1].contains("welcome_email"));

    let json = leadflow(&lead, &["--json"]);
    assert!(json.status.success(), "{}", String::from_utf8_lossy(&json.stderr));
    let entries: serde_json::Value = serde_json::from_slice(&json.stdout).expect("stdout is one JSON document");
    let touches: Vec<&serde_json::Value> = entries.as_array().unwrap().iter().filter(|e| e["kind"] == "sent").collect();
    assert_eq!(touches.len(), sent.len());
    for (touch, line) in touches.iter().zip(&sent) {
        let at: DateTime<Utc> = touch["at"].as_str().unwrap().parse().unwrap();
        // Two runs, two leads: each may have seen the other arm of the first text.
        let template = control(touch["template"].as_str().unwrap());
        assert!(line.starts_with(&at.format("%Y-%m-%d %H:%M").to_string()) && line.contains(template), "{line}");
        assert!(touch["local"].is_string() && touch["channel"].is_string() && touch["text"].is_string());
    }
}

#[test]
fn a_bad_event_fails_naming_the_flag_and_what_is_wrong() {
    let (_dir, lead) = lead_file(ANN);
    for (event, problem) in [
        ("2x:call_missed", "\"2x\" is not an offset"),
        ("1h:called", "\"called\" is not a signal"),
        ("20d:booked", "is after the end of the preview"),
    ] {
        let output = leadflow(&lead, &["--event", event]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{event}");
        assert!(stderr.contains(problem) && stderr.contains("--event"), "{event}: {stderr}");
        assert!(output.stdout.is_empty(), "{event}");
    }
}

#[test]
fn a_bad_lead_file_fails_naming_each_wrong_field() {
    let (_dir, lead) = lead_file(r#"{"first_name":" ","phone":"12","consent":{"sms":true}}"#);
    let output = leadflow(&lead, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("first_name: is required") && stderr.contains("phone: "), "{stderr}");

    let (_dir, lead) = lead_file(r#"{"first_name":"Ann","phone":4155552671}"#);
    let output = leadflow(&lead, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("phone: invalid type"), "a field of the wrong type is named: {stderr}");
}

#[tokio::test]
async fn the_score_and_tier_are_shown_as_they_change_and_as_they_decay() {
    let preview = preview(&["1h:replied:yes please call me"]).await;
    let scores: Vec<&str> =
        preview.entries.iter().filter(|e| e.kind == "score").filter_map(|e| e.detail.as_deref()).collect();
    assert_eq!(scores.len(), 4, "{scores:?}");
    assert!(scores[0].starts_with("score 0 (cold)"), "{scores:?}");
    assert!(scores[1].starts_with("score 15 (cold)") && scores[1].contains("replied +15"), "{scores:?}");
    // Three days in `conversation` (the demo's SLA there): the stale-lead alert's entry.
    assert!(scores[2].starts_with("score 14 (cold)"), "{scores:?}");
    assert!(scores[3].starts_with("score 10.9 (cold)"), "two weeks later, halved in part: {scores:?}");
}

/// What a lead may do during a random preview, at `offset` minutes in.
fn random_event() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let what = prop::sample::select(vec![
        "call_missed",
        "call_answered",
        "voicemail_left",
        "email_opened",
        "booking_clicked",
        "sms_delivered",
        "sms_failed",
        "booked",
        "no_show",
        "replied:yes please",
        "opted_out",
    ]);
    (1u32..14 * 24 * 60, what).prop_map(|(minutes, what)| format!("{minutes}m:{what}"))
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..Default::default() })]

    /// Whatever the lead does over 14 days, in any order, the real engine and use cases send
    /// no touch twice, none in the demo's quiet hours (08:00-21:00 local), and none over its
    /// caps (3 an hour, 3 a day); nothing by phone after a STOP.
    #[test]
    fn random_fourteen_day_runs_never_send_twice_nor_outside_quiet_hours_and_caps(
        events in proptest::collection::vec(random_event(), 0..8),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (_dir, lead) = lead_file(ANN);
        let events = events.iter().map(|e| parse_event(e).unwrap()).collect();
        let options = SimulateOptions { config: None, lead, start: start(), days: 14, events };
        // A click on a link not sent yet is refused by name (tested above): not a run.
        let preview = runtime.block_on(simulate(options));
        proptest::prop_assume!(preview.is_ok());
        let preview = preview.unwrap();
        let touches: Vec<&PreviewEntry> = preview.touches().collect();
        for (i, touch) in touches.iter().enumerate() {
            let hour = touch.local.format("%H:%M").to_string();
            proptest::prop_assert!(("08:00".."21:00").contains(&hour.as_str()), "{} sent at {hour} local", touch.template.as_deref().unwrap_or("?"));
            let twin = touches[..i].iter().any(|t| t.at == touch.at && t.template == touch.template && t.channel == touch.channel);
            proptest::prop_assert!(!twin, "sent twice: {touch:?}");
            for (per, max) in [(Duration::hours(1), 3), (Duration::days(1), 3)] {
                let within = touches[..=i].iter().filter(|t| touch.at - t.at < per).count();
                proptest::prop_assert!(within <= max, "{within} touches within {per} by {}", touch.at);
            }
        }
        let stop = preview.entries.iter().find(|e| e.kind == "opted_out").map(|e| e.at);
        if let Some(stop) = stop {
            let by_phone = touches.iter().filter(|t| t.at > stop && t.channel.is_some_and(|c| c.uses_phone())).count();
            proptest::prop_assert_eq!(by_phone, 0, "texted or called after STOP");
        }
    }
}
