//! leadflow's AWS adapters. No AWS SDK type leaves this crate: the use cases see the ports.
//!
//! - `DynamoStore`: the `LeadStore` port over one DynamoDB table (single-table design).
//! - `QueueScheduler`: the `TouchScheduler` port over SQS (due within 15 minutes) and
//!   EventBridge Scheduler one-time schedules (later) targeting the same queue.
//! - `tenants`: tenant files kept in the table, loaded once per cold start.

pub mod dynamodb;
pub mod scheduler;
