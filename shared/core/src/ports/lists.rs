//! The short lists people work from (the leads waiting for a human, the stale ones): each
//! entry is kept beside its lead and changed in the same atomic write as the lead, so a page
//! lists them without reading every lead, and a list never disagrees with its leads.

use crate::domain::{Lead, LeadId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The leads waiting for a human: they replied, and nobody has marked them contacted yet.
pub const WAITING_LIST: &str = "waiting";

/// The leads over their stage's SLA (the stale-lead alert went out), until they move on.
pub const STALE_LIST: &str = "stale";

/// A lead on a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed {
    pub lead_id: LeadId,
    /// The lead's name, as a person reads it.
    pub name: String,
    /// The rep it is with, if any.
    pub owner: Option<String>,
    /// Since when it has been on the list.
    pub since: DateTime<Utc>,
    /// What else the list says of it (the stage a stale lead sits in, say).
    pub note: Option<String>,
}

/// What a lead write does to one list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListChange {
    /// Adds the entry, or replaces the lead's entry.
    Put {
        list: String,
        entry: Listed,
    },
    Remove {
        list: String,
        lead_id: LeadId,
    },
}

/// The lead's full name.
pub fn display_name(lead: &Lead) -> String {
    match &lead.profile.last_name {
        Some(last) => format!("{} {last}", lead.profile.first_name),
        None => lead.profile.first_name.to_string(),
    }
}

/// The lead's entry on the waiting list, if it waits for a human: it needs one, and no
/// outcome settled it.
fn waiting_entry(lead: &Lead) -> Option<Listed> {
    (lead.needs_human && !lead.settled()).then(|| Listed {
        lead_id: lead.id.clone(),
        name: display_name(lead),
        owner: lead.owner.clone(),
        since: lead.handed_off_at.unwrap_or(lead.received_at),
        note: None,
    })
}

/// The lead's entry on the stale list, if its current stage's SLA ran out (the alert went
/// out for this stay): since it entered the stage, the stage as the note.
fn stale_entry(lead: &Lead) -> Option<Listed> {
    let stay = lead.stages.current().filter(|stay| stay.stale_alerted && stay.exited_at.is_none())?;
    Some(Listed {
        lead_id: lead.id.clone(),
        name: display_name(lead),
        owner: lead.owner.clone(),
        since: stay.entered_at,
        note: Some(stay.stage.to_string()),
    })
}

/// How a lead's entry on a list is found from the lead.
type EntryOf = fn(&Lead) -> Option<Listed>;

/// The lists and how a lead's entry on each is found.
const LISTS: [(&str, EntryOf); 2] = [(WAITING_LIST, waiting_entry), (STALE_LIST, stale_entry)];

/// How a lead's change moves it on the lists: onto one it now belongs on (or with a changed
/// entry), off one it left.
pub fn list_changes(before: Option<&Lead>, after: &Lead) -> Vec<ListChange> {
    let mut changes = Vec::new();
    for (list, entry_of) in LISTS {
        match (before.and_then(entry_of), entry_of(after)) {
            (was, Some(entry)) if was.as_ref() != Some(&entry) => {
                changes.push(ListChange::Put { list: list.to_owned(), entry })
            }
            (Some(_), None) => changes.push(ListChange::Remove { list: list.to_owned(), lead_id: after.id.clone() }),
            _ => {}
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{fixtures, OutcomeKind, TenantId};

    #[test]
    fn a_lead_joins_the_waiting_list_when_it_needs_a_human_and_leaves_when_settled_or_contacted() {
        let now = Utc::now();
        let lead = fixtures::lead(&TenantId::parse("t").unwrap(), now);
        assert_eq!(list_changes(None, &lead), vec![]);
        let mut waiting = lead.clone();
        (waiting.needs_human, waiting.handed_off_at, waiting.owner) = (true, Some(now), Some("Priya".into()));
        let changes = list_changes(Some(&lead), &waiting);
        let [ListChange::Put { list, entry }] = changes.as_slice() else { panic!("onto the list: {changes:?}") };
        assert_eq!((list.as_str(), entry.owner.as_deref(), entry.since), (WAITING_LIST, Some("Priya"), now));
        assert_eq!(list_changes(Some(&waiting), &waiting), vec![], "unchanged: nothing to write");
        let mut booked = waiting.clone();
        booked.outcome = Some(OutcomeKind::Booked);
        assert_eq!(
            list_changes(Some(&waiting), &booked),
            vec![ListChange::Remove { list: WAITING_LIST.to_owned(), lead_id: lead.id.clone() }]
        );
        let mut contacted = waiting.clone();
        contacted.needs_human = false;
        assert!(matches!(list_changes(Some(&waiting), &contacted)[..], [ListChange::Remove { .. }]));
    }
}
