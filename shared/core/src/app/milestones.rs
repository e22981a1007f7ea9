//! Counting what a lead reaches, once: every change marks on the lead the milestones its
//! state shows (`mark_reached`, inside the conditional write), and what a write added is
//! counted after it (`count_reached`), so a retried or repeated change counts nothing twice.

use super::counters::{campaign_key, latency_bucket, rep_key, Counter};
use super::experiment_arms::arm_events;
use super::pipeline::stage_counters;
use super::App;
use crate::config::TenantConfig;
use crate::domain::{Lead, Milestone};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

/// The field an imported lead's reactivation tier is kept in (the tier's cadence).
pub const REACTIVATION_TIER_FIELD: &str = "reactivation_tier";

/// Marks on `lead` what its state shows it reached: its reply and outcome, and its score tier.
pub(super) fn mark_reached(tenant: &TenantConfig, lead: &mut Lead, now: DateTime<Utc>) {
    let shown = Milestone::shown_by(lead);
    lead.reached.extend(shown);
    if let Some(scoring) = &tenant.scoring {
        lead.reached.insert(Milestone::of_tier(&scoring.tier(lead, now)));
    }
}

/// The counters for what `after` reached that `before` had not (all of it for a new lead),
/// and for a new owner.
pub(super) fn reached_counters(before: Option<&Lead>, after: &Lead, now: DateTime<Utc>) -> Vec<Counter> {
    let source = &after.profile.source;
    let campaign = campaign_key(after);
    let tier = after.profile.fields.get(REACTIVATION_TIER_FIELD);
    let mut counters = Vec::new();
    if before.is_none() {
        counters.push(Counter::CampaignLead { source: source.clone(), campaign: campaign.clone() });
        counters.extend(tier.map(|tier| Counter::Reactivated { tier: tier.clone(), milestone: None }));
    }
    let had = |m: &Milestone| before.is_some_and(|b| b.reached.contains(m));
    for milestone in after.reached.iter().filter(|m| !had(m)) {
        counters.push(Counter::Reached { source: source.clone(), campaign: campaign.clone(), milestone: *milestone });
        match milestone {
            Milestone::HumanContacted => {
                let bucket = latency_bucket((now - after.received_at).num_milliseconds().max(0) as u64);
                counters.push(Counter::FirstHumanContact { source: source.clone(), bucket });
                if let Some(owner) = &after.owner {
                    counters.push(Counter::RepFirstContact { rep: rep_key(owner), bucket });
                }
            }
            Milestone::Replied | Milestone::Booked => {
                let tier = tier.map(|tier| Counter::Reactivated { tier: tier.clone(), milestone: Some(*milestone) });
                counters.extend(tier);
            }
            _ => {}
        }
    }
    if let Some(owner) = after.owner.as_ref().filter(|o| before.and_then(|b| b.owner.as_ref()) != Some(*o)) {
        counters.push(Counter::RepAssigned { rep: rep_key(owner) });
    }
    counters
}

/// Every counter a stored change of a lead moves, by the day it is counted on: what it
/// reached ([`reached_counters`]) and its stage move (`stage_counters`) on its arrival day,
/// what it did in its experiments on `now`'s day.
pub(super) fn change_counters(
    before: Option<&Lead>,
    after: &Lead,
    now: DateTime<Utc>,
) -> Vec<(NaiveDate, Vec<(String, i64)>)> {
    let mut by_day: BTreeMap<NaiveDate, Vec<(String, i64)>> = BTreeMap::new();
    let arrival = by_day.entry(after.received_at.date_naive()).or_default();
    arrival.extend(reached_counters(before, after, now).iter().map(|c| (c.key(), 1)));
    arrival.extend(stage_counters(before, after).iter().map(|(c, n)| (c.key(), *n)));
    if let Some(before) = before {
        by_day.entry(now.date_naive()).or_default().extend(arm_events(before, after).iter().map(|c| (c.key(), 1)));
    }
    by_day.into_iter().filter(|(_, counts)| !counts.is_empty()).collect()
}

impl App {
    /// Counts what a stored change moved ([`change_counters`]): one request per day counted
    /// on (one, unless an experiment's event falls on another day than the lead's arrival).
    pub(super) async fn count_change(&self, tenant: &TenantConfig, before: Option<&Lead>, after: &Lead) {
        for (day, counts) in change_counters(before, after, self.clock.now()) {
            if let Err(e) = self.store.add_counts(&tenant.id, day, &counts).await {
                tracing::warn!(tenant = %tenant.id, lead = %after.id, error = %e, "counters not updated");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{fixtures, OutcomeKind, TenantId};
    use chrono::Duration;

    fn keys(counters: &[Counter]) -> Vec<String> {
        counters.iter().map(Counter::key).collect()
    }

    #[test]
    fn a_new_lead_counts_its_arrival_and_what_it_reached() {
        let now = Utc::now();
        let mut lead = fixtures::lead(&TenantId::parse("t").unwrap(), now);
        lead.profile.campaign = Some("Spring Sale".into());
        lead.profile.fields.insert(REACTIVATION_TIER_FIELD.into(), "winback".into());
        lead.reached.insert(Milestone::Warm);
        let source = lead.profile.source.clone();
        assert_eq!(
            keys(&reached_counters(None, &lead, now)),
            vec![
                format!("campaign_leads|{source}|spring-sale"),
                "reactivated|winback|leads".to_owned(),
                format!("reached|{source}|spring-sale|warm"),
            ]
        );
    }

    #[test]
    fn a_change_counts_only_what_it_added_once() {
        let received = Utc::now();
        let tenant = TenantId::parse("t").unwrap();
        let before = fixtures::lead(&tenant, received);
        let mut after = before.clone();
        after.outcome = Some(OutcomeKind::Contacted);
        after.owner = Some("Priya".into());
        after.reached.extend(Milestone::shown_by(&after));
        let now = received + Duration::minutes(3);
        let counted = keys(&reached_counters(Some(&before), &after, now));
        let bucket = latency_bucket(180_000);
        let source = &before.profile.source;
        assert_eq!(
            counted,
            vec![
                format!("reached|{source}|-|human_contacted"),
                format!("human_ms|{source}|{bucket}"),
                format!("rep_human_ms|Priya|{bucket}"),
                "rep_assigned|Priya".to_owned(),
            ]
        );
        // The same state written again (a retry, a second outcome) counts nothing.
        let mut again = after.clone();
        again.outcome = Some(OutcomeKind::Contacted);
        assert!(reached_counters(Some(&after), &again, now).is_empty());
    }
}
