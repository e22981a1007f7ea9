//! Use cases, written once against the ports: `leadflow dev`, the Lambda functions and the
//! tests all run this code, with different adapters behind it.

mod change;
mod counters;
mod form;
mod inbound;
mod intake;
mod lead_view;
mod links;
mod outcome;
mod report;
mod step;
mod undeliverable;
mod unsubscribe;

pub use counters::{bucket_value, latency_bucket, percentile, Counter};
pub use form::{ConsentForm, FieldError, LeadForm, ParsedLead};
pub use inbound::{InboundError, InboundSms, SmsAnswer};
pub use intake::{IntakeError, IntakeRequest};
pub use lead_view::{LeadDetails, LeadViewError};
pub use links::PublicLinks;
pub use outcome::OutcomeError;
pub use report::{ReportError, Summary, SummaryRow};
pub use step::{StepError, StepOutcome};
pub use unsubscribe::{UnsubscribeError, Unsubscribed};

use crate::config::TenantDirectory;
use crate::ports::{Channel, Clock, LeadStore, Notifier, TouchScheduler};
use std::sync::Arc;

/// The ports and tenants every use case runs against.
#[derive(Clone)]
pub struct App {
    pub store: Arc<dyn LeadStore>,
    pub scheduler: Arc<dyn TouchScheduler>,
    pub channel: Arc<dyn Channel>,
    pub notifier: Arc<dyn Notifier>,
    pub clock: Arc<dyn Clock>,
    pub tenants: Arc<TenantDirectory>,
    /// Signs the links messages carry (one-click unsubscribe) and reads them back; none in
    /// functions that neither send nor serve them.
    pub links: Option<PublicLinks>,
}
