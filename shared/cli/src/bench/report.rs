//! `leadflow bench report`: a report reads counters, never leads, so it should cost the same
//! at 100,000 leads as at 1,000. Starts a fresh `leadflow dev`, imports 1,000 contacts (every
//! row through intake), times every report, imports up to 100,000, times them again, and
//! prints both times and their ratio.

use super::import::{import_list, write_contacts};
use super::DevChild;
use leadflow_core::config::DEMO_API_KEY;
use leadflow_core::http::REPORTS;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// What to measure.
#[derive(Debug, Clone, Copy)]
pub struct ReportBenchOptions {
    /// Leads before the first timing.
    pub small: u32,
    /// Leads before the second.
    pub large: u32,
    /// Requests per report per timing (the median is printed).
    pub samples: usize,
}

/// Runs the benchmark and prints its figures; fails if the reports at `large` leads take 1.5
/// times their time at `small` or more.
pub async fn run(options: ReportBenchOptions) -> anyhow::Result<()> {
    anyhow::ensure!(options.small > 0 && options.large > options.small, "--large must be more than --small");
    let data = std::env::temp_dir().join(format!("leadflow-bench-report-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data)?;
    let mut child = DevChild::spawn(&data.join("store"), &["--listen", "127.0.0.1:0"], Stdio::null())?;
    let base = child.base_url().await?;
    let client = reqwest::Client::new();

    let first = data.join("first.csv");
    write_contacts(&first, 0..options.small)?;
    expect_taken(import_list(&first, &base, 500).await?, options.small)?;
    let at_small = time_reports(&client, &base, options.samples).await?;
    let rest = data.join("rest.csv");
    write_contacts(&rest, options.small..options.large)?;
    expect_taken(import_list(&rest, &base, 500).await?, options.large - options.small)?;
    let at_large = time_reports(&client, &base, options.samples).await?;
    child.kill().await;
    let _ = std::fs::remove_dir_all(&data);

    println!(
        "leadflow bench report: each report's median of {} requests at {} and at {} leads (redb store)",
        options.samples, options.small, options.large
    );
    println!("  {:<12} {:>12} {:>12} {:>7}", "report", options.small, options.large, "ratio");
    for ((name, small), (_, large)) in at_small.iter().zip(&at_large) {
        let ratio = large.as_secs_f64() / small.as_secs_f64();
        println!("  {name:<12} {:>9.2} ms {:>9.2} ms {ratio:>7.2}", ms(*small), ms(*large));
    }
    // Judged on all the reports together: one report of a millisecond or two can move by half
    // on a busy machine (the server's scheduler sends the imported leads' first texts meanwhile).
    let total = |timings: &[(&str, Duration)]| timings.iter().map(|(_, d)| d.as_secs_f64()).sum::<f64>();
    let ratio = total(&at_large) / total(&at_small);
    println!("  {:<12} {:>9.2} ms {:>9.2} ms {ratio:>7.2}", "all", total(&at_small) * 1e3, total(&at_large) * 1e3);
    anyhow::ensure!(
        ratio < 1.5,
        "the reports at {} leads took {ratio:.2} times their time at {}",
        options.large,
        options.small
    );
    Ok(())
}

/// Every row of an import taken, once.
fn expect_taken(totals: crate::import::Totals, rows: u32) -> anyhow::Result<()> {
    anyhow::ensure!(
        totals.accepted == u64::from(rows) && totals.rejected == 0 && totals.duplicates == 0,
        "not every row was taken once: {totals:?}"
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

/// Each report's median time over `samples` requests (after one unmeasured warm-up).
async fn time_reports(
    client: &reqwest::Client,
    base: &str,
    samples: usize,
) -> anyhow::Result<Vec<(&'static str, Duration)>> {
    let mut timings = Vec::new();
    for name in REPORTS {
        let url = format!("{base}/v1/reports/{name}");
        let mut times = Vec::with_capacity(samples);
        for i in 0..=samples {
            let started = Instant::now();
            let response = client.get(&url).bearer_auth(DEMO_API_KEY).send().await?;
            anyhow::ensure!(response.status().is_success(), "{url}: {}", response.status());
            response.bytes().await?;
            if i > 0 {
                times.push(started.elapsed());
            }
        }
        times.sort();
        timings.push((name, times[times.len() / 2]));
    }
    Ok(timings)
}
