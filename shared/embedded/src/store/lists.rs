//! The lists people work from (see `leadflow_core::ports::ListChange`), one row per
//! (tenant, list, lead), changed in the lead's own write transaction.

use super::{decode, encode, keys, unavailable, LISTS};
use leadflow_core::domain::TenantId;
use leadflow_core::ports::{ListChange, Listed, StoreError};
use redb::WriteTransaction;

/// Applies a lead write's list changes.
pub(super) fn apply(tx: &WriteTransaction, tenant: &TenantId, changes: &[ListChange]) -> Result<(), StoreError> {
    if changes.is_empty() {
        return Ok(());
    }
    let mut table = tx.open_table(LISTS).map_err(unavailable)?;
    for change in changes {
        match change {
            ListChange::Put { list, entry } => {
                let key = keys::listed(tenant, list, entry.lead_id.as_str());
                table.insert(key.as_str(), encode(entry).as_slice()).map_err(unavailable)?;
            }
            ListChange::Remove { list, lead_id } => {
                table.remove(keys::listed(tenant, list, lead_id.as_str()).as_str()).map_err(unavailable)?;
            }
        }
    }
    Ok(())
}

/// The entries of one of the tenant's lists.
pub(super) fn entries(tx: &redb::ReadTransaction, tenant: &TenantId, list: &str) -> Result<Vec<Listed>, StoreError> {
    let table = tx.open_table(LISTS).map_err(unavailable)?;
    let prefix = keys::listed(tenant, list, "");
    let end = keys::prefix_end(&prefix);
    let mut entries = Vec::new();
    for item in table.range(prefix.as_str()..end.as_str()).map_err(unavailable)? {
        let (_, value) = item.map_err(unavailable)?;
        entries.push(decode(value.value())?);
    }
    Ok(entries)
}
