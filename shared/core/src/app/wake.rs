//! Running whatever the scheduler delivers: a due touch or a hand-off's SLA check.

use super::handoff::SlaOutcome;
use super::step::{StepError, StepOutcome};
use super::App;
use crate::ports::Wakeup;

/// What a wakeup led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WakeOutcome {
    Step(StepOutcome),
    Sla(SlaOutcome),
}

impl App {
    /// Handles one wakeup; safe to call again with the same one (at-least-once delivery).
    pub async fn wake(&self, wakeup: &Wakeup) -> Result<WakeOutcome, StepError> {
        match wakeup {
            Wakeup::Touch(due) => self.execute_step(due).await.map(WakeOutcome::Step),
            Wakeup::HandoffSla(check) => Ok(WakeOutcome::Sla(self.check_sla(check).await?)),
        }
    }
}
