//! The booking tools' webhooks: `POST /v1/webhooks/calendly?tenant=…` and
//! `POST /v1/webhooks/calcom?tenant=…`. The tenant is named in the URL the agency registers
//! with the tool (one subscription per tenant, each with its own secret), and the signature
//! checked with that tenant's secret before anything is read: a wrong tenant is a bad
//! signature (403). A notice for nobody leadflow knows is answered 200 and logged, so the
//! tool does not retry it forever.

mod calcom;
mod calendly;
pub(crate) mod signature;
pub(crate) mod webhook;
