//! Intake of one contact, one at a time within a process. A burst of posts of the same person
//! (a double-click, a form provider retrying) would otherwise race on the lead's version: one
//! write wins each round and the rest read again, so most of a large burst ran out of attempts
//! and was refused. Queued behind a lock, each post merges in turn. Across processes (Lambda
//! instances) the conditional write still decides, with jittered retries (see `intake`).

use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
use tokio::sync::{Mutex, MutexGuard};

/// How many locks the contacts share: two contacts rarely share one, and memory stays fixed
/// however many contacts pass through.
const STRIPES: usize = 256;

/// Locks by contact key (a tenant's email or phone), striped over a fixed set of mutexes.
pub struct ContactLocks {
    stripes: Vec<Mutex<()>>,
}

impl Default for ContactLocks {
    fn default() -> Self {
        Self { stripes: (0..STRIPES).map(|_| Mutex::new(())).collect() }
    }
}

impl std::fmt::Debug for ContactLocks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContactLocks").field("stripes", &self.stripes.len()).finish()
    }
}

impl ContactLocks {
    /// Holds every lock of `keys` until the guards drop. Locks are taken in one global order,
    /// so two posts sharing some of their contacts never wait on each other in a circle.
    pub async fn lock(&self, keys: &[String]) -> Vec<MutexGuard<'_, ()>> {
        let hasher = BuildHasherDefault::<DefaultHasher>::default();
        let mut stripes: Vec<usize> = keys.iter().map(|key| hasher.hash_one(key) as usize % STRIPES).collect();
        stripes.sort_unstable();
        stripes.dedup();
        let mut guards = Vec::with_capacity(stripes.len());
        for stripe in stripes {
            guards.push(self.stripes[stripe].lock().await);
        }
        guards
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    #[tokio::test]
    async fn a_contact_is_held_by_one_post_at_a_time() {
        let locks = Arc::new(ContactLocks::default());
        let held = locks.lock(&["acme#ann@example.com".to_owned()]).await;
        let second = {
            let locks = locks.clone();
            tokio::spawn(async move {
                let _guards = locks.lock(&["acme#+14155550100".to_owned(), "acme#ann@example.com".to_owned()]).await;
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!second.is_finished(), "a post sharing the email must wait for the first");
        drop(held);
        tokio::time::timeout(Duration::from_secs(1), second).await.expect("it goes on once released").unwrap();
    }

    #[tokio::test]
    async fn the_same_key_twice_in_one_post_does_not_wait_on_itself() {
        let locks = ContactLocks::default();
        let key = "acme#ann@example.com".to_owned();
        let guards = tokio::time::timeout(Duration::from_secs(1), locks.lock(&[key.clone(), key])).await;
        assert_eq!(guards.expect("no self-deadlock").len(), 1);
    }
}
