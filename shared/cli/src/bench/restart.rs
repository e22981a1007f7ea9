//! `leadflow bench restart`: for each store size, fills a fresh store through the real intake
//! path (a `leadflow dev` child with a manual clock), stops the server and starts it again
//! on the same data, and prints how long the new process takes to answer an API read, how long
//! until its schedule is reconciled (the "schedule reloaded" log line), and its resident
//! memory at each point, next to the memory of the process it replaced.
//!
//! Each size is measured with every lead's next touch pending (just posted) and with every
//! cadence finished (the clock advanced 40 days), where a start should cost nothing; and each
//! of those after the worst stop, a SIGKILL right after a write (before the store saved its
//! allocator state, so the next open walks the file), and after a SIGTERM (a clean stop).

use super::{post_lead, DevChild};
use anyhow::Context;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::oneshot;

/// What to measure.
#[derive(Debug, Clone)]
pub struct RestartOptions {
    /// The store sizes, in leads.
    pub leads: Vec<usize>,
    /// How many posts are in flight at once while filling.
    pub concurrency: usize,
}

/// The manual clock's start: 10:00 in New York on a Thursday, so first touches go out at once.
const START: &str = "2026-03-05T15:00:00Z";
const ZONE: &str = "America/New_York";
/// Longer than the demo cadence (31 days): every enrolment completes.
const FINISH_SECONDS: i64 = 40 * 86_400;
/// The longest a start or a reconcile may take before the benchmark gives up.
const PATIENCE: Duration = Duration::from_secs(600);

/// One measured restart.
struct Restart {
    state: &'static str,
    stop: &'static str,
    rss_before: f64,
    answered: Duration,
    rss_answered: f64,
    reconciled: Duration,
    rss_reconciled: f64,
}

/// A server started on an existing store, timed from the spawn.
struct Started {
    server: DevChild,
    base: String,
    client: reqwest::Client,
    answered: Duration,
    rss_answered: f64,
    reconciled: oneshot::Receiver<Duration>,
    spawned: Instant,
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Starts the server on `data` and waits for its first answer to `GET /v1/leads/{lead}`:
/// a connection refused is retried; one accepted but not answered is waited on.
async fn start(data: &Path, lead: &str) -> anyhow::Result<Started> {
    let port = free_port()?;
    let listen = format!("127.0.0.1:{port}");
    let spawned = Instant::now();
    let mut server =
        DevChild::spawn(data, &["--listen", &listen, "--clock", "manual", "--now", START], Stdio::piped())?;
    let stderr = server.child.stderr.take().context("no stderr")?;
    let (done, reconciled) = oneshot::channel();
    tokio::spawn(async move {
        let mut lines = BufReader::new(stderr).lines();
        let mut done = Some(done);
        // Read to the end, so the child never blocks on a full pipe.
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains("schedule reloaded") {
                if let Some(done) = done.take() {
                    let _ = done.send(spawned.elapsed());
                }
            }
        }
    });
    let base = format!("http://{listen}");
    let client = reqwest::Client::new();
    loop {
        match client
            .get(format!("{base}/v1/leads/{lead}"))
            .bearer_auth(leadflow_core::config::DEMO_API_KEY)
            .send()
            .await
        {
            Ok(response) => {
                anyhow::ensure!(response.status().is_success(), "the lead read answered {}", response.status());
                break;
            }
            Err(e) if e.is_connect() && spawned.elapsed() < PATIENCE => {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            Err(e) => return Err(e).context("the restarted server never answered"),
        }
    }
    let answered = spawned.elapsed();
    let rss_answered = server.rss_mib()?;
    Ok(Started { server, base, client, answered, rss_answered, reconciled, spawned })
}

impl Started {
    /// Waits for the reconcile to finish and completes the measure.
    async fn reconciled(
        &mut self,
        state: &'static str,
        stop: &'static str,
        rss_before: f64,
    ) -> anyhow::Result<Restart> {
        let reconciled = tokio::time::timeout(PATIENCE.saturating_sub(self.spawned.elapsed()), &mut self.reconciled)
            .await
            .context("the schedule was not reloaded in time")?
            .context("leadflow dev exited before reloading its schedule")?;
        Ok(Restart {
            state,
            stop,
            rss_before,
            answered: self.answered,
            rss_answered: self.rss_answered,
            reconciled,
            rss_reconciled: self.server.rss_mib()?,
        })
    }

