//! What a Lambda function builds once per cold start: settings from the environment, SDK
//! clients, the tenants from the table, and the use cases over the AWS adapters.

use crate::channel::LogChannel;
use crate::dynamodb::{load_tenants, DynamoStore};
use crate::metrics::RequestCounter;
use crate::scheduler::{QueueScheduler, QueueTargets};
use aws_config::SdkConfig;
use leadflow_core::app::App;
use leadflow_core::config::TenantDirectory;
use leadflow_core::ports::{Clock, SystemClock};
use std::sync::Arc;

/// The environment a function reads (set by infra/template.yaml).
#[derive(Debug, Clone)]
pub struct Settings {
    pub table: String,
    pub targets: QueueTargets,
    /// The API's public base URL, which Twilio signs webhook URLs with; empty for the
    /// request's own host.
    pub public_url: String,
}

/// A setting that is missing.
#[derive(Debug, thiserror::Error)]
#[error("environment variable {0} is not set")]
pub struct MissingSetting(&'static str);

fn var(name: &'static str) -> Result<String, MissingSetting> {
    std::env::var(name).ok().filter(|v| !v.is_empty()).ok_or(MissingSetting(name))
}

impl Settings {
    /// Reads `LEADFLOW_TABLE`, `LEADFLOW_STEP_QUEUE_URL`, `LEADFLOW_STEP_QUEUE_ARN`,
    /// `LEADFLOW_SCHEDULE_GROUP`, `LEADFLOW_SCHEDULER_ROLE_ARN` and (optional)
    /// `LEADFLOW_PUBLIC_URL`.
    pub fn from_env() -> Result<Self, MissingSetting> {
        Ok(Self {
            table: var("LEADFLOW_TABLE")?,
            targets: QueueTargets {
                queue_url: var("LEADFLOW_STEP_QUEUE_URL")?,
                queue_arn: var("LEADFLOW_STEP_QUEUE_ARN")?,
                schedule_group: var("LEADFLOW_SCHEDULE_GROUP")?,
                scheduler_role_arn: var("LEADFLOW_SCHEDULER_ROLE_ARN")?,
            },
            public_url: std::env::var("LEADFLOW_PUBLIC_URL").unwrap_or_default(),
        })
    }
}

/// The use cases over DynamoDB, SQS + Scheduler and the log channel, with every tenant in
/// the table.
pub async fn build_app(
    sdk: &SdkConfig,
    settings: &Settings,
    clock: Arc<dyn Clock>,
) -> Result<App, lambda_error::Error> {
    build_counted_app(sdk, settings, clock, None).await
}

/// `build_app`, with every SDK request counted by `counter` (for the request benchmark).
pub async fn build_counted_app(
    sdk: &SdkConfig,
    settings: &Settings,
    clock: Arc<dyn Clock>,
    counter: Option<RequestCounter>,
) -> Result<App, lambda_error::Error> {
    let mut dynamodb = aws_sdk_dynamodb::config::Builder::from(sdk);
    let mut sqs = aws_sdk_sqs::config::Builder::from(sdk);
    let mut scheduler = aws_sdk_scheduler::config::Builder::from(sdk);
    if let Some(counter) = counter {
        dynamodb = dynamodb.interceptor(counter.clone());
        sqs = sqs.interceptor(counter.clone());
        scheduler = scheduler.interceptor(counter);
    }
    let dynamodb = aws_sdk_dynamodb::Client::from_conf(dynamodb.build());
    let tenants = load_tenants(&dynamodb, &settings.table).await?;
    let scheduler = QueueScheduler::new(
        aws_sdk_sqs::Client::from_conf(sqs.build()),
        aws_sdk_scheduler::Client::from_conf(scheduler.build()),
        settings.targets.clone(),
        clock.clone(),
    );
    Ok(App {
        store: Arc::new(DynamoStore::new(dynamodb, settings.table.clone())),
        scheduler: Arc::new(scheduler),
        channel: Arc::new(LogChannel),
        clock,
        tenants: Arc::new(TenantDirectory::new(tenants)?),
    })
}

/// Settings from the environment, the SDK's default configuration, the wall clock.
pub async fn app_from_env() -> Result<(App, Settings), lambda_error::Error> {
    let settings = Settings::from_env()?;
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let app = build_app(&sdk, &settings, Arc::new(SystemClock)).await?;
    Ok((app, settings))
}

/// The boxed error type Lambda mains return.
pub mod lambda_error {
    /// Any error, boxed.
    pub type Error = Box<dyn std::error::Error + Send + Sync + 'static>;
}
