//! AWS's webhooks, each an Amazon SNS subscription: two-way SMS from AWS End User Messaging,
//! and SES's bounces and complaints. `sns` verifies every message (and confirms the
//! subscriptions); `notification` hands each handler the verified message it publishes.

mod notification;
pub(crate) mod ses;
pub(crate) mod sms;
pub mod sns;
