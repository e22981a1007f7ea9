//! `GET /v1/reports/people`: per rep, the leads given to them, the hand-off SLA met and
//! missed, and how soon they first contact a lead.

use super::histogram::Histogram;
use super::table::{cell, Table};
use super::{rate, ReportError, ReportRange};
use crate::app::counters::{rep_key, Counter};
use crate::app::App;
use crate::config::TenantConfig;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// The people report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeopleReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reps: Vec<RepRow>,
}

/// One rep.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RepRow {
    pub rep: String,
    /// Leads that became theirs.
    pub assigned: u64,
    pub sla_met: u64,
    pub sla_missed: u64,
    pub sla_met_rate: Option<f64>,
    /// Leads they marked contacted.
    pub first_contacts: u64,
    /// From a lead's arrival to their first contact with it: the median, and the 90th
    /// percentile.
    pub first_contact_p50_ms: Option<u64>,
    pub first_contact_p90_ms: Option<u64>,
}

impl App {
    /// The people report of `tenant` over `range`: every rep in the tenant file, and anyone
    /// the counters name who has since left it.
    pub async fn people_report(&self, tenant: &TenantConfig, range: ReportRange) -> Result<PeopleReport, ReportError> {
        let mut rows: BTreeMap<String, (RepRow, Histogram)> = BTreeMap::new();
        for rep in &tenant.team.reps {
            rows.entry(rep_key(&rep.name)).or_default();
        }
        for (_, counter, n) in self.read_counters(tenant, &range).await? {
            match counter {
                Counter::RepAssigned { rep } => rows.entry(rep).or_default().0.assigned += n,
                Counter::RepSlaMet { rep } => rows.entry(rep).or_default().0.sla_met += n,
                Counter::RepSlaMissed { rep } => rows.entry(rep).or_default().0.sla_missed += n,
                Counter::RepFirstContact { rep, bucket } => rows.entry(rep).or_default().1.add(bucket, n),
                _ => {}
            }
        }
        let reps = rows
            .into_iter()
            .map(|(rep, (mut row, contacts))| {
                row.rep = rep;
                row.sla_met_rate = rate(row.sla_met, row.sla_met + row.sla_missed);
                row.first_contacts = contacts.count();
                row.first_contact_p50_ms = contacts.quantile(0.5);
                row.first_contact_p90_ms = contacts.quantile(0.9);
                row
            })
            .collect();
        Ok(PeopleReport { from: range.from, to: range.to, reps })
    }
}

impl Table for PeopleReport {
    fn header(&self) -> Vec<&'static str> {
        vec![
            "rep",
            "assigned",
            "sla_met",
            "sla_missed",
            "sla_met_rate",
            "first_contacts",
            "first_contact_p50_ms",
            "first_contact_p90_ms",
        ]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.reps
            .iter()
            .map(|r| {
                vec![
                    r.rep.clone(),
                    r.assigned.to_string(),
                    r.sla_met.to_string(),
                    r.sla_missed.to_string(),
                    cell(r.sla_met_rate),
                    r.first_contacts.to_string(),
                    cell(r.first_contact_p50_ms),
                    cell(r.first_contact_p90_ms),
                ]
            })
            .collect()
    }
}
