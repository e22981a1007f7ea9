//! The lists people work from: entries move with their lead's write, atomically, per tenant.

use super::prelude::*;
use crate::ports::{list_changes, WAITING_LIST};

/// A lead that starts waiting for a human is on the tenant's waiting list after its write;
/// a stale write adds nothing; a contacted lead leaves it; another tenant's list is its own.
pub async fn the_waiting_list_moves_with_its_leads(store: &dyn LeadStore) {
    let (tenant, other) = (fresh_tenant(), fresh_tenant());
    let lead = new_lead(&tenant, Some(fresh_email()), None);
    ok(store.write_lead(create(&lead)).await, "write_lead");
    assert_eq!(ok(store.listed(&tenant, WAITING_LIST).await, "listed"), vec![], "nobody waits yet");

    let mut waiting = lead.clone();
    (waiting.needs_human, waiting.owner, waiting.handed_off_at, waiting.version) =
        (true, Some("Dana Ng".into()), Some(t0()), 2);
    let write = LeadWrite { lists: list_changes(Some(&lead), &waiting), ..create(&waiting) };
    ok(store.write_lead(write.clone()).await, "write_lead");
    assert_eq!(store.write_lead(write).await, Err(StoreError::Stale), "a stale write must fail");
    let listed = ok(store.listed(&tenant, WAITING_LIST).await, "listed");
    assert_eq!(listed.len(), 1, "the waiting lead is listed once: {listed:?}");
    assert_eq!((&listed[0].lead_id, listed[0].owner.as_deref(), listed[0].since), (&lead.id, Some("Dana Ng"), t0()));
    assert_eq!(ok(store.listed(&other, WAITING_LIST).await, "listed"), vec![], "another tenant's list is its own");
    assert_eq!(ok(store.listed(&tenant, "stale").await, "listed"), vec![], "another list is another list");

    let mut contacted = waiting.clone();
    (contacted.needs_human, contacted.version) = (false, 3);
    let write = LeadWrite { lists: list_changes(Some(&waiting), &contacted), ..create(&contacted) };
    ok(store.write_lead(write).await, "write_lead");
    assert_eq!(ok(store.listed(&tenant, WAITING_LIST).await, "listed"), vec![], "the contacted lead left the list");
}
