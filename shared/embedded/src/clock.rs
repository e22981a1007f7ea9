//! A clock that moves only when told (`leadflow dev --clock manual`, tests).

use chrono::{DateTime, Utc};
use leadflow_core::ports::Clock;
use std::sync::Mutex;

/// A clock that stands still until `set` or `advance` moves it.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    /// A clock reading `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        Self(Mutex::new(start))
    }

    /// Moves the clock to `at` (never backwards).
    pub fn set(&self, at: DateTime<Utc>) {
        let mut now = self.0.lock().expect("clock lock");
        if at > *now {
            *now = at;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }
}
