//! `leadflow bench`: starts a fresh `leadflow dev` child process, posts leads to it
//! concurrently over loopback, waits for every first touch in the outbox, and prints speed
//! to lead (intake received to first touch handed to the channel, from the server's own
//! timestamps) and throughput.

use super::{post_lead, DevChild};
use chrono::{DateTime, Utc};
use leadflow_core::domain::{LeadZone, QuietHours};
use serde::Deserialize;
use std::collections::HashMap;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What to measure.
#[derive(Debug, Clone, Copy)]
pub struct BenchOptions {
    /// How many leads to post.
    pub leads: usize,
    /// How many posts may be in flight at once (one worker each).
    pub concurrency: usize,
    /// Offered load in leads per second (open loop); `None` posts as fast as answers come.
    pub rate: Option<f64>,
    /// Post each lead as a page's HTML form does (`POST /v1/forms/{id}`, urlencoded) instead
    /// of `POST /v1/leads`.
    pub form: bool,
}

#[derive(Deserialize)]
struct OutboxRow {
    /// None for a reply to an inbound SMS, which is no lead's touch.
    lead_id: Option<String>,
    step: usize,
    due_at: DateTime<Utc>,
    sent_at: DateTime<Utc>,
}

/// A zone where it is daytime now, so quiet hours do not hold the first touch back.
fn daytime_zone() -> &'static str {
    let zones = [
        "America/New_York",
        "Europe/London",
        "Asia/Tokyo",
        "Australia/Sydney",
        "America/Los_Angeles",
        "Asia/Kolkata",
        "Europe/Berlin",
        "Pacific/Auckland",
    ];
    let window = QuietHours::default();
    zones
        .into_iter()
        .find(|z| {
            let zone = LeadZone::parse(z).expect("known zone");
            let local = zone.local(Utc::now()).time();
            window.allows(local) && window.allows(local + chrono::Duration::minutes(30))
        })
        .unwrap_or("Asia/Tokyo")
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Posts lead number `i` as a page's `<form>` would (urlencoded, consent box ticked).
async fn post_form(client: &reqwest::Client, base: &str, i: usize, zone: &str) -> anyhow::Result<String> {
    let form = [
        ("name", format!("Bench Form{i}")),
        ("email", format!("form{i}@example.com")),
        ("phone", format!("+1415{:07}", 2_000_000 + i)),
        ("timezone", zone.to_owned()),
        ("consent", "yes".to_owned()),
    ];
    let response = client
        .post(format!("{base}/v1/forms/bright-smile-contact"))
        .header("accept", "application/json")
        .form(&form)
        .send()
        .await?;
    anyhow::ensure!(response.status().as_u16() == 202, "form post {i} answered {}", response.status());
    Ok(format!("form-{i}"))
}

/// Runs the benchmark and prints its figures.
pub async fn run(options: BenchOptions) -> anyhow::Result<()> {
    let data = std::env::temp_dir().join(format!("leadflow-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data)?;
    // The demo's HTML form takes 60 posts a minute against floods; the benchmark is one.
    let config = data.join("demo.toml");
    let tenant = leadflow_core::config::DEMO_TENANT
        .replace("id = \"bright-smile-contact\"\n", "id = \"bright-smile-contact\"\nmax_per_minute = 10000\n");
    std::fs::write(&config, tenant)?;
    let config_arg = config.display().to_string();
    let args = ["--listen", "127.0.0.1:0", "--config", &config_arg];
    let mut child = DevChild::spawn(&data.join("store"), &args, Stdio::null())?;
    let base = child.base_url().await?;

    let client = reqwest::Client::builder().pool_max_idle_per_host(options.concurrency).build()?;
    let zone = daytime_zone();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..options.concurrency {
        let (client, base, next) = (client.clone(), base.clone(), next.clone());
        let (total, rate, form) = (options.leads, options.rate, options.form);
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut ids = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= total {
                    break;
                }
                if let Some(rate) = rate {
                    // Lead i is offered at its own instant, late or not: an open loop.
                    tokio::time::sleep_until(tokio::time::Instant::from_std(
                        started + Duration::from_secs_f64(i as f64 / rate),
                    ))
                    .await;
                }
                let sent = Instant::now();
                let id = if form {
                    post_form(&client, &base, i, zone).await?
                } else {
                    post_lead(&client, &base, i, zone).await?
                };
                latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                ids.push(id);
            }
            anyhow::Ok((latencies, ids))
        }));
    }
    let mut http_ms = Vec::new();
    let mut ids = Vec::new();
    for worker in workers {
        let (latencies, worker_ids) = worker.await??;
        http_ms.extend(latencies);
        ids.extend(worker_ids);
    }
    let posted = started.elapsed();

    // Wait for every lead's first touch.
    let deadline = Instant::now() + Duration::from_secs(120);
    let first_touches: HashMap<String, OutboxRow> = loop {
        let rows: Vec<OutboxRow> = client.get(format!("{base}/dev/outbox")).send().await?.json().await?;
        let firsts: HashMap<String, OutboxRow> =
            rows.into_iter().filter(|r| r.step == 0).filter_map(|r| Some((r.lead_id.clone()?, r))).collect();
        if firsts.len() >= ids.len() || Instant::now() > deadline {
            break firsts;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let all_touched = started.elapsed();
    child.kill().await;
    let _ = std::fs::remove_dir_all(&data);

    // A form's answer names no lead; the fresh server's first touches are all the bench's.
    let touched: Vec<&OutboxRow> = if options.form {
        first_touches.values().collect()
    } else {
        ids.iter().filter_map(|id| first_touches.get(id)).collect()
    };
    let mut speed: Vec<f64> =
        touched.iter().map(|r| (r.sent_at - r.due_at).num_microseconds().unwrap_or(0) as f64 / 1000.0).collect();
    speed.sort_by(f64::total_cmp);
    http_ms.sort_by(f64::total_cmp);
    let offered = options.rate.map(|r| format!("{r:.0} leads/s offered")).unwrap_or_else(|| "closed loop".to_owned());
    println!(
        "leadflow bench: {} leads{}, up to {} concurrent posts, {offered}; redb store, fsync on every commit",
        options.leads,
        if options.form { " posted as an HTML form" } else { "" },
        options.concurrency
    );
    println!("  first touches seen:   {} of {}", speed.len(), ids.len());
    println!(
        "  speed to lead (ms):   p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}",
        quantile(&speed, 0.5),
        quantile(&speed, 0.9),
        quantile(&speed, 0.99),
        speed.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "  {} (ms):  p50 {:.1}  p90 {:.1}  p99 {:.1}",
        if options.form { "POST /v1/forms/{id}" } else { "POST /v1/leads" },
        quantile(&http_ms, 0.5),
        quantile(&http_ms, 0.9),
        quantile(&http_ms, 0.99)
    );
    println!(
        "  intake throughput:    {:.0} leads/s ({} posts in {:.2} s)",
        ids.len() as f64 / posted.as_secs_f64(),
        ids.len(),
        posted.as_secs_f64()
    );
    println!(
        "  end to end:           {:.0} leads/s (all first touches out after {:.2} s)",
        ids.len() as f64 / all_touched.as_secs_f64(),
        all_touched.as_secs_f64()
    );
    anyhow::ensure!(speed.len() == ids.len(), "some first touches never arrived");
    Ok(())
}
