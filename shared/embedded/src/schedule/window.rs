//! What the timer holds in memory: the first rows of the schedule table, not all of them, so
//! memory stays flat however much work is pending. Rows past the window stay in the table
//! and are read when the window runs low.
//!
//! The rule that keeps it correct: every row of the table whose key is below `horizon` is in
//! `pending`. A change writes the table first and then, under the lock, `pending`; a refill
//! reads the table while holding the lock. So a write either committed before the refill's
//! read (which then sees it) or takes the lock after the refill moved the horizon (and is
//! placed against the new one): no row is ever missed, and one due earlier than everything
//! in memory is always in memory.

use crate::store::{decode, unavailable, EmbeddedStore, SCHEDULE};
use chrono::{DateTime, Utc};
use leadflow_core::ports::{StoreError, Wakeup};
use std::collections::{BTreeMap, HashSet};
use std::ops::Bound;

/// How many rows a refill brings the window up to; it is refilled below half of this and
/// cut back to it above twice this.
pub(super) const WINDOW: usize = 1024;

/// What the timer knows, under one lock so that "due" and "running" are read together.
pub(super) struct State {
    /// The table's first rows, keyed the same way (by due time, then name).
    pending: BTreeMap<String, Wakeup>,
    /// Rows at or after this key may be in the table only; `None`: the whole table is here.
    horizon: Option<String>,
    /// Rows being run now.
    in_flight: HashSet<String>,
}

impl State {
    /// Nothing in memory yet: the first look reads the table.
    pub fn unread() -> Self {
        Self { pending: BTreeMap::new(), horizon: Some(String::new()), in_flight: HashSet::new() }
    }

    /// Takes a row the table now holds (after its write committed).
    pub fn insert(&mut self, key: String, wakeup: Wakeup) {
        if self.horizon.as_ref().is_some_and(|horizon| key >= *horizon) {
            return;
        }
        self.pending.insert(key, wakeup);
        if self.pending.len() > 2 * WINDOW {
            self.cut();
        }
    }

    /// Drops a row the table no longer holds.
    pub fn remove(&mut self, key: &str) {
        self.pending.remove(key);
    }

    /// The rows due before the key `end` that are not running yet, marked as running.
    pub fn start_due(&mut self, end: &str) -> Vec<(String, Wakeup)> {
        let Self { pending, in_flight, .. } = self;
        pending
            .range::<str, _>((Bound::Unbounded, Bound::Excluded(end)))
            .filter(|(key, _)| in_flight.insert((*key).clone()))
            .map(|(key, due)| (key.clone(), due.clone()))
            .collect()
    }

    /// A run ended, however it ended.
    pub fn finished(&mut self, key: &str) {
        self.in_flight.remove(key);
    }

    /// When the first row in memory is due (with a topped-up window: the table's first).
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        self.pending.values().next().map(Wakeup::due_at)
    }

    /// Nothing runs and nothing is due before the key `end` (with a topped-up window: in
    /// the table either, since the table's later rows come after the window's).
    pub fn settled(&self, end: &str) -> bool {
        self.in_flight.is_empty()
            && self.pending.range::<str, _>((Bound::Unbounded, Bound::Excluded(end))).next().is_none()
    }

    /// How many rows memory holds.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether memory holds the row.
    #[cfg(test)]
    pub fn holds(&self, key: &str) -> bool {
        self.pending.contains_key(key)
    }

    /// Keeps the first `WINDOW` rows and those being run; the others are read again from the
    /// table when their turn comes.
    fn cut(&mut self) {
        let Some(cut) = self.pending.keys().nth(WINDOW).cloned() else { return };
        for (key, wakeup) in self.pending.split_off(&cut) {
            if self.in_flight.contains(&key) {
                self.pending.insert(key, wakeup);
            }
        }
        // Rows left in flight may lie past an earlier horizon: never move it later.
        self.horizon = Some(match self.horizon.take() {
            Some(horizon) if horizon < cut => horizon,
            _ => cut,
        });
    }

    /// Reads the next rows of the table into the window when it runs low. Called with the
    /// lock held (see the module's comment). A failed read leaves the window as it was, to be
    /// tried again at the next look.
    pub fn refill(&mut self, store: &EmbeddedStore) {
        let Some(from) = self.horizon.as_deref() else { return };
        if self.pending.len() >= WINDOW / 2 {
            return;
        }
        let wanted = WINDOW - self.pending.len();
        match read(store, from, wanted) {
            Ok(rows) => {
                self.horizon = match rows.last() {
                    // The smallest key after the last one read.
                    Some((last, _)) if rows.len() == wanted => Some(format!("{last}\0")),
                    _ => None,
                };
                self.pending.extend(rows);
            }
            Err(e) => tracing::error!(error = %e, "cannot read the schedule"),
        }
    }
}

/// Up to `limit` rows of the table from the key `from` on.
fn read(store: &EmbeddedStore, from: &str, limit: usize) -> Result<Vec<(String, Wakeup)>, StoreError> {
    let tx = store.db.begin_read().map_err(unavailable)?;
    let table = tx.open_table(SCHEDULE).map_err(unavailable)?;
    let mut rows = Vec::new();
    for item in table.range::<&str>((Bound::Included(from), Bound::Unbounded)).map_err(unavailable)?.take(limit) {
        let (key, value) = item.map_err(unavailable)?;
        rows.push((key.value().to_owned(), decode::<Wakeup>(value.value())?));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use leadflow_core::domain::{LeadId, TenantId};
    use leadflow_core::ports::SlaCheck;

    fn row(n: usize) -> (String, Wakeup) {
        let at = Utc.with_ymd_and_hms(2026, 3, 5, 15, 0, 0).unwrap() + chrono::Duration::seconds(n as i64);
        let check = SlaCheck {
            tenant: TenantId::parse("acme").unwrap(),
            lead_id: LeadId::new(),
            handed_off_at: at,
            due_at: at,
        };
        (format!("{n:08}"), check.into())
    }

    #[test]
    fn a_full_window_drops_its_last_rows_and_then_ignores_later_ones() {
        let mut state = State { horizon: None, ..State::unread() };
        for n in 0..=2 * WINDOW {
            let (key, wakeup) = row(n);
            state.insert(key, wakeup);
        }
        assert_eq!(state.pending.len(), WINDOW);
        assert_eq!(state.horizon.as_deref(), Some(row(WINDOW).0.as_str()));
        let (late, wakeup) = row(3 * WINDOW);
        state.insert(late.clone(), wakeup);
        assert!(!state.pending.contains_key(&late), "past the horizon: the table holds it");
        let (early, wakeup) = row(WINDOW / 2);
        state.insert(early.clone(), wakeup);
        assert!(state.pending.contains_key(&early), "before the horizon: in memory");
    }

    #[test]
    fn rows_being_run_stay_when_the_window_is_cut() {
        let mut state = State { horizon: None, ..State::unread() };
        let (running, _) = row(2 * WINDOW);
        state.in_flight.insert(running.clone());
        for n in 0..=2 * WINDOW {
            let (key, wakeup) = row(n);
            state.insert(key, wakeup);
        }
        assert!(state.pending.contains_key(&running));
    }
}
