//! The in-process scheduler: pending wakeups (touches, hand-off SLA checks) in a redb table,
//! ordered by due time, and a task that runs each one when it falls due. Delivery is
//! at-least-once (a crash after a run and before its entry is removed runs it again); the
//! step use case's conditional claim makes the touch itself exactly-once.
//!
//! The table is the durable record; the timer reads a window of its first rows kept in
//! memory (`window`), so finding due work never scans the database and memory does not grow
//! with the work pending. A start reads nothing but that window: the server answers at
//! once, and `reconcile` repairs lost rows in the background.

mod reconcile;
mod window;

use crate::clock::ManualClock;
use crate::store::{encode, prefix_end, schedule_key, unavailable, EmbeddedStore, SCHEDULE};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use leadflow_core::app::App;
use leadflow_core::domain::TenantId;
use leadflow_core::ports::{ScheduleError, StoreError, TouchScheduler, Wakeup};
use redb::ReadableTableMetadata;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use tokio::sync::{watch, Notify, Semaphore};
use tokio::task::JoinHandle;
use window::State;

/// How many steps run at once.
const CONCURRENCY: usize = 256;
/// How long a step that failed (store unavailable) waits before it runs again; and a
/// reconcile that could not read the store.
const RETRY_AFTER: Duration = Duration::seconds(5);

/// Takes a row off `in_flight` when its run ends, however it ends (a panic included).
struct Running<'a> {
    scheduler: &'a LocalScheduler,
    key: String,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.scheduler.state().finished(&self.key);
    }
}

/// The `TouchScheduler` port for local runs.
pub struct LocalScheduler {
    store: EmbeddedStore,
    /// The use cases; none before `attach` and after `detach`.
    app: RwLock<Option<App>>,
    wake: Notify,
    state: Mutex<State>,
    permits: Arc<Semaphore>,
    /// True while a reconcile runs: the manual clock waits for it before it moves.
    reconciling: watch::Sender<bool>,
}

fn schedule_error(e: StoreError) -> ScheduleError {
    ScheduleError(e.to_string())
}

impl LocalScheduler {
    /// A scheduler over `store`, with the touches it holds from an earlier run (read from
    /// the table as their turn comes). It runs nothing until `attach` gives it the use cases.
    pub fn new(store: EmbeddedStore) -> Arc<Self> {
        Arc::new(Self {
            store,
            app: RwLock::new(None),
            wake: Notify::new(),
            state: Mutex::new(State::unread()),
            permits: Arc::new(Semaphore::new(CONCURRENCY)),
            reconciling: watch::Sender::new(false),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave it half-changed (each change is one
        // map operation, and a refill sets the horizon only with the rows), so a poisoned
        // lock is still good to use.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The state with its window topped up from the table: what "due" and "next" are read
    /// from.
    fn window(&self) -> MutexGuard<'_, State> {
        let mut state = self.state();
        state.refill(&self.store);
        state
    }

    /// Gives the scheduler the use cases it runs due steps with.
    pub fn attach(&self, app: App) {
        let mut attached = self.app.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        attached.get_or_insert(app);
    }

    /// Lets go of the use cases `attach` gave it. The app holds the scheduler and the
    /// scheduler the app: without this, neither (nor the store file they share) is ever
    /// dropped, and the same process cannot open the store again.
    pub fn detach(&self) {
        self.app.write().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
    }

    fn app(&self) -> Option<App> {
        self.app.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Runs `reconcile` in a task of its own, so the server serves meanwhile; a store that
    /// cannot be read is tried again. `reconciled` waits for it.
    pub fn reconcile_in_background(self: &Arc<Self>, tenants: Vec<TenantId>) -> JoinHandle<()> {
        // Marked before the task starts: a clock advanced right after a start waits for it.
        self.reconciling.send_replace(true);
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                match this.reconcile(&tenants).await {
                    Ok(rearmed) => {
                        let pending = this.pending().unwrap_or_default();
                        tracing::info!(pending, rearmed, "schedule reloaded");
                        break;
                    }
                    Err(StoreError::Unavailable(e)) => {
                        tracing::warn!(error = %e, "cannot reconcile the schedule yet; trying again");
                        tokio::time::sleep(RETRY_AFTER.to_std().unwrap_or_default()).await;
                    }
                    // A row that cannot be read will not read better later: say so, and go on
                    // serving what the table holds.
                    Err(e) => {
                        tracing::error!(error = %e, "cannot reconcile the schedule");
                        break;
                    }
                }
            }
            this.reconciling.send_replace(false);
        })
    }

    /// Waits until no reconcile is running.
    pub async fn reconciled(&self) {
        let _ = self.reconciling.subscribe().wait_for(|running| !running).await;
    }

    /// The due time of the earliest pending touch.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        self.window().next_due()
    }

    /// How many touches are pending (the table's count: memory holds only a window).
    pub fn pending(&self) -> Result<u64, StoreError> {
        let tx = self.store.db.begin_read().map_err(unavailable)?;
        tx.open_table(SCHEDULE).map_err(unavailable)?.len().map_err(unavailable)
    }

