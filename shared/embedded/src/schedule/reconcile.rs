//! After a restart: every active enrolment must have its next step in the schedule table.
//! Rows that survived are already there; this finds the few that were lost (a crash between
//! intake's write, or a claim, and the write of the schedule) and writes them again.
//!
//! It reads the index of active enrolments a page at a time (never the finished ones, never
//! all of them at once), checks each enrolment's next wakeup against the table in the same
//! read, and writes only what is missing.

use super::LocalScheduler;
use crate::store::{active, schedule_key, unavailable, SCHEDULE};
use leadflow_core::domain::TenantId;
use leadflow_core::ports::{DueTouch, StoreError, Wakeup};

/// How many enrolments one read takes.
const PAGE: usize = 512;

/// What one page of active enrolments lacks.
struct Unscheduled {
    /// The next wakeups missing from the table, with their keys.
    missing: Vec<(String, Wakeup)>,
    /// The page's last enrolment key, if there may be more after it.
    last: Option<String>,
}

impl LocalScheduler {
    /// Writes the next wakeup of every active enrolment of `tenants` that the table lacks;
    /// answers how many it wrote.
    pub async fn reconcile(&self, tenants: &[TenantId]) -> Result<usize, StoreError> {
        let mut rearmed = 0;
        for tenant in tenants {
            let mut after = None;
            loop {
                let Unscheduled { missing, last } = self.unscheduled(tenant, after.as_deref())?;
                rearmed += missing.len();
                self.put(missing).await?;
                match last {
                    Some(last) => after = Some(last),
                    None => break,
                }
                // A page at a time, letting requests in between.
                tokio::task::yield_now().await;
            }
        }
        Ok(rearmed)
    }

    /// What the page of the tenant's active enrolments after `after` lacks.
    fn unscheduled(&self, tenant: &TenantId, after: Option<&str>) -> Result<Unscheduled, StoreError> {
        let tx = self.store.db.begin_read().map_err(unavailable)?;
        let page = active::page(&tx, tenant, after, PAGE)?;
        let last = (page.len() == PAGE).then(|| page.last().map(|(key, _)| key.clone())).flatten();
        let table = tx.open_table(SCHEDULE).map_err(unavailable)?;
        let mut missing = Vec::new();
        for (_, enrolment) in page {
            let Some(due) = DueTouch::next_of(&enrolment) else { continue };
            let wakeup = Wakeup::from(due);
            let key = schedule_key(wakeup.due_at(), &wakeup.name());
            if table.get(key.as_str()).map_err(unavailable)?.is_none() {
                missing.push((key, wakeup));
            }
        }
        Ok(Unscheduled { missing, last })
    }
}
