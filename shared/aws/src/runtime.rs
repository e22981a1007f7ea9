//! What a Lambda function builds once per cold start: settings from the environment, SDK
//! clients, the tenants from the table, and the use cases over the AWS adapters.

use crate::channel::LogChannel;
use crate::dynamodb::{load_tenants, DynamoStore};
use crate::metrics::RequestCounter;
use crate::scheduler::{QueueScheduler, QueueTargets};
use crate::secrets::resolve_secrets;
use aws_config::SdkConfig;
use leadflow_core::app::{App, LinkTracking};
use leadflow_core::config::{Secret, TenantDirectory};
use leadflow_core::domain::TokenKey;
use leadflow_core::ports::{Channel, Clock, LogNotifier, Notifier, SystemClock};
use leadflow_providers::{ChatNotifier, ProviderChannels};
use std::collections::BTreeSet;
use std::sync::Arc;

/// The environment a function reads (set by infra/template.yaml).
#[derive(Debug, Clone)]
pub struct Settings {
    pub table: String,
    pub targets: QueueTargets,
    /// The API's public base URL, which Twilio signs webhook URLs with; empty for the
    /// request's own host.
    pub public_url: String,
    /// The SNS topics whose messages the inbound function takes (two-way SMS, SES events).
    pub sns_topics: BTreeSet<String>,
    /// The key tracked links are signed with (`ssm:/leadflow/link-secret`, as tenant files
    /// write secrets); none: links are not tracked.
    pub link_secret: Option<Secret>,
}

/// A setting that is missing, or not in its form.
#[derive(Debug, thiserror::Error)]
#[error("environment variable {0} is not set (or not valid)")]
pub struct MissingSetting(&'static str);

fn var(name: &'static str) -> Result<String, MissingSetting> {
    std::env::var(name).ok().filter(|v| !v.is_empty()).ok_or(MissingSetting(name))
}

impl Settings {
    /// Reads `LEADFLOW_TABLE`, `LEADFLOW_STEP_QUEUE_URL`, `LEADFLOW_STEP_QUEUE_ARN`,
    /// `LEADFLOW_SCHEDULE_GROUP`, `LEADFLOW_SCHEDULER_ROLE_ARN` and (optional)
    /// `LEADFLOW_PUBLIC_URL`, `LEADFLOW_SNS_TOPICS` (topic ARNs, comma-separated) and
    /// `LEADFLOW_LINK_SECRET`.
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
            sns_topics: topic_list(&std::env::var("LEADFLOW_SNS_TOPICS").unwrap_or_default()),
            link_secret: match var("LEADFLOW_LINK_SECRET") {
                Ok(raw) => Some(Secret::parse(&raw).map_err(|_| MissingSetting("LEADFLOW_LINK_SECRET"))?),
                Err(_) => None,
            },
        })
    }
}

/// The ARNs of a comma-separated list, blanks dropped.
fn topic_list(raw: &str) -> BTreeSet<String> {
    raw.split(',').map(str::trim).filter(|arn| !arn.is_empty()).map(str::to_owned).collect()
}

/// The SDK clients of a function, each counting its requests into `counter` if given.
struct Clients {
    dynamodb: aws_sdk_dynamodb::Client,
    sqs: aws_sdk_sqs::Client,
    scheduler: aws_sdk_scheduler::Client,
}

fn clients(sdk: &SdkConfig, counter: Option<&RequestCounter>) -> Clients {
    let mut dynamodb = aws_sdk_dynamodb::config::Builder::from(sdk);
    let mut sqs = aws_sdk_sqs::config::Builder::from(sdk);
    let mut scheduler = aws_sdk_scheduler::config::Builder::from(sdk);
    if let Some(counter) = counter {
        dynamodb = dynamodb.interceptor(counter.clone());
        sqs = sqs.interceptor(counter.clone());
        scheduler = scheduler.interceptor(counter.clone());
    }
    Clients {
        dynamodb: aws_sdk_dynamodb::Client::from_conf(dynamodb.build()),
        sqs: aws_sdk_sqs::Client::from_conf(sqs.build()),
        scheduler: aws_sdk_scheduler::Client::from_conf(scheduler.build()),
    }
}

fn assemble(
    clients: Clients,
    settings: &Settings,
    clock: Arc<dyn Clock>,
    tenants: TenantDirectory,
    channel: Arc<dyn Channel>,
    notifier: Arc<dyn Notifier>,
    links: LinkTracking,
) -> App {
    let scheduler = QueueScheduler::new(clients.sqs, clients.scheduler, settings.targets.clone(), clock.clone());
    App {
        store: Arc::new(DynamoStore::new(clients.dynamodb, settings.table.clone())),
        scheduler: Arc::new(scheduler),
        channel,
        notifier,
        clock,
        tenants: Arc::new(tenants),
        links: Arc::new(links),
    }
}

