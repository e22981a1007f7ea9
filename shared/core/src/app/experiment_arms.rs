//! Experiments at run time: the arm a claimed touch sends (the lead's own if it has one, else
//! its hashed arm, or the winner once an auto-promoting experiment has one), the exposure kept
//! on the lead, and its counters: each lead exposed, converted and opted out once per
//! experiment, counted on the day it happened.

use super::counters::{ArmEvent, Counter};
use super::App;
use crate::config::TenantConfig;
use crate::domain::{assign, Decision, Experiment, Exposure, Lead};
use chrono::{DateTime, Utc};

/// The variant a claimed touch sends, and whether the lead is new to the experiment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Arm {
    pub experiment: String,
    pub variant: String,
    pub new: bool,
}

impl App {
    /// The arm of the experiment on step `step` of `cadence` that `lead` gets, if the step
    /// carries one.
    pub(super) async fn arm_for(
        &self,
        tenant: &TenantConfig,
        lead: &Lead,
        cadence: &str,
        step: usize,
        now: DateTime<Utc>,
    ) -> Option<Arm> {
        let experiment = tenant.experiment_at(cadence, step)?;
        let arm = |variant: &str, new| Arm { experiment: experiment.name.clone(), variant: variant.to_owned(), new };
        if let Some(seen) = lead.experiments.get(&experiment.name) {
            // Sticky; an arm since taken out of the tenant file falls back to the control.
            let kept = experiment.variants.iter().any(|v| v.template == seen.variant);
            return Some(arm(if kept { &seen.variant } else { &experiment.variants[0].template }, false));
        }
        if let Some(promoted) = self.promoted(tenant, experiment, now).await {
            return Some(arm(&promoted, true));
        }
        let source = &lead.profile.source;
        Some(arm(&assign(&tenant.id, &experiment.name, source, &lead.id, &experiment.variants).template, true))
    }

    /// The variant every new lead gets, for an auto-promoting experiment that has decided: its
    /// winner, or the control once the guardrail stopped it. Read from the counters (the
    /// report's own replay), so the Lambdas and `leadflow dev` agree without a shared cache.
    async fn promoted(&self, tenant: &TenantConfig, experiment: &Experiment, now: DateTime<Utc>) -> Option<String> {
        if !experiment.auto_promote {
            return None;
        }
        let verdict = match self.experiment_verdicts(tenant, &[experiment], now.date_naive()).await {
            Ok(mut verdicts) => verdicts.pop()?.1,
            Err(e) => {
                tracing::warn!(tenant = %tenant.id, experiment = %experiment.name, error = %e, "experiment not read");
                return None;
            }
        };
        match verdict.decision {
            Decision::Winner { variant } => Some(variant),
            Decision::StoppedByGuardrail { .. } => Some(experiment.variants[0].template.clone()),
            Decision::Running | Decision::NoDifference => None,
        }
    }
}

/// The experiment counters a change from `before` to `after` adds: a new exposure, a first
/// conversion, a first opt-out.
pub(super) fn arm_events(before: &Lead, after: &Lead) -> Vec<Counter> {
    let mut counters = Vec::new();
    for (name, now) in &after.experiments {
        let was = before.experiments.get(name);
        let events = [
            (ArmEvent::Exposed, was.is_none()),
            (ArmEvent::Converted, now.converted_at.is_some() && was.is_none_or(|w| w.converted_at.is_none())),
            (ArmEvent::OptedOut, now.opted_out_at.is_some() && was.is_none_or(|w| w.opted_out_at.is_none())),
        ];
        counters.extend(events.into_iter().filter(|(_, happened)| *happened).map(|(event, _)| Counter::Experiment {
            experiment: name.clone(),
            variant: now.variant.clone(),
            source: now.source.clone(),
            event,
        }));
    }
    counters
}

impl Arm {
    /// The lead's exposure to this arm, kept on it once its touch went out (or failed: an
    /// exposure counts whatever the channel answered).
    pub(super) fn exposure(&self, lead: &Lead, at: DateTime<Utc>) -> (String, Exposure) {
        let exposure = Exposure {
            variant: self.variant.clone(),
            source: lead.profile.source.clone(),
            at,
            converted_at: None,
            opted_out_at: None,
        };
        (self.experiment.clone(), exposure)
    }
}
