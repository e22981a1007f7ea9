//! Reps: marked away or back, and counted by the leads waiting on them, per tenant.

use super::prelude::*;
use crate::ports::{waiting_changes, RepState};

fn state<'a>(states: &'a [RepState], name: &str) -> Option<&'a RepState> {
    states.iter().find(|s| s.name == name)
}

/// A rep marked away reads back away until marked back; the leads waiting on a rep move with
/// the lead writes that start and stop their wait, in the same atomic write (a write that
/// fails moves nothing); another tenant's rep of the same name is someone else.
pub async fn reps_are_marked_away_and_counted_by_the_leads_waiting_on_them(store: &dyn LeadStore) {
    let (tenant, other) = (fresh_tenant(), fresh_tenant());
    assert_eq!(ok(store.rep_states(&tenant).await, "rep_states"), vec![], "a new tenant's store knows of no rep");
    ok(store.set_rep_away(&tenant, "Dana Ng", true).await, "set_rep_away");
    let states = ok(store.rep_states(&tenant).await, "rep_states");
    assert_eq!(state(&states, "Dana Ng"), Some(&RepState { name: "Dana Ng".into(), away: true, open: 0 }));

    // A lead is handed to Dana: it waits on her.
    let lead = new_lead(&tenant, Some(fresh_email()), None);
    ok(store.write_lead(create(&lead)).await, "write_lead");
    let mut waiting = lead.clone();
    (waiting.needs_human, waiting.owner, waiting.version) = (true, Some("Dana Ng".into()), 2);
    let write = LeadWrite { waiting: waiting_changes(Some(&lead), &waiting), ..create(&waiting) };
    ok(store.write_lead(write).await, "write_lead");
    // A stale write of the same change moves nothing.
    let stale = LeadWrite { waiting: waiting_changes(Some(&lead), &waiting), ..create(&waiting) };
    assert_eq!(store.write_lead(stale).await, Err(StoreError::Stale), "a stale write must fail");
    ok(store.set_rep_away(&tenant, "Dana Ng", false).await, "set_rep_away");
    let states = ok(store.rep_states(&tenant).await, "rep_states");
    assert_eq!(
        state(&states, "Dana Ng"),
        Some(&RepState { name: "Dana Ng".into(), away: false, open: 1 }),
        "Dana is back, with the one lead that waits on her (the stale write counted nothing)"
    );

    // A human marks it contacted: it waits on nobody.
    let mut contacted = waiting.clone();
    (contacted.needs_human, contacted.version) = (false, 3);
    let write = LeadWrite { waiting: waiting_changes(Some(&waiting), &contacted), ..create(&contacted) };
    ok(store.write_lead(write).await, "write_lead");
    let states = ok(store.rep_states(&tenant).await, "rep_states");
    assert_eq!(state(&states, "Dana Ng").map(|s| s.open), Some(0), "the contacted lead no longer waits on Dana");
    assert_eq!(ok(store.rep_states(&other).await, "rep_states"), vec![], "another tenant's reps are its own");
}
