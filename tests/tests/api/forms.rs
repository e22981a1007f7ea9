//! `POST /v1/forms/{form_id}`: a plain HTML form on a client's page. A post becomes a lead
//! through intake with the page's consent wording, the lead's IP and browser as evidence; the
//! browser is sent on to the thank-you page, a `fetch()` gets JSON readable from the form's
//! origins only; a bot filling the honeypot is answered alike and recorded as nothing; a flood
//! is refused past the form's posts a minute.

use leadflow_core::config::DEMO_API_KEY;
use leadflow_tests::{spawn_app, TestApp};
use reqwest::redirect::Policy;
use serde_json::Value;

const FORM: &str = "bright-smile-contact";
const PHONE: &str = "+14155550177";

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(Policy::none()).build().unwrap()
}

fn person(phone: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", "Zoë O'Brien".to_owned()),
        ("email", format!("zoe{}@example.com", &phone[8..])),
        ("phone", phone.to_owned()),
        ("What can we help with?", "Implants".to_owned()),
        ("consent", "yes".to_owned()),
        ("website", String::new()),
    ]
}

async fn post_form(app: &TestApp, form: &[(&str, String)]) -> reqwest::Response {
    no_redirects()
        .post(format!("{}/v1/forms/{FORM}", app.base))
        .header("user-agent", "Mozilla/5.0 (test browser)")
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn report(app: &TestApp) -> Value {
    app.report("from=2026-03-05&to=2026-03-05").await.json().await.unwrap()
}

#[tokio::test]
async fn a_page_s_form_post_becomes_a_lead_texted_at_once_and_the_browser_goes_on_to_thank_you() {
    let app = spawn_app().await;
    let response = post_form(&app, &person(PHONE)).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "http://localhost:8080/thanks");

    let id = app.lead_id_by_phone(PHONE).await.expect("the lead is stored");
    let lead = app.lead(&id).await;
    assert_eq!(
        (lead["profile"]["first_name"].as_str(), lead["profile"]["last_name"].as_str()),
        (Some("Zoë"), Some("O'Brien"))
    );
    assert_eq!(lead["profile"]["source"], "website");
    assert_eq!(lead["profile"]["fields"]["what_can_we_help_with"], "Implants");
    let consent = &lead["consent"];
    assert_eq!((consent["sms"].as_bool(), consent["voice"].as_bool()), (Some(true), Some(true)));
    let evidence = &consent["evidence"];
    assert!(evidence["text"].as_str().unwrap().starts_with("Yes, Bright Smile Dental may call"));
    assert_eq!(evidence["ip"], "127.0.0.1");
    assert_eq!(evidence["user_agent"], "Mozilla/5.0 (test browser)");
    let outbox = app.outbox(Some(&id)).await;
    assert_eq!(outbox.len(), 1, "the first text at once: {outbox:?}");

    // The raw post is kept, named on the lead's timeline.
    let received = lead["events"].as_array().unwrap().iter().find(|e| e["type"] == "received").unwrap().clone();
    let key = received["payload"].as_str().expect("the timeline names the payload").to_owned();
    assert!(key.starts_with(&format!("form:{FORM}:")), "{key}");
    let raw = app.client.get(format!("{}/v1/payloads/{key}", app.base)).bearer_auth(DEMO_API_KEY).send().await.unwrap();
    assert_eq!(raw.status(), 200);
    assert_eq!(raw.headers()["content-type"], "application/x-www-form-urlencoded");
    assert!(raw.text().await.unwrap().contains("name=Zo%C3%AB+O%27Brien"));
    let anonymous = app.client.get(format!("{}/v1/payloads/{key}", app.base)).send().await.unwrap();
    assert_eq!(anonymous.status(), 401, "payloads need the tenant's key");
}

#[tokio::test]
async fn a_fetch_gets_json_from_an_allowed_origin_only_and_its_preflight_is_answered() {
    let app = spawn_app().await;
    let url = format!("{}/v1/forms/{FORM}", app.base);
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in person(PHONE) {
        form = form.text(name, value);
    }
    let response = app
        .client
        .post(&url)
        .header("accept", "application/json")
        .header("origin", "http://localhost:8080")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    assert_eq!(response.headers()["access-control-allow-origin"], "http://localhost:8080");
    assert_eq!(response.json::<Value>().await.unwrap(), serde_json::json!({ "received": true }));
    assert!(app.lead_id_by_phone(PHONE).await.is_some());

    let elsewhere = app
        .client
        .post(&url)
        .header("accept", "application/json")
        .header("origin", "https://evil.example")
        .form(&person("+14155550178"))
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 403);
    assert!(elsewhere.headers().get("access-control-allow-origin").is_none());
    assert!(app.lead_id_by_phone("+14155550178").await.is_none(), "nothing recorded");

    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "http://localhost:8080")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(preflight.headers()["access-control-allow-origin"], "http://localhost:8080");
    assert_eq!(preflight.headers()["access-control-allow-methods"], "POST");
    let refused = app.client.request(reqwest::Method::OPTIONS, &url).header("origin", "https://evil.example").send();
    assert_eq!(refused.await.unwrap().status(), 403);
}

