//! leadflow's AWS adapters. No AWS SDK type leaves this crate: the use cases see the ports.
//!
//! - `DynamoStore`: the `LeadStore` port over one DynamoDB table (single-table design).
//! - `QueueScheduler`: the `TouchScheduler` port over SQS (due within 15 minutes) and
//!   EventBridge Scheduler one-time schedules (later) targeting the same queue.
//! - `LogChannel`: touches as structured log lines, for tenants without a provider.
//! - `outbound`: SMS through AWS End User Messaging and email through SES v2.
//! - `secrets`: tenant secrets from SSM Parameter Store.
//! - `runtime` and `handlers`: what the four Lambda mains call.

#![warn(missing_docs)]

pub mod channel;
pub mod dynamodb;
pub mod handlers;
pub mod metrics;
pub mod outbound;
pub mod runtime;
pub mod scheduler;
pub mod secrets;
