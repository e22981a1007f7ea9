//! The figures the dashboard shows for a tenant and a range, from the summary report, each
//! judged against the tenant's `[targets]`. The overview and the portfolio show the same
//! measures, so both read them here.

use super::format;
use crate::app::SummaryRow;
use crate::config::Targets;
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// How a figure stands against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    Met,
    Missed,
    /// No target for this figure (lead counts).
    Untargeted,
    /// Nothing to judge yet (no leads, no first touch).
    NoData,
}

impl Verdict {
    /// The CSS class that colours it.
    pub(super) fn class(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Missed => "missed",
            Verdict::Untargeted | Verdict::NoData => "plain",
        }
    }

    /// The text that says it, so colour is never the only sign.
    pub(super) fn marker(self) -> &'static str {
        match self {
            Verdict::Met => "✓ met",
            Verdict::Missed => "✗ missed",
            Verdict::Untargeted | Verdict::NoData => "",
        }
    }
}

/// What a measure counts, which says how it is shown and compared.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Value {
    Count(u64),
    Millis(Option<u64>),
    Rate(Option<f64>),
}

/// One measure of one range.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Measure {
    /// Stable id, for markup (`data-kpi`) and tests.
    pub id: &'static str,
    pub label: &'static str,
    value: Value,
    pub verdict: Verdict,
    /// The target in words (`under 5m 00s`), if there is one.
    pub target: Option<String>,
}

impl Measure {
    /// The figure as shown.
    pub(super) fn shown(&self) -> String {
        match self.value {
            Value::Count(n) => n.to_string(),
            Value::Millis(ms) => format::duration_ms(ms),
            Value::Rate(rate) => format::percent(rate),
        }
    }

    /// The figure as a number for a chart's bar (0 without data).
    pub(super) fn magnitude(&self) -> f64 {
        match self.value {
            Value::Count(n) => n as f64,
            Value::Millis(ms) => ms.unwrap_or(0) as f64,
            Value::Rate(rate) => rate.unwrap_or(0.0),
        }
    }

    /// The change from `before` (the same measure of an earlier range), signed.
    pub(super) fn change_from(&self, before: &Measure) -> String {
        match (self.value, before.value) {
            (Value::Count(now), Value::Count(then)) => format::count_change(now, then),
            (Value::Millis(now), Value::Millis(then)) => format::duration_change(now, then),
            (Value::Rate(now), Value::Rate(then)) => format::rate_change(now, then),
            _ => format::NO_DATA.to_owned(),
        }
    }
}

/// `part / whole`, none when there is no whole.
fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn under(ms: Option<u64>, target: Duration) -> Verdict {
    match ms {
        None => Verdict::NoData,
        Some(ms) if (ms as i64) < target.num_milliseconds() => Verdict::Met,
        Some(_) => Verdict::Missed,
    }
}

fn at_least(rate: Option<f64>, target: f64) -> Verdict {
    match rate {
        None => Verdict::NoData,
        Some(rate) if rate >= target => Verdict::Met,
        Some(_) => Verdict::Missed,
    }
}

fn speed(id: &'static str, label: &'static str, ms: Option<u64>, target: Duration) -> Measure {
    let limit = format::duration_ms(Some(target.num_milliseconds() as u64));
    Measure { id, label, value: Value::Millis(ms), verdict: under(ms, target), target: Some(format!("under {limit}")) }
}

fn share(id: &'static str, label: &'static str, value: Option<f64>, target: f64) -> Measure {
    let floor = format::percent(Some(target));
    Measure {
        id,
        label,
        value: Value::Rate(value),
        verdict: at_least(value, target),
        target: Some(format!("at least {floor}")),
    }
}

fn count(id: &'static str, label: &'static str, n: u64) -> Measure {
    Measure { id, label, value: Value::Count(n), verdict: Verdict::Untargeted, target: None }
}

/// The last 7 UTC days, today included: the range the overview and the portfolio show.
pub(super) fn last_week(now: DateTime<Utc>) -> (NaiveDate, NaiveDate) {
    let today = now.date_naive();
    (today - Duration::days(6), today)
}

/// Bookings: the `booked` outcomes.
pub(super) fn bookings(row: &SummaryRow) -> u64 {
    row.outcomes.get("booked").copied().unwrap_or(0)
}

/// Every measure of one range, in the order pages show them.
pub(super) fn measures(row: &SummaryRow, targets: &Targets) -> Vec<Measure> {
    let booked = bookings(row);
    vec![
        count("leads", "Leads", row.leads),
        speed("speed_p50", "Speed to lead (median)", row.speed_to_lead_ms.p50, targets.speed_to_lead_p50),
        speed("speed_p90", "Speed to lead (p90)", row.speed_to_lead_ms.p90, targets.speed_to_lead_p90),
        share("contact_rate", "Contact rate", rate(row.first_touches, row.leads), targets.contact_rate),
        share("reply_rate", "Replies per lead", rate(row.replies, row.leads), targets.reply_rate),
        count("bookings", "Bookings", booked),
        share("booking_rate", "Booking rate", rate(booked, row.leads), targets.booking_rate),
        share("sla_met", "Hand-off SLA met", rate(row.sla_met, row.sla_met + row.sla_missed), targets.sla_met_rate),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> SummaryRow {
        let mut row = SummaryRow {
            leads: 10,
            first_touches: 8,
            replies: 3,
            outcomes: [("booked".to_owned(), 2)].into(),
            sla_met: 1,
            sla_missed: 1,
            ..SummaryRow::default()
        };
        row.speed_to_lead_ms.p50 = Some(240_000);
        row.speed_to_lead_ms.p90 = Some(1_200_000);
        row
    }

    fn find<'a>(measures: &'a [Measure], id: &str) -> &'a Measure {
        measures.iter().find(|m| m.id == id).unwrap()
    }

    #[test]
    fn each_measure_is_judged_against_its_target() {
        let measures = measures(&row(), &Targets::default());
        let verdicts: Vec<_> = measures.iter().map(|m| (m.id, m.shown(), m.verdict)).collect();
        assert_eq!(
            verdicts,
            [
                ("leads", "10".to_owned(), Verdict::Untargeted),
                ("speed_p50", "4m 00s".to_owned(), Verdict::Met),
                ("speed_p90", "20m 00s".to_owned(), Verdict::Missed),
                ("contact_rate", "80%".to_owned(), Verdict::Missed),
                ("reply_rate", "30%".to_owned(), Verdict::Met),
                ("bookings", "2".to_owned(), Verdict::Untargeted),
                ("booking_rate", "20%".to_owned(), Verdict::Met),
                ("sla_met", "50%".to_owned(), Verdict::Missed),
            ]
        );
        assert_eq!(find(&measures, "speed_p50").target.as_deref(), Some("under 5m 00s"));
    }

    #[test]
    fn a_range_without_leads_has_no_data_rather_than_zero_percent() {
        let measures = measures(&SummaryRow::default(), &Targets::default());
        let contact = find(&measures, "contact_rate");
        assert_eq!((contact.shown().as_str(), contact.verdict), (format::NO_DATA, Verdict::NoData));
    }

    #[test]
    fn a_change_is_signed_in_the_measure_s_unit() {
        let now = measures(&row(), &Targets::default());
        let before = measures(&SummaryRow { leads: 4, ..row() }, &Targets::default());
        assert_eq!(find(&now, "leads").change_from(find(&before, "leads")), "+6");
        assert_eq!(find(&now, "contact_rate").change_from(find(&before, "contact_rate")), "−120 pts");
    }
}
