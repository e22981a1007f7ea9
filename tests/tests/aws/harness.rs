//! One leadflow stack per test inside the AWS emulator named by `AWS_ENDPOINT_URL`: its own
//! table (with the demo tenant pushed into it), step queue and schedule group, the use cases
//! built by `runtime::build_app` on a manual clock, and the function handlers fed with the
//! sample events of `events/`.
//!
//! The emulator stores schedules but never fires them, so `Stack::advance_to` plays
//! EventBridge Scheduler: it reads every schedule of the group back, and once the clock has
//! reached the minute of its `at(...)` expression it sends the schedule's `Target.Input` to
//! the target queue and deletes the schedule (`ActionAfterCompletion: DELETE`). The step
//! function only ever sees messages received from the real queue, in the shape the Lambda
//! SQS event source gives them, and the messages it does not report as failed are deleted,
//! as the event source deletes them.

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEventObj};
use aws_sdk_sqs::types::{Message, MessageSystemAttributeName, QueueAttributeName};
use aws_sdk_ssm::types::ParameterType;
use axum::http::{HeaderMap, StatusCode};
use axum::Router;
use base64::Engine;
use chrono::{DateTime, NaiveDateTime, Utc};
use leadflow_aws::handlers;
use leadflow_aws::metrics::RequestCounter;
use leadflow_aws::runtime::{build_sending_app, Settings};
use leadflow_aws::scheduler::QueueTargets;
use leadflow_core::app::App;
use leadflow_core::config::{Secret, DEMO_TENANT};
use leadflow_core::http::{inbound_routes, lead_routes, report_routes, HttpState};
use leadflow_core::ports::{Clock, OutboundMessage, SendError, Sender};
use leadflow_embedded::ManualClock;
use leadflow_tests::DEMO_TWILIO_TOKEN;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// The public URL of a stack built `with_link_tracking`: the API's own host.
pub const PUBLIC_URL: &str = "https://r3pmxmplak.execute-api.us-east-1.amazonaws.com";

/// A sample event from `events/`, with each `{{name}}` replaced by its value.
pub fn event(file: &str, vars: &[(&str, &str)]) -> String {
    let path = format!("{}/../events/{file}", env!("CARGO_MANIFEST_DIR"));
    let mut text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    for (name, value) in vars {
        text = text.replace(&format!("{{{{{name}}}}}"), value);
    }
    assert!(!text.contains("{{"), "{file}: a placeholder was left unfilled");
    text
}

/// The record bodies of an SQS sample event (what a producer put on the queue).
pub fn sqs_bodies(file: &str, vars: &[(&str, &str)]) -> Vec<String> {
    let event: Value = serde_json::from_str(&event(file, vars)).unwrap();
    event["Records"].as_array().unwrap().iter().map(|r| r["body"].as_str().unwrap().to_owned()).collect()
}

/// The demo tenant's id.
pub fn demo_tenant() -> leadflow_core::domain::TenantId {
    leadflow_core::domain::TenantId::parse("demo").unwrap()
}

/// The link signing key the stack reads from Parameter Store.
pub const LINK_SECRET: &str = "aws-test-link-secret-0123456789";

/// The SDK configuration for the emulator; fails (never skips) without `AWS_ENDPOINT_URL`.
pub async fn sdk_config() -> SdkConfig {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").ok().filter(|url| !url.trim().is_empty()).unwrap_or_else(|| {
        panic!(
            "AWS_ENDPOINT_URL is not set: the `aws` tests run the Lambda handlers against a local AWS \
             emulator (moto server). Run them through `tests/run`, which starts one and exports \
             AWS_ENDPOINT_URL, AWS_REGION and dummy credentials, or start `moto_server -p PORT` and \
             export AWS_ENDPOINT_URL=http://127.0.0.1:PORT yourself."
        )
    });
    let mut loader =
        leadflow_aws::runtime::sdk_loader().endpoint_url(endpoint).region(aws_config::Region::new("us-east-1"));
    if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() {
        // Never look further (profiles, instance metadata) for credentials to send to an emulator.
        loader = loader
            .credentials_provider(aws_sdk_sqs::config::Credentials::new("testing", "testing", None, None, "emulator"));
    }
    loader.load().await
}

