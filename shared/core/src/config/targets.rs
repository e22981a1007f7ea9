//! `[targets]`: what the dashboard colours a tenant's figures against. Every key has a
//! default, so a tenant file without the section still gets a dashboard that says met or
//! missed.

use super::checker::Checker;
use super::file::RawTenantFile;
use crate::domain::StepTime;
use chrono::Duration;
use toml::Spanned;

/// The figures a tenant aims for. Speeds are upper bounds; rates are lower bounds, as
/// fractions from 0 to 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Targets {
    /// Median speed to lead must be under this (default 5 minutes).
    pub speed_to_lead_p50: Duration,
    /// 90th percentile speed to lead must be under this (default 15 minutes).
    pub speed_to_lead_p90: Duration,
    /// Leads that got a first touch, of all leads (default 0.9).
    pub contact_rate: f64,
    /// Replies per lead (default 0.2).
    pub reply_rate: f64,
    /// Leads booked, of all leads (default 0.1).
    pub booking_rate: f64,
    /// Hand-offs a human picked up within the SLA, of those decided (default 0.9).
    pub sla_met_rate: f64,
}

impl Default for Targets {
    fn default() -> Self {
        Self {
            speed_to_lead_p50: Duration::minutes(5),
            speed_to_lead_p90: Duration::minutes(15),
            contact_rate: 0.9,
            reply_rate: 0.2,
            booking_rate: 0.1,
            sla_met_rate: 0.9,
        }
    }
}

/// Reads `[targets]`, each key over its default.
pub(super) fn targets(c: &mut Checker, raw: &RawTenantFile) -> Targets {
    let mut targets = Targets::default();
    let Some(section) = &raw.targets else {
        return targets;
    };
    let mut speed = |field: &str, raw: &Option<Spanned<String>>, into: &mut Duration| {
        if let Some(raw) = raw {
            let parsed = c.check(field, raw, |s| match StepTime::parse(s) {
                Ok(StepTime::After(d)) if d > Duration::zero() && d <= Duration::days(7) => Ok(d),
                _ => Err("must be a duration up to `7d`, like `30s`, `5m` or `1h`"),
            });
            *into = parsed.unwrap_or(*into);
        }
    };
    speed("targets.speed_to_lead_p50", &section.speed_to_lead_p50, &mut targets.speed_to_lead_p50);
    speed("targets.speed_to_lead_p90", &section.speed_to_lead_p90, &mut targets.speed_to_lead_p90);
    let mut rate = |field: &str, raw: &Option<Spanned<f64>>, into: &mut f64| {
        if let Some(raw) = raw {
            let parsed = c.check(field, raw, |r| {
                (0.0..=1.0).contains(r).then_some(*r).ok_or("must be a fraction from 0 to 1, like 0.9 for 90%")
            });
            *into = parsed.unwrap_or(*into);
        }
    };
    rate("targets.contact_rate", &section.contact_rate, &mut targets.contact_rate);
    rate("targets.reply_rate", &section.reply_rate, &mut targets.reply_rate);
    rate("targets.booking_rate", &section.booking_rate, &mut targets.booking_rate);
    rate("targets.sla_met_rate", &section.sla_met_rate, &mut targets.sla_met_rate);
    targets
}

#[cfg(test)]
mod tests {
    use crate::config::{TenantConfig, DEMO_TENANT};
    use chrono::Duration;

    fn demo_with_targets(section: &str) -> String {
        // The demo has its own [targets]; a test's replaces it.
        let start = DEMO_TENANT.find("[targets]").expect("the demo sets targets");
        let end = DEMO_TENANT[start..].find("\n\n").map_or(DEMO_TENANT.len(), |at| start + at);
        format!("{}{section}{}", &DEMO_TENANT[..start], &DEMO_TENANT[end..])
    }

    #[test]
    fn targets_read_speeds_as_durations_and_rates_as_fractions() {
        let source = demo_with_targets("[targets]\nspeed_to_lead_p50 = \"2m\"\ncontact_rate = 0.75");
        let tenant = TenantConfig::parse(&source, "t").unwrap();
        assert_eq!(tenant.targets.speed_to_lead_p50, Duration::minutes(2));
        assert_eq!(tenant.targets.contact_rate, 0.75);
        assert_eq!(tenant.targets.speed_to_lead_p90, Duration::minutes(15), "the default");
    }

    #[test]
    fn a_rate_over_one_or_a_speed_that_is_not_a_duration_is_refused_with_its_line() {
        let source = demo_with_targets("[targets]\nspeed_to_lead_p90 = \"soon\"\nsla_met_rate = 90.0");
        let errors = TenantConfig::parse(&source, "t").unwrap_err().errors;
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["targets.speed_to_lead_p90", "targets.sla_met_rate"]);
        assert!(errors.iter().all(|e| e.line.is_some()));
    }

    #[test]
    fn a_file_without_targets_gets_the_defaults() {
        let source = demo_with_targets("");
        let tenant = TenantConfig::parse(&source, "t").unwrap();
        assert_eq!(tenant.targets, super::Targets::default());
    }
}
