//! Group commit: one thread owns redb's single write transaction; concurrent writers queue
//! their changes, and everything queued is applied in one transaction and one fsync.
//!
//! A job checks its conditions before it writes anything, so a job that fails a condition
//! leaves no trace and the batch commits the others. A redb error fails the whole batch.

use leadflow_core::ports::StoreError;
use redb::{Database, WriteTransaction};
use std::sync::{mpsc, Arc};
use tokio::sync::oneshot;

/// The most jobs one transaction takes.
const MAX_BATCH: usize = 512;

type Completion = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
/// A job answers its completion and whether it failed inside redb (which aborts the batch).
type Job = Box<dyn FnOnce(&WriteTransaction) -> (Completion, bool) + Send>;

/// A handle to the writer thread.
#[derive(Clone)]
pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
}

pub(crate) fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

impl Writer {
    /// Starts the writer thread for `db`.
    pub fn start(db: Arc<Database>) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("leadflow-store-writer".to_owned())
            .spawn(move || run(&db, &queue))
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
        self.jobs.send(job).map_err(|_| unavailable("the store is closed"))?;
        answered.await.map_err(|_| unavailable("the store writer stopped"))?
    }
}

fn run(db: &Database, queue: &mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let tx = match db.begin_write() {
            Ok(tx) => tx,
            Err(e) => {
                tracing::error!(error = %e, "cannot begin a write transaction");
                // Dropping a job drops its answer channel: its caller gets `Unavailable`.
                drop(batch);
                continue;
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
}
