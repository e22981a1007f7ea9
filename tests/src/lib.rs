//! Helpers for leadflow's end-to-end tests: a dev server on port 0 with a manual clock, and
//! a client that speaks its API the way a form provider and Twilio do.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use base64::Engine;
use chrono::{DateTime, TimeZone, Utc};
use hmac::{Hmac, Mac};
use leadflow_cli::dev::{self, DevOptions, DevServer, Timeouts};
use leadflow_core::config::DEMO_API_KEY;
use leadflow_core::http::sns::SnsPolicy;
use serde_json::{json, Value};
use sha1::Sha1;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The API key of the second test tenant (`fixtures/other.toml`).
pub const OTHER_API_KEY: &str = "lf_other_key";
/// The second test tenant's read-only dashboard key.
pub const OTHER_READ_KEY: &str = "lf_other_read_key";
/// The demo tenant's sending number.
pub const DEMO_NUMBER: &str = "+14155550100";
/// The demo tenant's Twilio auth token.
pub const DEMO_TWILIO_TOKEN: &str = "demo_twilio_auth_token";

/// 10:00 in New York on a Thursday: inside the demo tenant's allowed window.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 5, 15, 0, 0).unwrap()
}

/// A running server and a client for it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub client: reqwest::Client,
    server: Option<DevServer>,
    _data: tempfile::TempDir,
}

/// The second tenant's file.
pub fn other_tenant_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/other.toml")
}

/// The demo tenant's file, written out so a test can pass it next to another.
fn demo_tenant_file(dir: &std::path::Path) -> PathBuf {
    let path = dir.join("demo.toml");
    std::fs::write(&path, leadflow_core::config::DEMO_TENANT).unwrap();
    path
}

/// Starts `leadflow dev` in-process on 127.0.0.1:0 with a manual clock at `start_time()`,
/// serving the demo tenant and a second tenant (`TestApp::builder()` for anything else).
pub async fn spawn_app() -> TestApp {
    TestApp::builder().spawn().await
}

/// How a test's `leadflow dev` runs; every setting defaults to what `spawn_app` gives.
pub struct TestAppBuilder<'a> {
    tenant: Box<dyn FnOnce(&str) -> String + 'a>,
    live_channels: bool,
    public_url: Option<String>,
    sns: SnsPolicy,
    timeouts: Timeouts,
    manual_clock: Option<DateTime<Utc>>,
    seeded_days: Option<i64>,
}

impl TestApp {
    /// A server to configure, then `spawn`.
    pub fn builder<'a>() -> TestAppBuilder<'a> {
        TestAppBuilder {
            tenant: Box::new(str::to_owned),
            live_channels: false,
            public_url: None,
            sns: SnsPolicy::default(),
            timeouts: Timeouts::default(),
            manual_clock: Some(start_time()),
            seeded_days: None,
        }
    }
}

impl<'a> TestAppBuilder<'a> {
    /// The demo tenant's file, changed by `edit`.
    pub fn tenant(self, edit: impl FnOnce(&str) -> String + 'a) -> Self {
        Self { tenant: Box::new(edit), ..self }
    }

    /// Sends through the providers the tenants configure instead of the outbox.
    pub fn live_channels(self) -> Self {
        self.live_channels_if(true)
    }

    /// `live_channels` when `live`.
    pub fn live_channels_if(self, live: bool) -> Self {
        Self { live_channels: live, ..self }
    }

    /// The public URL carriers are told to call (and sign), as a deployment behind a domain.
    pub fn public_url(self, url: &str) -> Self {
        Self { public_url: Some(url.to_owned()), ..self }
    }

    /// The SNS messages the AWS webhooks take.
    pub fn sns(self, sns: SnsPolicy) -> Self {
        Self { sns, ..self }
    }

    /// How long the server waits on slow clients.
    pub fn timeouts(self, timeouts: Timeouts) -> Self {
        Self { timeouts, ..self }
    }

    /// The system clock instead of a manual one (touches due now still run at once; later ones
    /// wait for real time).
    pub fn system_clock(self) -> Self {
        Self { manual_clock: None, ..self }
    }

    /// Fills the demo tenant with `days` of leads ending at the clock's start, as
    /// `leadflow dev --seed-demo` does, before the server starts.
    pub fn seeded(self, days: i64) -> Self {
        Self { seeded_days: Some(days), ..self }
    }

