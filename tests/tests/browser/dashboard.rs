//! The dashboard in Chromium: sign in through the real form, read the overview's figures
//! against `GET /v1/reports/summary`, screenshot it (desktop and phone), sign out; a page
//! without a session shows the sign-in form; a tenant's session cannot open another tenant's
//! page; the agency key opens the portfolio with one row per tenant.

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
