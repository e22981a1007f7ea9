//! The dashboard over plain HTTP: read keys, sign-in, the session cookie, who sees what, the
//! security headers and page sizes. (`tests/tests/browser/dashboard.rs` drives it in Chromium.)

use leadflow_core::config::{DEMO_AGENCY_KEY, DEMO_API_KEY, DEMO_READ_KEY};
use leadflow_tests::{spawn_app, TestApp, OTHER_API_KEY, OTHER_READ_KEY};
use serde_json::{json, Value};

const CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Every dashboard page must stay under this many bytes.
const PAGE_LIMIT: usize = 100 * 1024;

async fn signed_in(app: &TestApp, key: &str) -> String {
    let (response, cookie) = app.dashboard_sign_in(key).await;
    assert_eq!(response.status(), 303, "{key} signs in");
    assert_eq!(response.headers()["location"], "/dashboard");
    cookie.expect("a session cookie")
}

fn is_sign_in_form(body: &str) -> bool {
    body.contains("<form method=post action=\"/dashboard/sign-in\"")
}

#[tokio::test]
async fn a_read_key_reads_reports_and_every_route_that_changes_something_refuses_it() {
    let app = spawn_app().await;
    let id = app.enrol(1).await;
    let report = app.client.get(format!("{}/v1/reports/summary", app.base)).bearer_auth(DEMO_READ_KEY);
    assert_eq!(report.send().await.unwrap().status(), 200);

    let base = &app.base;
    let requests = [
        app.client.post(format!("{base}/v1/leads")).json(&leadflow_tests::lead_body(2)),
        app.client.get(format!("{base}/v1/leads/{id}")),
        app.client.post(format!("{base}/v1/leads/{id}/events")).json(&json!({ "type": "booked" })),
        app.client.get(format!("{base}/v1/reps")),
        app.client.put(format!("{base}/v1/reps/Dana")).json(&json!({ "available": false })),
        app.client.post(format!("{base}/v1/dnc")).json(&json!({ "numbers": ["+14155550199"] })),
        app.client.post(format!("{base}/v1/imports")).body("first_name,phone\nAnn,+14155550198\n"),
        app.client.post(format!("{base}/v1/imports/plan")).body("first_name,phone\n"),
        app.client.get(format!("{base}/v1/payloads/form:x")),
    ];
    for request in requests {
        let response = request.bearer_auth(DEMO_READ_KEY).send().await.unwrap();
        let url = response.url().to_string();
        assert_eq!(response.status(), 403, "{url}");
        let error: Value = response.json().await.unwrap();
        assert!(error["error"].as_str().unwrap().contains("read-only"), "{url}: {error}");
    }
    let report: Value = app.report("").await.json().await.unwrap();
    assert_eq!(report["leads"], 1, "nothing the read key sent was taken");
}

#[tokio::test]
async fn a_page_without_a_session_answers_the_sign_in_form_with_401() {
    let app = spawn_app().await;
    for path in ["/dashboard", "/dashboard/t/demo/overview", "/dashboard/portfolio", "/dashboard/no-such-page"] {
        let response = app.dashboard_get(path, None).await;
        assert_eq!(response.status(), 401, "{path}");
        assert_eq!(response.headers()["content-security-policy"], CSP, "{path}");
        let body = response.text().await.unwrap();
        assert!(is_sign_in_form(&body), "{path}: {body}");
        assert!(!body.contains("data-kpi"), "{path} shows no figure");
    }
}

#[tokio::test]
async fn a_wrong_key_or_a_full_key_is_answered_with_the_form_again_and_why() {
    let app = spawn_app().await;
    for (key, says) in
        [("not-a-key", "not a dashboard key"), ("", "not a dashboard key"), (DEMO_API_KEY, "full API key")]
    {
        let (response, cookie) = app.dashboard_sign_in(key).await;
        assert_eq!(response.status(), 401, "{key}");
        assert_eq!(cookie, None, "{key}");
        let body = response.text().await.unwrap();
        assert!(is_sign_in_form(&body) && body.contains(says), "{key}: {body}");
    }
}

