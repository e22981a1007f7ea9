//! The `LeadStore` port over redb: one file, ACID transactions, nothing to install.

pub(crate) mod active;
mod keys;
mod lead_store;
mod lists;
mod reps;
mod sources;
mod writer;

pub(crate) use writer::unavailable;

use leadflow_core::ports::StoreError;
use redb::{Builder, Database, ReadableTable, TableDefinition, TableHandle, WriteTransaction};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use writer::Writer;

pub(crate) const LEADS: TableDefinition<&str, &[u8]> = TableDefinition::new("leads");
pub(crate) const CONTACTS: TableDefinition<&str, &str> = TableDefinition::new("contacts");
pub(crate) const IDEMPOTENCY: TableDefinition<&str, &[u8]> = TableDefinition::new("idempotency");
pub(crate) const ENROLMENTS: TableDefinition<&str, &[u8]> = TableDefinition::new("enrolments");
/// The keys of the active enrolments (see `active`).
pub(crate) const ACTIVE_ENROLMENTS: TableDefinition<&str, ()> = TableDefinition::new("active_enrolments");
pub(crate) const TOUCHES: TableDefinition<&str, &[u8]> = TableDefinition::new("touches");
pub(crate) const TIMELINE: TableDefinition<&str, &[u8]> = TableDefinition::new("timeline");
pub(crate) const COUNTERS: TableDefinition<&str, u64> = TableDefinition::new("counters");
pub(crate) const SCHEDULE: TableDefinition<&str, &[u8]> = TableDefinition::new("schedule");
pub(crate) const OUTBOX: TableDefinition<&str, &[u8]> = TableDefinition::new("outbox");
/// The outbox key of each touch id the outbox recorded: how it answers whether it has a touch.
pub(crate) const OUTBOX_TOUCHES: TableDefinition<&str, &str> = TableDefinition::new("outbox_touches");
pub(crate) const SEQUENCES: TableDefinition<&str, u64> = TableDefinition::new("sequences");
/// Inbound message ids claimed, by tenant and id: when each claim expires (microseconds).
pub(crate) const INBOUND: TableDefinition<&str, i64> = TableDefinition::new("inbound");
/// A number's opt-out record (JSON), by tenant and number. (`opt_outs_v2`: the first table
/// held a flag without the evidence; no release ever wrote it.)
pub(crate) const OPT_OUTS: TableDefinition<&str, &[u8]> = TableDefinition::new("opt_outs_v2");
/// Each rep's record (JSON: away, leads waiting on them), by tenant and name.
pub(crate) const REPS: TableDefinition<&str, &[u8]> = TableDefinition::new("reps");
/// The lists people work from: `tenant#list#lead` → the entry.
pub(crate) const LISTS: TableDefinition<&str, &[u8]> = TableDefinition::new("lists");
/// Rate windows: a rate's key to its current window's start (µs) and hits.
pub(crate) const HITS: TableDefinition<&str, (i64, u64)> = TableDefinition::new("hits");
/// Lead sources' raw requests, by tenant and payload key.
pub(crate) const PAYLOADS: TableDefinition<&str, &[u8]> = TableDefinition::new("payloads");
/// The payloads by expiry (`{µs:020}|{key}`), so expired ones are removed a few at a time.
pub(crate) const PAYLOAD_EXPIRY: TableDefinition<&str, ()> = TableDefinition::new("payload_expiry");

/// redb's page cache. Its default (1 GiB) lets a dev server's memory grow with every lead it
/// ever read, finished ones included; reads past this come from the OS's file cache, and
/// intake commits touch few pages.
const CACHE_BYTES: usize = 64 * 1024 * 1024;

/// leadflow's data in one redb file.
#[derive(Clone)]
pub struct EmbeddedStore {
    pub(crate) db: Arc<Database>,
    writer: Writer,
}

