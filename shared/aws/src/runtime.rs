//! What a Lambda function builds once per cold start: settings from the environment, SDK
//! clients, the tenants from the table, and the use cases over the AWS adapters.

use crate::channel::LogChannel;
use crate::dynamodb::{load_tenants, DynamoStore};
use crate::metrics::RequestCounter;
use crate::outbound::{live_senders, sms_and_email_channels, sms_channels, AwsAdapters};
use crate::scheduler::{QueueScheduler, QueueTargets};
use crate::secrets::resolve_secrets;
use aws_config::SdkConfig;
use leadflow_core::app::{App, LinkTracking};
use leadflow_core::config::{ApiKeyHash, Secret, TenantConfig, TenantDirectory};
use leadflow_core::domain::TokenKey;
use leadflow_core::http::DashboardAccess;
use leadflow_core::ports::{Clock, LeadAds, LogNotifier, NoLeadAds, Notifier, Sender, SystemClock};
use leadflow_providers::{GraphApi, RetryPolicy};
use std::collections::BTreeSet;
use std::sync::Arc;

/// The environment a function reads (set by infra/template.yaml).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The DynamoDB table everything is kept in (`LEADFLOW_TABLE`).
    pub table: String,
    /// The step queue, and the Scheduler group and role, that wakeups go through.
    pub targets: QueueTargets,
    /// The API's public base URL, which Twilio signs webhook URLs with and links in messages
    /// start with; empty for the request's own host (and no links in messages).
    pub public_url: String,
    /// The SNS topics whose messages the inbound function takes (two-way SMS, SES events).
    pub sns_topics: BTreeSet<String>,
    /// The key that signs the links in messages (tracked links, one-click unsubscribe), as a
    /// secret reference (`ssm:/leadflow/link-secret`); none: links are not tracked, emails
    /// carry no unsubscribe link, and the link routes answer 404.
    pub link_secret: Option<Secret>,
    /// The agency key's hash (`LEADFLOW_AGENCY_KEY_HASH`, as `leadflow hash-key` prints it):
    /// that key signs in to the dashboard's portfolio of every tenant; none: no agency sign-in.
    pub agency_key: Option<ApiKeyHash>,
}