/// What the channel was asked to send, in order: the proof of "sent once".
#[derive(Default)]
pub struct Sent(Mutex<Vec<(OutboundMessage, DateTime<Utc>)>>);

impl Sent {
    /// Every send so far, with the clock's reading at the time.
    pub fn all(&self) -> Vec<(OutboundMessage, DateTime<Utc>)> {
        self.0.lock().unwrap().clone()
    }

    /// The steps sent so far, in order.
    pub fn steps(&self) -> Vec<usize> {
        self.all().iter().map(|(m, _)| m.step).collect()
    }
}

/// The function's own channel (the log channel), with every send also remembered.
struct Recording {
    inner: Arc<dyn Sender>,
    sent: Arc<Sent>,
}

#[async_trait]
impl Sender for Recording {
    async fn send(&self, message: &OutboundMessage, now: DateTime<Utc>) -> Result<String, SendError> {
        self.sent.0.lock().unwrap().push((message.clone(), now));
        self.inner.send(message, now).await
    }
}

/// An HTTP function's answer.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).map(|v| v.to_str().unwrap().to_owned())
    }
}

/// A one-time schedule as the emulator holds it.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub name: String,
    /// The start of the minute of its `at(...)` expression.
    pub at: DateTime<Utc>,
    pub timezone: Option<String>,
    pub window: Option<String>,
    pub action_after_completion: Option<String>,
    pub target_arn: String,
    pub role_arn: String,
    pub input: String,
}

/// A stack of one's own in the emulator.
pub struct Stack {
    pub clock: Arc<ManualClock>,
    pub app: App,
    pub settings: Settings,
    pub sent: Arc<Sent>,
    /// Every AWS request the use cases make (not the harness's own).
    pub counter: RequestCounter,
    sqs: aws_sdk_sqs::Client,
    scheduler: aws_sdk_scheduler::Client,
    /// While set, the clock follows real time from this reading and instant on (while SQS
    /// holds a delayed message, the world moves on).
    real_time: Mutex<Option<(DateTime<Utc>, Instant)>>,
}

impl Stack {
    /// A new table, queue and schedule group, the demo tenant pushed, the clock at `start`.
    pub async fn new(start: DateTime<Utc>) -> Self {
        Self::with_tenant(start, |tenant| tenant).await
    }

    /// `new`, with the demo tenant's file changed by `edit` before it is pushed.
    pub async fn with_tenant(start: DateTime<Utc>, edit: impl FnOnce(String) -> String) -> Self {
        Self::build("", start, edit).await
    }

    /// `new`, with links tracked as a deployed stack tracks them: a public URL, and the link
    /// secret in Parameter Store (`LEADFLOW_LINK_SECRET = ssm:…`).
    pub async fn with_link_tracking(start: DateTime<Utc>, edit: impl FnOnce(String) -> String) -> Self {
        Self::build(PUBLIC_URL, start, edit).await
    }

    /// `with_tenant`, deployed with `PublicBaseUrl` = `public_url` (empty for none).
    pub async fn behind(public_url: &str, start: DateTime<Utc>, edit: impl FnOnce(String) -> String) -> Self {
        Self::build(public_url, start, edit).await
    }

