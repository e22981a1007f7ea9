//! `leadflow import FILE.csv --key KEY`: database reactivation. Streams a contact list of any
//! size to `POST /v1/imports` in batches, with a progress bar (rows/s, accepted, merged,
//! suppressed, rejected), after showing how the tenant's pacing spreads the first texts. Rows
//! the API refuses go to `FILE.rejected.csv` with their line and reason.
//!
//! Resumable: the import's id, start and the last line the API acknowledged are kept in
//! `FILE.import.json` after every batch. Run the same command again after a crash or a dropped
//! connection and it goes on from there; a batch sent twice is no harm either, since the API
//! takes each line of an import once.

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Rows go in one request until their JSON nears this size (the API takes 64 KiB bodies).
const MAX_BATCH_BYTES: usize = 48 * 1024;

/// What `leadflow import` was asked.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The contact list (CSV with a header row).
    pub file: PathBuf,
    /// The API's base URL.
    pub api: String,
    /// The tenant's API key.
    pub key: String,
    /// The tenant the import is meant for: the import stops before sending anything if the
    /// key belongs to another.
    pub tenant: Option<String>,
    /// `Column=field` mappings, for columns leadflow does not recognise by name.
    pub map: Vec<(String, String)>,
    /// Every row's cadence, instead of the tenant's tiers.
    pub cadence: Option<String>,
    /// The leads' source (default `reactivation`).
    pub source: Option<String>,
    /// What the list's contacts agreed to (`sms`, `email`, `voice`), and in which words.
    pub consent: Vec<String>,
    /// The wording they agreed to.
    pub consent_text: Option<String>,
    /// Rows per request.
    pub batch: usize,
    /// Show the plan and stop.
    pub plan_only: bool,
    /// Stop after this many batches (tests: a crash halfway).
    pub stop_after: Option<usize>,
}

/// Where an import is: kept beside the file after every batch.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Progress {
    import_id: String,
    /// When this run started: its pacing plan counts from here, its first line at slot 0.
    started_at: DateTime<Utc>,
    #[serde(default = "first_row_line")]
    first_line: u64,
    /// The last line the API acknowledged.
    done_line: u64,
    totals: Totals,
}

/// What an import did, summed over its batches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// New leads.
    pub accepted: u64,
    /// Rows merged into leads the tenant had.
    pub merged: u64,
    /// Rows stored but reachable on no channel.
    pub suppressed: u64,
    /// Rows the import had taken already.
    pub duplicates: u64,
    /// Rows the API refused (in `FILE.rejected.csv`).
    pub rejected: u64,
}

fn first_row_line() -> u64 {
    2
}

fn with_suffix(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The file's data rows, counted without keeping them.
fn count_rows(file: &Path) -> anyhow::Result<u64> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(file)?;
    let mut n = 0;
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record)? {
        n += 1;
    }
    Ok(n)
}

/// Posts `body` to `url`, retrying what a retry can fix (no connection, 429, 5xx) with backoff.
async fn post(client: &reqwest::Client, url: &str, key: &str, body: &Value) -> anyhow::Result<Value> {
    let mut wait = Duration::from_millis(500);
    for attempt in 1..=8 {
        let sent = client.post(url).bearer_auth(key).json(body).send().await;
        let retry = match sent {
            Ok(response) if response.status().is_success() => return Ok(response.json().await?),
            Ok(response) if response.status().as_u16() == 429 || response.status().is_server_error() => {
                format!("{url} answered {}", response.status())
            }
            Ok(response) => {
                let status = response.status();
                let answer: Value = response.json().await.unwrap_or(Value::Null);
                bail!("{url} answered {status}: {answer}");
            }
            Err(e) => format!("{url}: {e}"),
        };
        if attempt == 8 {
            bail!("{retry} (gave up after {attempt} attempts; run the same command again to resume)");
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(30));
    }
    unreachable!("the loop returns")
}

