//! One-click unsubscribe: the link in every email, RFC 8058's POST, the page a GET shows.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use leadflow_tests::{spawn_app, TestApp};
use serde_json::Value;

/// The unsubscribe link in the lead's first email (step 1, five minutes after enrolment).
async fn first_email_link(app: &TestApp, id: &str) -> String {
    app.advance(300).await;
    let outbox = app.outbox(Some(id)).await;
    let email = outbox.iter().find(|e| e["channel"] == "email").expect("the first email");
    let body = email["body"].as_str().unwrap();
    let link = body.lines().find_map(|l| l.strip_prefix("Unsubscribe: ")).expect("an unsubscribe line in the body");
    assert!(link.starts_with(&format!("{}/u/", app.base)), "{link}");
    link.to_owned()
}

async fn one_click(app: &TestApp, link: &str) -> reqwest::Response {
    app.client
        .post(link)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap()
}

fn opted_out_of(lead: &Value) -> Vec<&str> {
    lead["opted_out"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect()
}

#[tokio::test]
async fn the_link_in_an_email_unsubscribes_the_lead_from_email_only() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    let link = first_email_link(&app, &id).await;

    let response = one_click(&app, &link).await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("Unsubscribed"));
    let lead = app.lead(&id).await;
    assert_eq!(opted_out_of(&lead), ["email"]);
    let events = lead["events"].as_array().unwrap();
    let opt_out = events.iter().find(|e| e["type"] == "opted_out").expect("an opted_out event");
    assert_eq!(opt_out["channel"], "email");
    assert!(opt_out["message"].as_str().unwrap().contains("List-Unsubscribe=One-Click"), "{opt_out}");

    // Day 1's email is skipped; the call on day 3 and the text on day 5 go out.
    app.advance(6 * 86_400).await;
    let outbox = app.outbox(Some(&id)).await;
    let channels: Vec<&str> = outbox.iter().map(|e| e["channel"].as_str().unwrap()).collect();
    assert_eq!(channels, ["sms", "email", "voice", "sms"]);
    let lead = app.lead(&id).await;
    let skipped = lead["events"].as_array().unwrap().iter().find(|e| e["type"] == "step_skipped").unwrap().clone();
    assert_eq!((skipped["step"].as_u64(), skipped["channel"].as_str()), (Some(2), Some("email")));
    assert_eq!(skipped["reason"], "opted out of this channel");
    assert_eq!(lead["state"], "active");
}

#[tokio::test]
async fn a_repeated_unsubscribe_answers_the_same_and_records_one_opt_out() {
    let app = spawn_app().await;
    let id = app.enrol(2).await;
    let link = first_email_link(&app, &id).await;
    assert_eq!(one_click(&app, &link).await.status(), 200);
    assert_eq!(one_click(&app, &link).await.status(), 200);
    let lead = app.lead(&id).await;
    let opt_outs = lead["events"].as_array().unwrap().iter().filter(|e| e["type"] == "opted_out").count();
    assert_eq!(opt_outs, 1);
}

#[tokio::test]
async fn a_get_only_asks_for_confirmation_so_link_scanners_unsubscribe_nobody() {
    let app = spawn_app().await;
    let id = app.enrol(3).await;
    let link = first_email_link(&app, &id).await;
    let response = app.client.get(&link).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = response.text().await.unwrap();
    assert!(page.contains("Bright Smile Dental") && page.contains("<form method=\"post\">"), "{page}");
    assert!(page.contains("name=\"List-Unsubscribe\" value=\"One-Click\""), "{page}");
    assert!(opted_out_of(&app.lead(&id).await).is_empty());
}

#[tokio::test]
async fn a_forged_or_altered_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let victim = app.enrol(4).await;
    let other = app.enrol(5).await;
    let link = first_email_link(&app, &other).await;
    // The token is the payload (`demo <lead>`) and its tag, in URL-safe base64: a forger can
    // read and change the payload, but not make the tag agree.
    let token = link.rsplit('/').next().unwrap();
    let bytes = URL_SAFE_NO_PAD.decode(token).unwrap();
    let payload = format!("demo {other}");
    assert!(bytes.starts_with(payload.as_bytes()));
    let tag = &bytes[payload.len()..];
    let with_payload = |payload: &str| {
        let mut forged = payload.as_bytes().to_vec();
        forged.extend_from_slice(tag);
        format!("{}/u/{}", app.base, URL_SAFE_NO_PAD.encode(forged))
    };
    let moved = with_payload(&format!("demo {victim}"));
    let other_tenant = with_payload(&format!("other {other}"));
    let mut flipped = link.clone();
    let last = if flipped.ends_with('A') { "B" } else { "A" };
    flipped.replace_range(flipped.len() - 1.., last);
    let untagged = format!("{}/u/{}", app.base, URL_SAFE_NO_PAD.encode(format!("demo {victim}")));
    for forged in [moved, flipped, untagged, other_tenant] {
        let response = one_click(&app, &forged).await;
        assert_eq!(response.status(), 404, "{forged}");
        assert!(response.text().await.unwrap().contains("not valid"));
        assert_eq!(app.client.get(&forged).send().await.unwrap().status(), 404, "{forged}");
    }
    assert!(opted_out_of(&app.lead(&victim).await).is_empty());
    assert!(opted_out_of(&app.lead(&other).await).is_empty());
}

#[tokio::test]
async fn a_lead_reachable_only_by_email_has_its_cadence_stopped_by_an_unsubscribe() {
    let app = spawn_app().await;
    let mut body = leadflow_tests::lead_body(6);
    body["consent"] = serde_json::json!({ "sms": false, "email": true, "voice": false });
    let response = app.post_lead(&body).await;
    assert_eq!(response.status(), 202);
    let id = response.json::<Value>().await.unwrap()["lead_id"].as_str().unwrap().to_owned();
    let link = first_email_link(&app, &id).await;

    assert_eq!(one_click(&app, &link).await.status(), 200);
    let lead = app.lead(&id).await;
    assert_eq!(lead["state"], "opted_out");
    let stopped = lead["events"].as_array().unwrap().iter().find(|e| e["type"] == "cadence_stopped").cloned();
    assert_eq!(stopped.expect("the cadence stopped")["reason"], "opted_out");
}
