//! What the store keeps of each rep: away or not, and how many leads wait on them (moved in
//! the same transaction as the lead that starts or stops waiting).

use super::{decode, encode, keys, unavailable, REPS};
use leadflow_core::domain::TenantId;
use leadflow_core::ports::{RepState, StoreError};
use redb::{ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Serialize, Deserialize)]
struct StoredRep {
    away: bool,
    open: i64,
}

/// Changes one rep's record inside a write transaction.
fn update(
    tx: &WriteTransaction,
    tenant: &TenantId,
    rep: &str,
    change: impl FnOnce(&mut StoredRep),
) -> Result<(), StoreError> {
    let mut table = tx.open_table(REPS).map_err(unavailable)?;
    let key = keys::rep(tenant, rep);
    let mut stored: StoredRep =
        table.get(key.as_str()).map_err(unavailable)?.map(|v| decode(v.value())).transpose()?.unwrap_or_default();
    change(&mut stored);
    table.insert(key.as_str(), encode(&stored).as_slice()).map_err(unavailable)?;
    Ok(())
}

/// Adds a lead write's `waiting` changes to the reps' counts.
pub(super) fn add_waiting(
    tx: &WriteTransaction,
    tenant: &TenantId,
    changes: &[(String, i64)],
) -> Result<(), StoreError> {
    for (rep, by) in changes {
        // Never below nobody: a lead handed off before waits were counted was never added.
        update(tx, tenant, rep, |stored| stored.open = (stored.open + by).max(0))?;
    }
    Ok(())
}

/// Marks a rep away or back.
pub(super) fn set_away(tx: &WriteTransaction, tenant: &TenantId, rep: &str, away: bool) -> Result<(), StoreError> {
    update(tx, tenant, rep, |stored| stored.away = away)
}

/// Every rep of the tenant the store has a record of.
pub(super) fn states(tx: &redb::ReadTransaction, tenant: &TenantId) -> Result<Vec<RepState>, StoreError> {
    let table = tx.open_table(REPS).map_err(unavailable)?;
    let prefix = keys::tenant_prefix(tenant);
    let end = keys::prefix_end(&prefix);
    let mut states = Vec::new();
    for item in table.range(prefix.as_str()..end.as_str()).map_err(unavailable)? {
        let (key, value) = item.map_err(unavailable)?;
        let stored: StoredRep = decode(value.value())?;
        let name = key.value()[prefix.len()..].to_owned();
        states.push(RepState { name, away: stored.away, open: stored.open.max(0) as u64 });
    }
    Ok(states)
}
