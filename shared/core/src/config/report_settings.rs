//! What the reports measure against: `[office] hours` (speed to lead inside and outside
//! them) and `[[sources]]` (what each lead source costs, for cost per lead, reply, booking
//! and win).

use super::checker::Checker;
use super::file::RawTenantFile;
use super::team::working_hours;
use crate::domain::{source_slug, LeadZone, WorkingHours};
use chrono::NaiveTime;

/// What a source costs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SourceCost {
    /// Paid per lead (`cost_per_lead`).
    PerLead(f64),
    /// A budget per calendar month (`monthly_spend`), spread evenly over its days.
    Monthly(f64),
}

/// The office hours and source costs a tenant's reports use.
#[derive(Debug, Clone)]
pub struct ReportSettings {
    /// When a person could answer; default Monday to Friday, 09:00 to 17:00, in the tenant's
    /// zone.
    pub office_hours: WorkingHours,
    /// Each source's cost, by source slug.
    pub source_costs: Vec<(String, SourceCost)>,
}

impl ReportSettings {
    /// What `source` cost over a span of days, each given as (days in its month): a monthly
    /// budget counts the share of each day; a per-lead price counts `leads`. `None` when the
    /// file names no cost for the source.
    pub fn spend(&self, source: &str, leads: u64, month_lengths: &[u32]) -> Option<f64> {
        let (_, cost) = self.source_costs.iter().find(|(name, _)| name == source)?;
        Some(match cost {
            SourceCost::PerLead(price) => price * leads as f64,
            SourceCost::Monthly(budget) => month_lengths.iter().map(|days| budget / f64::from(*days)).sum(),
        })
    }
}

/// The default office: weekdays, nine to five.
fn default_office(zone: LeadZone) -> WorkingHours {
    let at = |h| NaiveTime::from_hms_opt(h, 0, 0).expect("a valid hour");
    WorkingHours::new("mon-fri", at(9), at(17), zone).expect("the default office hours are valid")
}

/// Reads `[office]` and `[[sources]]`.
pub(super) fn report_settings(c: &mut Checker, raw: &RawTenantFile, zone: Option<LeadZone>) -> Option<ReportSettings> {
    let office_hours = match raw.office.as_ref() {
        Some(office) => working_hours(c, "office", &office.hours, zone),
        None => zone.map(default_office),
    };
    let mut source_costs: Vec<(String, SourceCost)> = Vec::new();
    for (i, source) in raw.sources.iter().enumerate() {
        let field = format!("sources[{i}]");
        let Some(name) = c.check(&format!("{field}.name"), &source.name, |s| source_slug(s)) else { continue };
        if source_costs.iter().any(|(n, _)| *n == name) {
            c.fail(format!("{field}.name"), Some(&source.name), format!("source {name:?} is listed twice"));
            continue;
        }
        let amount = |c: &mut Checker, key: &str, value: &toml::Spanned<f64>| {
            c.check(&format!("{field}.{key}"), value, |v| {
                (v.is_finite() && *v >= 0.0).then_some(*v).ok_or("must be a number of at least 0")
            })
        };
        let cost = match (&source.cost_per_lead, &source.monthly_spend) {
            (Some(price), None) => amount(c, "cost_per_lead", price).map(SourceCost::PerLead),
            (None, Some(budget)) => amount(c, "monthly_spend", budget).map(SourceCost::Monthly),
            (Some(_), Some(budget)) => {
                c.fail(format!("{field}.monthly_spend"), Some(budget), "give cost_per_lead or monthly_spend, not both");
                None
            }
            (None, None) => {
                c.fail(format!("{field}.name"), Some(&source.name), "needs cost_per_lead or monthly_spend");
                None
            }
        };
        if let Some(cost) = cost {
            source_costs.push((name, cost));
        }
    }
    Some(ReportSettings { office_hours: office_hours?, source_costs })
}

#[cfg(test)]
mod tests {
    use crate::config::TenantConfig;
    use crate::config::DEMO_TENANT;

    /// The demo tenant without its own `[office]` and `[[sources]]`, and with `extra`.
    fn with(extra: &str) -> Result<TenantConfig, crate::config::ConfigErrors> {
        let (before, rest) = DEMO_TENANT.split_once("[office]").unwrap();
        let after = &rest[rest.find("# Database reactivation").unwrap()..];
        TenantConfig::parse(&format!("{before}{after}\n{extra}"), "test.toml")
    }

    #[test]
    fn costs_are_per_lead_or_per_month() {
        let tenant = with("[[sources]]\nname = \"Facebook\"\ncost_per_lead = 12.5\n[[sources]]\nname = \"google-ads\"\nmonthly_spend = 3100\n")
            .unwrap();
        let settings = &tenant.reports;
        assert_eq!(settings.spend("facebook", 4, &[31, 31]), Some(50.0));
        assert_eq!(settings.spend("google-ads", 4, &[31, 31]), Some(200.0), "two days of a 31-day month");
        assert_eq!(settings.spend("web", 4, &[31]), None);
    }

    #[test]
    fn bad_costs_name_their_field() {
        for (extra, field) in [
            ("[[sources]]\nname = \"web\"\n", "sources[0].name"),
            ("[[sources]]\nname = \"web\"\ncost_per_lead = -1.0\n", "sources[0].cost_per_lead"),
            ("[[sources]]\nname = \"web\"\ncost_per_lead = 1.0\nmonthly_spend = 2.0\n", "sources[0].monthly_spend"),
            (
                "[[sources]]\nname = \"web\"\ncost_per_lead = 1.0\n[[sources]]\nname = \"Web\"\ncost_per_lead = 1.0\n",
                "sources[1].name",
            ),
            ("[office]\nhours = { from = \"9\", until = \"17:00\" }\n", "office.hours.from"),
        ] {
            let errors = with(extra).unwrap_err();
            assert!(errors.errors.iter().any(|e| e.field == field), "{extra}: {errors}");
        }
    }

    #[test]
    fn the_office_defaults_to_weekdays_nine_to_five() {
        let tenant = with("").unwrap();
        assert_eq!(tenant.reports.office_hours.to_string(), "Mon,Tue,Wed,Thu,Fri 09:00-17:00 America/New_York");
        let demo = TenantConfig::parse(DEMO_TENANT, "demo.toml").unwrap();
        assert_eq!(demo.reports.office_hours.to_string(), "Mon,Tue,Wed,Thu,Fri 08:00-18:00 America/New_York");
        assert_eq!(demo.reports.source_costs.len(), 2);
    }
}
