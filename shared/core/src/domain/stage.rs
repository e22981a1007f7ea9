//! Where a lead stands in its tenant's pipeline, the stages it passed through, and the pure
//! rule that moves it: signals move it forward to stages of fixed names, people move it
//! anywhere.
//!
//! Which stage each signal moves a lead to (a tenant that renames or omits the stage gets no
//! automatic move for that signal):
//!
//! | signal                       | stage          |
//! |------------------------------|----------------|
//! | first touch sent             | `contacted`    |
//! | outcome `contacted`          | `contacted`    |
//! | a reply (SMS, press 1)       | `conversation` |
//! | outcome `booked`             | `booked`       |
//! | outcome `no_show`            | `conversation` |
//! | outcome `won`                | `won`          |
//! | outcome `disqualified`       | `lost`         |
//! | outcome `cancelled`          | none           |
//!
//! A signal only moves a lead forward (to a later stage of the pipeline), except a no-show,
//! which takes a booked lead back to `conversation`. A lead in `won` or `lost` is closed:
//! only a person moves it out. A cancelled booking leaves the stage to a person, since it
//! may be rebooked or lost.

use super::{Lead, OutcomeKind, Pipeline, StageName, TimelineEntry, TimelineKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What may move a lead's stage by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageSignal {
    FirstTouch,
    Replied,
    Outcome(OutcomeKind),
}

impl StageSignal {
    /// The stage the signal moves a lead to, by name; none for a cancellation.
    pub fn target(self) -> Option<&'static str> {
        Some(match self {
            StageSignal::FirstTouch | StageSignal::Outcome(OutcomeKind::Contacted) => "contacted",
            StageSignal::Replied | StageSignal::Outcome(OutcomeKind::NoShow) => "conversation",
            StageSignal::Outcome(OutcomeKind::Booked) => "booked",
            StageSignal::Outcome(OutcomeKind::Showed) => "showed",
            StageSignal::Outcome(OutcomeKind::Won) => "won",
            StageSignal::Outcome(OutcomeKind::Disqualified) => "lost",
            StageSignal::Outcome(OutcomeKind::Cancelled) => return None,
        })
    }

    /// How the timeline names it (`first_touch`, `replied`, `no_show`).
    pub fn as_str(self) -> &'static str {
        match self {
            StageSignal::FirstTouch => "first_touch",
            StageSignal::Replied => "replied",
            StageSignal::Outcome(outcome) => outcome.as_str(),
        }
    }
}

/// Why a lead's stage moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StageCause {
    Signal(StageSignal),
    /// A person moved it (`POST /v1/leads/{id}/stage`), naming themselves if they said.
    Manual {
        to: StageName,
        by: Option<String>,
    },
}

/// The stages a signal never moves a lead out of.
const CLOSED: [&str; 2] = ["won", "lost"];

/// One stay of a lead in a stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageVisit {
    pub stage: StageName,
    pub entered_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exited_at: Option<DateTime<Utc>>,
    /// Whether the team chat was told the lead sat past the stage's SLA (once per stay).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stale_alerted: bool,
}

/// A lead's stays in stages, oldest first: the last [`StageHistory::KEPT`], the latest open
/// (no `exited_at`) while the lead is in it. Empty for a lead stored before pipelines existed,
/// until its first move.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StageHistory(Vec<StageVisit>);

impl StageHistory {
    /// How many stays a lead keeps: a full pipeline several times over, and the lead stays
    /// one small item however often people move it.
    pub const KEPT: usize = 20;

    /// The stay the lead is in now.
    pub fn current(&self) -> Option<&StageVisit> {
        self.0.last().filter(|v| v.exited_at.is_none())
    }

    /// Every kept stay, oldest first.
    pub fn visits(&self) -> &[StageVisit] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Leaves the current stage (if any) and enters `stage`, both `at`; the oldest stay goes
    /// past [`StageHistory::KEPT`].
    pub fn enter(&mut self, stage: StageName, at: DateTime<Utc>) {
        if let Some(current) = self.0.last_mut().filter(|v| v.exited_at.is_none()) {
            current.exited_at = Some(at);
        }
        self.0.push(StageVisit { stage, entered_at: at, exited_at: None, stale_alerted: false });
        if self.0.len() > Self::KEPT {
            self.0.remove(0);
        }
    }

    /// Marks the current stay as announced stale.
    pub fn mark_stale_alerted(&mut self) {
        if let Some(current) = self.0.last_mut().filter(|v| v.exited_at.is_none()) {
            current.stale_alerted = true;
        }
    }

