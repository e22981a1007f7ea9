//! `[scoring] half_life, hot, cold_below, dormant_after, unengaged_after`, `[scoring.points]` per signal and
//! `[[scoring.fit]] if, points` per form field rule: how a lead's score and tier are read.

use super::checker::Checker;
use super::file::RawTenantFile;
use crate::domain::{Condition, Scoring, Signal, StepTime, DEFAULT_UNENGAGED_AFTER};
use chrono::Duration;
use std::collections::BTreeMap;

/// A span such as `30d`, more than nothing.
fn positive_span(s: &String) -> Result<Duration, String> {
    match StepTime::parse(s) {
        Ok(StepTime::After(d)) if d > Duration::zero() => Ok(d),
        _ => Err(format!("{s:?} is not a span like 30d, 12h or 90m")),
    }
}

/// Reads `[scoring]`, if the tenant scores its leads.
pub(super) fn scoring(c: &mut Checker, raw: &RawTenantFile) -> Option<Scoring> {
    let raw = raw.scoring.as_ref()?;
    let half_life = c.check("scoring.half_life", &raw.half_life, positive_span);
    let (hot, cold_below) = (*raw.hot.get_ref(), *raw.cold_below.get_ref());
    if cold_below > hot {
        c.fail("scoring.cold_below", Some(&raw.cold_below), format!("must not be above hot ({hot})"));
    }
    let mut dormant_after: Vec<Duration> = raw
        .dormant_after
        .iter()
        .enumerate()
        .filter_map(|(i, span)| c.check(&format!("scoring.dormant_after[{i}]"), span, positive_span))
        .collect();
    dormant_after.sort();
    dormant_after.dedup();
    let mut signal_points = BTreeMap::new();
    for (name, points) in &raw.points {
        match Signal::parse(name) {
            Some(signal) => {
                signal_points.insert(signal, *points.get_ref());
            }
            None => c.fail(format!("scoring.points.{name}"), Some(points), format!("{name:?} is not a signal")),
        }
    }
    let fit = raw
        .fit
        .iter()
        .enumerate()
        .filter_map(|(i, rule)| {
            let field = format!("scoring.fit[{i}].if");
            let condition = c.check(&field, &rule.if_, |s| match Condition::parse(s) {
                Ok(condition @ (Condition::Field { .. } | Condition::FieldIn { .. })) => Ok(condition),
                Ok(_) => Err(format!("{s:?}: fit points come from form fields (fields.NAME …)")),
                Err(e) => Err(e.to_string()),
            })?;
            Some((condition, rule.if_.get_ref().trim().to_owned(), rule.points))
        })
        .collect();
    let unengaged_after = raw.unengaged_after.as_ref().map_or(Some(DEFAULT_UNENGAGED_AFTER), |n| {
        c.check("scoring.unengaged_after", n, |n| {
            u32::try_from(*n).ok().filter(|n| (1..=50).contains(n)).ok_or("must be a number of touches from 1 to 50")
        })
    });
    Some(Scoring {
        half_life: half_life?,
        hot,
        cold_below,
        signal_points,
        fit,
        dormant_after,
        unengaged_after: unengaged_after?,
    })
}

/// The silence thresholds the file names, whatever else in `[scoring]` is wrong (so that one
/// mistake there is not reported again at every dormancy trigger).
pub(super) fn dormant_thresholds(raw: &RawTenantFile) -> Vec<Duration> {
    let spans = raw.scoring.iter().flat_map(|s| s.dormant_after.iter());
    spans.filter_map(|span| positive_span(span.get_ref()).ok()).collect()
}