impl EmbeddedStore {
    /// Opens (or creates) the store in `dir`, recovering it if the last process was killed.
    ///
    /// Recovery is instant when the last commit saved redb's allocator state, which the writer
    /// does whenever it goes idle and on [`EmbeddedStore::close`]; otherwise (a kill in
    /// the middle of writing) redb walks the whole file first, and a warning says so.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(unavailable)?;
        let path = dir.join("leadflow.redb");
        let warned = AtomicBool::new(false);
        let db = Builder::new()
            .set_cache_size(CACHE_BYTES)
            .set_repair_callback(move |_| {
                if !warned.swap(true, Ordering::Relaxed) {
                    tracing::warn!("the store was not closed cleanly while writing: checking the whole file");
                }
            })
            .create(path)
            .map_err(unavailable)?;
        let db = Arc::new(db);
        let tx = db.begin_write().map_err(unavailable)?;
        let indexed = tx.list_tables().map_err(unavailable)?.any(|t| t.name() == ACTIVE_ENROLMENTS.name());
        {
            tx.open_table(LEADS).map_err(unavailable)?;
            tx.open_table(CONTACTS).map_err(unavailable)?;
            tx.open_table(IDEMPOTENCY).map_err(unavailable)?;
            tx.open_table(ENROLMENTS).map_err(unavailable)?;
            tx.open_table(TOUCHES).map_err(unavailable)?;
            tx.open_table(TIMELINE).map_err(unavailable)?;
            tx.open_table(COUNTERS).map_err(unavailable)?;
            tx.open_table(SCHEDULE).map_err(unavailable)?;
            tx.open_table(OUTBOX).map_err(unavailable)?;
            tx.open_table(OUTBOX_TOUCHES).map_err(unavailable)?;
            tx.open_table(SEQUENCES).map_err(unavailable)?;
            tx.open_table(INBOUND).map_err(unavailable)?;
            tx.open_table(OPT_OUTS).map_err(unavailable)?;
            tx.open_table(REPS).map_err(unavailable)?;
            tx.open_table(LISTS).map_err(unavailable)?;
            tx.open_table(HITS).map_err(unavailable)?;
            tx.open_table(PAYLOADS).map_err(unavailable)?;
            tx.open_table(PAYLOAD_EXPIRY).map_err(unavailable)?;
            tx.open_table(ACTIVE_ENROLMENTS).map_err(unavailable)?;
        }
        if !indexed {
            let active = active::build(&tx)?;
            if active > 0 {
                tracing::info!(active, "indexed the active enrolments of a store made before the index");
            }
        }
        tx.commit().map_err(unavailable)?;
        let writer = Writer::start(db.clone());
        Ok(Self { db, writer })
    }

    /// Commits every write queued so far and closes the store for writing, leaving a file the
    /// next open needs no walk of. Every later write, from any clone, fails as `Unavailable`;
    /// reads still work. A clean stop calls it last.
    pub async fn close(&self) -> Result<(), StoreError> {
        self.writer.close().await
    }

    /// Runs `change` in a (group-committed) write transaction.
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        change: impl FnOnce(&WriteTransaction) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.writer.write(change).await
    }

    /// One value by key.
    pub(crate) fn get<T: DeserializeOwned>(
        &self,
        table: TableDefinition<&str, &[u8]>,
        key: &str,
    ) -> Result<Option<T>, StoreError> {
        let tx = self.db.begin_read().map_err(unavailable)?;
        let table = tx.open_table(table).map_err(unavailable)?;
        table.get(key).map_err(unavailable)?.map(|v| decode(v.value())).transpose()
    }

    /// Every value whose key starts with `prefix`, in key order.
    pub(crate) fn scan<T: DeserializeOwned>(
        &self,
        table: TableDefinition<&str, &[u8]>,
        prefix: &str,
    ) -> Result<Vec<T>, StoreError> {
        let tx = self.db.begin_read().map_err(unavailable)?;
        let table = tx.open_table(table).map_err(unavailable)?;
        let end = keys::prefix_end(prefix);
        let mut values = Vec::new();
        for item in table.range(prefix..end.as_str()).map_err(unavailable)? {
            let (_, value) = item.map_err(unavailable)?;
            values.push(decode(value.value())?);
        }
        Ok(values)
    }
}

/// The next number of a store-wide sequence, inside a write transaction.
pub(crate) fn next_seq(tx: &WriteTransaction, name: &str) -> Result<u64, StoreError> {
    let mut table = tx.open_table(SEQUENCES).map_err(unavailable)?;
    let next = table.get(name).map_err(unavailable)?.map(|v| v.value()).unwrap_or(0) + 1;
    table.insert(name, next).map_err(unavailable)?;
    Ok(next)
}

pub(crate) fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("domain types serialise")
}

/// Parses a stored value back into domain types (which re-checks their invariants).
pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) use keys::{outbox as outbox_key, prefix_end, schedule as schedule_key};
