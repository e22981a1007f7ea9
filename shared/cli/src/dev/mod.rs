//! `leadflow dev`: one process serving the API on loopback, with the redb store, the
//! in-process scheduler, the outbox channel and a system or manual clock.

mod routes;
mod seed;
mod serve;

pub use seed::{seed_demo, Seeded, SEEDED_MARK, SEED_DAYS};
pub use serve::Timeouts;

use anyhow::Context;
use chrono::{DateTime, Utc};
use leadflow_aws::outbound;
use leadflow_core::app::{App, LinkTracking};
use leadflow_core::config::{ApiKeyHash, TenantConfig, TenantDirectory};
use leadflow_core::domain::TokenKey;
use leadflow_core::http::sns::{SnsGate, SnsPolicy};
use leadflow_core::http::{router, DashboardAccess, HttpState};
use leadflow_core::ports::{Clock, LogNotifier, Notifier, Sender, SystemClock};
use leadflow_embedded::{EmbeddedStore, LocalScheduler, ManualClock, OutboxChannel};
use leadflow_providers::HttpGet;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::watch;

/// How `leadflow dev` runs.
#[derive(Debug, Clone)]
pub struct DevOptions {
    /// The address to serve on; port 0 takes any free one.
    pub listen: SocketAddr,
    /// The directory of the redb store, created if missing.
    pub data: PathBuf,
    /// Tenant files; empty means the embedded demo tenant.
    pub configs: Vec<PathBuf>,
    /// `Some(start)` for a manual clock starting at `start`.
    pub manual_clock: Option<DateTime<Utc>>,
    /// The base URL Twilio signs webhooks with; default `http://<listen address>`.
    pub public_url: Option<String>,
    /// Print each touch as the outbox records it.
    pub print_outbox: bool,
    /// Send through the providers tenants configure (`[sms] provider`, `[email] provider`,
    /// `[voice]`, `[voicemail]`) instead of the outbox. Off by default: a tenant file copied
    /// from production must not text real people from a laptop by accident.
    pub live_channels: bool,
    /// The SNS topics the AWS webhooks take, and whether certificates may come from loopback
    /// (`--sns-loopback`: only this dev server and tests ever allow it).
    pub sns: SnsPolicy,
    /// How long a client may take to send a request's head and body.
    pub timeouts: Timeouts,
    /// The agency key's hash: it signs in to the dashboard's portfolio.
    pub agency_key: ApiKeyHash,
}

/// A running dev server.
pub struct DevServer {
    /// The address it listens on (with the real port when `listen` asked for 0).
    pub addr: SocketAddr,
    /// The API's base URL, which links in messages start with: `public_url`, else `http://<addr>`.
    pub public_url: String,
    /// The ids of the tenants it serves.
    pub tenants: Vec<String>,
    store: EmbeddedStore,
    stop: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
    scheduler: tokio::task::JoinHandle<()>,
    reconcile: tokio::task::JoinHandle<()>,
}

impl DevServer {
    /// The store it runs on (tests look leads up in it as support would).
    pub fn store(&self) -> &EmbeddedStore {
        &self.store
    }

    /// Serves until SIGINT (Ctrl-C) or SIGTERM, then stops cleanly (see [`DevServer::shut_down`]).
    pub async fn serve_until_signalled(mut self) -> anyhow::Result<()> {
        let mut terminate = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
        let mut interrupt = signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?;
        tokio::select! {
            stopped = &mut self.server => {
                stopped.context("the HTTP server stopped")?;
                anyhow::bail!("the HTTP server stopped")
            }
            _ = terminate.recv() => tracing::info!("SIGTERM: stopping"),
            _ = interrupt.recv() => tracing::info!("SIGINT: stopping"),
        }
        self.shut_down().await
    }

    /// Stops cleanly: no new connection or step; the requests in flight are answered (for up
    /// to 5 s); then the store saves its allocator state, so the next start opens it at once.
    /// A step cut mid-send is looked up on the next start, as after a crash.
    pub async fn shut_down(self) -> anyhow::Result<()> {
        self.scheduler.abort();
        self.reconcile.abort();
        let _ = self.stop.send(true);
        let _ = self.server.await;
        self.store.close().await.context("cannot close the store")?;
        tracing::info!("stopped cleanly");
        Ok(())
    }

    /// Stops serving at once, as a kill would (tests of what a crash leaves).
    pub fn stop(self) {
        self.server.abort();
        self.scheduler.abort();
        self.reconcile.abort();
    }
}

/// The dev-only state next to the public routes.
#[derive(Clone)]
pub(crate) struct DevState {
    pub outbox: OutboxChannel,
    pub scheduler: Arc<LocalScheduler>,
    pub manual: Option<Arc<ManualClock>>,
    pub clock: Arc<dyn Clock>,
}

/// The key tracked links are signed with when `LEADFLOW_LINK_SECRET` is not set. Public, so
/// fit only for a laptop: a stack on AWS has its own (see docs/deploy-aws.md, "The link key").
pub const DEV_LINK_SECRET: &str = "leadflow-dev-link-secret-not-for-production";

