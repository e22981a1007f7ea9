//! The tenant-facing API, called with a tenant's API key: leads in, their outcome events,
//! reps' availability, the do-not-contact list, lead sources' raw requests, reports.

mod auth;
pub(crate) mod dnc;
pub(crate) mod events;
pub(crate) mod imports;
pub(crate) mod leads;
pub(crate) mod payloads;
pub(crate) mod reports;
pub(crate) mod reps;
pub(crate) mod stages;