/// The use cases over DynamoDB and SQS + Scheduler, with every tenant in the table, for the
/// functions that send nothing (intake, report): no secrets read, touches to the log channel.
/// Kept apart from `build_sending_app` so their binaries link neither SSM nor the providers.
pub async fn build_app(
    sdk: &SdkConfig,
    settings: &Settings,
    clock: Arc<dyn Clock>,
    counter: Option<RequestCounter>,
) -> Result<App, lambda_error::Error> {
    let clients = clients(sdk, counter.as_ref());
    let tenants = TenantDirectory::new(load_tenants(&clients.dynamodb, &settings.table).await?)?;
    let (channel, notifier) = (Arc::new(LogChannel), Arc::new(LogNotifier));
    Ok(assemble(clients, settings, clock, tenants, channel, notifier, LinkTracking::disabled()))
}

/// `build_app` for the functions that talk to providers (step, inbound): the tenants' secrets
/// read from SSM Parameter Store, each tenant's SMS through its provider (the rest to the log
/// channel), hand-offs to its team chat.
pub async fn build_sending_app(
    sdk: &SdkConfig,
    settings: &Settings,
    clock: Arc<dyn Clock>,
    counter: Option<RequestCounter>,
) -> Result<App, lambda_error::Error> {
    let clients = clients(sdk, counter.as_ref());
    let mut tenants = load_tenants(&clients.dynamodb, &settings.table).await?;
    let mut ssm = aws_sdk_ssm::config::Builder::from(sdk);
    if let Some(counter) = counter {
        ssm = ssm.interceptor(counter);
    }
    let mut link_secret = settings.link_secret.clone();
    resolve_secrets(&aws_sdk_ssm::Client::from_conf(ssm.build()), &mut tenants, link_secret.as_mut()).await?;
    let tenants = TenantDirectory::new(tenants)?;
    let public_url = Some(settings.public_url.as_str()).filter(|url| !url.is_empty());
    let channel = Arc::new(ProviderChannels::new(&tenants, Arc::new(LogChannel), public_url)?);
    let notifier = Arc::new(ChatNotifier::new(&tenants)?);
    let links = match link_secret.as_ref().and_then(Secret::expose) {
        Some(secret) => LinkTracking::new(&settings.public_url, TokenKey::new(secret.as_bytes())),
        None => {
            tracing::warn!("LEADFLOW_LINK_SECRET is not set: links in messages are not tracked");
            LinkTracking::disabled()
        }
    };
    Ok(assemble(clients, settings, clock, tenants, channel, notifier, links))
}

/// The SDK's default configuration chain (region, credentials, `AWS_ENDPOINT_URL`) over the
/// one HTTPS client every leadflow binary uses: rustls on ring.
pub fn sdk_loader() -> aws_config::ConfigLoader {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    let https = aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring)).build_https();
    aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(https)
}

/// `build_app` with settings from the environment, the SDK's default configuration and the
/// wall clock.
pub async fn app_from_env() -> Result<(App, Settings), lambda_error::Error> {
    let settings = Settings::from_env()?;
    let sdk = sdk_loader().load().await;
    let app = build_app(&sdk, &settings, Arc::new(SystemClock), None).await?;
    Ok((app, settings))
}

/// `build_sending_app` with settings from the environment, the SDK's default configuration
/// and the wall clock.
pub async fn sending_app_from_env() -> Result<(App, Settings), lambda_error::Error> {
    let settings = Settings::from_env()?;
    let sdk = sdk_loader().load().await;
    let app = build_sending_app(&sdk, &settings, Arc::new(SystemClock), None).await?;
    Ok((app, settings))
}

/// The boxed error type Lambda mains return.
pub mod lambda_error {
    /// Any error, boxed.
    pub type Error = Box<dyn std::error::Error + Send + Sync + 'static>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sns_topics_are_a_comma_separated_list() {
        let arns = topic_list(" arn:aws:sns:us-east-1:1:sms, ,arn:aws:sns:us-east-1:1:ses,");
        assert_eq!(
            arns.into_iter().collect::<Vec<_>>(),
            ["arn:aws:sns:us-east-1:1:ses", "arn:aws:sns:us-east-1:1:sms"]
        );
        assert!(topic_list("").is_empty());
    }
}
