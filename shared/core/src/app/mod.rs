//! Use cases, written once against the ports: `leadflow dev`, the Lambda functions and the
//! tests all run this code, with different adapters behind it.

mod booking;
mod call;
mod calls_in;
mod change;
mod contact_locks;
mod conversation;
mod counters;
mod delivery;
mod dnc;
mod dormancy;
mod email_feedback;
mod enrolment;
mod experiment_arms;
mod form;
mod form_post;
mod handoff;
mod hot;
mod import;
mod inbound;
mod intake;
mod lead_fields;
mod lead_view;
mod links;
mod meta_leads;
mod milestones;
mod outcome;
mod payloads;
mod pipeline;
mod reports;
mod reps;
mod routing;
mod signals;
mod stage_move;
mod step;
mod uncertain;
mod undeliverable;
mod unsubscribe;
mod wake;

pub use booking::{BookingChange, BookingError, BookingNotice};
pub use call::CallAnswer;
pub use calls_in::{CallInError, InboundCall, MissedCall};
pub use contact_locks::ContactLocks;
pub use counters::{bucket_value, latency_bucket, percentile, Counter};
pub use dnc::DncAdded;
pub use form::{ConsentForm, FieldError, LeadForm, ParsedLead};
pub use form_post::FormSubmission;
pub use handoff::SlaOutcome;
pub use import::{ImportBatch, ImportConsent, ImportError, ImportReport, ImportRow, RejectedRow, MAX_IMPORT_ROWS};
pub use inbound::{InboundError, InboundSms, SmsAnswer};
pub use intake::{Accepted, IntakeError, IntakeRequest, Placement};
pub use lead_fields::{field_name, scalar_text, LeadField, LeadFormBuilder};
pub use lead_view::{LeadDetails, LeadViewError, StageNow};
pub use links::{ClickError, LinkTracking};
pub use meta_leads::{meta_backoff, MetaLeadNamed, MetaLeadOutcome, META_RETRY_FOR};
pub use milestones::REACTIVATION_TIER_FIELD;
pub use outcome::OutcomeError;
pub use payloads::PAYLOAD_DAYS;
pub use reports::*;
pub use reps::{RepError, RepStatus};
pub use stage_move::StageMoveError;
pub use step::{StepError, StepOutcome};
pub use uncertain::Settlement;
pub use unsubscribe::{UnsubscribeError, Unsubscribed};
pub use wake::WakeOutcome;

use crate::config::TenantDirectory;
use crate::ports::{Clock, LeadAds, LeadStore, Notifier, Sender, TouchScheduler};
use std::sync::Arc;

/// The ports and tenants every use case runs against.
#[derive(Clone)]
pub struct App {
    pub store: Arc<dyn LeadStore>,
    pub scheduler: Arc<dyn TouchScheduler>,
    pub sender: Arc<dyn Sender>,
    pub notifier: Arc<dyn Notifier>,
    pub clock: Arc<dyn Clock>,
    /// Reads lead ads from Meta's Graph API (`NoLeadAds` where none are read).
    pub lead_ads: Arc<dyn LeadAds>,
    pub tenants: Arc<TenantDirectory>,
    /// Signs the tracked links of rendered touches, and opens them when followed.
    pub links: Arc<LinkTracking>,
    /// Posts of one contact merge one at a time within this process (see `ContactLocks`).
    pub contacts: Arc<ContactLocks>,
}
