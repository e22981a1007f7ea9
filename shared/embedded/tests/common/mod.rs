//! What the embedded tests share: the use cases over the embedded store and scheduler, for the
//! demo tenant, with the channel, team chat and clock a test chooses.

use leadflow_core::app::{App, LinkTracking};
use leadflow_core::config::{TenantConfig, TenantDirectory};
use leadflow_core::domain::TokenKey;
use leadflow_core::ports::{Notifier, Sender};
use leadflow_embedded::{EmbeddedStore, LocalScheduler, ManualClock};
use std::sync::Arc;

/// The demo tenant's use cases over `store`, their scheduler attached; and the tenant.
pub fn demo_app(
    store: &EmbeddedStore,
    sender: Arc<dyn Sender>,
    notifier: Arc<dyn Notifier>,
    clock: Arc<ManualClock>,
) -> (App, Arc<LocalScheduler>, Arc<TenantConfig>) {
    let directory = TenantDirectory::new(vec![TenantConfig::demo()]).expect("the demo tenant");
    let tenant = directory.all().next().expect("one tenant").clone();
    let scheduler = LocalScheduler::new(store.clone());
    let app = App {
        store: Arc::new(store.clone()),
        scheduler: scheduler.clone(),
        sender,
        notifier,
        clock,
        lead_ads: Arc::new(leadflow_core::ports::NoLeadAds),
        tenants: Arc::new(directory),
        links: Arc::new(LinkTracking::new("http://127.0.0.1:1", TokenKey::new(b"test-link-key"))),
        contacts: Arc::default(),
    };
    scheduler.attach(app.clone());
    (app, scheduler, tenant)
}
