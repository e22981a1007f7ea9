//! The tenant's contact rules: quiet hours and frequency caps.

use chrono::{Duration, NaiveTime};
use serde::{Deserialize, Serialize};

/// Why quiet hours were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the allowed window must start before it ends on the same day (got {start} to {end})")]
pub struct QuietHoursError {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// The daily window, in the lead's local time, inside which touches may go out: `[start, end)`.
/// Everything outside it is quiet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    start: NaiveTime,
    end: NaiveTime,
}

impl QuietHours {
    /// An allowed window from `start` up to (not including) `end`.
    pub fn allowed_between(start: NaiveTime, end: NaiveTime) -> Result<Self, QuietHoursError> {
        if start < end {
            Ok(Self { start, end })
        } else {
            Err(QuietHoursError { start, end })
        }
    }

    /// The first allowed local time of a day.
    pub fn start(&self) -> NaiveTime {
        self.start
    }

    /// The first quiet local time after the window.
    pub fn end(&self) -> NaiveTime {
        self.end
    }

    /// Whether a local time of day is inside the allowed window.
    pub fn allows(&self, local: NaiveTime) -> bool {
        self.start <= local && local < self.end
    }
}

impl Default for QuietHours {
    /// 08:00 to 21:00, the TCPA's calling window.
    fn default() -> Self {
        Self {
            start: NaiveTime::from_hms_opt(8, 0, 0).expect("valid"),
            end: NaiveTime::from_hms_opt(21, 0, 0).expect("valid"),
        }
    }
}

/// At most `max` touches, across channels, in any window of length `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrequencyCap {
    #[serde(with = "crate::domain::policy::seconds")]
    pub per: Duration,
    pub max: u32,
}

/// Everything the engine checks before a touch goes out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ContactPolicy {
    pub quiet_hours: QuietHours,
    pub caps: Vec<FrequencyCap>,
}

pub(crate) mod seconds {
    use chrono::Duration;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        d.num_seconds().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        i64::deserialize(d).map(Duration::seconds)
    }
}
