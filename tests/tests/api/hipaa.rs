//! HIPAA mode: whatever happens to a HIPAA tenant's lead (touches through providers, a refusal
//! that quotes the number, a reply, a hand-off), nothing leadflow logs shows the lead's phone
//! number, email address or any message body.

use crate::voicemail::{dropping, vendor};
use leadflow_tests::{lead_phone, TestApp};
use std::io;
use std::sync::{Arc, Mutex, OnceLock};
use tracing_subscriber::fmt::MakeWriter;

/// Everything logged while the test runs, as text.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// `dropping`'s tenant in HIPAA mode (its one template with a form field made plain).
fn hipaa(vendor: &str) -> impl FnOnce(&str) -> String + '_ {
    move |demo| {
        dropping(vendor)(demo).replace("[tenant]\n", "[tenant]\nhipaa = true\n").replace(
            "Thanks for your enquiry{% if fields.treatment %} about {{fields.treatment}}{% endif %}.",
            "Thanks for your enquiry.",
        )
    }
}

/// Everything the leadflow crates log in this test binary, from every thread, from the first
/// call on. Global rather than scoped to the test: a scoped subscriber misses events whose
/// callsites other tests' threads registered first (tracing caches that interest).
fn captured_logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(logs.clone())
            .with_ansi(false)
            .with_env_filter("leadflow_core=trace,leadflow_providers=trace,leadflow_embedded=trace,leadflow_cli=trace")
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("no other test sets a global subscriber");
        logs
    })
}

#[tokio::test]
async fn a_hipaa_tenants_leads_never_reach_the_logs() {
    let logs = captured_logs();
    let vendor = vendor().await;
    let app = TestApp::builder().tenant(hipaa(&vendor.uri())).live_channels().spawn().await;

    let id = app.enrol(1).await;
    // The second drop, five minutes on, is refused with the number quoted, as vendors do.
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .respond_with(
            wiremock::ResponseTemplate::new(400)
                .set_body_string(format!("{{\"error\":\"{} is not a mobile number\"}}", lead_phone(1))),
        )
        .with_priority(1)
        .mount(&vendor)
        .await;
    app.advance(300).await;
    let reply = app.text_in(&lead_phone(1), "My tooth hurts since the filling, call me").await;
    assert_eq!(reply.status(), 200);
    app.settle().await;

    let logs = logs.text();
    let ours = |what: &str| logs.lines().any(|line| line.contains(what) && line.contains(&id));
    assert!(ours("wakeup ran") && ours("lead handed off"), "the capture works: this lead's lines are in\n{logs}");
    assert!(logs.contains("touch not sent") && logs.contains("***2001 is not a mobile number"), "{logs}");
    // Every test's logs, this one's HIPAA lead included: the number, the address and the words
    // of messages never appear.
    let national = &lead_phone(1)[2..];
    for secret in [national, "ann1@example.com", "tooth", "Hello Ann", "Bright Smile Dental returning"] {
        assert!(!logs.contains(secret), "{secret:?} logged:\n{logs}");
    }
}
