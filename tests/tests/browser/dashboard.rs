//! The dashboard in Chromium: sign in through the real form, read the overview's figures
//! against `GET /v1/reports/summary`, screenshot it (desktop and phone), sign out; a page
//! without a session shows the sign-in form; a tenant's session cannot open another tenant's
//! page; the agency key opens the portfolio with one row per tenant; the report pages (speed
//! to lead, funnel, sources, channels) show the figures of their JSON reports, and on a phone
//! their wide tables scroll inside the page rather than widen it.

use super::driver::Browser;
use fantoccini::Locator;
use leadflow_core::config::{DEMO_AGENCY_KEY, DEMO_READ_KEY};
use leadflow_tests::{lead_body, TestApp, OTHER_API_KEY};
use serde_json::Value;

async fn sign_in(browser: &Browser, base: &str, key: &str) {
    browser.client.goto(&format!("{base}/dashboard")).await.unwrap();
    browser.client.find(Locator::Css("#key")).await.unwrap().send_keys(key).await.unwrap();
    browser.client.find(Locator::Css("form.sign-in button[type=submit]")).await.unwrap().click().await.unwrap();
}

async fn text(browser: &Browser, css: &str) -> String {
    browser.client.find(Locator::Css(css)).await.unwrap().text().await.unwrap().trim().to_owned()
}

#[tokio::test]
async fn a_tenant_signs_in_and_reads_the_overview_the_report_gives() {
    let app = TestApp::builder().spawn().await;
    for n in 0..4 {
        app.enrol(n).await; // each first touch goes out at once: speed to lead and contact
    }
    let response = app.post_lead_as(OTHER_API_KEY, None, &TestApp::other_lead_body(9)).await;
    assert_eq!(response.status(), 202);
    app.settle().await;
    let report: Value = app.report("").await.json().await.unwrap();
    assert_eq!(report["leads"], 4);

    let browser = Browser::start().await;
    // No session: the sign-in form.
    browser.client.goto(&format!("{}/dashboard/t/demo/overview", app.base)).await.unwrap();
    assert_eq!(text(&browser, "h1").await, "Sign in");
    browser.screenshot("dashboard-sign-in").await;

    sign_in(&browser, &app.base, DEMO_READ_KEY).await;
    browser.wait_for_url(|url| url.ends_with("/dashboard/t/demo/overview")).await;
    let leads = browser.wait_for_text("[data-kpi=leads]").await;
    assert_eq!(leads, report["leads"].to_string());
    let first_touches = report["first_touches"].as_u64().unwrap() as f64;
    let contact = format!("{:.0}%", first_touches / report["leads"].as_u64().unwrap() as f64 * 100.0);
    assert_eq!(text(&browser, "[data-kpi=contact_rate]").await, contact);
    let booked = report["outcomes"]["booked"].as_u64().unwrap_or(0);
    assert_eq!(text(&browser, "[data-kpi=bookings]").await, booked.to_string());
    assert_eq!(report["speed_to_lead_ms"]["p50"], 0, "the manual clock stands still");
    assert_eq!(text(&browser, "[data-kpi=speed_p50]").await, "0 ms");
    assert!(text(&browser, "section.kpi.met .verdict").await.contains("met"), "a text marker, not colour alone");
    let shot = browser.screenshot("dashboard-overview-phone").await;
    assert!(std::fs::metadata(shot).unwrap().len() > 1_000);
    browser.client.set_window_size(1280, 900).await.unwrap();
    browser.screenshot("dashboard-overview").await;

    // Another tenant's page: not found, and none of its figures.
    browser.client.goto(&format!("{}/dashboard/t/other/overview", app.base)).await.unwrap();
    assert_eq!(text(&browser, "h1").await, "Not found");
    assert!(!browser.client.source().await.unwrap().contains("Other Roofing"));

    // Sign out: back to the sign-in form, and the overview with it.
    browser.client.goto(&format!("{}/dashboard/t/demo/overview", app.base)).await.unwrap();
    browser.client.find(Locator::Css("header button[type=submit]")).await.unwrap().click().await.unwrap();
    browser.wait_for_url(|url| url.ends_with("/dashboard")).await;
    assert_eq!(text(&browser, "h1").await, "Sign in");
    browser.client.goto(&format!("{}/dashboard/t/demo/overview", app.base)).await.unwrap();
    assert_eq!(text(&browser, "h1").await, "Sign in");
    browser.close().await;
}

#[tokio::test]
async fn the_agency_key_opens_the_portfolio_with_one_row_per_client() {
    let app = TestApp::builder().spawn().await;
    app.enrol(1).await;
    let mut google = lead_body(2);
    google["source"] = "google".into();
    app.post_lead(&google).await;
    app.post_lead_as(OTHER_API_KEY, None, &TestApp::other_lead_body(3)).await;
    app.settle().await;

    let browser = Browser::start().await;
    browser.client.set_window_size(1280, 900).await.unwrap();
    sign_in(&browser, &app.base, DEMO_AGENCY_KEY).await;
    browser.wait_for_url(|url| url.ends_with("/dashboard/portfolio")).await;
    let rows = browser.client.find_all(Locator::Css("tr[data-tenant]")).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(text(&browser, "tr[data-tenant=demo] [data-kpi=leads] .value").await, "2");
    assert_eq!(text(&browser, "tr[data-tenant=other] [data-kpi=leads] .value").await, "1");
    browser.screenshot("dashboard-portfolio").await;
    browser.client.find(Locator::Css("tr[data-tenant=other] a")).await.unwrap().click().await.unwrap();
    browser.wait_for_url(|url| url.ends_with("/dashboard/t/other/overview")).await;
    assert_eq!(text(&browser, "[data-kpi=leads]").await, "1");
    browser.close().await;
}

