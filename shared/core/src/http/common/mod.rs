//! What every caller's handlers share: the state they run with, the one error type and its
//! JSON body (with what each use case's error becomes), reading bodies and query strings,
//! escaping text into HTML.

pub mod body;
mod client;
mod error;
mod escape;
pub(crate) mod form_body;
mod query;
mod receipt;
mod state;
mod use_case_errors;

pub use client::ClientAddr;
pub(crate) use client::{client_ip, user_agent};
pub use error::ApiError;
pub(crate) use escape::xml_escape;
pub use query::Query;
pub(crate) use receipt::receipt_response;
pub use state::HttpState;