    async fn build(public_url: &str, start: DateTime<Utc>, edit: impl FnOnce(String) -> String) -> Self {
        let sdk = sdk_config().await;
        let suffix = uuid::Uuid::now_v7().simple().to_string();
        let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        let scheduler = aws_sdk_scheduler::Client::new(&sdk);

        let table = format!("leadflow-{suffix}");
        leadflow_aws::dynamodb::create_table(&dynamodb, &table)
            .await
            .unwrap_or_else(|e| panic!("creating table {table} in the emulator: {e}"));
        // The demo tenant as an agency would deploy it: its Twilio token in Parameter Store,
        // and the stack's link signing key too, as the template names it.
        let ssm = aws_sdk_ssm::Client::new(&sdk);
        let token_parameter = format!("/leadflow-{suffix}/demo/twilio-auth-token");
        let link_parameter = format!("/leadflow-{suffix}/link-secret");
        for (name, value) in [(&token_parameter, DEMO_TWILIO_TOKEN), (&link_parameter, LINK_SECRET)] {
            ssm.put_parameter()
                .name(name)
                .value(value)
                .r#type(ParameterType::SecureString)
                .send()
                .await
                .unwrap_or_else(|e| panic!("storing {name} in the emulator's SSM: {e}"));
        }
        let tenant = DEMO_TENANT.replace(
            &format!("auth_token = \"{DEMO_TWILIO_TOKEN}\""),
            &format!("auth_token = \"ssm:{token_parameter}\""),
        );
        assert_ne!(tenant, DEMO_TENANT, "the demo tenant's Twilio token line moved");
        let tenant = edit(tenant);
        leadflow_aws::dynamodb::push_tenant(&dynamodb, &table, &tenant, "demo.toml")
            .await
            .unwrap_or_else(|e| panic!("pushing the demo tenant: {e}"));

        let queue = sqs.create_queue().queue_name(format!("leadflow-step-{suffix}")).send().await.unwrap();
        let queue_url = queue.queue_url.unwrap();
        let attributes =
            sqs.get_queue_attributes().queue_url(&queue_url).attribute_names(QueueAttributeName::QueueArn).send().await;
        let queue_arn = attributes.unwrap().attributes.unwrap()[&QueueAttributeName::QueueArn].clone();

        let schedule_group = format!("leadflow-{suffix}");
        scheduler.create_schedule_group().name(&schedule_group).send().await.unwrap();

        let settings = Settings {
            table,
            targets: QueueTargets {
                queue_url,
                queue_arn,
                schedule_group,
                scheduler_role_arn: "arn:aws:iam::123456789012:role/leadflow-SchedulerRole-1A2B3C4D5E6F".to_owned(),
            },
            public_url: public_url.to_owned(),
            link_secret: Some(Secret::parse(&format!("ssm:{link_parameter}")).unwrap()),
            sns_topics: Default::default(),
            agency_key: None,
        };
        let clock = Arc::new(ManualClock::new(start));
        let counter = RequestCounter::default();
        let mut app = build_sending_app(&sdk, &settings, clock.clone(), Some(counter.clone()))
            .await
            .unwrap_or_else(|e| panic!("build_sending_app: {e}"));
        let sent = Arc::new(Sent::default());
        app.sender = Arc::new(Recording { inner: app.sender.clone(), sent: sent.clone() });
        Self { clock, app, settings, sent, counter, sqs, scheduler, real_time: Mutex::new(None) }
    }

    // ---- HTTP functions ----

    async fn call(&self, routes: Router<HttpState>, event: &str) -> Reply {
        self.call_router(handlers::http_router(routes, self.app.clone(), &self.settings), event).await
    }

