//! The app a preview (`leadflow simulate`) or a seeding (`leadflow dev --seed-demo`) runs
//! on: `leadflow dev`'s embedded adapters (redb store, local scheduler, outbox) under a
//! manual clock, in a temporary directory that is gone when it ends, or in a data directory.

use crate::dev::DEV_LINK_SECRET;
use anyhow::Context;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use leadflow_core::app::{App, LinkTracking};
use leadflow_core::config::{TenantConfig, TenantDirectory};
use leadflow_core::domain::{ClickToken, LeadId, TokenKey};
use leadflow_core::ports::{Escalation, Handoff, Notifier, UncertainTouch};
use leadflow_embedded::{EmbeddedStore, LocalScheduler, ManualClock, OutboxChannel};
use std::path::Path;
use std::sync::Arc;
use tempfile::TempDir;

/// Where tracked links in a preview point: `leadflow dev`'s default address, so a preview
/// reads as the dev server would send.
pub(crate) const PREVIEW_URL: &str = "http://127.0.0.1:8787";

/// One tenant's app on throwaway storage, its clock standing still until `advance_to`.
pub(crate) struct Sandbox {
    pub app: App,
    pub tenant: Arc<TenantConfig>,
    pub outbox: OutboxChannel,
    /// The key the preview's tracked links are signed with (to follow one as a lead would).
    pub link_key: TokenKey,
    scheduler: Arc<LocalScheduler>,
    clock: Arc<ManualClock>,
    store: EmbeddedStore,
    // Dropped last: the store's file lives in it.
    _dir: Option<TempDir>,
}

impl Sandbox {
    /// A fresh store for `tenant`, the clock reading `start`.
    pub fn open(tenant: TenantConfig, start: DateTime<Utc>) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new().prefix("leadflow-simulate-").tempdir().context("no temporary directory")?;
        let store = EmbeddedStore::open(dir.path()).context("cannot open a store in the temporary directory")?;
        Self::on(store, vec![tenant], start, Some(dir))
    }

    /// The store in `data` (created if missing) for `tenants`, the clock reading `start`;
    /// `tenant` is the first of them.
    pub fn open_in(data: &Path, tenants: Vec<TenantConfig>, start: DateTime<Utc>) -> anyhow::Result<Self> {
        let store =
            EmbeddedStore::open(data).with_context(|| format!("cannot open the store in {}", data.display()))?;
        Self::on(store, tenants, start, None)
    }

    fn on(
        store: EmbeddedStore,
        tenants: Vec<TenantConfig>,
        start: DateTime<Utc>,
        dir: Option<TempDir>,
    ) -> anyhow::Result<Self> {
        let directory = Arc::new(TenantDirectory::new(tenants)?);
        let tenant = directory.all().next().cloned().context("the tenant directory is empty")?;
        let clock = Arc::new(ManualClock::new(start));
        let scheduler = LocalScheduler::new(store.clone());
        let outbox = OutboxChannel::new(store.clone(), false);
        let link_key = TokenKey::new(DEV_LINK_SECRET.as_bytes());
        let app = App {
            store: Arc::new(store.clone()),
            scheduler: scheduler.clone(),
            sender: Arc::new(outbox.clone()),
            notifier: Arc::new(Unannounced),
            clock: clock.clone(),
            lead_ads: Arc::new(leadflow_core::ports::NoLeadAds),
            tenants: directory,
            links: Arc::new(LinkTracking::new(PREVIEW_URL, link_key.clone())),
            contacts: Arc::default(),
        };
        scheduler.attach(app.clone());
        Ok(Self { app, tenant, outbox, link_key, scheduler, clock, store, _dir: dir })
    }

    /// Moves the clock to `at`, running every wakeup (touch, hand-off check) at its own
    /// instant on the way, as `POST /dev/clock/advance` does.
    pub async fn advance_to(&self, at: DateTime<Utc>) -> anyhow::Result<()> {
        self.scheduler.advance_to(&self.clock, at).await.context("the preview's scheduler failed")
    }

    /// The token of the latest tracked link the lead was sent that is (or is not) the booking
    /// link: a lead clicks what it got, so nothing is clicked before a message carries it.
    pub fn link_sent(&self, id: &LeadId, booking: bool) -> anyhow::Result<Option<String>> {
        let prefix = format!("{PREVIEW_URL}/r/");
        let sent = self.outbox.list(Some(id))?;
        let tokens = sent.iter().rev().flat_map(|entry| entry.body.split(prefix.as_str()).skip(1));
        let token = tokens
            .map(|rest| rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).next().unwrap_or(""))
            .find(|token| {
                ClickToken::open(&self.link_key, token)
                    .is_some_and(|click| self.tenant.links.is_booking(click.link) == booking)
            });
        Ok(token.map(str::to_owned))
    }

    /// Closes the store; the directory goes with `self`.
    pub async fn close(self) -> anyhow::Result<()> {
        self.scheduler.detach();
        self.store.close().await.context("cannot close the preview's store")
    }
}

/// A preview tells no team chat, and logs nothing either: hand-offs and escalations are on
/// the lead's timeline, which the preview prints.
struct Unannounced;

#[async_trait]
impl Notifier for Unannounced {
    async fn hand_off(&self, _handoff: &Handoff) -> Result<(), String> {
        Ok(())
    }

    async fn escalate(&self, _escalation: &Escalation) -> Result<(), String> {
        Ok(())
    }

    async fn uncertain_touch(&self, _alert: &UncertainTouch) -> Result<(), String> {
        Ok(())
    }
}