/// The tenant files, with their secrets resolved: `env:` ones from this process's
/// environment. `ssm:` ones exist only on AWS, so a file that uses them is refused here.
pub fn load_tenants(configs: &[PathBuf]) -> anyhow::Result<Vec<TenantConfig>> {
    if configs.is_empty() {
        return Ok(vec![TenantConfig::demo()]);
    }
    configs
        .iter()
        .map(|path| {
            let source = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            let mut tenant = TenantConfig::parse(&source, &path.display().to_string())?;
            tenant.resolve_secrets(&HashMap::new()).with_context(|| {
                format!("{}: leadflow dev reads secrets inline or from env:NAME; ssm: ones on AWS only", path.display())
            })?;
            Ok(tenant)
        })
        .collect()
}

/// The AWS adapters of tenants that send through AWS End User Messaging or SES, over the SDK's
/// usual configuration (region, credentials, and `AWS_ENDPOINT_URL` to point at an emulator).
async fn aws_channels(tenants: &TenantDirectory) -> outbound::AwsAdapters {
    if !outbound::uses_aws_channels(tenants) {
        return Vec::new();
    }
    let sdk = leadflow_aws::runtime::sdk_loader().load().await;
    outbound::sms_and_email_channels(&sdk, tenants)
}

/// Opens the store and starts serving; pending touches are read from the store as they fall
/// due, and the schedule is reconciled with the active enrolments in the background.
pub async fn start(options: DevOptions) -> anyhow::Result<DevServer> {
    let tenants = load_tenants(&options.configs)?;
    let tenant_ids: Vec<_> = tenants.iter().map(|t| t.id.clone()).collect();
    let directory = Arc::new(TenantDirectory::new(tenants)?);
    let store = EmbeddedStore::open(&options.data)
        .with_context(|| format!("cannot open the store in {}", options.data.display()))?;
    let manual = options.manual_clock.map(|start| Arc::new(ManualClock::new(start)));
    let clock: Arc<dyn Clock> = match &manual {
        Some(manual) => manual.clone(),
        None => Arc::new(SystemClock),
    };
    let scheduler = LocalScheduler::new(store.clone());
    let hipaa = directory.all().filter(|tenant| tenant.hipaa).map(|tenant| tenant.id.clone());
    let outbox = OutboxChannel::new(store.clone(), options.print_outbox).redacting(hipaa);
    let (sender, notifier): (Arc<dyn Sender>, Arc<dyn Notifier>) = if options.live_channels {
        // Twilio can report delivery only to a URL it can reach: an explicit --public-url.
        let public_url = options.public_url.as_deref();
        let aws = aws_channels(&directory).await;
        outbound::live_senders(&directory, Arc::new(outbox.clone()), public_url, aws)?
    } else {
        (Arc::new(outbox.clone()), Arc::new(LogNotifier))
    };
    // Bound before the app is built: links in messages start with the address it got.
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .with_context(|| format!("cannot listen on {}", options.listen))?;
    let addr = listener.local_addr()?;
    let public_url = options.public_url.unwrap_or_else(|| format!("http://{addr}"));
    let link_secret = std::env::var("LEADFLOW_LINK_SECRET").unwrap_or_else(|_| DEV_LINK_SECRET.to_owned());
    let token_key = TokenKey::new(link_secret.as_bytes());
    // Dashboard sessions are sealed with the link key, for their own purpose; `Secure` only
    // where the browser reaches the server over HTTPS (a proxy in front), never on loopback.
    let secure_cookies = public_url.starts_with("https://");
    let dashboard = Arc::new(DashboardAccess::new(token_key.clone(), Some(options.agency_key), secure_cookies));
    let app = App {
        store: Arc::new(store.clone()),
        scheduler: scheduler.clone(),
        sender,
        notifier,
        clock: clock.clone(),
        lead_ads: Arc::new(leadflow_providers::GraphApi::new()?),
        tenants: directory,
        links: Arc::new(LinkTracking::new(&public_url, token_key)),
        contacts: Arc::default(),
    };
    scheduler.attach(app.clone());

    let dev = DevState { outbox, scheduler: scheduler.clone(), manual: manual.clone(), clock };
    let sns = Arc::new(SnsGate::new(options.sns, Arc::new(HttpGet::new()?)));
    let state = HttpState { app, public_url: public_url.clone().into(), sns, dashboard };
    let routes = router(state).merge(routes::dev_routes(dev));
    let (stop, stopping) = watch::channel(false);
    let server = tokio::spawn(serve::serve(listener, routes, options.timeouts, stopping));
    // Serving first: a start never waits for the store's size. The reconcile logs "schedule
    // reloaded" when done (`leadflow bench restart` reads that line).
    let reconcile = scheduler.reconcile_in_background(tenant_ids.clone());
    let tenants = tenant_ids.iter().map(|t| t.to_string()).collect();
    let scheduler = tokio::spawn(scheduler.run(manual.is_none()));
    Ok(DevServer { addr, public_url, tenants, store, stop, server, scheduler, reconcile })
}