    async fn advance(&self, seconds: i64) -> anyhow::Result<()> {
        let response = self
            .client
            .post(format!("{}/dev/clock/advance", self.base))
            .json(&serde_json::json!({ "seconds": seconds }))
            .send()
            .await?;
        anyhow::ensure!(response.status().is_success(), "advance answered {}", response.status());
        Ok(())
    }
}

/// Posts `leads` leads, `concurrency` at a time; answers the first one's id.
async fn fill(base: &str, leads: usize, concurrency: usize) -> anyhow::Result<String> {
    let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build()?;
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, base, next) = (client.clone(), base.to_owned(), next.clone());
            tokio::spawn(async move {
                let mut first = None;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= leads {
                        return anyhow::Ok(first);
                    }
                    let id = post_lead(&client, &base, i, ZONE).await?;
                    if i == 0 {
                        first = Some(id);
                    }
                }
            })
        })
        .collect();
    let mut first = None;
    for worker in workers {
        first = first.or(worker.await??);
    }
    first.context("no lead was posted")
}

/// Measures one store size: with every next touch pending, then with every cadence finished;
/// each after a kill right after writing and after a SIGTERM.
async fn measure(data: &Path, leads: usize, concurrency: usize) -> anyhow::Result<Vec<Restart>> {
    const PENDING: &str = "all pending";
    const FINISHED: &str = "none (finished)";
    const KILLED: &str = "SIGKILL writing";
    const TERMINATED: &str = "SIGTERM";
    let mut filling =
        DevChild::spawn(data, &["--listen", "127.0.0.1:0", "--clock", "manual", "--now", START], Stdio::null())?;
    let base = filling.base_url().await?;
    let posted = Instant::now();
    let lead = fill(&base, leads, concurrency).await?;
    // Runs every first touch: what is left pending is each lead's second.
    let response =
        reqwest::Client::new().post(format!("{base}/dev/clock/advance")).json(&serde_json::json!({ "seconds": 0 }));
    anyhow::ensure!(response.send().await?.status().is_success(), "advance failed");
    eprintln!("  {leads} leads posted in {:.1} s", posted.elapsed().as_secs_f64());
    let rss_before = filling.rss_mib()?;
    filling.kill().await;
    let mut rows = Vec::new();

    let mut killed = start(data, &lead).await?;
    rows.push(killed.reconciled(PENDING, KILLED, rss_before).await?);
    let rss_before = killed.server.rss_mib()?;
    killed.server.terminate().await?;

    let mut stopped = start(data, &lead).await?;
    rows.push(stopped.reconciled(PENDING, TERMINATED, rss_before).await?);
    let finishing = Instant::now();
    stopped.advance(FINISH_SECONDS).await?;
    eprintln!("  every cadence finished in {:.1} s", finishing.elapsed().as_secs_f64());
    let rss_before = stopped.server.rss_mib()?;
    stopped.server.kill().await;

    let mut killed = start(data, &lead).await?;
    rows.push(killed.reconciled(FINISHED, KILLED, rss_before).await?);
    let rss_before = killed.server.rss_mib()?;
    killed.server.terminate().await?;

    let mut stopped = start(data, &lead).await?;
    rows.push(stopped.reconciled(FINISHED, TERMINATED, rss_before).await?);
    stopped.server.kill().await;
    Ok(rows)
}

/// Runs the benchmark and prints its figures.
pub async fn run(options: RestartOptions) -> anyhow::Result<()> {
    let mut rows = Vec::new();
    for &leads in &options.leads {
        eprintln!("{leads} leads:");
        let data = std::env::temp_dir().join(format!("leadflow-bench-restart-{}-{leads}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        let measured = measure(&data, leads, options.concurrency).await;
        let _ = std::fs::remove_dir_all(&data);
        rows.push((leads, measured?));
    }
    println!("leadflow bench restart: `leadflow dev` stopped, then started again on the same store");
    println!("  (demo tenant, manual clock; time from spawn; RSS is VmRSS in MiB)");
    println!();
    println!(
        "| {:>7} | {:<18} | {:<15} | {:>10} | {:>12} | {:>8} | {:>10} | {:>8} |",
        "leads", "next touches", "stopped by", "RSS before", "first answer", "RSS then", "reconciled", "RSS then"
    );
    println!(
        "| ------: | ------------------ | --------------- | ---------: | -----------: | -------: | ---------: | -------: |"
    );
    for (leads, restarts) in &rows {
        for r in restarts {
            println!(
                "| {:>7} | {:<18} | {:<15} | {:>10.0} | {:>9.0} ms | {:>8.0} | {:>7.0} ms | {:>8.0} |",
                leads,
                r.state,
                r.stop,
                r.rss_before,
                r.answered.as_secs_f64() * 1000.0,
                r.rss_answered,
                r.reconciled.as_secs_f64() * 1000.0,
                r.rss_reconciled
            );
        }
    }
    Ok(())
}
