//! `leadflow simulate`: what one lead would get over the coming days, and how what it does
//! changes that. The real use cases (intake, the steps as the scheduler fires them, inbound
//! texts, clicks, outcomes, signals) run on `leadflow dev`'s embedded adapters in a temporary
//! directory, under a manual clock moved from `--start` to the end, stopping at each event.

mod events;
mod inject;
mod lead_file;
mod preview;
pub mod print;

pub use events::{parse_event, LeadEvent};
pub use preview::{Preview, PreviewEntry};

use crate::dev::load_tenants;
use crate::sandbox::Sandbox;
use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use leadflow_core::app::{IntakeError, IntakeRequest};
use std::path::PathBuf;

/// The longest preview: `--days` is 1 to this.
pub const MAX_DAYS: u32 = 60;

/// What to preview.
#[derive(Debug, Clone)]
pub struct SimulateOptions {
    /// A tenant file; none means the embedded demo tenant.
    pub config: Option<PathBuf>,
    /// A JSON file with the body of `POST /v1/leads`.
    pub lead: PathBuf,
    /// When the lead arrives.
    pub start: DateTime<Utc>,
    /// How many days to follow it for (1 to [`MAX_DAYS`]).
    pub days: u32,
    /// What the lead does, and when; in any order.
    pub events: Vec<LeadEvent>,
}

/// Runs the preview: the lead is posted at `start`, the clock moves on to each event in turn
/// (every touch due on the way sent at its own instant), the event is applied, and so on to
/// the end.
pub async fn simulate(options: SimulateOptions) -> anyhow::Result<Preview> {
    anyhow::ensure!((1..=MAX_DAYS).contains(&options.days), "--days must be between 1 and {MAX_DAYS}");
    let end = options.start + Duration::days(i64::from(options.days));
    let mut events = options.events;
    // Stable: events at one offset happen in the order given.
    events.sort_by_key(|event| event.offset);
    if let Some(late) = events.iter().find(|event| options.start + event.offset > end) {
        anyhow::bail!("{late} is after the end of the preview (--days {})", options.days);
    }
    let tenant = load_tenants(options.config.as_slice())?.into_iter().next().context("no tenant")?;
    let form = lead_file::read(&options.lead)?;

    let sandbox = Sandbox::open(tenant, options.start)?;
    let request = IntakeRequest { form, idempotency_key: None, payload: None, placement: Default::default() };
    let accepted = sandbox.app.intake(&sandbox.tenant, request).await.map_err(|e| match e {
        IntakeError::Invalid(fields) => lead_file::invalid(&options.lead, &fields),
        IntakeError::Store(e) => anyhow::Error::new(e).context("the preview's store failed"),
    })?;
    let id = accepted.receipt.lead_id;
    let mut answers = Vec::new();
    for event in &events {
        sandbox.advance_to(options.start + event.offset).await?;
        answers.extend(inject::apply(&sandbox, &id, event).await?);
    }
    sandbox.advance_to(end).await?;

    let details = sandbox.app.lead_details(&sandbox.tenant, &id).await?;
    let sent = sandbox.outbox.list(Some(&id))?;
    let scoring = sandbox.tenant.scoring.clone();
    sandbox.close().await?;
    let mut preview = Preview::new(&details, &sent, &answers);
    if let Some(scoring) = &scoring {
        preview.add_scores(&details.lead, scoring, end);
    }
    Ok(preview)
}
