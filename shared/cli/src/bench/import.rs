//! `leadflow bench import`: how fast a contact list goes in. Writes a CSV of N rows, starts a
//! fresh `leadflow dev`, runs `leadflow import` against it (the real CLI path: streaming,
//! batches, the API, intake for every row) and prints rows per second and what became of them.

use super::DevChild;
use crate::import::{import, ImportOptions, Totals as ImportTotals};
use leadflow_core::config::DEMO_API_KEY;
use std::io::Write;
use std::process::Stdio;
use std::time::Instant;

/// What to measure.
#[derive(Debug, Clone, Copy)]
pub struct ImportBenchOptions {
    /// Rows in the generated list.
    pub rows: u32,
    /// Rows per request.
    pub batch: usize,
}

/// Writes a contact list of the rows `rows` (each number and address unique to its row).
pub(super) fn write_contacts(file: &std::path::Path, rows: std::ops::Range<u32>) -> anyhow::Result<()> {
    let mut csv = std::io::BufWriter::new(std::fs::File::create(file)?);
    writeln!(csv, "First Name,Last Name,E-mail,Mobile,Created,Last Contacted,Notes")?;
    let today = chrono::Utc::now().date_naive();
    for i in rows {
        let created = today - chrono::Days::new(u64::from(i % 900));
        writeln!(csv, "Bench,Row{i},row{i}@example.com,+1415{:07},{created},{created},imported", 2_000_000 + i)?;
    }
    csv.flush()?;
    Ok(())
}

/// Imports `file` into the demo tenant of the dev server at `base`, as `leadflow import` does.
pub(super) async fn import_list(file: &std::path::Path, base: &str, batch: usize) -> anyhow::Result<ImportTotals> {
    import(&ImportOptions {
        file: file.to_owned(),
        api: base.to_owned(),
        key: DEMO_API_KEY.to_owned(),
        tenant: Some("demo".to_owned()),
        map: Vec::new(),
        cadence: None,
        source: None,
        consent: vec!["sms".to_owned(), "email".to_owned()],
        consent_text: Some("I agree".to_owned()),
        batch,
        plan_only: false,
        stop_after: None,
    })
    .await
}

/// Runs the benchmark and prints its figures.
pub async fn run(options: ImportBenchOptions) -> anyhow::Result<()> {
    let data = std::env::temp_dir().join(format!("leadflow-bench-import-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data)?;
    let file = data.join("contacts.csv");
    write_contacts(&file, 0..options.rows)?;

    let mut child = DevChild::spawn(&data.join("store"), &["--listen", "127.0.0.1:0"], Stdio::null())?;
    let base = child.base_url().await?;
    let started = Instant::now();
    let totals = import_list(&file, &base, options.batch).await?;
    let elapsed = started.elapsed();
    child.kill().await;
    let _ = std::fs::remove_dir_all(&data);
    // A check as well as a figure: every row taken, once (tests/run runs it on 100,000 rows).
    anyhow::ensure!(
        totals.accepted == u64::from(options.rows) && totals.rejected == 0 && totals.duplicates == 0,
        "not every row was taken once: {totals:?}"
    );
    println!(
        "leadflow bench import: {} rows, batches of {}; redb store, fsync on every commit",
        options.rows, options.batch
    );
    println!(
        "  taken: {} new, {} merged, {} suppressed, {} rejected in {:.1} s: {:.0} rows/s",
        totals.accepted,
        totals.merged,
        totals.suppressed,
        totals.rejected,
        elapsed.as_secs_f64(),
        f64::from(options.rows) / elapsed.as_secs_f64()
    );
    Ok(())
}