    /// Writes `rows` to the table in one transaction, then to memory, and wakes the timer.
    async fn put(&self, rows: Vec<(String, Wakeup)>) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let encoded: Vec<(String, Vec<u8>)> = rows.iter().map(|(key, wakeup)| (key.clone(), encode(wakeup))).collect();
        self.store
            .write(move |tx| {
                let mut table = tx.open_table(SCHEDULE).map_err(unavailable)?;
                for (key, value) in &encoded {
                    table.insert(key.as_str(), value.as_slice()).map_err(unavailable)?;
                }
                Ok(())
            })
            .await?;
        let mut state = self.state();
        for (key, wakeup) in rows {
            state.insert(key, wakeup);
        }
        drop(state);
        self.wake.notify_one();
        Ok(())
    }

    /// Starts every touch due at the app's `now` that is not already running.
    fn dispatch_due(self: &Arc<Self>) -> Vec<JoinHandle<()>> {
        let Some(app) = self.app() else { return Vec::new() };
        let end = prefix_end(&schedule_key(app.clock.now(), ""));
        let due = self.window().start_due(&end);
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
                tracing::debug!(lead = ?wakeup.lead_id(), ?outcome, "wakeup ran");
                None
            }
            Err(e) => {
                tracing::warn!(error = %e, lead = ?wakeup.lead_id(), "wakeup failed; retrying later");
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
                state.remove(&key);
                if let Some((retry_key, retry)) = retry_row {
                    state.insert(retry_key, retry);
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
            match (next, self.app()) {
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
        let Some(app) = self.app() else { return true };
        let end = prefix_end(&schedule_key(app.clock.now(), ""));
        self.window().settled(&end)
    }

    /// Moves a manual clock to `target`, stopping at each due time on the way so every
    /// touch runs at its own instant, and answers when everything due by then has run
    /// (after a reconcile in progress has put back what it finds).
    pub async fn advance_to(self: &Arc<Self>, clock: &ManualClock, target: DateTime<Utc>) -> Result<(), StoreError> {
        self.reconciled().await;
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
        self.put(vec![(key, wakeup)]).await.map_err(schedule_error)
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
        self.state().remove(&key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::window::WINDOW;
    use super::*;
    use chrono::TimeZone;
    use leadflow_core::domain::LeadId;
    use leadflow_core::ports::SlaCheck;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 5, 15, 0, 0).unwrap()
    }

    fn wakeup(second: i64) -> (String, Wakeup) {
        let at = t0() + Duration::seconds(second);
        let check = SlaCheck {
            tenant: TenantId::parse("acme").unwrap(),
            lead_id: LeadId::new(),
            handed_off_at: at,
            due_at: at,
        };
        let wakeup = Wakeup::from(check);
        (schedule_key(at, &wakeup.name()), wakeup)
    }

    /// Takes everything due by `end` out of the window and the table, as runs would.
    async fn run_due(scheduler: &LocalScheduler, end: &str) -> Vec<DateTime<Utc>> {
        let due = scheduler.window().start_due(end);
        let keys: Vec<String> = due.iter().map(|(key, _)| key.clone()).collect();
        let removed = keys.clone();
        scheduler
            .store
            .write(move |tx| {
                let mut table = tx.open_table(SCHEDULE).map_err(unavailable)?;
                for key in &removed {
                    table.remove(key.as_str()).map_err(unavailable)?;
                }
                Ok(())
            })
            .await
            .unwrap();
        let mut state = scheduler.state();
        for key in &keys {
            state.remove(key);
            state.finished(key);
        }
        due.into_iter().map(|(_, wakeup)| wakeup.due_at()).collect()
    }

    #[tokio::test]
    async fn a_restart_reads_every_pending_row_once_in_due_order_a_window_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(dir.path()).unwrap();
        let count = 3 * WINDOW + 7;
        // Written in a shuffled order, a few at a time.
        let rows: Vec<_> = (0..count).map(|i| wakeup((i * 7919 % count) as i64)).collect();
        let before = LocalScheduler::new(store.clone());
        for chunk in rows.chunks(100) {
            before.put(chunk.to_vec()).await.unwrap();
        }
        assert!(before.state().len() <= 2 * WINDOW, "memory holds a window, not every row");

        let scheduler = LocalScheduler::new(store);
        assert_eq!(scheduler.pending().unwrap(), count as u64);
        assert_eq!(scheduler.next_due(), Some(t0()));
        let everything = prefix_end(&schedule_key(t0() + Duration::days(1), ""));
        let mut seen = Vec::new();
        loop {
            let batch = run_due(&scheduler, &everything).await;
            if batch.is_empty() {
                break;
            }
            assert!(scheduler.state().len() <= 2 * WINDOW);
            seen.extend(batch);
        }
        let expected: Vec<_> = (0..count as i64).map(|s| t0() + Duration::seconds(s)).collect();
        assert_eq!(seen, expected);
        assert_eq!(scheduler.pending().unwrap(), 0);
        assert!(scheduler.window().settled(&everything));
    }

    #[tokio::test]
    async fn a_wakeup_added_before_everything_pending_is_the_next_one_due() {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(dir.path()).unwrap();
        let scheduler = LocalScheduler::new(store);
        let later: Vec<_> = (0..3 * WINDOW as i64).map(|s| wakeup(3600 + s)).collect();
        scheduler.put(later).await.unwrap();
        // Read part of the way in, so the window's horizon is inside the table.
        let first_half_hour = prefix_end(&schedule_key(t0() + Duration::seconds(3600 + 100), ""));
        assert_eq!(run_due(&scheduler, &first_half_hour).await.len(), 101);

        let (key, early) = wakeup(60);
        scheduler.schedule(early).await.unwrap();
        assert_eq!(scheduler.next_due(), Some(t0() + Duration::seconds(60)));
        let (_, late) = wakeup(10 * 86_400);
        scheduler.schedule(late).await.unwrap();
        assert_eq!(scheduler.next_due(), Some(t0() + Duration::seconds(60)));
        assert!(scheduler.state().holds(&key));
    }
}
