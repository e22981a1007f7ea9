//! `GET /v1/reports/speed`: speed to lead, as the playbook measures it: the median and the
//! 90th and 95th percentiles, the share in bands, inside office hours and after, and the
//! first automatic touch against the first human contact.

use super::histogram::{Histogram, Speed};
use super::table::{cell, Table};
use super::{ReportError, ReportRange};
use crate::app::counters::Counter;
use crate::app::App;
use crate::config::TenantConfig;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// The speed-to-lead report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpeedReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// From arrival to the first touch handed to a channel.
    pub first_touch: Speed,
    /// The same, for leads that arrived inside the tenant's office hours (`[office]`).
    pub business_hours: Speed,
    /// The same, for leads that arrived outside them.
    pub after_hours: Speed,
    /// From arrival to a person marking the lead contacted.
    pub first_human_contact: Speed,
    pub by_source: BTreeMap<String, Speed>,
}

impl App {
    /// The speed-to-lead report of `tenant` over `range`.
    pub async fn speed_report(&self, tenant: &TenantConfig, range: ReportRange) -> Result<SpeedReport, ReportError> {
        let mut first_touch = Histogram::default();
        let mut business = Histogram::default();
        let mut after = Histogram::default();
        let mut human = Histogram::default();
        let mut by_source: BTreeMap<String, Histogram> = BTreeMap::new();
        for (_, counter, n) in self.read_counters(tenant, &range).await? {
            match counter {
                Counter::SpeedToLead { source, bucket } => {
                    first_touch.add(bucket, n);
                    by_source.entry(source).or_default().add(bucket, n);
                }
                Counter::SpeedByHours { business: true, bucket } => business.add(bucket, n),
                Counter::SpeedByHours { business: false, bucket } => after.add(bucket, n),
                Counter::FirstHumanContact { bucket, .. } => human.add(bucket, n),
                _ => {}
            }
        }
        Ok(SpeedReport {
            from: range.from,
            to: range.to,
            first_touch: first_touch.speed(),
            business_hours: business.speed(),
            after_hours: after.speed(),
            first_human_contact: human.speed(),
            by_source: by_source.into_iter().map(|(source, h)| (source, h.speed())).collect(),
        })
    }
}

impl Table for SpeedReport {
    fn header(&self) -> Vec<&'static str> {
        let mut header = vec!["measure", "count", "p50_ms", "p90_ms", "p95_ms"];
        header.extend(super::BANDS.iter().map(|(band, _)| *band));
        header
    }

    fn rows(&self) -> Vec<Vec<String>> {
        let named = [
            ("first_touch".to_owned(), &self.first_touch),
            ("business_hours".to_owned(), &self.business_hours),
            ("after_hours".to_owned(), &self.after_hours),
            ("first_human_contact".to_owned(), &self.first_human_contact),
        ];
        let sources = self.by_source.iter().map(|(source, speed)| (format!("source:{source}"), speed));
        named
            .into_iter()
            .chain(sources)
            .map(|(name, speed)| {
                let mut row =
                    vec![name, speed.count.to_string(), cell(speed.p50_ms), cell(speed.p90_ms), cell(speed.p95_ms)];
                row.extend(speed.bands.iter().map(|b| b.count.to_string()));
                row
            })
            .collect()
    }
}
