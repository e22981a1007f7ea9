//! `leadflow dev` as a child process, as an agency runs it: started on a data directory,
//! killed or stopped, started again. Its log (stderr) is kept, each line with when it was read.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The log lines read so far, each with when it was read.
type Log = Arc<Mutex<Vec<(Instant, String)>>>;

pub struct Running {
    child: Child,
    pub base: String,
    log: Log,
    reader: Option<JoinHandle<()>>,
}

/// `leadflow dev` on a manual clock starting at `now`.
pub fn start(data: &Path, now: &str) -> Running {
    spawn(data, &["--clock", "manual", "--now", now])
}

/// `leadflow dev` on the system clock: real time, as a laptop runs it.
pub fn start_live(data: &Path) -> Running {
    spawn(data, &[])
}

fn spawn(data: &Path, clock: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_leadflow-under-test"))
        .args(["dev", "--listen", "127.0.0.1:0", "--quiet"])
        .args(clock)
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Log::default();
    let stderr = child.stderr.take().unwrap();
    let lines = log.clone();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            lines.lock().unwrap().push((Instant::now(), line));
        }
    });
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let base = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_owned();
    Running { child, base, log, reader: Some(reader) }
}

impl Running {
    /// SIGKILL: no shutdown hook, no flush, as a crash or `kill -9` would. Answers its whole log.
    pub fn kill(mut self) -> Vec<String> {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        self.whole_log()
    }

    /// SIGTERM, as a service manager stops it (Ctrl-C sends SIGINT, handled the same way);
    /// asserts that it exits 0 within 10 s. Answers its whole log.
    pub fn terminate(mut self) -> Vec<String> {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "leadflow dev did not stop within 10 s of SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(status.success(), "leadflow dev exited with {status} after SIGTERM");
        self.whole_log()
    }

    /// When a line containing `text` was first logged; waits up to `timeout` for it.
    pub fn logged(&self, text: &str, timeout: Duration) -> Option<Instant> {
        let deadline = Instant::now() + timeout;
        loop {
            let seen = self.log.lock().unwrap().iter().find(|(_, line)| line.contains(text)).map(|(at, _)| *at);
            if seen.is_some() || Instant::now() > deadline {
                return seen;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Every line, once the process is gone and its stderr read to the end.
    fn whole_log(&mut self) -> Vec<String> {
        if let Some(reader) = self.reader.take() {
            reader.join().unwrap();
        }
        self.log.lock().unwrap().iter().map(|(_, line)| line.clone()).collect()
    }
}

impl Drop for Running {
    /// A test that failed leaves no server behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