/// Runs an import; answers its totals.
pub async fn import(options: &ImportOptions) -> anyhow::Result<Totals> {
    let file = &options.file;
    let api = options.api.trim_end_matches('/');
    let client = reqwest::Client::builder().timeout(Duration::from_secs(120)).build()?;
    let rows = count_rows(file).with_context(|| format!("reading {}", file.display()))?;
    if rows == 0 {
        bail!("{}: no rows under its header", file.display());
    }
    let state_file = with_suffix(file, ".import.json");
    let resumed: Option<Progress> = std::fs::read(&state_file).ok().and_then(|b| serde_json::from_slice(&b).ok());
    let mut progress = resumed.clone().unwrap_or_else(|| Progress {
        import_id: format!("imp_{}_{:08x}", Utc::now().format("%Y%m%d%H%M%S"), fastrand_u32()),
        started_at: Utc::now(),
        first_line: first_row_line(),
        done_line: 1,
        totals: Totals::default(),
    });
    // A resumed import is a new run: its rows are paced from now, not from slots of the first
    // run that have passed meanwhile (they would all fall due at once).
    progress.started_at = Utc::now();
    progress.first_line = progress.done_line + 1;
    let left = rows.saturating_sub(progress.done_line - 1);

    let plan_body = json!({ "rows": left, "started_at": progress.started_at });
    let plan = post(&client, &format!("{api}/v1/imports/plan"), &options.key, &plan_body).await?;
    if let Some(tenant) = &options.tenant {
        let keys = plan["tenant"].as_str().unwrap_or_default();
        if keys != tenant {
            bail!("the API key belongs to tenant {keys:?}, not {tenant:?}: nothing was sent");
        }
    }
    eprintln!(
        "{}: {rows} rows ({left} to send). Pacing: {}",
        file.display(),
        plan["summary"].as_str().unwrap_or_default()
    );
    if options.plan_only {
        return Ok(Totals::default());
    }
    if resumed.is_some() {
        eprintln!("resuming import {} after line {}", progress.import_id, progress.done_line);
    }

    let mut map = Map::new();
    for (column, field) in &options.map {
        map.insert(column.clone(), Value::String(field.clone()));
    }
    let consent = json!({
        "sms": options.consent.iter().any(|c| c == "sms"),
        "email": options.consent.iter().any(|c| c == "email"),
        "voice": options.consent.iter().any(|c| c == "voice"),
        "text": options.consent_text,
    });
    let bar = ProgressBar::with_draw_target(Some(rows), ProgressDrawTarget::stderr());
    bar.set_style(ProgressStyle::with_template("{bar:30} {pos}/{len} rows {per_sec} {msg}").expect("a valid template"));
    bar.set_position(progress.done_line.saturating_sub(1));
    let rejected_file = with_suffix(file, ".rejected.csv");
    let mut rejected = std::fs::OpenOptions::new().create(true).append(true).open(&rejected_file)?;
    if rejected.metadata()?.len() == 0 {
        writeln!(rejected, "line,field,reason")?;
    }

    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_path(file)?;
    let headers = reader.headers()?.clone();
    let mut batch = Vec::new();
    let mut batch_bytes = 0;
    let mut sent_batches = 0;
    let mut records = reader.records();
    loop {
        let next = records.next().transpose()?;
        if let Some(record) = &next {
            let line = record.position().map_or(0, |p| p.line());
            if line > progress.done_line {
                let values: Map<String, Value> = headers
                    .iter()
                    .zip(record.iter())
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(h, v)| (h.to_owned(), Value::String(v.to_owned())))
                    .collect();
                batch_bytes +=
                    values.iter().map(|(k, v)| k.len() + v.as_str().map_or(0, str::len) + 8).sum::<usize>() + 32;
                batch.push((line, values));
            }
        }
        // A request stays under the API's 64 KiB body limit, whatever the rows' width.
        let full = batch.len() >= options.batch.max(1) || batch_bytes >= MAX_BATCH_BYTES;
        if !full && next.is_some() {
            continue;
        }
        if batch.is_empty() {
            break;
        }
        let last_line = batch.last().map_or(progress.done_line, |(line, _)| *line);
        let body = json!({
            "import_id": progress.import_id,
            "started_at": progress.started_at,
            "first_line": progress.first_line,
            "map": map,
            "source": options.source,
            "cadence": options.cadence,
            "consent": consent,
            "rows": batch.iter().map(|(line, values)| json!({ "line": line, "values": values })).collect::<Vec<_>>(),
        });
        let report = post(&client, &format!("{api}/v1/imports"), &options.key, &body).await?;
        let count = |name: &str| report[name].as_u64().unwrap_or(0);
        let t = &mut progress.totals;
        t.accepted += count("accepted");
        t.merged += count("merged");
        t.suppressed += count("suppressed");
        t.duplicates += count("duplicates");
        for row in report["rejected"].as_array().into_iter().flatten() {
            t.rejected += 1;
            for error in row["errors"].as_array().into_iter().flatten() {
                let mut line = csv::Writer::from_writer(Vec::new());
                line.write_record([
                    row["line"].to_string(),
                    error["field"].as_str().unwrap_or_default().to_owned(),
                    error["message"].as_str().unwrap_or_default().to_owned(),
                ])?;
                rejected.write_all(&line.into_inner()?)?;
            }
        }
        let message =
            format!("accepted {} merged {} suppressed {} rejected {}", t.accepted, t.merged, t.suppressed, t.rejected);
        progress.done_line = last_line;
        std::fs::write(&state_file, serde_json::to_vec(&progress)?)?;
        bar.inc(batch.len() as u64);
        bar.set_message(message);
        batch.clear();
        batch_bytes = 0;
        sent_batches += 1;
        if options.stop_after.is_some_and(|n| sent_batches >= n) {
            bar.abandon();
            return Ok(progress.totals);
        }
        if next.is_none() {
            break;
        }
    }
    bar.finish();
    let _ = std::fs::remove_file(&state_file);
    let t = &progress.totals;
    eprintln!(
        "import {} done: {} new, {} merged, {} suppressed, {} already taken, {} rejected{}",
        progress.import_id,
        t.accepted,
        t.merged,
        t.suppressed,
        t.duplicates,
        t.rejected,
        if t.rejected > 0 { format!(" (see {})", rejected_file.display()) } else { String::new() }
    );
    Ok(progress.totals)
}

fn fastrand_u32() -> u32 {
    // The id only has to differ between imports started in the same second.
    std::process::id() ^ (Utc::now().timestamp_subsec_nanos())
}
