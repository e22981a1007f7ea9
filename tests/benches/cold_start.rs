//! Cold start of each Lambda function, as a caller sees it: the function's binary started
//! against cargo-lambda's local Runtime API (`cargo lambda watch --only-lambda-apis`), its
//! first invocation timed from the process start, then a second (warm) one. The first minus
//! the second is the init: settings, SDK clients, the tenants from the table (and, for the
//! inbound function, their secrets from Parameter Store), all over loopback against the
//! emulator.
//!
//! Run through `tests/scripts/bench-cold-start`, which builds the binaries with the release profile
//! and passes their folder as the first argument.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

#[path = "../tests/aws/harness.rs"]
#[allow(dead_code)]
mod harness;

use harness::{event, Stack};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 7;
const FUNCTIONS: [&str; 4] = ["intake", "step", "inbound", "report"];

/// Kills a child process when dropped, so a failed run leaves nothing behind.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let bin_dir = PathBuf::from(std::env::args().nth(1).expect("usage: cold_start BINARY_DIR"));
    let stack = Stack::new(leadflow_tests::start_time()).await;
    let lead_id = stack.post_lead().await;

    let port = free_port();
    let log = std::env::temp_dir().join(format!("leadflow-cargo-lambda-{port}.log"));
    let _emulator = Running(
        Command::new("cargo")
            .args(["lambda", "watch", "--only-lambda-apis", "--invoke-address", "127.0.0.1"])
            .args(["--invoke-port", &port.to_string()])
            // In an empty package of its own: with --only-lambda-apis it builds nothing, but it
            // still reads the manifest where it runs, and need not read (or wait on) ours.
            .current_dir(empty_package())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("cargo lambda (tests/scripts/bench-cold-start puts it on PATH)"),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        let output = std::fs::read_to_string(&log).unwrap_or_default();
        assert!(Instant::now() < deadline, "cargo lambda watch did not listen on {port}: {output}");
        std::thread::sleep(Duration::from_millis(50));
    }

    let settings = &stack.settings;
    let stale = event(
        "sqs-stale-touch.json",
        &[
            ("lead_id", &lead_id),
            ("enrolment_id", "en_0000000000000000000000000000ffff"),
            ("due_at", "2026-03-05T15:00:00Z"),
        ],
    );
    let functions = [
        ("intake", event("apigw-v2-get-lead.json", &[("lead_id", &lead_id)])),
        ("step", stale),
        ("inbound", event("apigw-v2-twilio-sms.json", &[])),
        ("report", event("apigw-v2-report.json", &[])),
    ];
    let http = reqwest::Client::new();
    println!("cold start against `cargo lambda watch --only-lambda-apis`, median of {RUNS} runs:");
    println!("  {:<8} {:>12} {:>12} {:>10} {:>14}", "function", "first call", "second call", "init", "binary");
    for (name, payload) in functions {
        let binary = bin_dir.join(name);
        let function_log = std::env::temp_dir().join(format!("leadflow-cold-start-{name}.log"));
        let (mut cold, mut warm) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            let started = Instant::now();
            let _function = Running(
                Command::new(&binary)
                    // cargo-lambda serves each function's Runtime API under its name.
                    .env("AWS_LAMBDA_RUNTIME_API", format!("http://127.0.0.1:{port}/.rt/{name}"))
                    .env("AWS_LAMBDA_FUNCTION_NAME", name)
                    .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
                    .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
                    .env("LEADFLOW_TABLE", &settings.table)
                    .env("LEADFLOW_STEP_QUEUE_URL", &settings.targets.queue_url)
                    .env("LEADFLOW_STEP_QUEUE_ARN", &settings.targets.queue_arn)
                    .env("LEADFLOW_SCHEDULE_GROUP", &settings.targets.schedule_group)
                    .env("LEADFLOW_SCHEDULER_ROLE_ARN", &settings.targets.scheduler_role_arn)
                    .env("AWS_ACCESS_KEY_ID", "testing")
                    .env("AWS_SECRET_ACCESS_KEY", "testing")
                    .env("AWS_REGION", "us-east-1")
                    .stdout(Stdio::null())
                    .stderr(std::fs::File::create(&function_log).unwrap())
                    .spawn()
                    .unwrap_or_else(|e| panic!("{}: {e}", binary.display())),
            );
            invoke(&http, port, name, &payload).await;
            cold.push(ms(started));
            let call = Instant::now();
            invoke(&http, port, name, &payload).await;
            warm.push(ms(call));
        }
        let (cold, warm) = (median(cold), median(warm));
        println!(
            "  {name:<8} {cold:>9.1} ms {warm:>9.1} ms {:>7.1} ms {:>14}",
            cold - warm,
            arm64_size(name).unwrap_or_else(|| "not built".into())
        );
    }
}

/// A package whose binaries are named like the functions (and do nothing), for
/// `cargo lambda watch` to read: it routes invocations only to functions it knows by name.
fn empty_package() -> PathBuf {
    let dir = std::env::temp_dir().join("leadflow-cold-start-runtime-api");
    std::fs::create_dir_all(dir.join("src/bin")).unwrap();
    let manifest = "[package]\nname = \"runtime-api\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[workspace]\n";
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    for name in FUNCTIONS {
        std::fs::write(dir.join(format!("src/bin/{name}.rs")), "fn main() {}\n").unwrap();
    }
    dir
}

/// One invocation through the Runtime API emulator's Invoke API, which must succeed.
async fn invoke(http: &reqwest::Client, port: u16, name: &str, payload: &str) {
    let url = format!("http://127.0.0.1:{port}/2015-03-31/functions/{name}/invocations");
    let reply = http.post(url).body(payload.to_owned()).timeout(Duration::from_secs(20)).send().await;
    let reply = reply.unwrap_or_else(|e| {
        let log = std::fs::read_to_string(std::env::temp_dir().join(format!("leadflow-cold-start-{name}.log")));
        panic!("{name}: no answer from the function: {e}\n{}", log.unwrap_or_default())
    });
    let status = reply.status();
    let body = reply.text().await.unwrap();
    assert!(status.is_success() && !body.contains("errorType"), "{name}: {status} {body}");
}

/// The arm64 `bootstrap` `cargo lambda build --release --arm64` made, if it did.
fn arm64_size(name: &str) -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../target/lambda/{name}/bootstrap"));
    let bytes = std::fs::metadata(path).ok()?.len();
    Some(format!("{:.2} MB arm64", bytes as f64 / 1e6))
}
