//! Group commit: one thread owns redb's single write transaction; concurrent writers queue
//! their changes, and everything queued is applied in one transaction and one fsync.
//!
//! A job checks its conditions before it writes anything, so a job that fails a condition
//! leaves no trace and the batch commits the others. A redb error fails the whole batch.
//!
//! When the queue has been empty for a moment after a commit, the writer makes one more,
//! empty commit with redb's quick repair on: it saves the allocator state, so a process killed
//! while idle reopens at once instead of walking and checksumming the whole file. Doing it on
//! every commit would cost each one a second fsync (intake p50 6.5 → 25.8 ms, measured); a kill
//! in the middle of a burst still pays the walk.

use leadflow_core::ports::StoreError;
use redb::{Database, WriteTransaction};
use std::sync::{mpsc, Arc};
use std::time::Duration;
use tokio::sync::oneshot;

/// The most jobs one transaction takes.
const MAX_BATCH: usize = 512;

/// How long the queue stays empty after a commit before the writer saves the allocator state.
const IDLE_BEFORE_CHECKPOINT: Duration = Duration::from_millis(200);

type Completion = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
/// A job answers its completion and whether it failed inside redb (which aborts the batch).
type Job = Box<dyn FnOnce(&WriteTransaction) -> (Completion, bool) + Send>;

enum Message {
    Write(Job),
    /// Save the allocator state after every write queued before, then stop taking writes.
    Close(oneshot::Sender<Result<(), StoreError>>),
}

/// A handle to the writer thread.
#[derive(Clone)]
pub(super) struct Writer {
    jobs: mpsc::Sender<Message>,
}

pub(crate) fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

impl Writer {
    /// Starts the writer thread for `db`.
    pub fn start(db: Arc<Database>) -> Self {
        let (jobs, queue) = mpsc::channel::<Message>();
        std::thread::Builder::new()
            .name("leadflow-store-writer".to_owned())
            .spawn(move || run(db, &queue))
            .expect("the writer thread starts");
        Self { jobs }
    }

    /// Runs `change` inside a write transaction and answers once it is durable.
    pub async fn write<T: Send + 'static>(
        &self,
        change: impl FnOnce(&WriteTransaction) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |tx| {
            let result = change(tx);
            let broke = matches!(result, Err(StoreError::Unavailable(_)));
            let complete: Completion = Box::new(move |committed: Result<(), StoreError>| {
                let _ = answer.send(committed.and(result));
            });
            (complete, broke)
        });
        self.jobs.send(Message::Write(job)).map_err(|_| unavailable("the store is closed"))?;
        answered.await.map_err(|_| unavailable("the store writer stopped"))?
    }

    /// Commits every write queued before, saves the allocator state and stops: every later
    /// write fails as `Unavailable`, so none can follow the saved state and the next open is
    /// instant. A clean stop calls it last.
    pub async fn close(&self) -> Result<(), StoreError> {
        let (answer, answered) = oneshot::channel();
        self.jobs.send(Message::Close(answer)).map_err(|_| unavailable("the store is closed"))?;
        answered.await.map_err(|_| unavailable("the store writer stopped"))?
    }
}

fn run(db: Arc<Database>, queue: &mpsc::Receiver<Message>) {
    // Whether the last commit saved the allocator state (a fresh open either did or repaired).
    let mut saved = true;
    loop {
        let next = if saved {
            queue.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected)
        } else {
            queue.recv_timeout(IDLE_BEFORE_CHECKPOINT)
        };
        let first = match next {
            Ok(Message::Write(job)) => job,
            Ok(Message::Close(answer)) => return close(db, answer),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                saved = save_allocator_state(&db).is_ok();
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        saved = false;
        let mut batch = vec![first];
        let mut closing = None;
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(Message::Write(job)) => batch.push(job),
                // Taken after this batch commits: it then follows every write queued before it.
                Ok(Message::Close(answer)) => {
                    closing = Some(answer);
                    break;
                }
                Err(_) => break,
            }
        }
        commit_batch(&db, batch);
        if let Some(answer) = closing {
            return close(db, answer);
        }
    }
}

/// Saves the allocator state and lets go of the database before answering: once `close`
/// is answered, the file may be opened again (by the same process, too).
fn close(db: Arc<Database>, answer: oneshot::Sender<Result<(), StoreError>>) {
    let saved = save_allocator_state(&db);
    drop(db);
    let _ = answer.send(saved);
}

/// An empty commit with quick repair on, which stores the allocator state beside the data.
fn save_allocator_state(db: &Database) -> Result<(), StoreError> {
    let mut tx = db.begin_write().map_err(unavailable)?;
    tx.set_quick_repair(true);
    tx.commit().map_err(unavailable).inspect_err(|e| tracing::warn!(error = %e, "cannot save the allocator state"))
}

/// Applies `batch` in one transaction and answers each job.
fn commit_batch(db: &Database, batch: Vec<Job>) {
    let tx = match db.begin_write() {
        Ok(tx) => tx,
        Err(e) => {
            tracing::error!(error = %e, "cannot begin a write transaction");
            // Dropping a job drops its answer channel: its caller gets `Unavailable`.
            drop(batch);
            return;
        }
    };
    // A job that panics loses its answer (its caller sees `Unavailable`) and spoils the
    // batch like a redb error would; the writer itself lives on.
    let (completions, broke): (Vec<Option<Completion>>, Vec<bool>) = batch
        .into_iter()
        .map(|job| match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&tx))) {
            Ok((complete, broke)) => (Some(complete), broke),
            Err(_) => (None, true),
        })
        .unzip();
    // A job that failed inside redb may have written half its change: keep none of the batch.
    let committed = if broke.contains(&true) {
        let _ = tx.abort();
        Err(unavailable("a write in this batch failed; nothing was written"))
    } else {
        tx.commit().map_err(unavailable)
    };
    for complete in completions.into_iter().flatten() {
        complete(committed.clone());
    }
}
