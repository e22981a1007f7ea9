//! What a lead's signals mean for the experiments it is in: a conversion on the experiment's
//! metric, or an opt-out, noted once per experiment and only after the exposure.

use super::{Experiment, Metric};
use crate::domain::{Lead, Signal};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Notes, at `now`, each conversion and opt-out the lead's signals show since its exposures
/// (a positive reply is noted by [`note_positive_reply`]: the signal does not carry the topic).
pub fn note_signals(experiments: &BTreeMap<String, Experiment>, lead: &mut Lead, now: DateTime<Utc>) {
    let signals = &lead.signals;
    for (name, exposure) in &mut lead.experiments {
        let since = |wanted: &dyn Fn(Signal) -> bool| signals.iter().any(|s| s.at >= exposure.at && wanted(s.signal));
        if exposure.opted_out_at.is_none() && since(&|s| s == Signal::OptedOut) {
            exposure.opted_out_at = Some(now);
        }
        let Some(metric) = experiments.get(name).map(|e| e.metric) else { continue };
        let converts = |signal: Signal| match metric {
            Metric::Booked => signal == Signal::Booked,
            Metric::Replied => signal == Signal::Replied,
            Metric::Clicked => matches!(signal, Signal::Clicked | Signal::BookingClicked),
            Metric::PositiveReply => false,
        };
        if exposure.converted_at.is_none() && since(&converts) {
            exposure.converted_at = Some(now);
        }
    }
}

/// Notes a positive reply at `now` for every experiment of the lead that counts them.
pub fn note_positive_reply(experiments: &BTreeMap<String, Experiment>, lead: &mut Lead, now: DateTime<Utc>) {
    for (name, exposure) in &mut lead.experiments {
        let counts = experiments.get(name).is_some_and(|e| e.metric == Metric::PositiveReply);
        if counts && exposure.converted_at.is_none() {
            exposure.converted_at = Some(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::verdict::tests::experiment;
    use super::super::Exposure;
    use super::*;
    use crate::domain::fixtures;
    use chrono::Duration;

    fn exposed(metric: Metric) -> (BTreeMap<String, Experiment>, Lead, DateTime<Utc>) {
        let mut e = experiment(2);
        e.metric = metric;
        let received = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 5, 15, 0, 0).unwrap();
        let mut lead = fixtures::lead(&crate::domain::TenantId::parse("demo").unwrap(), received);
        let at = received + Duration::minutes(1);
        let exposure =
            Exposure { variant: "t1".into(), source: "web".into(), at, converted_at: None, opted_out_at: None };
        lead.experiments.insert(e.name.clone(), exposure);
        (BTreeMap::from([(e.name.clone(), e)]), lead, at)
    }

    #[test]
    fn a_booking_after_the_exposure_converts_once() {
        let (experiments, mut lead, at) = exposed(Metric::Booked);
        lead.record_signal(Signal::Clicked, None, at + Duration::hours(1));
        note_signals(&experiments, &mut lead, at + Duration::hours(1));
        assert_eq!(lead.experiments["first_text"].converted_at, None, "a click is not a booking");
        lead.record_signal(Signal::Booked, None, at + Duration::hours(2));
        note_signals(&experiments, &mut lead, at + Duration::hours(2));
        note_signals(&experiments, &mut lead, at + Duration::hours(3));
        assert_eq!(lead.experiments["first_text"].converted_at, Some(at + Duration::hours(2)));
    }

    #[test]
    fn a_signal_before_the_exposure_does_not_count() {
        let (experiments, mut lead, at) = exposed(Metric::Replied);
        lead.record_signal(Signal::Replied, None, at - Duration::seconds(1));
        lead.record_signal(Signal::OptedOut, None, at - Duration::seconds(1));
        note_signals(&experiments, &mut lead, at + Duration::hours(1));
        assert_eq!(lead.experiments["first_text"].converted_at, None);
        assert_eq!(lead.experiments["first_text"].opted_out_at, None);
    }

    #[test]
    fn an_opt_out_is_noted_whatever_the_metric_and_a_positive_reply_only_for_its_metric() {
        let (experiments, mut lead, at) = exposed(Metric::Clicked);
        lead.record_signal(Signal::OptedOut, None, at);
        note_positive_reply(&experiments, &mut lead, at);
        note_signals(&experiments, &mut lead, at);
        assert_eq!(lead.experiments["first_text"].opted_out_at, Some(at));
        assert_eq!(lead.experiments["first_text"].converted_at, None);
        let (experiments, mut lead, at) = exposed(Metric::PositiveReply);
        note_positive_reply(&experiments, &mut lead, at);
        assert_eq!(lead.experiments["first_text"].converted_at, Some(at));
    }
}