/// The cell `figure` of row `row` in table `table`, as the page shows it.
async fn figure(browser: &Browser, table: &str, row: &str, figure: &str) -> String {
    browser
        .wait_for_text(&format!("[data-table={table}] tr[data-row=\"{row}\"] [data-figure={figure}]"))
        .await
        .trim()
        .to_owned()
}

#[tokio::test]
async fn a_tenant_reads_the_report_pages_the_json_reports_give() {
    let app = TestApp::builder().spawn().await;
    app.leads_through_the_funnel().await;
    let report = |name: &'static str| {
        let app = &app;
        async move { app.report_named(name, "").await.json::<Value>().await.unwrap() }
    };
    let (speed, funnel, sources, channels, people) = (
        report("speed").await,
        report("funnel").await,
        report("sources").await,
        report("channels").await,
        report("people").await,
    );

    let browser = Browser::start().await;
    browser.client.set_window_size(1280, 900).await.unwrap();
    sign_in(&browser, &app.base, DEMO_READ_KEY).await;
    browser.wait_for_url(|url| url.ends_with("/dashboard/t/demo/overview")).await;

    browser.client.find(Locator::LinkText("Speed to lead")).await.unwrap().click().await.unwrap();
    browser.wait_for_url(|url| url.ends_with("/dashboard/t/demo/speed")).await;
    assert_eq!(text(&browser, "h1").await, "Bright Smile Dental: Speed to lead");
    let first_touch = &speed["first_touch"];
    assert_eq!(figure(&browser, "speed", "first_touch", "count").await, first_touch["count"].to_string());
    assert_eq!(first_touch["p50_ms"], 0, "the manual clock stands still");
    assert_eq!(figure(&browser, "speed", "first_touch", "p50_ms").await, "0 ms");
    let human = speed["first_human_contact"]["bands"][1]["count"].to_string();
    assert_eq!(figure(&browser, "speed", "first_human_contact", "band_1").await, human);
    assert_eq!(
        figure(&browser, "by_source", "google", "count").await,
        speed["by_source"]["google"]["count"].to_string()
    );
    browser.screenshot("dashboard-speed").await;

    browser.client.goto(&format!("{}/dashboard/t/demo/funnel", app.base)).await.unwrap();
    let steps = funnel["total"]["steps"].as_array().unwrap();
    for step in steps {
        let name = step["step"].as_str().unwrap();
        assert_eq!(figure(&browser, "steps", name, "leads").await, step["leads"].to_string(), "{name}");
    }
    let won = format!("{:.0}%", steps[5]["of_leads"].as_f64().unwrap() * 100.0);
    assert_eq!(figure(&browser, "steps", "won", "of_leads").await, won);
    assert_eq!(figure(&browser, "by_campaign", "google/spring-sale", "leads").await, "1");
    browser.screenshot("dashboard-funnel").await;

    browser.client.goto(&format!("{}/dashboard/t/demo/sources", app.base)).await.unwrap();
    let facebook = sources["sources"].as_array().unwrap().iter().find(|s| s["source"] == "facebook").unwrap();
    assert_eq!(figure(&browser, "sources", "facebook", "booked").await, facebook["booked"].to_string());
    let per_booking = format!("{:.2}", facebook["cost_per_booking"].as_f64().unwrap());
    assert_eq!(figure(&browser, "sources", "facebook", "cost_per_booking").await, per_booking);
    browser.screenshot("dashboard-sources").await;

    browser.client.goto(&format!("{}/dashboard/t/demo/channels", app.base)).await.unwrap();
    let sms = &channels["channels"]["sms"];
    assert_eq!(figure(&browser, "channels", "sms", "touches").await, sms["touches"].to_string());
    assert_eq!(figure(&browser, "channels", "sms", "replies").await, sms["replies"].to_string());
    let rep = people["reps"].as_array().unwrap().iter().find(|r| r["assigned"] == 1).unwrap();
    let name = rep["rep"].as_str().unwrap();
    assert_eq!(figure(&browser, "people", name, "sla_met").await, rep["sla_met"].to_string());
    browser.screenshot("dashboard-channels").await;

    // On a phone: one column, the wide tables scroll inside their boxes, not the page.
    browser.client.set_window_size(412, 915).await.unwrap();
    browser.client.goto(&format!("{}/dashboard/t/demo/sources", app.base)).await.unwrap();
    assert_eq!(figure(&browser, "sources", "facebook", "booked").await, facebook["booked"].to_string());
    let page_width = browser.client.execute("return document.documentElement.scrollWidth", vec![]).await.unwrap();
    let window_width = browser.client.execute("return window.innerWidth", vec![]).await.unwrap();
    assert!(page_width.as_u64() <= window_width.as_u64(), "{page_width} wide in a {window_width} window");
    browser.screenshot("dashboard-sources-phone").await;
    browser.close().await;
}