    /// When the current stay turns stale (its stage's SLA is up); none if the lead has no
    /// stage or the stage no SLA. The pipeline board sorts by it, stale ones first.
    pub fn stale_at(&self, pipeline: &Pipeline) -> Option<DateTime<Utc>> {
        let current = self.current()?;
        Some(current.entered_at + pipeline.sla(&current.stage)?)
    }

    /// Whether the lead has sat in its stage for its SLA or longer at `now` (the moment its
    /// stale-lead alert is due).
    pub fn is_stale(&self, pipeline: &Pipeline, now: DateTime<Utc>) -> bool {
        self.stale_at(pipeline).is_some_and(|at| now >= at)
    }
}

/// The stage `cause` moves a lead with `history` to, or none if it stays (see the module's
/// table). A manual move goes anywhere in the pipeline; a signal forward only, out of no
/// closed stage, except a no-show back to `conversation`.
pub fn stage_after(history: &StageHistory, pipeline: &Pipeline, cause: &StageCause) -> Option<StageName> {
    let current = history.current().map(|v| &v.stage);
    let target = match cause {
        StageCause::Manual { to, .. } => pipeline.stage(to.as_str())?.name.clone(),
        StageCause::Signal(signal) => {
            let target = pipeline.stage(signal.target()?)?;
            if current.is_some_and(|stage| CLOSED.contains(&stage.as_str())) {
                return None;
            }
            let back_allowed = *signal == StageSignal::Outcome(OutcomeKind::NoShow);
            let at = current.and_then(|stage| pipeline.position(stage.as_str()));
            let target_at = pipeline.position(target.name.as_str());
            if !back_allowed && at.is_some_and(|at| Some(at) >= target_at) {
                return None;
            }
            target.name.clone()
        }
    };
    (current != Some(&target)).then_some(target)
}

