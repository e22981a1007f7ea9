//! `leadflow bench meta`: how fast `leadflow dev` answers Meta's lead ads webhook. Meta sends
//! up to 1,000 leads per POST and retries what is not answered fast, so the answer must not
//! wait for the leads: this posts signed batches (one at a time, as Meta does) to a fresh
//! server whose Graph API is a loopback stand-in, prints the answers' latency percentiles,
//! then waits for every lead to be read and taken.

use super::DevChild;
use axum::extract::Path;
use axum::routing::get;
use axum::{Json, Router};
use hmac::{Hmac, Mac};
use leadflow_core::config::{DEMO_API_KEY, DEMO_TENANT};
use serde_json::{json, Value};
use sha2::Sha256;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// What to measure.
#[derive(Debug, Clone, Copy)]
pub struct MetaBenchOptions {
    /// How many webhook POSTs.
    pub batches: usize,
    /// Leads named per POST.
    pub size: usize,
}

/// A Graph API on loopback: each lead id answers a lead with a phone of its own.
async fn graph_stand_in() -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/v21.0", listener.local_addr()?);
    let router = Router::new().route(
        "/v21.0/{id}",
        get(|Path(id): Path<String>| async move {
            // +1 415 2xx-xxxx: valid North American numbers, one per lead.
            let n: u64 = 2_000_000 + id.parse::<u64>().unwrap_or(0) % 7_000_000;
            Json(json!({
                "id": id,
                "form_id": "444444444444",
                "field_data": [
                    { "name": "full_name", "values": [format!("Meta Bench{n}")] },
                    { "name": "phone_number", "values": [format!("+1415{:07}", n)] },
                    { "name": "email", "values": [format!("meta{n}@example.com")] }
                ]
            }))
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(url)
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len().max(1));
    sorted.get(rank - 1).copied().unwrap_or(f64::NAN)
}

/// Runs the benchmark and prints its figures.
pub async fn run(options: MetaBenchOptions) -> anyhow::Result<()> {
    let data = std::env::temp_dir().join(format!("leadflow-bench-meta-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data)?;
    let graph = graph_stand_in().await?;
    let config = data.join("demo.toml");
    let tenant =
        DEMO_TENANT.replace("# graph_url = \"https://graph.facebook.com/v21.0\"", &format!("graph_url = \"{graph}\""));
    std::fs::write(&config, tenant)?;
    let config_arg = config.display().to_string();
    let mut child =
        DevChild::spawn(&data.join("store"), &["--listen", "127.0.0.1:0", "--config", &config_arg], Stdio::null())?;
    let base = child.base_url().await?;
    let client = reqwest::Client::new();

    let mut ack_ms = Vec::with_capacity(options.batches);
    let started = Instant::now();
    for batch in 0..options.batches {
        let changes: Vec<Value> = (0..options.size)
            .map(|i| {
                let leadgen = 1_000_000_000_000_u64 + (batch * options.size + i) as u64;
                json!({ "field": "leadgen", "value": {
                    "leadgen_id": leadgen.to_string(), "page_id": "444444444444",
                    "form_id": "444444444444", "ad_id": "444444444", "created_time": 1_772_722_800
                }})
            })
            .collect();
        let body =
            json!({ "object": "page", "entry": [{ "id": "444444444444", "time": 1_772_722_800, "changes": changes }] })
                .to_string();
        let mut mac = Hmac::<Sha256>::new_from_slice(b"demo_meta_app_secret")?;
        mac.update(body.as_bytes());
        let signature = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        let sent = Instant::now();
        let response = client
            .post(format!("{base}/v1/webhooks/meta"))
            .header("content-type", "application/json")
            .header("x-hub-signature-256", signature)
            .body(body)
            .send()
            .await?;
        anyhow::ensure!(response.status().is_success(), "batch {batch} answered {}", response.status());
        response.bytes().await?;
        ack_ms.push(sent.elapsed().as_secs_f64() * 1000.0);
    }
    let acked = started.elapsed();

    // Every lead read from the stand-in and taken through intake.
    let total = options.batches * options.size;
    let deadline = Instant::now() + Duration::from_secs(300);
    let taken = loop {
        let report: Value =
            client.get(format!("{base}/v1/reports/summary")).bearer_auth(DEMO_API_KEY).send().await?.json().await?;
        let leads = report["leads"].as_u64().unwrap_or(0) as usize;
        let failed = report["source_failures"].as_u64().unwrap_or(0) as usize;
        if leads + failed >= total || Instant::now() > deadline {
            anyhow::ensure!(failed == 0, "{failed} leads could not be read");
            break leads;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let all_taken = started.elapsed();
    child.kill().await;
    let _ = std::fs::remove_dir_all(&data);

    ack_ms.sort_by(f64::total_cmp);
    println!(
        "leadflow bench meta: {} signed webhook POSTs of {} leads each, one at a time; Graph API on loopback",
        options.batches, options.size
    );
    println!(
        "  webhook answer ms:   p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}",
        quantile(&ack_ms, 0.5),
        quantile(&ack_ms, 0.9),
        quantile(&ack_ms, 0.99),
        ack_ms.last().copied().unwrap_or(f64::NAN)
    );
    println!("  all answered in:     {:.2} s", acked.as_secs_f64());
    println!(
        "  leads read and taken: {taken} of {total} in {:.2} s ({:.0} leads/s)",
        all_taken.as_secs_f64(),
        taken as f64 / all_taken.as_secs_f64()
    );
    Ok(())
}
