fn main() -> anyhow::Result<()> {
    leadflow_cli::cli::main()
}
