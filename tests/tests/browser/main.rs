//! Pages in a real browser: Debian's Chromium, headless, driven through chromedriver. CI
//! installs both (`tests/scripts/browser.sh`); each test starts its own chromedriver on a free
//! loopback port and saves screenshots under `target/test-artifacts/`.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod dashboard;
mod dashboard_month;
mod driver;
mod forms;