#[tokio::test]
async fn a_bot_filling_the_honeypot_is_answered_alike_and_recorded_as_nothing() {
    let app = spawn_app().await;
    let mut bot = person(PHONE);
    bot.retain(|(name, _)| *name != "website");
    bot.push(("website", "http://spam.example".to_owned()));
    let response = post_form(&app, &bot).await;
    assert_eq!(response.status(), 303, "a bot learns nothing");
    assert_eq!(response.headers()["location"], "http://localhost:8080/thanks");
    assert!(app.lead_id_by_phone(PHONE).await.is_none());
    assert!(app.outbox(None).await.is_empty());
    let report = report(&app).await;
    assert_eq!((report["leads"].as_u64(), report["spam_posts"].as_u64()), (Some(0), Some(1)));
}

#[tokio::test]
async fn without_the_consent_box_ticked_the_lead_is_kept_but_not_texted() {
    let app = spawn_app().await;
    let mut unticked = person(PHONE);
    unticked.retain(|(name, _)| *name != "consent");
    assert_eq!(post_form(&app, &unticked).await.status(), 303);
    let id = app.lead_id_by_phone(PHONE).await.expect("the lead is stored");
    let lead = app.lead(&id).await;
    let consent = &lead["consent"];
    assert_eq!(
        (consent["sms"].as_bool(), consent["email"].as_bool(), consent["voice"].as_bool()),
        (Some(false), Some(false), Some(false))
    );
    assert!(consent["evidence"]["text"].is_null(), "no wording was agreed to");
    let texts: Vec<Value> = app.outbox(Some(&id)).await.into_iter().filter(|m| m["channel"] == "sms").collect();
    assert!(texts.is_empty(), "{texts:?}");
}

#[tokio::test]
async fn a_wrong_field_is_named_on_a_page_or_in_json_and_records_nothing() {
    let app = spawn_app().await;
    let mut wrong = person(PHONE);
    wrong.retain(|(name, _)| *name != "phone");
    wrong.push(("phone", "12".to_owned()));
    let page = post_form(&app, &wrong).await;
    assert_eq!(page.status(), 422);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("<strong>phone</strong>"), "{html}");

    let json =
        app.client.post(format!("{}/v1/forms/{FORM}", app.base)).header("accept", "application/json").form(&wrong);
    let json = json.send().await.unwrap();
    assert_eq!(json.status(), 422);
    let body: Value = json.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "phone");

    let other = app.client.post(format!("{}/v1/forms/{FORM}", app.base)).json(&serde_json::json!({"phone": PHONE}));
    assert_eq!(other.send().await.unwrap().status(), 415, "a form post is a form's format");
    let unknown = app.client.post(format!("{}/v1/forms/no-such-form", app.base)).form(&person(PHONE));
    assert_eq!(unknown.send().await.unwrap().status(), 404);
    let signed_kind = app.client.post(format!("{}/v1/forms/bright-smile-typeform", app.base)).form(&person(PHONE));
    assert_eq!(signed_kind.send().await.unwrap().status(), 404, "a signed form does not take unsigned posts");
    assert_eq!(report(&app).await["leads"], 0);
}

#[tokio::test]
async fn a_flood_is_refused_past_the_form_s_posts_a_minute() {
    let app = TestApp::builder()
        .tenant(|demo| {
            demo.replace("id = \"bright-smile-contact\"\n", "id = \"bright-smile-contact\"\nmax_per_minute = 3\n")
        })
        .spawn()
        .await;
    for n in 0..3 {
        let phone = format!("+1415555018{n}");
        assert_eq!(post_form(&app, &person(&phone)).await.status(), 303, "post {n}");
    }
    let flood = post_form(&app, &person("+14155550189")).await;
    assert_eq!(flood.status(), 429);
    let retry: u64 = flood.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert!(app.lead_id_by_phone("+14155550189").await.is_none());
    // The next minute takes posts again.
    app.advance(60).await;
    assert_eq!(post_form(&app, &person("+14155550189")).await.status(), 303);
}
