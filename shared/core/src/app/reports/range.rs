//! The days a report covers, and reading their counters.

use crate::app::counters::Counter;
use crate::app::form::FieldError;
use crate::app::App;
use crate::config::TenantConfig;
use crate::ports::StoreError;
use chrono::{Datelike, NaiveDate};

/// The longest range one report reads.
const MAX_DAYS: i64 = 366;

/// Why a report could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("invalid range")]
    Invalid(FieldError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// UTC days `from..=to`, at most a year of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl ReportRange {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, ReportError> {
        if to < from {
            return Err(ReportError::Invalid(FieldError::new("to", "is before from")));
        }
        if (to - from).num_days() >= MAX_DAYS {
            return Err(ReportError::Invalid(FieldError::new(
                "to",
                format!("a report covers at most {MAX_DAYS} days"),
            )));
        }
        Ok(Self { from, to })
    }

    /// For each day of the range, the number of days in its month (to spread a monthly
    /// budget over the days it paid for).
    pub fn month_lengths(&self) -> Vec<u32> {
        self.from
            .iter_days()
            .take_while(|d| *d <= self.to)
            .map(|d| {
                let first = d.with_day(1).expect("every month has a first day");
                let next = first.checked_add_months(chrono::Months::new(1)).expect("dates stay far from overflow");
                (next - first).num_days() as u32
            })
            .collect()
    }
}

impl App {
    /// The counters of `tenant` over `range`, read back; names from a newer version are skipped.
    pub(super) async fn read_counters(
        &self,
        tenant: &TenantConfig,
        range: &ReportRange,
    ) -> Result<Vec<(NaiveDate, Counter, u64)>, StoreError> {
        let counts = self.store.counts(&tenant.id, range.from, range.to).await?;
        Ok(counts.into_iter().filter_map(|(day, key, n)| Some((day, Counter::parse(&key)?, n))).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_runs_forward_for_at_most_a_year() {
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert!(ReportRange::new(day(3, 2), day(3, 1)).is_err());
        assert!(ReportRange::new(day(1, 1), day(12, 31)).is_ok());
        assert!(ReportRange::new(NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(), day(1, 1)).is_ok(), "366 days");
        assert!(ReportRange::new(NaiveDate::from_ymd_opt(2024, 12, 31).unwrap(), day(1, 1)).is_err());
        assert_eq!(ReportRange::new(day(2, 27), day(3, 1)).unwrap().month_lengths(), vec![28, 28, 31]);
    }
}