    async fn call_router(&self, router: Router, event: &str) -> Reply {
        let request = lambda_http::request::from_str(event).expect("an API Gateway HTTP API (v2) event");
        let response = router.oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX).await.unwrap().to_vec();
        Reply { status: parts.status, headers: parts.headers, body }
    }

    /// The intake function.
    pub async fn intake(&self, event: &str) -> Reply {
        self.call(lead_routes(), event).await
    }

    /// The inbound function.
    pub async fn inbound(&self, event: &str) -> Reply {
        self.call(inbound_routes(), event).await
    }

    /// The inbound function as its main builds it (`handlers::inbound_router`), taking the
    /// SNS messages of `topics` (its `LEADFLOW_SNS_TOPICS`).
    pub async fn inbound_taking_sns(&self, topics: &[&str], event: &str) -> Reply {
        let settings = Settings { sns_topics: topics.iter().map(|t| t.to_string()).collect(), ..self.settings.clone() };
        let router = handlers::inbound_router(self.app.clone(), &settings).expect("an HTTP client");
        self.call_router(router, event).await
    }

    /// The report function.
    pub async fn report(&self, event: &str) -> Reply {
        self.call(report_routes(), event).await
    }

    /// `apigw-v2-post-lead.json` through the intake function; the new lead's id.
    pub async fn post_lead(&self) -> String {
        let reply = self.intake(&event("apigw-v2-post-lead.json", &[])).await;
        assert_eq!(reply.status, 202, "{}", reply.text());
        reply.json()["lead_id"].as_str().unwrap().to_owned()
    }

    /// `GET /v1/leads/{id}` through the intake function.
    pub async fn lead(&self, id: &str) -> Value {
        let reply = self.intake(&event("apigw-v2-get-lead.json", &[("lead_id", id)])).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()
    }

    /// The demo tenant's lead with this phone, as DynamoDB has it.
    pub async fn lead_id_by_phone(&self, phone: &str) -> Option<String> {
        let phone = leadflow_core::domain::PhoneNumber::from_e164(phone).unwrap();
        let lead = self.app.store.lead_by_phone(&demo_tenant(), &phone).await.unwrap();
        lead.map(|lead| lead.id.to_string())
    }

    /// A lead source's raw request kept in DynamoDB, by its key.
    pub async fn payload(&self, key: &str) -> Option<leadflow_core::ports::RawPayload> {
        self.app.store.payload(&demo_tenant(), key, self.clock.now()).await.unwrap()
    }

    /// `apigw-v2-twilio-sms.json` (STOP from the lead's phone) through the inbound function.
    pub async fn text_stop(&self) -> Reply {
        self.inbound(&event("apigw-v2-twilio-sms.json", &[])).await
    }

    /// `apigw-v2-twilio-sms.json` with other words from the lead's phone, signed again as
    /// Twilio would sign them, through the inbound function.
    pub async fn text(&self, words: &str) -> Reply {
        let mut event: Value = serde_json::from_str(&event("apigw-v2-twilio-sms.json", &[])).unwrap();
        let body = base64::engine::general_purpose::STANDARD.decode(event["body"].as_str().unwrap()).unwrap();
        let params: Vec<(String, String)> = form_urlencoded::parse(&body)
            .map(|(k, v)| {
                let v = if k == "Body" { words.to_owned() } else { v.into_owned() };
                (k.into_owned(), v)
            })
            .collect();
        let form = form_urlencoded::Serializer::new(String::new()).extend_pairs(&params).finish();
        let url = format!("https://{}/v1/webhooks/twilio/sms", event["headers"]["host"].as_str().unwrap());
        let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let signature = leadflow_tests::twilio_signature(DEMO_TWILIO_TOKEN, &url, &pairs);
        event["headers"]["x-twilio-signature"] = json!(signature);
        event["headers"]["content-length"] = json!(form.len().to_string());
        event["body"] = json!(base64::engine::general_purpose::STANDARD.encode(form));
        self.inbound(&event.to_string()).await
    }

    /// `apigw-v2-report.json` (March 2026) through the report function.
    pub async fn summary(&self) -> Value {
        let reply = self.report(&event("apigw-v2-report.json", &[])).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()
    }

    // ---- the step queue and the step function ----

    /// Puts `body` on the step queue (a producer, or a duplicate delivery).
    pub async fn enqueue(&self, body: &str) {
        self.sqs.send_message().queue_url(&self.settings.targets.queue_url).message_body(body).send().await.unwrap();
    }

    /// One ReceiveMessage of up to 10 messages, long-polling up to `wait_seconds`.
    pub async fn receive(&self, wait_seconds: i32) -> Vec<Message> {
        let output = self
            .sqs
            .receive_message()
            .queue_url(&self.settings.targets.queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(wait_seconds)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await
            .unwrap();
        output.messages.unwrap_or_default()
    }

    /// Invokes the step function with `messages` as one batch, shaped as the Lambda SQS event
    /// source delivers it, and deletes nothing (as after an invocation that timed out).
    pub async fn invoke_step(&self, messages: &[Message]) -> SqsBatchResponse {
        self.follow_real_time();
        let records: Vec<Value> = messages.iter().map(|m| self.lambda_record(m)).collect();
        let event: SqsEventObj<Value> = serde_json::from_value(json!({ "Records": records }))
            .expect("the event source delivers records whose bodies are JSON");
        handlers::step_batch(&self.app, event).await
    }

    /// Invokes the step function with `messages` as one batch, then deletes the messages it
    /// did not report as failed, as the event source does.
    pub async fn step(&self, messages: &[Message]) -> SqsBatchResponse {
        let response = self.invoke_step(messages).await;
        let failed: HashSet<&str> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
        for message in messages {
            if !failed.contains(message.message_id().unwrap()) {
                self.sqs
                    .delete_message()
                    .queue_url(&self.settings.targets.queue_url)
                    .receipt_handle(message.receipt_handle().unwrap())
                    .send()
                    .await
                    .unwrap();
            }
        }
        response
    }

    fn lambda_record(&self, message: &Message) -> Value {
        let attributes: serde_json::Map<String, Value> = message
            .attributes()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.as_str().to_owned(), Value::String(v.clone())))
            .collect();
        json!({
            "messageId": message.message_id(),
            "receiptHandle": message.receipt_handle(),
            "body": message.body(),
            "attributes": attributes,
            "messageAttributes": {},
            "md5OfBody": message.md5_of_body(),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.settings.targets.queue_arn,
            "awsRegion": "us-east-1",
        })
    }

    /// Runs the step function over everything visible on the queue now, batch after batch,
    /// until nothing is; the number of messages handled.
    pub async fn drain(&self) -> usize {
        let mut handled = 0;
        for _ in 0..20 {
            let messages = self.receive(0).await;
            if messages.is_empty() {
                return handled;
            }
            handled += messages.len();
            self.step(&messages).await;
        }
        panic!("the step queue never ran dry");
    }

    /// Waits in real time (at most `limit`) until a message becomes visible, the clock
    /// following real time, then runs the step function over it. Short polls every 50 ms:
    /// the emulator's long poll notices a delayed message only when its wait times out.
    pub async fn wait_and_step(&self, limit: Duration) -> (usize, Duration) {
        let started = Instant::now();
        loop {
            let messages = self.receive(0).await;
            if !messages.is_empty() {
                self.step(&messages).await;
                return (messages.len(), started.elapsed());
            }
            assert!(started.elapsed() < limit, "no message became visible within {limit:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Makes received messages visible again at once, as their visibility timeout ending would.
    pub async fn make_visible(&self, messages: &[Message]) {
        for message in messages {
            self.sqs
                .change_message_visibility()
                .queue_url(&self.settings.targets.queue_url)
                .receipt_handle(message.receipt_handle().unwrap())
                .visibility_timeout(0)
                .send()
                .await
                .unwrap();
        }
    }

    /// (visible, in flight, delayed) messages on the step queue.
    pub async fn queue_depth(&self) -> (u32, u32, u32) {
        let output = self
            .sqs
            .get_queue_attributes()
            .queue_url(&self.settings.targets.queue_url)
            .attribute_names(QueueAttributeName::All)
            .send()
            .await
            .unwrap();
        let attributes = output.attributes.unwrap();
        let count = |name: QueueAttributeName| attributes[&name].parse::<u32>().unwrap();
        (
            count(QueueAttributeName::ApproximateNumberOfMessages),
            count(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
            count(QueueAttributeName::ApproximateNumberOfMessagesDelayed),
        )
    }

    // ---- the clock and EventBridge Scheduler ----

    /// From now on the clock follows real time (until the next `advance_to`).
    pub fn start_real_time(&self) {
        *self.real_time.lock().unwrap() = Some((self.clock.now(), Instant::now()));
    }

    fn follow_real_time(&self) {
        if let Some((at, since)) = *self.real_time.lock().unwrap() {
            self.clock.set(at + chrono::Duration::from_std(since.elapsed()).unwrap());
        }
    }

    /// The schedules of touches and SLA checks, read back in full: what most tests count.
    /// (Every lead of a tenant with dormancy triggers also has one dormancy check pending:
    /// see `dormancy_schedules`; and every lead in a stage with an SLA, one stage check: see
    /// `stage_schedules`.)
    pub async fn schedules(&self) -> Vec<Schedule> {
        let all = self.all_schedules().await;
        all.into_iter().filter(|s| !is_dormancy_check(s) && !is_kind(s, "stage_sla")).collect()
    }

    /// The pending pipeline stage SLA checks (`kind: stage_sla`).
    pub async fn stage_schedules(&self) -> Vec<Schedule> {
        self.all_schedules().await.into_iter().filter(|s| is_kind(s, "stage_sla")).collect()
    }

    /// The pending dormancy checks (`kind: dormancy`).
    pub async fn dormancy_schedules(&self) -> Vec<Schedule> {
        self.all_schedules().await.into_iter().filter(is_dormancy_check).collect()
    }

    /// Every schedule in the stack's group, read back in full.
    pub async fn all_schedules(&self) -> Vec<Schedule> {
        let group = &self.settings.targets.schedule_group;
        let mut names = Vec::new();
        let mut token = None;
        loop {
            let page =
                self.scheduler.list_schedules().group_name(group).set_next_token(token.take()).send().await.unwrap();
            names.extend(page.schedules.into_iter().map(|s| s.name.unwrap()));
            match page.next_token {
                Some(next) if !next.is_empty() => token = Some(next),
                _ => break,
            }
        }
        let mut schedules = Vec::new();
        for name in names {
            let s = self.scheduler.get_schedule().group_name(group).name(&name).send().await.unwrap();
            let expression = s.schedule_expression.unwrap();
            let at = expression
                .strip_prefix("at(")
                .and_then(|rest| rest.strip_suffix(')'))
                .and_then(|time| NaiveDateTime::parse_from_str(time, "%Y-%m-%dT%H:%M:%S").ok())
                .unwrap_or_else(|| panic!("{name}: not a one-time schedule: {expression}"));
            let target = s.target.unwrap();
            schedules.push(Schedule {
                name,
                at: at.and_utc(),
                timezone: s.schedule_expression_timezone,
                window: s.flexible_time_window.map(|w| w.mode.as_str().to_owned()),
                action_after_completion: s.action_after_completion.map(|a| a.as_str().to_owned()),
                target_arn: target.arn,
                role_arn: target.role_arn,
                input: target.input.unwrap_or_default(),
            });
        }
        schedules.sort_by_key(|s| s.at);
        schedules
    }

    /// Moves the clock to `to` (real time stops being followed) and fires, as EventBridge
    /// Scheduler would, every schedule whose minute has begun by then: its input goes to its
    /// target queue and, being `ActionAfterCompletion: DELETE`, it is deleted. Returns them.
    pub async fn advance_to(&self, to: DateTime<Utc>) -> Vec<Schedule> {
        *self.real_time.lock().unwrap() = None;
        self.clock.set(to);
        let mut fired = Vec::new();
        for schedule in self.all_schedules().await {
            // Only `at(...)` in UTC is read here; anything else would need a time zone.
            assert_eq!(schedule.timezone.as_deref(), Some("UTC"), "{schedule:?}");
            if schedule.at > to {
                continue;
            }
            assert_eq!(schedule.target_arn, self.settings.targets.queue_arn, "{schedule:?}");
            self.enqueue(&schedule.input).await;
            assert_eq!(schedule.action_after_completion.as_deref(), Some("DELETE"), "{schedule:?}");
            self.scheduler
                .delete_schedule()
                .group_name(&self.settings.targets.schedule_group)
                .name(&schedule.name)
                .send()
                .await
                .unwrap();
            fired.push(schedule);
        }
        fired
    }
}

/// Whether `schedule` delivers a dormancy check.
fn is_dormancy_check(schedule: &Schedule) -> bool {
    is_kind(schedule, "dormancy")
}

fn is_kind(schedule: &Schedule, kind: &str) -> bool {
    serde_json::from_str::<Value>(&schedule.input).is_ok_and(|input| input["kind"] == kind)
}

/// An RFC 3339 field of a JSON value as an instant.
pub fn instant(value: &Value) -> DateTime<Utc> {
    value.as_str().unwrap_or_else(|| panic!("not a time: {value}")).parse().unwrap()
}

/// A message body as JSON.
pub fn body_json(message: &Message) -> Value {
    serde_json::from_str(message.body().unwrap()).unwrap()
}

/// The ids of the messages a batch response reports as failed.
pub fn failures(response: &SqsBatchResponse) -> Vec<String> {
    response.batch_item_failures.iter().map(|f| f.item_identifier.clone()).collect()
}