/// A setting that is missing or malformed.
#[derive(Debug, thiserror::Error)]
pub enum MissingSetting {
    /// A required variable, named here, is unset or empty.
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    /// A variable is set but cannot be read: its name, and why.
    #[error("environment variable {0}: {1}")]
    Invalid(&'static str, String),
}

fn var(name: &'static str) -> Result<String, MissingSetting> {
    std::env::var(name).ok().filter(|v| !v.is_empty()).ok_or(MissingSetting::Missing(name))
}

/// The setting that names the link signing key.
const LINK_SECRET: &str = "LEADFLOW_LINK_SECRET";

/// The setting that holds the agency key's hash.
const AGENCY_KEY_HASH: &str = "LEADFLOW_AGENCY_KEY_HASH";

impl Settings {
    /// Reads `LEADFLOW_TABLE`, `LEADFLOW_STEP_QUEUE_URL`, `LEADFLOW_STEP_QUEUE_ARN`,
    /// `LEADFLOW_SCHEDULE_GROUP`, `LEADFLOW_SCHEDULER_ROLE_ARN` and (optional)
    /// `LEADFLOW_PUBLIC_URL`, `LEADFLOW_SNS_TOPICS` (topic ARNs, comma-separated) and
    /// `LEADFLOW_LINK_SECRET` and `LEADFLOW_AGENCY_KEY_HASH`.
    pub fn from_env() -> Result<Self, MissingSetting> {
        let link_secret = match var(LINK_SECRET) {
            Ok(raw) => Some(Secret::parse(&raw).map_err(|e| MissingSetting::Invalid(LINK_SECRET, e))?),
            Err(_) => None,
        };
        let agency_key = match var(AGENCY_KEY_HASH) {
            Ok(raw) => Some(ApiKeyHash::parse(raw.trim()).ok_or_else(|| {
                MissingSetting::Invalid(
                    AGENCY_KEY_HASH,
                    "must be `sha256:` and 64 hex digits (leadflow hash-key)".into(),
                )
            })?),
            Err(_) => None,
        };
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
            link_secret,
            agency_key,
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

/// What an app talks to beyond AWS: the channels, the team chat, link signing, lead ads.
struct Outward {
    sender: Arc<dyn Sender>,
    notifier: Arc<dyn Notifier>,
    links: LinkTracking,
    lead_ads: Arc<dyn LeadAds>,
}

fn assemble(
    clients: Clients,
    settings: &Settings,
    clock: Arc<dyn Clock>,
    tenants: TenantDirectory,
    outward: Outward,
) -> App {
    let Outward { sender, notifier, links, lead_ads } = outward;
    let scheduler = QueueScheduler::new(clients.sqs, clients.scheduler, settings.targets.clone(), clock.clone());
    App {
        store: Arc::new(DynamoStore::new(clients.dynamodb, settings.table.clone())),
        scheduler: Arc::new(scheduler),
        sender,
        notifier,
        clock,
        lead_ads,
        tenants: Arc::new(tenants),
        links: Arc::new(links),
        contacts: Arc::default(),
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
    let outward = Outward { sender: channel, notifier, links: LinkTracking::disabled(), lead_ads: Arc::new(NoLeadAds) };
    Ok(assemble(clients, settings, clock, tenants, outward))
}

/// `build_app` for the step function: the tenants' and the stack's secrets read from SSM
/// Parameter Store, each tenant's SMS and email through its provider (Twilio, Telnyx, AWS End
/// User Messaging, SES; the rest to the log channel), links signed into emails, hand-offs to
/// its team chat, Meta lead ads read from the Graph API.
pub async fn build_sending_app(
    sdk: &SdkConfig,
    settings: &Settings,
    clock: Arc<dyn Clock>,
    counter: Option<RequestCounter>,
) -> Result<App, lambda_error::Error> {
    let aws = |tenants: &TenantDirectory| sms_and_email_channels(sdk, tenants);
    let graph: Arc<dyn LeadAds> = Arc::new(GraphApi::new()?);
    providers_app(sdk, settings, clock, counter, aws, graph).await
}

/// `build_sending_app` for the inbound function, which sends only answers to inbound SMS: the
/// SMS providers, no email (so its binary does not link SES).
pub async fn build_replying_app(
    sdk: &SdkConfig,
    settings: &Settings,
    clock: Arc<dyn Clock>,
    counter: Option<RequestCounter>,
) -> Result<App, lambda_error::Error> {
    let aws = |tenants: &TenantDirectory| sms_channels(sdk, tenants, RetryPolicy::default());
    providers_app(sdk, settings, clock, counter, aws, Arc::new(NoLeadAds)).await
}

async fn providers_app(
    sdk: &SdkConfig,
    settings: &Settings,
    clock: Arc<dyn Clock>,
    counter: Option<RequestCounter>,
    aws: impl FnOnce(&TenantDirectory) -> AwsAdapters,
    lead_ads: Arc<dyn LeadAds>,
) -> Result<App, lambda_error::Error> {
    let clients = clients(sdk, counter.as_ref());
    let mut tenants: Vec<TenantConfig> = load_tenants(&clients.dynamodb, &settings.table).await?;
    let mut ssm = aws_sdk_ssm::config::Builder::from(sdk);
    if let Some(counter) = counter {
        ssm = ssm.interceptor(counter);
    }
    let mut link_secret = settings.link_secret.clone();
    let mut stack: Vec<(&str, &mut Secret)> = link_secret.iter_mut().map(|s| (LINK_SECRET, s)).collect();
    resolve_secrets(&aws_sdk_ssm::Client::from_conf(ssm.build()), &mut tenants, &mut stack).await?;
    let links = match link_secret.as_ref().and_then(Secret::expose) {
        Some(secret) => LinkTracking::new(&settings.public_url, TokenKey::new(secret.as_bytes())),
        None => {
            tracing::warn!("{LINK_SECRET} is not set: links are not tracked and emails carry no unsubscribe link");
            LinkTracking::disabled()
        }
    };
    let tenants = TenantDirectory::new(tenants)?;
    let public_url = Some(settings.public_url.as_str()).filter(|url| !url.is_empty());
    let adapters = aws(&tenants);
    let (senders, notifier) = live_senders(&tenants, Arc::new(LogChannel), public_url, adapters)?;
    Ok(assemble(clients, settings, clock, tenants, Outward { sender: senders, notifier, links, lead_ads }))
}

/// The report function's dashboard sign-in: sessions sealed with the stack's link key (read
/// from SSM; one secret for both, each token sealed for its own purpose), the agency key from
/// the settings, cookies `Secure` (API Gateway serves HTTPS only). Without a link secret
/// nobody can sign in, and the sign-in page says so.
pub async fn dashboard_access(settings: &Settings) -> Result<DashboardAccess, lambda_error::Error> {
    let Some(mut secret) = settings.link_secret.clone() else {
        tracing::warn!("{LINK_SECRET} is not set: nobody can sign in to the dashboard");
        return Ok(DashboardAccess::disabled());
    };
    let sdk = sdk_loader().load().await;
    let ssm = aws_sdk_ssm::Client::new(&sdk);
    resolve_secrets(&ssm, &mut [], &mut [(LINK_SECRET, &mut secret)]).await?;
    let key = secret.expose().map(|secret| TokenKey::new(secret.as_bytes()));
    Ok(match key {
        Some(key) => DashboardAccess::new(key, settings.agency_key.clone(), true),
        None => DashboardAccess::disabled(),
    })
}

/// The SDK's default configuration chain (region, credentials, `AWS_ENDPOINT_URL`) over the
/// one HTTPS client every leadflow binary uses: rustls on ring.
pub fn sdk_loader() -> aws_config::ConfigLoader {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    let https = aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring)).build_https();
    aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(https)
}

/// What a function's `main` builds once per cold start: `build` (`build_app`,
/// `build_sending_app` or `build_replying_app`, so each binary links only what it needs) over
/// the settings from the environment, the SDK's default configuration and the wall clock.
pub async fn from_env<F>(build: F) -> Result<(App, Settings), lambda_error::Error>
where
    F: AsyncFnOnce(&SdkConfig, &Settings, Arc<dyn Clock>, Option<RequestCounter>) -> Result<App, lambda_error::Error>,
{
    let settings = Settings::from_env()?;
    let sdk = sdk_loader().load().await;
    let app = build(&sdk, &settings, Arc::new(SystemClock), None).await?;
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
