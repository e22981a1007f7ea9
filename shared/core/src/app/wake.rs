//! Running whatever the scheduler delivers: a due touch, a hand-off's SLA check, a second
//! look at a touch a crash left unrecorded, a hot-lead alert, or a stage's SLA check.

use super::handoff::SlaOutcome;
use super::meta_leads::MetaLeadOutcome;
use super::step::{StepError, StepOutcome};
use super::uncertain::Settlement;
use super::App;
use crate::ports::Wakeup;

/// What a wakeup led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WakeOutcome {
    /// It arrived before its time (Scheduler fires anywhere in the minute before): it was put
    /// back on the queue for the rest, unchanged, and nothing was read or written.
    Early,
    Step(StepOutcome),
    Sla(SlaOutcome),
    /// A second look at a touch a crash left unrecorded.
    Check(Settlement),
    /// A hot-lead alert: whether it was posted (false: already, or the lead cooled).
    Hot(bool),
    /// A dormancy check: whether it acted (false: the lead engaged since, or already done).
    Dormancy(bool),
    /// A Meta lead ad's read.
    MetaLead(MetaLeadOutcome),
    /// A stage's SLA check: whether it alerted (false: the lead moved on, or already told).
    StageSla(bool),
}

impl App {
    /// Handles one wakeup; safe to call again with the same one (at-least-once delivery).
    pub async fn wake(&self, wakeup: &Wakeup) -> Result<WakeOutcome, StepError> {
        if wakeup.due_at() > self.clock.now() {
            self.scheduler.schedule(wakeup.clone()).await?;
            return Ok(WakeOutcome::Early);
        }
        match wakeup {
            Wakeup::Touch(due) => self.execute_step(due).await.map(WakeOutcome::Step),
            Wakeup::HandoffSla(check) => Ok(WakeOutcome::Sla(self.check_sla(check).await?)),
            Wakeup::TouchCheck(check) => Ok(WakeOutcome::Check(self.check_touch(check).await?)),
            Wakeup::HotAlert(alert) => Ok(WakeOutcome::Hot(self.announce_hot(alert).await?)),
            Wakeup::Dormancy(check) => Ok(WakeOutcome::Dormancy(self.dormancy_due(check).await?)),
            Wakeup::MetaLead(fetch) => Ok(WakeOutcome::MetaLead(self.fetch_meta_lead(fetch).await?)),
            Wakeup::StageSla(check) => Ok(WakeOutcome::StageSla(self.check_stage_sla(check).await?)),
        }
    }
}
