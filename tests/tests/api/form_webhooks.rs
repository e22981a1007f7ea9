//! `POST /v1/webhooks/forms/{form_id}`: form tools that sign their webhooks, each signed here as
//! the tool documents it — Typeform (base64 HMAC of the body), Webflow (hex HMAC of
//! `timestamp:body`, milliseconds), Standard Webhooks (Zapier, Make), and a URL key for senders
//! that cannot sign (Unbounce). A lead per submission, a retry the same lead, and a forged,
//! tampered, stale or unsigned request 403 with nothing recorded.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use leadflow_tests::{start_time, TestApp};
use serde_json::{json, Value};
use sha2::Sha256;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/fixtures/sources/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn mac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

async fn post(
    app: &TestApp,
    form: &str,
    headers: &[(&str, String)],
    content_type: &str,
    body: &str,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/v1/webhooks/forms/{form}", app.base))
        .header("content-type", content_type)
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    request.send().await.unwrap()
}

async fn leads_today(app: &TestApp) -> u64 {
    let report: Value = app.report("from=2026-03-05&to=2026-03-05").await.json().await.unwrap();
    report["leads"].as_u64().unwrap()
}

fn typeform_signature(secret: &str, body: &str) -> (&'static str, String) {
    ("typeform-signature", format!("sha256={}", STANDARD.encode(mac(secret.as_bytes(), &[body.as_bytes()]))))
}

#[tokio::test]
async fn a_typeform_response_is_one_lead_with_its_consent_and_a_forgery_records_nothing() {
    let app = TestApp::builder().spawn().await;
    let body = fixture("typeform-response.json");
    let signed = [typeform_signature("demo_typeform_secret", &body)];
    let first = post(&app, "bright-smile-typeform", &signed, "application/json", &body).await;
    assert_eq!(first.status(), 200);
    let id = first.json::<Value>().await.unwrap()["lead_id"].as_str().unwrap().to_owned();
    let lead = app.lead(&id).await;
    assert_eq!(lead["profile"]["first_name"], "Laura");
    assert_eq!(
        (lead["profile"]["email"].as_str(), lead["profile"]["phone"].as_str()),
        (Some("laura@example.com"), Some("+14155550142"))
    );
    assert_eq!(lead["profile"]["campaign"], "spring-implants", "a hidden utm_campaign");
    assert_eq!(lead["profile"]["source"], "typeform");
    assert_eq!(lead["profile"]["fields"]["which_treatment_are_you_interested_in"], "Implants");
    assert_eq!((lead["consent"]["sms"].as_bool(), lead["consent"]["voice"].as_bool()), (Some(true), Some(false)));
    assert_eq!(app.outbox(Some(&id)).await.len(), 1, "texted at once");

    let retry = post(&app, "bright-smile-typeform", &signed, "application/json", &body).await;
    assert_eq!(retry.headers().get("idempotent-replayed").map(|v| v.to_str().unwrap()), Some("true"));
    assert_eq!(leads_today(&app).await, 1);

    let forged = [typeform_signature("guessed", &body)];
    let tampered = body.replace("Laura", "Mallory");
    for (headers, body) in [(&forged[..], body.as_str()), (&signed[..], tampered.as_str()), (&[][..], body.as_str())] {
        let refused = post(&app, "bright-smile-typeform", headers, "application/json", body).await;
        assert_eq!(refused.status(), 403);
    }
    assert_eq!(leads_today(&app).await, 1, "nothing recorded");
}

#[tokio::test]
async fn a_webflow_submission_signed_with_its_time_is_a_lead_and_a_stale_one_is_refused() {
    let app = TestApp::builder().spawn().await;
    let body = fixture("webflow-form-submission.json").replace("15550000000", "14155550143");
    let sign = |at_ms: i64| {
        let signature =
            hex::encode(mac(b"demo_webflow_secret", &[at_ms.to_string().as_bytes(), b":", body.as_bytes()]));
        [("x-webflow-timestamp", at_ms.to_string()), ("x-webflow-signature", signature)]
    };
    let now_ms = start_time().timestamp_millis();
    let response = post(&app, "bright-smile-webflow", &sign(now_ms), "application/json", &body).await;
    assert_eq!(response.status(), 200);
    let id = response.json::<Value>().await.unwrap()["lead_id"].as_str().unwrap().to_owned();
    let lead = app.lead(&id).await;
    assert_eq!(
        (lead["profile"]["first_name"].as_str(), lead["profile"]["last_name"].as_str()),
        (Some("Zaphod"), Some("Beeblebrox"))
    );
    assert_eq!(lead["profile"]["phone"], "+14155550143");
    assert_eq!((lead["consent"]["email"].as_bool(), lead["consent"]["sms"].as_bool()), (Some(true), Some(false)));

    let stale = post(&app, "bright-smile-webflow", &sign(now_ms - 301_000), "application/json", &body).await;
    assert_eq!(stale.status(), 403, "a captured delivery replayed later");
    let fresh_body = body.replace("6321a5a3e3bb2e4b9e5a7d7c", "another-submission");
    let moved = post(&app, "bright-smile-webflow", &sign(now_ms), "application/json", &fresh_body).await;
    assert_eq!(moved.status(), 403, "the signature covers the body");
    assert_eq!(leads_today(&app).await, 1);
}