    /// Starts the server.
    pub async fn spawn(self) -> TestApp {
        let data = tempfile::tempdir().unwrap();
        let demo = demo_tenant_file(data.path());
        std::fs::write(&demo, (self.tenant)(leadflow_core::config::DEMO_TENANT)).unwrap();
        if let Some(days) = self.seeded_days {
            let tenants = dev::load_tenants(std::slice::from_ref(&demo)).unwrap();
            let until = self.manual_clock.unwrap_or_else(Utc::now);
            dev::seed_demo(&data.path().join("store"), tenants, until, days).await.unwrap();
        }
        let server = dev::start(DevOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            data: data.path().join("store"),
            configs: vec![demo, other_tenant_file()],
            manual_clock: self.manual_clock,
            public_url: self.public_url,
            print_outbox: false,
            live_channels: self.live_channels,
            sns: self.sns,
            timeouts: self.timeouts,
            agency_key: leadflow_core::config::hash_api_key(leadflow_core::config::DEMO_AGENCY_KEY),
        })
        .await
        .unwrap();
        TestApp {
            addr: server.addr,
            base: format!("http://{}", server.addr),
            client: reqwest::Client::new(),
            server: Some(server),
            _data: data,
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.stop();
        }
    }
}

/// The demo tenant's file with the standard cadence's step `at` (`"0m"`, `"5m"`) sent on
/// `channel` with `template`.
pub fn demo_step_on(demo: &str, at: &str, channel: &str, template: &str) -> String {
    let step = demo
        .lines()
        .find(|line| line.trim_start().starts_with(&format!("{{ at = \"{at}\"")))
        .unwrap_or_else(|| panic!("the demo cadence has a step at {at}"));
    let indent = &step[..step.len() - step.trim_start().len()];
    demo.replacen(step, &format!("{indent}{{ at = \"{at}\", channel = \"{channel}\", template = \"{template}\" }},"), 1)
}

/// A valid lead body; `n` makes its email and phone unique.
pub fn lead_body(n: u32) -> Value {
    json!({
        "first_name": "Ann",
        "last_name": "Lee",
        "email": format!("ann{n}@example.com"),
        "phone": format!("(415) 555-{:04}", 2000 + n),
        "source": "facebook",
        "campaign": "spring",
        "timezone": "America/New_York",
        "consent": { "sms": true, "email": true, "voice": true, "text": "I agree to be contacted", "ip": "203.0.113.9" },
        "fields": { "treatment": "whitening" }
    })
}

/// The E.164 form of `lead_body(n)`'s phone.
pub fn lead_phone(n: u32) -> String {
    format!("+1415555{:04}", 2000 + n)
}

/// The `text` of each message a team chat (a Slack incoming webhook on loopback) was sent,
/// oldest first.
pub async fn chat_posts(chat: &wiremock::MockServer) -> Vec<String> {
    let requests = chat.received_requests().await.unwrap_or_default();
    let text = |body: &[u8]| serde_json::from_slice::<Value>(body).ok()?["text"].as_str().map(str::to_owned);
    requests.iter().filter_map(|r| text(&r.body)).collect()
}

