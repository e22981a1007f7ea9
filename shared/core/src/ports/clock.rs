//! The only way the use cases learn the time.

use chrono::{DateTime, Utc};

/// A source of `now`.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}
