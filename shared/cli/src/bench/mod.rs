//! `leadflow bench`: measures a `leadflow dev` child process from the outside, over loopback.
//!
//! - `intake`: posts leads concurrently and prints speed to lead and throughput.
//! - `import`: imports a generated contact list through `leadflow import` and prints rows/s.
//! - `meta`: posts signed Meta lead ads webhooks and prints how fast they are answered.
//! - `restart`: fills a store, restarts the server on it, and prints how soon it answers and
//!   how much memory it holds.

pub mod import;
pub mod intake;
pub mod meta;
pub mod report;
pub mod restart;

use anyhow::Context;
use leadflow_core::config::DEMO_API_KEY;
use std::path::Path;
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

/// A `leadflow dev` child process (this executable), killed when dropped.
struct DevChild {
    child: Child,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl DevChild {
    /// Starts `leadflow dev --quiet --data DIR` with `args`; stderr goes where `stderr` says.
    fn spawn(data: &Path, args: &[&str], stderr: Stdio) -> anyhow::Result<Self> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(["dev", "--quiet"])
            .args(args)
            .arg("--data")
            .arg(data)
            // The restart benchmark reads the "schedule reloaded" line, logged at info.
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(stderr)
            .kill_on_drop(true)
            .spawn()
            .context("cannot start leadflow dev")?;
        let stdout = BufReader::new(child.stdout.take().context("no stdout")?).lines();
        Ok(Self { child, stdout })
    }

    /// The base URL from the first line the server prints.
    async fn base_url(&mut self) -> anyhow::Result<String> {
        let first = self.stdout.next_line().await?.context("leadflow dev printed nothing")?;
        let base = first.split_whitespace().find(|w| w.starts_with("http://"));
        Ok(base.context("no address in the first line")?.to_owned())
    }

    /// Its resident memory now, in MiB (Linux: VmRSS in /proc/PID/status).
    fn rss_mib(&self) -> anyhow::Result<f64> {
        let pid = self.child.id().context("leadflow dev has exited")?;
        let status =
            std::fs::read_to_string(format!("/proc/{pid}/status")).context("cannot read /proc (Linux only)")?;
        let kib: f64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .context("no VmRSS in /proc/PID/status")?;
        Ok(kib / 1024.0)
    }

    /// SIGKILL, as a crash would.
    async fn kill(mut self) {
        let _ = self.child.kill().await;
    }

    /// SIGTERM, as a service manager or Ctrl-C stops it; waits for it to exit.
    async fn terminate(mut self) -> anyhow::Result<()> {
        let pid = self.child.id().context("leadflow dev has exited")?;
        let signalled = Command::new("kill").args(["-TERM", &pid.to_string()]).status().await?;
        anyhow::ensure!(signalled.success(), "kill -TERM {pid} failed");
        let status = self.child.wait().await?;
        anyhow::ensure!(status.success(), "leadflow dev exited with {status} after SIGTERM");
        Ok(())
    }
}

/// Posts lead number `i` to `base` as a web form would, and answers its id.
async fn post_lead(client: &reqwest::Client, base: &str, i: usize, zone: &str) -> anyhow::Result<String> {
    #[derive(serde::Deserialize)]
    struct Receipt {
        lead_id: String,
    }
    let body = serde_json::json!({
        "first_name": "Bench",
        "last_name": format!("Lead{i}"),
        "email": format!("bench{i}@example.com"),
        "phone": format!("+1415{:07}", 2_000_000 + i),
        "source": "bench",
        "timezone": zone,
        "consent": { "sms": true, "email": true, "voice": true, "text": "I agree" }
    });
    let response = client.post(format!("{base}/v1/leads")).bearer_auth(DEMO_API_KEY).json(&body).send().await?;
    anyhow::ensure!(response.status().as_u16() == 202, "post {i} answered {}", response.status());
    Ok(response.json::<Receipt>().await?.lead_id)
}