/// Twilio's signature for a form POST to `url`.
pub fn twilio_signature(token: &str, url: &str, params: &[(&str, &str)]) -> String {
    let mut sorted = params.to_vec();
    sorted.sort();
    let mut mac = Hmac::<Sha1>::new_from_slice(token.as_bytes()).unwrap();
    mac.update(url.as_bytes());
    for (k, v) in sorted {
        mac.update(k.as_bytes());
        mac.update(v.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

impl TestApp {
    /// POSTs a lead with the demo key.
    pub async fn post_lead(&self, body: &Value) -> reqwest::Response {
        self.post_lead_as(DEMO_API_KEY, None, body).await
    }

    /// A lead body for the second tenant, whose default region is GB.
    pub fn other_lead_body(n: u32) -> Value {
        let mut body = lead_body(n);
        body["phone"] = json!(lead_phone(n));
        body
    }

    /// POSTs a lead with a key and an optional Idempotency-Key.
    pub async fn post_lead_as(&self, key: &str, idempotency_key: Option<&str>, body: &Value) -> reqwest::Response {
        let mut request = self.client.post(format!("{}/v1/leads", self.base)).bearer_auth(key).json(body);
        if let Some(idem) = idempotency_key {
            request = request.header("Idempotency-Key", idem);
        }
        request.send().await.unwrap()
    }

    /// POSTs a lead, asserting a 202, lets its first touch go out, and answers its id.
    pub async fn enrol(&self, n: u32) -> String {
        let response = self.post_lead(&lead_body(n)).await;
        assert_eq!(response.status(), 202);
        let receipt: Value = response.json().await.unwrap();
        self.settle().await;
        receipt["lead_id"].as_str().unwrap().to_owned()
    }

    /// Five leads (four from facebook's "spring", one from google's "Spring Sale"), each
    /// touched at once; a minute on, the first replies; three more, a person contacts it and
    /// it books, shows and is won; the second books, cancels and books again. Answers the
    /// leads' ids.
    pub async fn leads_through_the_funnel(&self) -> Vec<String> {
        let mut ids = Vec::new();
        for n in 0..4 {
            ids.push(self.enrol(n).await);
        }
        let mut google = lead_body(9);
        google["source"] = json!("google");
        google["campaign"] = json!("Spring Sale");
        let receipt: Value = self.post_lead(&google).await.json().await.unwrap();
        ids.push(receipt["lead_id"].as_str().unwrap().to_owned());
        self.advance(60).await;
        self.text_in(&lead_phone(0), "Yes please call me").await;
        self.advance(180).await;
        for outcome in ["contacted", "booked", "showed", "won"] {
            assert_eq!(self.post_event(&ids[0], &json!({ "type": outcome })).await.status(), 202, "{outcome}");
        }
        for outcome in ["booked", "cancelled", "booked"] {
            assert_eq!(self.post_event(&ids[1], &json!({ "type": outcome })).await.status(), 202, "{outcome}");
        }
        self.settle().await;
        ids
    }

    /// GET /v1/leads/{id} with a key.
    pub async fn get_lead_as(&self, key: &str, id: &str) -> reqwest::Response {
        self.client.get(format!("{}/v1/leads/{id}", self.base)).bearer_auth(key).send().await.unwrap()
    }

    /// The lead as JSON, with the demo key.
    pub async fn lead(&self, id: &str) -> Value {
        let response = self.get_lead_as(DEMO_API_KEY, id).await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// POST /v1/leads/{id}/events.
    pub async fn post_event(&self, id: &str, body: &Value) -> reqwest::Response {
        self.post_json(&format!("/v1/leads/{id}/events"), body).await
    }

    /// POST /v1/leads/{id}/stage.
    pub async fn post_stage(&self, id: &str, body: &Value) -> reqwest::Response {
        self.post_json(&format!("/v1/leads/{id}/stage"), body).await
    }

    /// POSTs `body` as JSON to `path` with the demo key.
    async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client.post(format!("{}{path}", self.base)).bearer_auth(DEMO_API_KEY).json(body).send().await.unwrap()
    }

    /// Runs everything due now and waits for it (touches due now run in the background,
    /// within milliseconds; a test must not race them).
    pub async fn settle(&self) {
        self.advance(0).await;
    }

    /// GET /dev/outbox, optionally for one lead, after `settle`.
    pub async fn outbox(&self, lead: Option<&str>) -> Vec<Value> {
        self.settle().await;
        let url = match lead {
            Some(id) => format!("{}/dev/outbox?lead_id={id}", self.base),
            None => format!("{}/dev/outbox", self.base),
        };
        self.client.get(url).send().await.unwrap().json().await.unwrap()
    }

    /// POST /dev/clock/advance.
    pub async fn advance(&self, seconds: i64) -> Value {
        let response = self
            .client
            .post(format!("{}/dev/clock/advance", self.base))
            .json(&json!({ "seconds": seconds }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// An inbound SMS from `from` to the demo number, signed as Twilio signs it, with a
    /// message id of its own.
    pub async fn text_in(&self, from: &str, body: &str) -> reqwest::Response {
        let sid = format!("SM{}", uuid::Uuid::now_v7().simple());
        self.text_in_as(&sid, from, body).await
    }

    /// `text_in` with a given MessageSid (Twilio delivering the same message again).
    pub async fn text_in_as(&self, sid: &str, from: &str, body: &str) -> reqwest::Response {
        let params =
            [("From", from), ("To", DEMO_NUMBER), ("Body", body), ("MessageSid", sid), ("AccountSid", "AC123")];
        let url = format!("{}/v1/webhooks/twilio/sms", self.base);
        let signature = twilio_signature(DEMO_TWILIO_TOKEN, &url, &params);
        self.twilio_post(&params, Some(&signature)).await
    }

    /// A raw Twilio webhook POST with an optional signature header.
    pub async fn twilio_post(&self, params: &[(&str, &str)], signature: Option<&str>) -> reqwest::Response {
        let mut request = self.client.post(format!("{}/v1/webhooks/twilio/sms", self.base)).form(params);
        if let Some(signature) = signature {
            request = request.header("X-Twilio-Signature", signature);
        }
        request.send().await.unwrap()
    }

    /// The id of the demo tenant's lead with this phone, as the store has it.
    pub async fn lead_id_by_phone(&self, phone: &str) -> Option<String> {
        use leadflow_core::ports::LeadStore;
        let store = self.server.as_ref().expect("a running server").store();
        let tenant = leadflow_core::domain::TenantId::parse("demo").unwrap();
        let phone = leadflow_core::domain::PhoneNumber::from_e164(phone).unwrap();
        store.lead_by_phone(&tenant, &phone).await.unwrap().map(|lead| lead.id.to_string())
    }

    /// The id of the demo tenant's lead an idempotency key's receipt names (`meta:<leadgen_id>`).
    pub async fn lead_id_by_receipt(&self, key: &str) -> Option<String> {
        use leadflow_core::ports::LeadStore;
        let server = self.server.as_ref().expect("a running server");
        let tenant = leadflow_core::domain::TenantId::parse("demo").unwrap();
        let key = leadflow_core::domain::IdempotencyKey::parse(key).unwrap();
        // Read as of the tests' start: a receipt made since has not expired then.
        let receipt = server.store().receipt(&tenant, &key, start_time()).await.unwrap();
        receipt.map(|r| r.lead_id.to_string())
    }

    /// GET /v1/reports/summary with a query string.
    pub async fn report(&self, query: &str) -> reqwest::Response {
        self.report_named("summary", query).await
    }

    /// GET /v1/reports/{name} with a query string.
    pub async fn report_named(&self, name: &str, query: &str) -> reqwest::Response {
        self.client
            .get(format!("{}/v1/reports/{name}?{query}", self.base))
            .bearer_auth(DEMO_API_KEY)
            .send()
            .await
            .unwrap()
    }
}

impl TestApp {
    /// POST /dashboard/sign-in with `key` as a browser's form sends it (no redirect followed):
    /// the answer, and the session cookie (`leadflow_session=…`) it set, if any.
    pub async fn dashboard_sign_in(&self, key: &str) -> (reqwest::Response, Option<String>) {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let response = client
            .post(format!("{}/dashboard/sign-in", self.base))
            .header("Origin", &self.base)
            .form(&[("key", key)])
            .send()
            .await
            .unwrap();
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::to_owned);
        (response, cookie)
    }

    /// GET a dashboard path with a cookie (none: without a session), no redirect followed.
    pub async fn dashboard_get(&self, path: &str, cookie: Option<&str>) -> reqwest::Response {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let mut request = client.get(format!("{}{path}", self.base));
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        request.send().await.unwrap()
    }
}

/// An answer read off a raw connection.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RawResponse {
    /// The first value of the header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Reads one answer from `stream`: `None` if the server closed the connection without one.
/// Gives up (panics) after 5 seconds.
pub async fn read_response(stream: &mut TcpStream) -> Option<RawResponse> {
    tokio::time::timeout(Duration::from_secs(5), read_answer(stream)).await.expect("an answer or a close within 5 s")
}

async fn read_answer(stream: &mut TcpStream) -> Option<RawResponse> {
    let mut buffer = Vec::new();
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let mut chunk = [0; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let mut body = buffer[head_end + 4..].to_vec();
    let length = headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse::<usize>().ok());
    while length.is_none_or(|length| body.len() < length) {
        let mut chunk = [0; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    Some(RawResponse { status, headers, body: String::from_utf8_lossy(&body).into_owned() })
}

impl TestApp {
    /// A new connection to the server, for what reqwest will not send (a broken chunk, a
    /// request that stalls).
    pub async fn connect(&self) -> TcpStream {
        TcpStream::connect(self.addr).await.unwrap()
    }

    /// Writes `request` as is on a new connection and reads the answer.
    pub async fn raw(&self, request: &[u8]) -> RawResponse {
        let mut stream = self.connect().await;
        // The server may answer (and close) before it has read everything: the answer counts.
        let _ = stream.write_all(request).await;
        read_response(&mut stream).await.expect("an answer")
    }
}
