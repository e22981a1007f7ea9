//! The in-process scheduler: pending wakeups (touches, hand-off SLA checks) in a redb table,
//! ordered by due time, and a task that runs each one when it falls due. Delivery is at-least-once (a crash after a run
//! and before its entry is removed runs it again); the step use case's conditional claim
//! makes the touch itself exactly-once.
//!
//! The table is the durable record; an in-memory copy of it (loaded at start, changed
//! after each durable write) is what the timer reads, so finding due work never scans the
//! database.

use crate::clock::ManualClock;
use crate::store::{decode, encode, prefix_end, schedule_key, unavailable, EmbeddedStore, SCHEDULE};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use leadflow_core::app::App;
use leadflow_core::domain::TenantId;
use leadflow_core::ports::{DueTouch, ScheduleError, StoreError, TouchScheduler, Wakeup};
use redb::ReadableTable;
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinHandle;

/// How many steps run at once.
const CONCURRENCY: usize = 256;
/// How long a step that failed (store unavailable) waits before it runs again.
const RETRY_AFTER: Duration = Duration::seconds(5);

/// What the timer knows, under one lock so that "due" and "running" are read together.
#[derive(Default)]
struct State {
    /// The table's rows, keyed the same way (by due time, then name).
    pending: BTreeMap<String, Wakeup>,
    /// Rows being run now.
    in_flight: HashSet<String>,
}

/// Takes a row off `in_flight` when its run ends, however it ends (a panic included).
struct Running<'a> {
    scheduler: &'a LocalScheduler,
    key: String,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.scheduler.state().in_flight.remove(&self.key);
    }
}

/// The `TouchScheduler` port for local runs.
pub struct LocalScheduler {
    store: EmbeddedStore,
    app: OnceLock<App>,
    wake: Notify,
    state: Mutex<State>,
    permits: Arc<Semaphore>,
}

fn schedule_error(e: StoreError) -> ScheduleError {
    ScheduleError(e.to_string())
}

impl LocalScheduler {
    /// A scheduler over `store`, with the touches it holds from an earlier run. It runs
    /// nothing until `attach` gives it the use cases.
    pub fn new(store: EmbeddedStore) -> Result<Arc<Self>, StoreError> {
        let pending = load(&store)?;
        Ok(Arc::new(Self {
            store,
            app: OnceLock::new(),
            wake: Notify::new(),
            state: Mutex::new(State { pending, in_flight: HashSet::new() }),
            permits: Arc::new(Semaphore::new(CONCURRENCY)),
        }))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave it half-changed (each change is one
        // map operation), so a poisoned lock is still good to use.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Gives the scheduler the use cases it runs due steps with.
    pub fn attach(&self, app: App) {
        let _ = self.app.set(app);
    }

    /// After a restart: makes sure every active enrolment has its next step pending. Entries
    /// that survived in the table are already there; this recovers a schedule lost between
    /// a claim and the write of the next one.
    pub async fn reconcile(&self, tenants: &[TenantId]) -> Result<usize, StoreError> {
        let Some(app) = self.app.get() else { return Ok(0) };
        let mut count = 0;
        for tenant in tenants {
            for enrolment in app.store.active_enrolments(tenant).await? {
                let Some(due) = DueTouch::next_of(&enrolment) else { continue };
                self.schedule(due.into()).await.map_err(|e| StoreError::Unavailable(e.0))?;
                count += 1;
            }
        }
        Ok(count)
    }

    /// The due time of the earliest pending touch.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        self.state().pending.values().next().map(Wakeup::due_at)
    }

    /// How many touches are pending.
    pub fn pending(&self) -> usize {
        self.state().pending.len()
    }

    /// Starts every touch due at the app's `now` that is not already running.
    fn dispatch_due(self: &Arc<Self>) -> Vec<JoinHandle<()>> {
        let Some(app) = self.app.get() else { return Vec::new() };
        let end = prefix_end(&schedule_key(app.clock.now(), ""));
        let due: Vec<(String, Wakeup)> = {
            let mut state = self.state();
            let State { pending, in_flight } = &mut *state;
            pending
                .range(..end)
                .filter(|(key, _)| in_flight.insert((*key).clone()))
                .map(|(key, due)| (key.clone(), due.clone()))
                .collect()
        };
        due.into_iter()
            .map(|(key, wakeup)| {
                let this = self.clone();
                let app = app.clone();
                tokio::spawn(async move {
                    let _permit = this.permits.clone().acquire_owned().await;
                    let _running = Running { scheduler: &this, key: key.clone() };
                    this.run_one(&app, &key, wakeup).await;
                })
            })
            .collect()
    }

    async fn run_one(&self, app: &App, key: &str, wakeup: Wakeup) {
        let key = key.to_owned();
        let retry = match app.wake(&wakeup).await {
            Ok(outcome) => {
                tracing::debug!(lead = %wakeup.lead_id(), ?outcome, "wakeup ran");
                None
            }
            Err(e) => {
                tracing::warn!(error = %e, lead = %wakeup.lead_id(), "wakeup failed; retrying later");
                Some(wakeup.at(app.clock.now() + RETRY_AFTER))
            }
        };
        let retry_row = retry.map(|r| (schedule_key(r.due_at(), &r.name()), r));
        let (removed_key, row) = (key.clone(), retry_row.clone());
        let removed = self
            .store
            .write(move |tx| {
                let mut table = tx.open_table(SCHEDULE).map_err(unavailable)?;
                table.remove(removed_key.as_str()).map_err(unavailable)?;
                if let Some((retry_key, retry)) = row {
                    table.insert(retry_key.as_str(), encode(&retry).as_slice()).map_err(unavailable)?;
                }
                Ok(())
            })
            .await;
        match removed {
            Ok(()) => {
                let mut state = self.state();
                state.pending.remove(&key);
                if let Some((retry_key, retry)) = retry_row {
                    state.pending.insert(retry_key, retry);
                }
            }
            // The row stays, in memory as on disk: it runs again, and the claim drops it.
            Err(e) => tracing::error!(error = %e, "cannot update the schedule"),
        }
    }

    /// Runs forever: each touch at its due time. With a wall clock it sleeps until the next
    /// one; with a manual clock it runs only what is due when woken (intake, `advance_to`).
    pub async fn run(self: Arc<Self>, follows_wall_clock: bool) {
        loop {
            let woken = self.wake.notified();
            self.dispatch_due();
            let next = self.next_due();
            match (next, self.app.get()) {
                (Some(at), Some(app)) if follows_wall_clock => {
                    let wait = (at - app.clock.now()).to_std().unwrap_or_default();
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = woken => {}
                    }
                }
                _ => woken.await,
            }
        }
    }