#[tokio::test]
async fn a_standard_webhooks_sender_maps_by_json_pointer_and_dedupes_on_its_id() {
    let app = TestApp::builder().spawn().await;
    let body = json!({
        "submission": { "id": "zap-2026-0001" },
        "contact": { "first": "Ana", "mobile": "+14155550144", "email": "ana@example.com" },
        "consent": { "agreed": true },
        "notes": "Call after 5pm, por favor"
    })
    .to_string();
    let key = STANDARD.decode("ZGVtb196YXBpZXJfd2ViaG9va19zZWNyZXQ=").unwrap();
    let at = start_time().timestamp().to_string();
    let signature = STANDARD.encode(mac(&key, &[b"msg_001.", at.as_bytes(), b".", body.as_bytes()]));
    let headers = [
        ("webhook-id", "msg_001".to_owned()),
        ("webhook-timestamp", at.clone()),
        ("webhook-signature", format!("v1,{signature}")),
    ];
    let response = post(&app, "bright-smile-zapier", &headers, "application/json", &body).await;
    assert_eq!(response.status(), 200);
    let id = response.json::<Value>().await.unwrap()["lead_id"].as_str().unwrap().to_owned();
    let lead = app.lead(&id).await;
    assert_eq!(
        (lead["profile"]["first_name"].as_str(), lead["profile"]["phone"].as_str()),
        (Some("Ana"), Some("+14155550144"))
    );
    assert_eq!(lead["profile"]["fields"]["notes"], "Call after 5pm, por favor");
    assert_eq!((lead["profile"]["source"].as_str(), lead["consent"]["sms"].as_bool()), (Some("zapier"), Some(true)));
    let again = post(&app, "bright-smile-zapier", &headers, "application/json", &body).await;
    assert_eq!(again.json::<Value>().await.unwrap()["lead_id"], id.as_str(), "the submission's id: one lead");

    let mut forged = headers.clone();
    forged[2].1 =
        format!("v1,{}", STANDARD.encode(mac(b"guess", &[b"msg_001.", at.as_bytes(), b".", body.as_bytes()])));
    assert_eq!(post(&app, "bright-smile-zapier", &forged, "application/json", &body).await.status(), 403);
    assert_eq!(leads_today(&app).await, 1);
}

#[tokio::test]
async fn a_sender_that_cannot_sign_uses_a_url_key_and_unbounce_s_embedded_json_is_read() {
    const URL_KEY: &str = "u7Qm2xkP9vT4sLw8cN3bR6yH1dF5gJ0a";
    let app = TestApp::builder()
        .tenant(|demo| {
            format!(
                "[[forms]]\nid = \"landing-unbounce\"\nkind = \"webhook\"\nsignature = \"url\"\nsecret = \"{URL_KEY}\"\n\
                 source = \"unbounce\"\nconsent = [\"email\"]\n\n{demo}"
            )
        })
        .spawn()
        .await;
    let embedded = json!({ "first_name": ["Bea"], "email": ["bea@example.com"], "phone_number": ["+14155550145"] });
    let form = form_urlencoded::Serializer::new(String::new())
        .append_pair("page_id", "a1b2c3")
        .append_pair("data.json", &embedded.to_string())
        .finish();
    let url = |key: &str| format!("{}/v1/webhooks/forms/landing-unbounce{key}", app.base);
    let send = |key: &'static str| {
        let (client, url, form) = (app.client.clone(), url(key), form.clone());
        async move {
            client
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form)
                .send()
                .await
                .unwrap()
        }
    };
    let response = send("?key=u7Qm2xkP9vT4sLw8cN3bR6yH1dF5gJ0a").await;
    assert_eq!(response.status(), 200);
    let id = response.json::<Value>().await.unwrap()["lead_id"].as_str().unwrap().to_owned();
    let lead = app.lead(&id).await;
    assert_eq!(
        (lead["profile"]["first_name"].as_str(), lead["profile"]["email"].as_str()),
        (Some("Bea"), Some("bea@example.com"))
    );
    assert_eq!(lead["profile"]["fields"]["page_id"], "a1b2c3");
    for wrong in ["?key=u7Qm2xkP9vT4sLw8cN3bR6yH1dF5gJ0", ""] {
        assert_eq!(send(wrong).await.status(), 403, "{wrong}");
    }
    assert_eq!(leads_today(&app).await, 1);
}