#[tokio::test]
async fn a_sign_in_posted_from_another_site_is_refused() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/dashboard/sign-in", app.base))
        .header("Origin", "https://evil.example")
        .form(&[("key", DEMO_READ_KEY)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(response.headers().get("set-cookie").is_none());
}

#[tokio::test]
async fn signing_in_sets_a_strict_http_only_cookie_and_opens_the_overview_with_the_report_s_figures() {
    let app = spawn_app().await;
    for n in 0..3 {
        app.enrol(n).await;
    }
    let (response, _) = app.dashboard_sign_in(DEMO_READ_KEY).await;
    let set_cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/dashboard", "Max-Age=43200"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "loopback HTTP: a Secure cookie would never come back");
    let cookie = signed_in(&app, DEMO_READ_KEY).await;

    let home = app.dashboard_get("/dashboard", Some(&cookie)).await;
    assert_eq!(home.status(), 303);
    assert_eq!(home.headers()["location"], "/dashboard/t/demo/overview");
    let page = app.dashboard_get("/dashboard/t/demo/overview", Some(&cookie)).await;
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert_eq!(headers["content-security-policy"], CSP);
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["cache-control"], "no-store");
    let body = page.text().await.unwrap();
    assert!(body.len() < PAGE_LIMIT, "{} bytes", body.len());
    eprintln!("the overview: {} bytes", body.len());
    assert!(!body.contains("<script") && !body.contains("style="), "nothing the CSP would block");
    assert!(body.contains("<meta name=viewport"));

    let report: Value = app.report("").await.json().await.unwrap();
    assert_eq!(report["leads"], 3);
    assert!(body.contains("data-kpi=\"leads\">3<"), "{body}");
    assert!(body.contains("data-kpi=\"contact_rate\">100%<"), "{body}");
    assert!(body.contains("data-kpi-before=\"leads\">0<"));
    assert!(body.contains("role=\"img\""));

    let style = app.dashboard_get("/dashboard/style.css", None).await;
    assert_eq!(style.status(), 200);
    assert!(style.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
}

#[tokio::test]
async fn a_tampered_or_expired_cookie_answers_the_sign_in_form() {
    let app = spawn_app().await;
    let cookie = signed_in(&app, DEMO_READ_KEY).await;
    let overview = "/dashboard/t/demo/overview";
    assert_eq!(app.dashboard_get(overview, Some(&cookie)).await.status(), 200);

    let mut tampered = cookie.clone().into_bytes();
    let last = tampered.len() - 3;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_eq!(app.dashboard_get(overview, Some(&tampered)).await.status(), 401);
    // Another tenant's name in a cookie of one's own making opens nothing either.
    assert_eq!(app.dashboard_get(overview, Some("leadflow_session=t:other|read|9999999999")).await.status(), 401);

    app.advance(12 * 3600).await;
    let expired = app.dashboard_get(overview, Some(&cookie)).await;
    assert_eq!(expired.status(), 401);
    assert!(is_sign_in_form(&expired.text().await.unwrap()));
}

#[tokio::test]
async fn a_tenant_session_never_sees_another_tenant_s_figures() {
    let app = spawn_app().await;
    for n in 0..2 {
        let response = app.post_lead_as(OTHER_API_KEY, None, &TestApp::other_lead_body(n)).await;
        assert_eq!(response.status(), 202);
    }
    let cookie = signed_in(&app, DEMO_READ_KEY).await;
    for path in ["/dashboard/t/other/overview", "/dashboard/portfolio", "/dashboard/t/nobody/overview"] {
        let response = app.dashboard_get(path, Some(&cookie)).await;
        assert_eq!(response.status(), 404, "{path}");
        let body = response.text().await.unwrap();
        assert!(!body.contains("Other Roofing") && !body.contains("data-kpi"), "{path}: {body}");
    }
    // The other tenant's own key sees its own figures.
    let other = signed_in(&app, OTHER_READ_KEY).await;
    let page = app.dashboard_get("/dashboard/t/other/overview", Some(&other)).await.text().await.unwrap();
    assert!(page.contains("Other Roofing") && page.contains("data-kpi=\"leads\">2<"), "{page}");
    assert!(!page.contains("Bright Smile"));
}

#[tokio::test]
async fn the_agency_key_opens_the_portfolio_with_one_row_per_tenant_judged_by_its_own_targets() {
    let app = spawn_app().await;
    app.enrol(1).await;
    let response = app.post_lead_as(OTHER_API_KEY, None, &TestApp::other_lead_body(7)).await;
    assert_eq!(response.status(), 202);
    app.settle().await;
    let cookie = signed_in(&app, DEMO_AGENCY_KEY).await;
    assert_eq!(app.dashboard_get("/dashboard", Some(&cookie)).await.headers()["location"], "/dashboard/portfolio");
    let response = app.dashboard_get("/dashboard/portfolio", Some(&cookie)).await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    assert!(body.len() < PAGE_LIMIT);
    eprintln!("the portfolio of 2 tenants: {} bytes", body.len());
    assert_eq!(body.matches("<tr data-tenant=").count(), 2, "{body}");
    for tenant in ["demo", "other"] {
        assert!(body.contains(&format!("<a href=\"/dashboard/t/{tenant}/overview\">")), "{body}");
        let overview = app.dashboard_get(&format!("/dashboard/t/{tenant}/overview"), Some(&cookie)).await;
        assert_eq!(overview.status(), 200, "the agency opens {tenant}");
    }
}

#[tokio::test]
async fn signing_out_clears_the_cookie() {
    let app = spawn_app().await;
    let cookie = signed_in(&app, DEMO_READ_KEY).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = client
        .post(format!("{}/dashboard/sign-out", app.base))
        .header("Cookie", &cookie)
        .header("Origin", &app.base)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let cleared = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cleared.starts_with("leadflow_session=;") && cleared.contains("Max-Age=0"), "{cleared}");
}