/// Moves `lead` as `cause` says, at `at`; answers the timeline entry that records it, or
/// none if the lead stays where it is.
pub fn move_stage(
    lead: &mut Lead,
    pipeline: &Pipeline,
    cause: &StageCause,
    at: DateTime<Utc>,
) -> Option<TimelineEntry> {
    let to = stage_after(&lead.stages, pipeline, cause)?;
    let from = lead.stages.current().map(|v| v.stage.clone());
    lead.stages.enter(to.clone(), at);
    let (cause, by) = match cause {
        StageCause::Signal(signal) => (signal.as_str().to_owned(), None),
        StageCause::Manual { by, .. } => ("manual".to_owned(), by.clone()),
    };
    Some(TimelineEntry { at, kind: TimelineKind::StageMoved { from, to, cause, by } })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{fixtures, PipelineStage, TenantId};
    use chrono::{Duration, TimeZone};

    fn fresh() -> Lead {
        fixtures::lead(&TenantId::parse("acme").unwrap(), t(0))
    }

    fn t(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 5, 15, minute, 0).unwrap()
    }

    fn name(raw: &str) -> StageName {
        StageName::parse(raw).unwrap()
    }

    /// A lead of the default pipeline, in `stage` since minute 0.
    fn in_stage(stage: &str) -> Lead {
        let mut lead = fresh();
        lead.stages.enter(name(stage), t(0));
        lead
    }

    fn signal(lead: &Lead, signal: StageSignal) -> Option<String> {
        stage_after(&lead.stages, &Pipeline::default(), &StageCause::Signal(signal)).map(|s| s.to_string())
    }

    #[test]
    fn each_signal_moves_a_new_lead_to_its_stage() {
        let new = in_stage("new");
        let cases = [
            (StageSignal::FirstTouch, Some("contacted")),
            (StageSignal::Replied, Some("conversation")),
            (StageSignal::Outcome(OutcomeKind::Contacted), Some("contacted")),
            (StageSignal::Outcome(OutcomeKind::Booked), Some("booked")),
            (StageSignal::Outcome(OutcomeKind::NoShow), Some("conversation")),
            (StageSignal::Outcome(OutcomeKind::Won), Some("won")),
            (StageSignal::Outcome(OutcomeKind::Disqualified), Some("lost")),
            (StageSignal::Outcome(OutcomeKind::Cancelled), None),
        ];
        for (sent, expected) in cases {
            assert_eq!(signal(&new, sent).as_deref(), expected, "{sent:?}");
        }
    }

    #[test]
    fn a_signal_never_moves_a_lead_back_except_a_no_show() {
        let booked = in_stage("booked");
        assert_eq!(signal(&booked, StageSignal::Replied), None, "a reply on a booked lead");
        assert_eq!(signal(&booked, StageSignal::FirstTouch), None);
        assert_eq!(signal(&in_stage("conversation"), StageSignal::Replied), None, "already there");
        assert_eq!(signal(&booked, StageSignal::Outcome(OutcomeKind::NoShow)).as_deref(), Some("conversation"));
        assert_eq!(
            signal(&in_stage("showed"), StageSignal::Outcome(OutcomeKind::NoShow)).as_deref(),
            Some("conversation")
        );
    }

    #[test]
    fn a_won_or_lost_lead_moves_only_by_hand() {
        for closed in ["won", "lost"] {
            let lead = in_stage(closed);
            for sent in [
                StageSignal::Replied,
                StageSignal::Outcome(OutcomeKind::NoShow),
                StageSignal::Outcome(OutcomeKind::Disqualified),
            ] {
                assert_eq!(signal(&lead, sent), None, "{closed} {sent:?}");
            }
            let manual = StageCause::Manual { to: name("conversation"), by: None };
            assert_eq!(stage_after(&lead.stages, &Pipeline::default(), &manual), Some(name("conversation")));
        }
    }

    #[test]
    fn a_signal_whose_stage_the_tenant_lacks_moves_nothing() {
        let stages = ["new", "talking", "won"].map(|n| PipelineStage { name: name(n), sla: None }).to_vec();
        let pipeline = Pipeline::new(stages).unwrap();
        let lead = in_stage("new");
        let replied = StageCause::Signal(StageSignal::Replied);
        assert_eq!(stage_after(&lead.stages, &pipeline, &replied), None);
        let won = StageCause::Signal(StageSignal::Outcome(OutcomeKind::Won));
        assert_eq!(stage_after(&lead.stages, &pipeline, &won), Some(name("won")));
    }

    #[test]
    fn a_lead_without_a_stage_moves_forward_from_anywhere() {
        let lead = fresh();
        assert_eq!(signal(&lead, StageSignal::Replied).as_deref(), Some("conversation"));
    }

    #[test]
    fn a_manual_move_goes_anywhere_in_the_pipeline_and_names_who_moved_it() {
        let mut lead = in_stage("booked");
        let back = StageCause::Manual { to: name("new"), by: Some("Dana".to_owned()) };
        let entry = move_stage(&mut lead, &Pipeline::default(), &back, t(5)).unwrap();
        assert_eq!(
            entry.kind,
            TimelineKind::StageMoved {
                from: Some(name("booked")),
                to: name("new"),
                cause: "manual".into(),
                by: Some("Dana".into())
            }
        );
        let visits = lead.stages.visits();
        assert_eq!((visits[0].exited_at, visits[1].entered_at, visits[1].exited_at), (Some(t(5)), t(5), None));
        let unknown = StageCause::Manual { to: name("limbo"), by: None };
        assert_eq!(move_stage(&mut lead, &Pipeline::default(), &unknown, t(6)), None);
        let same = StageCause::Manual { to: name("new"), by: None };
        assert_eq!(move_stage(&mut lead, &Pipeline::default(), &same, t(6)), None, "already there");
    }

    #[test]
    fn the_history_keeps_the_latest_stays() {
        let mut lead = fresh();
        for i in 0..(StageHistory::KEPT as u32 + 5) {
            let to = if i % 2 == 0 { "new" } else { "contacted" };
            lead.stages.enter(name(to), t(i));
        }
        let visits = lead.stages.visits();
        assert_eq!(visits.len(), StageHistory::KEPT);
        assert_eq!(visits.last().unwrap().entered_at, t(StageHistory::KEPT as u32 + 4));
        assert_eq!(visits.iter().filter(|v| v.exited_at.is_none()).count(), 1);
    }

    #[test]
    fn a_lead_is_stale_once_past_its_stages_sla() {
        let stages = vec![PipelineStage { name: name("new"), sla: Some(Duration::minutes(30)) }];
        let pipeline = Pipeline::new(stages).unwrap();
        let lead = in_stage("new");
        assert_eq!(lead.stages.stale_at(&pipeline), Some(t(30)));
        assert!(!lead.stages.is_stale(&pipeline, t(29)));
        assert!(lead.stages.is_stale(&pipeline, t(30)), "as its alert is due");
        assert!(!lead.stages.is_stale(&Pipeline::default(), t(59)), "no SLA");
    }
}
