//! What the use cases need from the world. Each port has an embedded adapter (for
//! `leadflow dev` and the tests) and an AWS one; the use cases see only these traits.

mod clock;
#[cfg(feature = "conformance")]
pub mod conformance;
mod lead_ads;
mod lists;
mod notifier;
mod scheduler;
mod sender;
mod store;
mod web;

pub use crate::domain::Undeliverable;
pub use clock::{Clock, SystemClock};
pub use lead_ads::{LeadAds, LeadAdsError, NoLeadAds};
pub use lists::{display_name, list_changes, ListChange, Listed, STALE_LIST, WAITING_LIST};
pub use notifier::{Escalation, Handoff, HotLead, LogNotifier, Notifier, StaleLead, UncertainTouch};
pub use scheduler::{
    DormancyCheck, DueTouch, HotAlert, MetaLeadFetch, ScheduleError, SlaCheck, StageCheck, TouchCheck, TouchScheduler,
    Wakeup,
};
pub use sender::{Lookup, OutboundMessage, SendError, Sender, LONGEST_SEND};
pub use store::{
    waiting_changes, Claim, EnrolmentWrite, IdempotencyRecord, LeadStore, LeadWrite, RawPayload, RepState, StoreError,
};
pub use web::WebGet;