    /// Runs everything due now, and what that schedules for now, until nothing due is left.
    pub async fn drain(self: &Arc<Self>) {
        loop {
            for handle in self.dispatch_due() {
                let _ = handle.await;
            }
            if self.settled() {
                return;
            }
            // Runs started elsewhere (the timer task) are still going: wait for them.
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    }

    /// Nothing is due and nothing is running, read at one instant.
    fn settled(&self) -> bool {
        let Some(app) = self.app.get() else { return true };
        let end = prefix_end(&schedule_key(app.clock.now(), ""));
        let state = self.state();
        state.in_flight.is_empty() && state.pending.range(..end).next().is_none()
    }

    /// Moves a manual clock to `target`, stopping at each due time on the way so every
    /// touch runs at its own instant, and answers when everything due by then has run.
    pub async fn advance_to(self: &Arc<Self>, clock: &ManualClock, target: DateTime<Utc>) -> Result<(), StoreError> {
        loop {
            self.drain().await;
            match self.next_due() {
                Some(at) if at <= target => clock.set(at),
                _ => break,
            }
        }
        clock.set(target);
        self.drain().await;
        Ok(())
    }
}

#[async_trait]
impl TouchScheduler for LocalScheduler {
    async fn schedule(&self, wakeup: Wakeup) -> Result<(), ScheduleError> {
        let key = schedule_key(wakeup.due_at(), &wakeup.name());
        let (row_key, value) = (key.clone(), encode(&wakeup));
        self.store
            .write(move |tx| {
                let mut table = tx.open_table(SCHEDULE).map_err(unavailable)?;
                table.insert(row_key.as_str(), value.as_slice()).map_err(unavailable)?;
                Ok(())
            })
            .await
            .map_err(schedule_error)?;
        self.state().pending.insert(key, wakeup);
        self.wake.notify_one();
        Ok(())
    }

    async fn cancel(&self, wakeup: &Wakeup) -> Result<(), ScheduleError> {
        let key = schedule_key(wakeup.due_at(), &wakeup.name());
        let row_key = key.clone();
        self.store
            .write(move |tx| {
                let mut table = tx.open_table(SCHEDULE).map_err(unavailable)?;
                table.remove(row_key.as_str()).map_err(unavailable)?;
                Ok(())
            })
            .await
            .map_err(schedule_error)?;
        self.state().pending.remove(&key);
        Ok(())
    }
}

/// Reads every pending row of the table.
fn load(store: &EmbeddedStore) -> Result<BTreeMap<String, Wakeup>, StoreError> {
    let tx = store.db.begin_read().map_err(unavailable)?;
    let table = tx.open_table(SCHEDULE).map_err(unavailable)?;
    let mut rows = BTreeMap::new();
    for item in table.iter().map_err(unavailable)? {
        let (key, value) = item.map_err(unavailable)?;
        rows.insert(key.value().to_owned(), decode::<Wakeup>(value.value())?);
    }
    Ok(rows)
}