#[tokio::test]
async fn the_waiting_page_lists_the_leads_waiting_for_a_person_as_the_report_does() {
    let app = spawn_app().await;
    let ids = [app.enrol(0).await, app.enrol(1).await, app.enrol(2).await];
    app.advance(60).await;
    app.text_in(&leadflow_tests::lead_phone(0), "Yes please call me").await;
    app.advance(600).await;
    app.text_in(&leadflow_tests::lead_phone(1), "How much is it?").await;
    app.advance(120).await;
    // A lead a person contacted waits no more.
    app.text_in(&leadflow_tests::lead_phone(2), "Call me").await;
    app.post_event(&ids[2], &json!({ "type": "contacted" })).await;

    let report: Value = app
        .client
        .get(format!("{}/v1/reports/waiting", app.base))
        .bearer_auth(DEMO_READ_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let waiting: Vec<&str> =
        report["leads"].as_array().unwrap().iter().map(|l| l["lead_id"].as_str().unwrap()).collect();
    assert_eq!(waiting, vec![ids[0].as_str(), ids[1].as_str()], "longest wait first: {report}");
    assert_eq!(report["leads"][0]["waited_minutes"], 12);
    assert_eq!(report["leads"][1]["waited_minutes"], 2);
    let owner = report["leads"][0]["owner"].as_str().unwrap().to_owned();

    let cookie = signed_in(&app, DEMO_READ_KEY).await;
    let response = app.dashboard_get("/dashboard/t/demo/waiting", Some(&cookie)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-security-policy"], CSP);
    let body = response.text().await.unwrap();
    assert!(body.len() < PAGE_LIMIT);
    assert!(body.contains("data-waiting-count=\"2\""), "{body}");
    assert!(body.contains(&format!("data-lead=\"{}\"", ids[0])));
    assert!(!body.contains(&format!("data-lead=\"{}\"", ids[2])), "the contacted lead waits no more");
    assert!(body.contains("data-waited-minutes=\"12\""));
    assert!(body.contains(&owner));
    let other = signed_in(&app, OTHER_READ_KEY).await;
    assert_eq!(app.dashboard_get("/dashboard/t/demo/waiting", Some(&other)).await.status(), 404);
}

#[tokio::test]
async fn the_pipeline_and_experiments_pages_show_what_their_reports_say() {
    let app = spawn_app().await;
    let ids = [app.enrol(0).await, app.enrol(1).await, app.enrol(2).await];
    app.advance(60).await;
    app.text_in(&leadflow_tests::lead_phone(0), "Yes please call me").await;
    app.post_event(&ids[1], &json!({ "type": "booked" })).await;
    // The demo's `conversation` stage allows 3 days: the replied lead goes stale.
    app.advance(4 * 86_400).await;

    let report = |name: &'static str| {
        let app = &app;
        async move {
            let url = format!("{}/v1/reports/{name}", app.base);
            app.client.get(url).bearer_auth(DEMO_READ_KEY).send().await.unwrap().json::<Value>().await.unwrap()
        }
    };
    let pipeline = report("pipeline").await;
    let stage =
        |name: &str| pipeline["stages"].as_array().unwrap().iter().find(|s| s["stage"] == name).unwrap().clone();
    assert_eq!(stage("conversation")["now"], 1, "{pipeline}");
    assert_eq!(stage("booked")["now"], 1);
    assert_eq!(pipeline["stale"][0]["lead_id"], ids[0].as_str(), "{pipeline}");
    assert_eq!(pipeline["stale"][0]["stage"], "conversation");

    let cookie = signed_in(&app, DEMO_READ_KEY).await;
    let body = app.dashboard_get("/dashboard/t/demo/pipeline", Some(&cookie)).await.text().await.unwrap();
    assert!(body.len() < PAGE_LIMIT);
    assert!(body.contains("data-stale-count=\"1\""), "{body}");
    assert!(body.contains(&format!("data-stale-lead=\"{}\"", ids[0])));
    for row in pipeline["stages"].as_array().unwrap() {
        let expected = format!(
            "<tr data-stage=\"{}\"><th scope=row>{}</th><td data-now>{}</td>",
            row["stage"].as_str().unwrap(),
            row["stage"].as_str().unwrap(),
            row["now"]
        );
        assert!(body.contains(&expected), "{expected}");
    }

    let experiments = report("experiments").await;
    let body = app.dashboard_get("/dashboard/t/demo/experiments", Some(&cookie)).await.text().await.unwrap();
    assert!(body.len() < PAGE_LIMIT);
    for experiment in experiments.as_array().unwrap() {
        assert!(body.contains(&format!("data-experiment=\"{}\"", experiment["name"].as_str().unwrap())), "{body}");
        for arm in experiment["arms"].as_array().unwrap() {
            let cells = format!(
                "<tr data-variant=\"{}\"><th scope=row>{}</th><td data-exposures>{}</td><td data-conversions>{}</td>",
                arm["variant"].as_str().unwrap(),
                arm["variant"].as_str().unwrap(),
                arm["exposures"],
                arm["conversions"]
            );
            assert!(body.contains(&cells), "{cells}");
        }
    }
    let exposed: u64 =
        experiments[0]["arms"].as_array().unwrap().iter().map(|a| a["exposures"].as_u64().unwrap()).sum();
    assert_eq!(exposed, 3, "each first text was an exposure: {experiments}");
}
