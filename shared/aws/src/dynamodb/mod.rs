//! The `LeadStore` port over one DynamoDB table.
//!
//! Single-table design: every key starts with `T#<tenant>#`, so no read can cross tenants.
//! Items are private types (de)serialised with serde_dynamo and parsed back into domain
//! types on the way out.

mod errors;
mod items;
pub mod keys;
mod pages;
mod schema;
mod sources;
mod store;
mod tenants;

pub use schema::create_table;
pub use store::DynamoStore;
pub use tenants::{load_tenants, push_tenant, PushError};
