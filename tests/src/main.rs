fn main() -> anyhow::Result<()> {
    leadflow_local::cli::main()
}
