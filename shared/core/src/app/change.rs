//! Changing a lead that other requests may be changing too: read, decide, write
//! conditionally, and on a conflict read again.

use super::milestones::mark_reached;
use super::App;
use crate::domain::{note_signals, Enrolment, EnrolmentStatus, Lead, LeadId, TenantId, TimelineEntry, TimelineKind};
use crate::engine::Command;
use crate::ports::{list_changes, waiting_changes, DueTouch, EnrolmentWrite, LeadWrite, StoreError};
use chrono::{DateTime, Utc};

/// How often a conflicting change is retried before giving up with `Stale`.
const ATTEMPTS: usize = 8;

/// What a change wants written, decided from a fresh read.
pub(super) struct Change {
    pub lead: Lead,
    /// The engine's commands; `Stop`s are carried out here.
    pub enrolment_commands: Vec<Command>,
    /// New enrolments to store, their first steps placed (see `enrolment::started_by`).
    pub started: Vec<Enrolment>,
    pub timeline: Vec<TimelineEntry>,
}

impl Change {
    /// The change that changes nothing: `change_lead` then writes nothing.
    pub fn none(lead: &Lead) -> Self {
        Change { lead: lead.clone(), enrolment_commands: Vec::new(), started: Vec::new(), timeline: Vec::new() }
    }

    /// A change of the lead alone (no enrolment stopped or started), with its timeline.
    pub fn of_lead(lead: Lead, timeline: Vec<TimelineEntry>) -> Self {
        Change { lead, enrolment_commands: Vec::new(), started: Vec::new(), timeline }
    }
}

impl App {
    /// Reads the lead and its enrolments, lets `decide` produce a `Change`, writes it
    /// atomically, retrying on conflicts, then withdraws the schedules of stopped enrolments
    /// and schedules the first steps of started ones. Answers the lead as written, or `None`
    /// if there is no such lead.
    pub(super) async fn change_lead(
        &self,
        tenant: &TenantId,
        id: &LeadId,
        now: DateTime<Utc>,
        decide: impl FnMut(&Lead, &[Enrolment]) -> Change,
    ) -> Result<Option<Lead>, StoreError> {
        self.change_lead_reading(tenant, id, now, true, decide).await
    }

    /// `change_lead`, reading the lead's enrolments only if `enrolments` (a change that can
    /// neither stop nor start one saves the query: `decide` then sees none). A change that
    /// changes nothing writes nothing.
    pub(super) async fn change_lead_reading(
        &self,
        tenant: &TenantId,
        id: &LeadId,
        now: DateTime<Utc>,
        enrolments: bool,
        mut decide: impl FnMut(&Lead, &[Enrolment]) -> Change,
    ) -> Result<Option<Lead>, StoreError> {
        let config = self.tenants.get(tenant);
        for _ in 0..ATTEMPTS {
            let Some(lead) = self.store.lead(tenant, id).await? else {
                return Ok(None);
            };
            let enrolments = if enrolments { self.store.enrolments(tenant, id).await? } else { Vec::new() };
            let change = decide(&lead, &enrolments);
            let idle = change.enrolment_commands.is_empty() && change.started.is_empty() && change.timeline.is_empty();
            if idle && change.lead == lead {
                return Ok(Some(lead));
            }
            let (mut writes, cancels, stopped) = stop_writes(&enrolments, &change.enrolment_commands, now);
            let firsts: Vec<DueTouch> = change.started.iter().filter_map(DueTouch::next_of).collect();
            writes.extend(change.started.into_iter().map(|e| EnrolmentWrite { enrolment: e, expected_version: None }));
            let mut next = change.lead;
            if let Some(config) = &config {
                note_signals(&config.experiments, &mut next, now);
                mark_reached(config, &mut next, now);
            }
            next.version = lead.version + 1;
            let mut timeline = change.timeline;
            timeline.extend(stopped);
            let write = LeadWrite {
                lead: next.clone(),
                enrolments: writes,
                idempotency: None,
                timeline,
                unless_opted_out: None,
                waiting: waiting_changes(Some(&lead), &next),
                lists: list_changes(Some(&lead), &next),
            };
            match self.store.write_lead(write).await {
                Ok(()) => {
                    for due in cancels {
                        if let Err(e) = self.scheduler.cancel(&due.into()).await {
                            // Harmless: the stale token drops the message when it fires.
                            tracing::warn!(error = %e, "could not withdraw a schedule");
                        }
                    }
                    for due in firsts {
                        // Stored but not scheduled, the enrolment would wait for a restart (or
                        // forever, on AWS): the caller answers 503 and its retry starts again.
                        self.scheduler
                            .schedule(due.into())
                            .await
                            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
                    }
                    if let Some(tenant) = config {
                        self.count_change(&tenant, Some(&lead), &next).await;
                        self.alert_if_newly_hot(&tenant, Some(&lead), &next).await;
                        self.schedule_dormancy(&tenant, Some(&lead), &next).await;
                        self.after_stage_move(&tenant, Some(&lead), &next).await;
                    }
                    return Ok(Some(next));
                }
                Err(StoreError::Stale | StoreError::AlreadyClaimed) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Stale)
    }
}

/// The enrolment writes for the engine's `Stop` commands, the schedules to withdraw, and
/// the timeline entries that say so.
fn stop_writes(
    enrolments: &[Enrolment],
    commands: &[Command],
    now: DateTime<Utc>,
) -> (Vec<EnrolmentWrite>, Vec<DueTouch>, Vec<TimelineEntry>) {
    let mut writes = Vec::new();
    let mut cancels = Vec::new();
    let mut timeline = Vec::new();
    for command in commands {
        let Command::Stop { enrolment, reason } = command else { continue };
        let Some(current) = enrolments.iter().find(|e| &e.id == enrolment) else { continue };
        cancels.extend(DueTouch::next_of(current));
        let mut stopped = current.clone();
        stopped.status = EnrolmentStatus::Stopped(*reason);
        stopped.next_due_at = None;
        stopped.version += 1;
        writes.push(EnrolmentWrite { enrolment: stopped, expected_version: Some(current.version) });
        timeline.push(TimelineEntry {
            at: now,
            kind: TimelineKind::CadenceStopped { cadence: current.cadence.clone(), reason: *reason },
        });
    }
    (writes, cancels, timeline)
}
