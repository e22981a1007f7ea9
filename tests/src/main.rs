// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

fn main() -> anyhow::Result<()> {
    leadflow_cli::cli::main()
}
