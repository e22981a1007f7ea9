//! Every dashboard page in Chromium after a seeded stretch of leads (`leadflow dev
//! --seed-demo`'s story, through the real use cases): each page loads signed in, its figures
//! are the JSON reports' figures, and each is saved as a screenshot (the ones in
//! docs/screenshots come from this test).

use super::driver::Browser;
use fantoccini::Locator;
use leadflow_core::config::DEMO_READ_KEY;
use leadflow_tests::{start_time, TestApp};
use serde_json::Value;

/// The tenant pages, as the navigation lists them.
const PAGES: [&str; 8] = ["overview", "speed", "funnel", "sources", "channels", "pipeline", "experiments", "waiting"];

async fn report(app: &TestApp, path: &str) -> Value {
    let url = format!("{}/v1/reports/{path}", app.base);
    app.client.get(url).bearer_auth(DEMO_READ_KEY).send().await.unwrap().json().await.unwrap()
}

async fn texts(browser: &Browser, css: &str) -> Vec<String> {
    let mut texts = Vec::new();
    for element in browser.client.find_all(Locator::Css(css)).await.unwrap() {
        texts.push(element.text().await.unwrap().trim().to_owned());
    }
    texts
}

#[tokio::test]
async fn every_page_shows_a_seeded_stretch_of_leads_as_the_reports_do() {
    let app = TestApp::builder().seeded(10).spawn().await;
    let browser = Browser::start().await;
    browser.client.set_window_size(1280, 2200).await.unwrap();
    browser.client.goto(&format!("{}/dashboard", app.base)).await.unwrap();
    browser.client.find(Locator::Css("#key")).await.unwrap().send_keys(DEMO_READ_KEY).await.unwrap();
    browser.client.find(Locator::Css("form.sign-in button[type=submit]")).await.unwrap().click().await.unwrap();
    browser.wait_for_url(|url| url.ends_with("/dashboard/t/demo/overview")).await;

    for page in PAGES {
        browser.client.goto(&format!("{}/dashboard/t/demo/{page}", app.base)).await.unwrap();
        let title = browser.wait_for_text("h1").await;
        assert!(!["Sign in", "Not found", "Try again"].contains(&title.as_str()), "{page}: {title}");
        let source = browser.client.source().await.unwrap();
        assert!(source.len() < 100 * 1024, "{page} is {} bytes", source.len());
        browser.screenshot(&format!("dashboard-month-{page}")).await;
    }

    // The overview's leads are the summary's for the same 7 days.
    let today = start_time().date_naive();
    let week = format!("summary?from={}&to={today}", today - chrono::Duration::days(6));
    let summary = report(&app, &week).await;
    assert!(summary["leads"].as_u64().unwrap() > 50, "a seeded week has leads: {summary}");
    browser.client.goto(&format!("{}/dashboard/t/demo/overview", app.base)).await.unwrap();
    assert_eq!(browser.wait_for_text("[data-kpi=leads]").await, summary["leads"].to_string());

    // The speed page's count and the funnel's leads are their reports'.
    let speed = report(&app, "speed").await;
    browser.client.goto(&format!("{}/dashboard/t/demo/speed", app.base)).await.unwrap();
    let shown = browser.wait_for_text("[data-table=speed] tr[data-row=\"first_touch\"] [data-figure=count]").await;
    assert_eq!(shown, speed["first_touch"]["count"].to_string());
    let sources = report(&app, "sources").await;
    browser.client.goto(&format!("{}/dashboard/t/demo/sources", app.base)).await.unwrap();
    for row in sources["sources"].as_array().unwrap() {
        let css = format!("tr[data-row=\"{}\"] [data-figure=leads]", row["source"].as_str().unwrap());
        assert_eq!(browser.wait_for_text(&css).await, row["leads"].to_string(), "{css}");
    }

    // The board's counts now are the pipeline report's.
    let pipeline = report(&app, "pipeline").await;
    browser.client.goto(&format!("{}/dashboard/t/demo/pipeline", app.base)).await.unwrap();
    let shown = texts(&browser, "tr[data-stage] td[data-now]").await;
    let reported: Vec<String> = pipeline["stages"].as_array().unwrap().iter().map(|s| s["now"].to_string()).collect();
    assert_eq!(shown, reported);
    assert!(reported.iter().any(|n| n != "0"), "leads sit in stages: {pipeline}");

    // The waiting list is the waiting report, longest wait first.
    let waiting = report(&app, "waiting").await;
    browser.client.goto(&format!("{}/dashboard/t/demo/waiting", app.base)).await.unwrap();
    let count = browser.wait_for_text("[data-waiting-count]").await;
    assert_eq!(count, waiting["leads"].as_array().unwrap().len().to_string());

    // The experiment's arms are the experiments report's.
    let experiments = report(&app, "experiments").await;
    browser.client.goto(&format!("{}/dashboard/t/demo/experiments", app.base)).await.unwrap();
    let shown = texts(&browser, "tr[data-variant] td[data-exposures]").await;
    let reported: Vec<String> = experiments
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["arms"].as_array().unwrap().iter().map(|a| a["exposures"].to_string()))
        .collect();
    assert_eq!(shown, reported);
    browser.close().await;
}
