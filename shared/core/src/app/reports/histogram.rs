//! Latency histograms (5% buckets, mergeable across days and sources) and what a report
//! shows of one: percentiles and the share in each band.

use crate::app::counters::{bucket_value, percentile};
use serde::Serialize;

/// The bands speed to lead is shown in: (name, upper bound in milliseconds).
pub const BANDS: [(&str, Option<u64>); 5] = [
    ("under 1 min", Some(60_000)),
    ("1-5 min", Some(300_000)),
    ("5-15 min", Some(900_000)),
    ("15-60 min", Some(3_600_000)),
    ("over 60 min", None),
];

/// Observations as (bucket, count) pairs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Histogram(Vec<(u32, u64)>);

impl Histogram {
    pub fn add(&mut self, bucket: u32, count: u64) {
        self.0.push((bucket, count));
    }

    pub fn count(&self) -> u64 {
        self.0.iter().map(|(_, n)| n).sum()
    }

    /// The `q` quantile (0..=1) in milliseconds, within 2.5% of the truth.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        percentile(&self.0, q)
    }

    /// What a report shows of it.
    pub fn speed(&self) -> Speed {
        let count = self.count();
        let mut bands: Vec<Band> =
            BANDS.iter().map(|(band, _)| Band { band: (*band).to_owned(), count: 0, share: None }).collect();
        for (bucket, n) in &self.0 {
            // A bucket is placed by its middle: a band edge inside a 5% bucket is off by at
            // most 2.5% of the edge (1 min may read as 58.5 s to 61.5 s).
            let value = bucket_value(*bucket);
            let i =
                BANDS.iter().position(|(_, under)| under.is_none_or(|under| value < under)).expect("the last is open");
            bands[i].count += n;
        }
        for band in &mut bands {
            band.share = super::rate(band.count, count);
        }
        Speed { count, p50_ms: self.quantile(0.5), p90_ms: self.quantile(0.9), p95_ms: self.quantile(0.95), bands }
    }
}

/// A latency's figures: how many, the percentiles (so outliers do not hide behind the
/// median), and the share in each band.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Speed {
    pub count: u64,
    pub p50_ms: Option<u64>,
    pub p90_ms: Option<u64>,
    pub p95_ms: Option<u64>,
    pub bands: Vec<Band>,
}

/// One band of a [`Speed`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Band {
    pub band: String,
    pub count: u64,
    /// Of all observations, to three decimals.
    pub share: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::latency_bucket;

    #[test]
    fn observations_fall_in_their_bands() {
        let mut histogram = Histogram::default();
        for (ms, n) in [(800, 6), (30_000, 2), (120_000, 1), (600_000, 1), (1_800_000, 1), (7_200_000, 1)] {
            histogram.add(latency_bucket(ms), n);
        }
        let speed = histogram.speed();
        assert_eq!(speed.count, 12);
        let counts: Vec<u64> = speed.bands.iter().map(|b| b.count).collect();
        assert_eq!(counts, vec![8, 1, 1, 1, 1]);
        assert_eq!(speed.bands[0].share, Some(0.667));
        let p50 = speed.p50_ms.unwrap();
        assert!((780..=820).contains(&p50), "{p50}");
        assert!(speed.p95_ms.unwrap() > speed.p90_ms.unwrap());
    }

    #[test]
    fn nothing_observed_has_no_percentiles() {
        let speed = Histogram::default().speed();
        assert_eq!((speed.count, speed.p50_ms), (0, None));
        assert!(speed.bands.iter().all(|b| b.share.is_none()));
    }
}
