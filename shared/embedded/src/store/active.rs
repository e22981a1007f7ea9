//! The active enrolments, by key: a sparse index beside `enrolments` (as DynamoDB's `gsi1`
//! is on AWS), so that what a restart reads grows with the enrolments still running, not
//! with every enrolment ever made.

use super::{decode, keys, unavailable, ACTIVE_ENROLMENTS, ENROLMENTS};
use leadflow_core::domain::{Enrolment, TenantId};
use leadflow_core::ports::StoreError;
use redb::{ReadTransaction, ReadableTable, WriteTransaction};
use std::ops::Bound;

/// Keeps the index in step with a write of the enrolment stored under `key`, in the same
/// transaction.
pub(super) fn index(tx: &WriteTransaction, key: &str, enrolment: &Enrolment) -> Result<(), StoreError> {
    let mut table = tx.open_table(ACTIVE_ENROLMENTS).map_err(unavailable)?;
    if enrolment.is_active() {
        table.insert(key, ()).map_err(unavailable)?;
    } else {
        table.remove(key).map_err(unavailable)?;
    }
    Ok(())
}

/// Indexes every active enrolment: once, when a store written before the index existed is
/// opened (the one start that reads every enrolment).
pub(super) fn build(tx: &WriteTransaction) -> Result<u64, StoreError> {
    let enrolments = tx.open_table(ENROLMENTS).map_err(unavailable)?;
    let mut index = tx.open_table(ACTIVE_ENROLMENTS).map_err(unavailable)?;
    let mut count = 0;
    for item in enrolments.iter().map_err(unavailable)? {
        let (key, value) = item.map_err(unavailable)?;
        if decode::<Enrolment>(value.value())?.is_active() {
            index.insert(key.value(), ()).map_err(unavailable)?;
            count += 1;
        }
    }
    Ok(count)
}

/// Up to `limit` of the tenant's active enrolments in key order, after the key `after` (from
/// the first when `None`), with their keys: a page, so a caller holds no more than it asked.
pub(crate) fn page(
    tx: &ReadTransaction,
    tenant: &TenantId,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<(String, Enrolment)>, StoreError> {
    let index = tx.open_table(ACTIVE_ENROLMENTS).map_err(unavailable)?;
    let enrolments = tx.open_table(ENROLMENTS).map_err(unavailable)?;
    let prefix = keys::tenant_prefix(tenant);
    let end = keys::prefix_end(&prefix);
    let start = after.map_or(Bound::Included(prefix.as_str()), Bound::Excluded);
    let mut page = Vec::new();
    for item in index.range::<&str>((start, Bound::Excluded(end.as_str()))).map_err(unavailable)?.take(limit) {
        let (key, _) = item.map_err(unavailable)?;
        let key = key.value().to_owned();
        // The index and the table change in one transaction, so an indexed key has its row.
        let value = enrolments.get(key.as_str()).map_err(unavailable)?;
        let value = value.ok_or_else(|| StoreError::Corrupt(format!("indexed enrolment {key} is missing")))?;
        let enrolment = decode(value.value())?;
        page.push((key, enrolment));
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::super::{encode, EmbeddedStore};
    use super::*;
    use chrono::{TimeZone, Utc};
    use leadflow_core::domain::{EnrolmentId, EnrolmentStatus, LeadId};
    use leadflow_core::ports::LeadStore;
    use redb::Database;

    fn enrolment(tenant: &TenantId, status: EnrolmentStatus) -> Enrolment {
        let at = Utc.with_ymd_and_hms(2026, 3, 5, 15, 0, 0).unwrap();
        Enrolment {
            id: EnrolmentId::new(),
            tenant: tenant.clone(),
            lead_id: LeadId::new(),
            cadence: "standard".to_owned(),
            enrolled_at: at,
            anchor_at: None,
            gate: None,
            next_step: 1,
            next_due_at: Some(at),
            status,
            version: 2,
        }
    }

    #[tokio::test]
    async fn a_store_made_before_the_index_is_indexed_when_it_opens() {
        let dir = tempfile::tempdir().unwrap();
        let tenant = TenantId::parse("acme").unwrap();
        let running = enrolment(&tenant, EnrolmentStatus::Active);
        let finished = enrolment(&tenant, EnrolmentStatus::Completed);
        {
            // The file as a release without the index left it: enrolments, no index table.
            let db = Database::create(dir.path().join("leadflow.redb")).unwrap();
            let tx = db.begin_write().unwrap();
            {
                let mut table = tx.open_table(ENROLMENTS).unwrap();
                for e in [&running, &finished] {
                    table.insert(keys::enrolment(&e.tenant, &e.lead_id, &e.id).as_str(), encode(e).as_slice()).unwrap();
                }
            }
            tx.commit().unwrap();
        }
        let store = EmbeddedStore::open(dir.path()).unwrap();
        assert_eq!(store.active_enrolments(&tenant).await.unwrap(), vec![running]);
    }

    #[test]
    fn pages_follow_on_without_gaps_or_repeats() {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(dir.path()).unwrap();
        let tenant = TenantId::parse("acme").unwrap();
        let other = TenantId::parse("acme2").unwrap();
        let tx = store.db.begin_write().unwrap();
        let mut expected = Vec::new();
        for (i, t) in (0..25).map(|i| (i, if i % 5 == 0 { &other } else { &tenant })) {
            let e = enrolment(t, if i % 3 == 0 { EnrolmentStatus::Completed } else { EnrolmentStatus::Active });
            let key = keys::enrolment(&e.tenant, &e.lead_id, &e.id);
            tx.open_table(ENROLMENTS).unwrap().insert(key.as_str(), encode(&e).as_slice()).unwrap();
            index(&tx, &key, &e).unwrap();
            if t == &tenant && e.is_active() {
                expected.push(key);
            }
        }
        tx.commit().unwrap();
        expected.sort();

        let tx = store.db.begin_read().unwrap();
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = page(&tx, &tenant, after.as_deref(), 4).unwrap();
            assert!(page.len() <= 4);
            let Some((last, _)) = page.last() else { break };
            after = Some(last.clone());
            seen.extend(page.into_iter().map(|(key, _)| key));
        }
        assert_eq!(seen, expected, "the tenant's active enrolments, each once, and no one else's");
    }
}
