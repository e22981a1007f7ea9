//! What a Lambda function builds once per cold start: settings from the environment, SDK
//! clients, the tenants from the table, and the use cases over the AWS adapters.

use crate::channel::LogChannel;
use crate::dynamodb::{load_tenants, DynamoStore};
use crate::metrics::RequestCounter;
use crate::scheduler::{QueueScheduler, QueueTargets};
use crate::secrets::resolve_secrets;
use aws_config::SdkConfig;
use leadflow_core::app::App;
use leadflow_core::config::TenantDirectory;
use leadflow_core::ports::{Channel, Clock, SystemClock};
use leadflow_providers::ProviderChannels;
use std::sync::Arc;

/// The environment a function reads (set by infra/template.yaml).
#[derive(Debug, Clone)]
pub struct Settings {
    pub table: String,
    pub targets: QueueTargets,
    /// The API's public base URL, which Twilio signs webhook URLs with; empty for the
    /// request's own host.
    pub public_url: String,
    /// Whether this function reads the tenants' secrets.
    pub secrets: TenantSecrets,
}

/// Whether a function reads the tenants' secrets (provider tokens, signing keys). Only those
/// that do may call SSM; the others leave `ssm:` secrets unresolved, and nothing of theirs
/// uses one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantSecrets {
    Read,
    Skip,
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
    pub fn from_env(secrets: TenantSecrets) -> Result<Self, MissingSetting> {
        Ok(Self {
            table: var("LEADFLOW_TABLE")?,
            targets: QueueTargets {
                queue_url: var("LEADFLOW_STEP_QUEUE_URL")?,
                queue_arn: var("LEADFLOW_STEP_QUEUE_ARN")?,
                schedule_group: var("LEADFLOW_SCHEDULE_GROUP")?,
                scheduler_role_arn: var("LEADFLOW_SCHEDULER_ROLE_ARN")?,
            },
            public_url: std::env::var("LEADFLOW_PUBLIC_URL").unwrap_or_default(),
            secrets,
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
    let mut ssm = aws_sdk_ssm::config::Builder::from(sdk);
    if let Some(counter) = counter {
        dynamodb = dynamodb.interceptor(counter.clone());
        sqs = sqs.interceptor(counter.clone());
        ssm = ssm.interceptor(counter.clone());
        scheduler = scheduler.interceptor(counter);
    }
    let dynamodb = aws_sdk_dynamodb::Client::from_conf(dynamodb.build());
    let mut tenants = load_tenants(&dynamodb, &settings.table).await?;
    if settings.secrets == TenantSecrets::Read {
        resolve_secrets(&aws_sdk_ssm::Client::from_conf(ssm.build()), &mut tenants).await?;
    }
    let scheduler = QueueScheduler::new(
        aws_sdk_sqs::Client::from_conf(sqs.build()),
        aws_sdk_scheduler::Client::from_conf(scheduler.build()),
        settings.targets.clone(),
        clock.clone(),
    );
    let tenants = Arc::new(TenantDirectory::new(tenants)?);
    // Only the functions that read secrets send anything; the others keep the log channel
    // (their tenants' provider tokens are not resolved).
    let channel: Arc<dyn Channel> = match settings.secrets {
        TenantSecrets::Read => Arc::new(ProviderChannels::new(&tenants, Arc::new(LogChannel))?),
        TenantSecrets::Skip => Arc::new(LogChannel),
    };
    Ok(App {
        store: Arc::new(DynamoStore::new(dynamodb, settings.table.clone())),
        scheduler: Arc::new(scheduler),
        channel,
        clock,
        tenants,
    })
}

/// The SDK's default configuration chain (region, credentials, `AWS_ENDPOINT_URL`) over the
/// one HTTPS client every leadflow binary uses: rustls on ring.
pub fn sdk_loader() -> aws_config::ConfigLoader {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    let https = aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring)).build_https();
    aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(https)
}

/// Settings from the environment, the SDK's default configuration, the wall clock.
pub async fn app_from_env(secrets: TenantSecrets) -> Result<(App, Settings), lambda_error::Error> {
    let settings = Settings::from_env(secrets)?;
    let sdk = sdk_loader().load().await;
    let app = build_app(&sdk, &settings, Arc::new(SystemClock)).await?;
    Ok((app, settings))
}

/// The boxed error type Lambda mains return.
pub mod lambda_error {
    /// Any error, boxed.
    pub type Error = Box<dyn std::error::Error + Send + Sync + 'static>;
}
