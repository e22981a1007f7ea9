//! Pacing by sending number: carriers allow each sender a throughput (about 1 message a second
//! for a US long code, 3 for toll-free, 100 for a short code) and filter or queue what goes
//! beyond it. A token bucket per `from` keeps each number inside its rate.
//!
//! The buckets live in this process. Lambda runs several instances at once, each with its own
//! buckets, so the rate here is per instance: bound the step function's concurrency (or give
//! the numbers headroom) where the carrier's limit is strict.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// How fast one sending number may go.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    per_second: f64,
    burst: u32,
}

impl Rate {
    /// A US 10DLC long code: one message a second.
    pub const LONG_CODE: Rate = Rate { per_second: 1.0, burst: 1 };
    /// A verified US toll-free number: three a second.
    pub const TOLL_FREE: Rate = Rate { per_second: 3.0, burst: 3 };
    /// A US short code: a hundred a second.
    pub const SHORT_CODE: Rate = Rate { per_second: 100.0, burst: 100 };

    /// `per_second` messages a second, one at a time (a burst of 1). A rate that is not
    /// positive and finite counts as unlimited.
    pub fn per_second(per_second: f64) -> Self {
        Self { per_second, burst: 1 }
    }

    /// The same rate, letting `burst` messages (at least 1) go at once after a quiet spell.
    pub fn with_burst(self, burst: u32) -> Self {
        Self { burst: burst.max(1), ..self }
    }

    fn unlimited(&self) -> bool {
        !(self.per_second.is_finite() && self.per_second > 0.0)
    }
}

/// One number's bucket. `tokens` goes below zero when callers have reserved tokens that are
/// not there yet: each waits for its own, so waiters leave in the order they came.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

#[derive(Debug)]
struct Inner {
    default: Rate,
    rates: HashMap<String, Rate>,
    buckets: Mutex<HashMap<String, Bucket>>,
}

/// Token buckets by sending number, shared by every task that sends (cloning shares them).
#[derive(Debug, Clone)]
pub struct Pacer {
    inner: Arc<Inner>,
}

impl Default for Pacer {
    /// Every number paced as a long code, the strictest common case.
    fn default() -> Self {
        Self::new(Rate::LONG_CODE)
    }
}

impl Pacer {
    /// Paces every number at `default` unless given a rate of its own.
    pub fn new(default: Rate) -> Self {
        Self { inner: Arc::new(Inner { default, rates: HashMap::new(), buckets: Mutex::new(HashMap::new()) }) }
    }

    /// No pacing at all (the local outbox, tests of other things).
    pub fn unlimited() -> Self {
        Self::new(Rate::per_second(f64::INFINITY))
    }

    /// Gives `from` its own rate (a toll-free number or a short code among long codes). A
    /// building step: the pacer it answers starts with fresh buckets.
    pub fn with_rate(self, from: impl Into<String>, rate: Rate) -> Self {
        let mut rates = self.inner.rates.clone();
        rates.insert(from.into(), rate);
        Self { inner: Arc::new(Inner { default: self.inner.default, rates, buckets: Mutex::default() }) }
    }

    /// The rate `from` is paced at.
    pub fn rate(&self, from: &str) -> Rate {
        self.inner.rates.get(from).copied().unwrap_or(self.inner.default)
    }

    /// Waits until `from` may send one more message, and takes that turn.
    pub async fn acquire(&self, from: &str) {
        if let Some(wait) = self.reserve(from) {
            tokio::time::sleep(wait).await;
        }
    }

    /// Takes a token for `from` now, answering how long to wait until it is really there.
    fn reserve(&self, from: &str) -> Option<Duration> {
        let rate = self.rate(from);
        if rate.unlimited() {
            return None;
        }
        let now = Instant::now();
        let burst = f64::from(rate.burst);
        let mut buckets = self.inner.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let bucket = buckets.entry(from.to_owned()).or_insert(Bucket { tokens: burst, at: now });
        let refill = now.saturating_duration_since(bucket.at).as_secs_f64() * rate.per_second;
        bucket.tokens = (bucket.tokens + refill).min(burst) - 1.0;
        bucket.at = now;
        (bucket.tokens < 0.0).then(|| Duration::from_secs_f64(-bucket.tokens / rate.per_second))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "+15550000001";
    const B: &str = "+15550000002";

    #[tokio::test(start_paused = true)]
    async fn three_sends_from_one_long_code_take_two_seconds() {
        let pacer = Pacer::new(Rate::LONG_CODE);
        let start = Instant::now();
        for _ in 0..3 {
            pacer.acquire(A).await;
        }
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn two_numbers_do_not_wait_on_each_other() {
        let pacer = Pacer::new(Rate::LONG_CODE);
        let start = Instant::now();
        let (a, b) = tokio::join!(
            async {
                pacer.acquire(A).await;
                start.elapsed()
            },
            async {
                pacer.acquire(B).await;
                start.elapsed()
            },
        );
        assert_eq!((a, b), (Duration::ZERO, Duration::ZERO));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_tasks_share_a_number_one_turn_each_second() {
        let pacer = Pacer::new(Rate::LONG_CODE);
        let start = Instant::now();
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let pacer = pacer.clone();
                tokio::spawn(async move {
                    pacer.acquire(A).await;
                    start.elapsed()
                })
            })
            .collect();
        let mut times = Vec::new();
        for task in tasks {
            times.push(task.await.unwrap());
        }
        times.sort();
        assert_eq!(times, [0, 1, 2, 3].map(Duration::from_secs));
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_goes_at_once_then_the_rate_holds() {
        let pacer = Pacer::new(Rate::LONG_CODE).with_rate(A, Rate::TOLL_FREE);
        let start = Instant::now();
        for _ in 0..3 {
            pacer.acquire(A).await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        pacer.acquire(A).await;
        // A third of a second, to the timer's millisecond.
        let waited = start.elapsed();
        assert!(waited >= Duration::from_micros(333_333) && waited <= Duration::from_millis(335), "{waited:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_quiet_spell_refills_the_bucket_but_not_beyond_its_burst() {
        let pacer = Pacer::new(Rate::LONG_CODE);
        pacer.acquire(A).await;
        tokio::time::sleep(Duration::from_secs(10)).await;
        let start = Instant::now();
        pacer.acquire(A).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        pacer.acquire(A).await;
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn an_unlimited_pacer_never_waits() {
        let pacer = Pacer::unlimited();
        let start = Instant::now();
        for _ in 0..100 {
            pacer.acquire(A).await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
    }
}
