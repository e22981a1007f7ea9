//! The docs' copy-paste contact form (`docs/snippets/contact-form.html`), on a page served
//! from another origin, filled in and sent by Chromium: the browser follows the 303 to the
//! thank-you page and the lead is stored with the browser's own user agent as evidence; a
//! page's `fetch()` reads the JSON answer across origins (CORS) from an allowed origin.

use super::driver::Browser;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use fantoccini::Locator;
use leadflow_tests::TestApp;

const SNIPPET: &str = include_str!("../../../docs/snippets/contact-form.html");
const FORM: &str = "bright-smile-contact";

/// leadflow dev with the demo's HTML form sending browsers on to `site`'s thank-you page
/// and letting `site`'s scripts read its answers.
async fn leadflow_for(site: &str) -> TestApp {
    let site = site.to_owned();
    TestApp::builder()
        .system_clock()
        .tenant(move |demo| {
            demo.replace("http://localhost:8080/thanks", &format!("{site}/thanks"))
                .replace("allowed_origins = [\"http://localhost:8080\"]", &format!("allowed_origins = [\"{site}\"]"))
        })
        .spawn()
        .await
}

fn page(body: &str) -> String {
    format!("<!doctype html><html><head><meta charset=utf-8><title>Bright Smile Dental</title></head><body>{body}</body></html>")
}

#[tokio::test]
async fn the_docs_snippet_sends_a_lead_from_chromium_and_lands_on_thank_you() {
    // The site's origin must be known before leadflow's URL goes into the page: bind first.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let site = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let app = leadflow_for(&site).await;
    let form = SNIPPET.replace("https://LEADFLOW_API", &app.base).replace("FORM_ID", FORM);
    let site = client_site_on(&site, page(&form)).await;

    let browser = Browser::start().await;
    browser.client.goto(&format!("{site}/")).await.unwrap();
    let fill = |name: &'static str, value: &'static str| {
        let client = browser.client.clone();
        async move { client.find(Locator::Css(&format!("[name={name}]"))).await.unwrap().send_keys(value).await.unwrap() }
    };
    fill("name", "Zoë O'Brien").await;
    fill("email", "zoe.chromium@example.com").await;
    fill("phone", "+14155550166").await;
    fill("message", "Looking for implants").await;
    browser.client.find(Locator::Css("[name=consent]")).await.unwrap().click().await.unwrap();
    browser.screenshot("form-filled").await;
    browser.client.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    let landed = browser.wait_for_url(|url| url.ends_with("/thanks")).await;
    assert_eq!(landed, format!("{site}/thanks"));
    let shot = browser.screenshot("form-thanks").await;
    assert!(std::fs::metadata(shot).unwrap().len() > 1_000, "a real screenshot");
    browser.close().await;

    let id = app.lead_id_by_phone("+14155550166").await.expect("the browser's post is a lead");
    let lead = app.lead(&id).await;
    assert_eq!(lead["profile"]["first_name"], "Zoë");
    assert_eq!(lead["profile"]["fields"]["message"], "Looking for implants");
    assert_eq!(lead["consent"]["sms"], true);
    let agent = lead["consent"]["evidence"]["user_agent"].as_str().unwrap();
    assert!(agent.contains("Chrome"), "the browser's own user agent: {agent}");
    assert_eq!(lead["consent"]["evidence"]["ip"], "127.0.0.1");
}

#[tokio::test]
async fn a_page_s_fetch_reads_the_answer_from_an_allowed_origin() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let site = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let app = leadflow_for(&site).await;
    let script = format!(
        "<form id=f><input name=name value='Ana Lima'><input name=phone value='+14155550167'>\
         <input name=consent value=yes></form><p id=out></p>\
         <script>fetch('{}/v1/forms/{FORM}', {{method: 'POST', body: new FormData(document.getElementById('f')), \
         headers: {{Accept: 'application/json'}}}}).then(r => r.json().then(j => \
         document.getElementById('out').textContent = r.status + ' ' + JSON.stringify(j))) \
         .catch(e => document.getElementById('out').textContent = 'failed ' + e);</script>",
        app.base
    );
    let site = client_site_on(&site, page(&script)).await;
    let browser = Browser::start().await;
    browser.client.goto(&format!("{site}/")).await.unwrap();
    let shown = browser.wait_for_text("#out").await;
    browser.close().await;
    assert_eq!(shown, "202 {\"received\":true}", "the page's script read leadflow's answer");
    assert!(app.lead_id_by_phone("+14155550167").await.is_some());
}

/// Serves `page` at `/` and a thank-you page at `/thanks` at `origin` (chosen, and let go,
/// before leadflow started, so its tenant file could name it): the client's site, an origin
/// other than leadflow's.
async fn client_site_on(origin: &str, page: String) -> String {
    let addr = origin.trim_start_matches("http://").to_owned();
    let listener = tokio::net::TcpListener::bind(&addr).await.unwrap();
    let router = Router::new()
        .route("/", get(move || async move { Html(page) }))
        .route("/thanks", get(|| async { Html("<!doctype html><h1 id=thanks>Thanks, we will be in touch</h1>") }));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    origin.to_owned()
}
