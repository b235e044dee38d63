//! The `mappatu` command: sets up logging and runs a subcommand of [`mappatu::cli`].

use anyhow::Result;
use clap::Parser;
use mappatu::cli::config::Cli;

// glibc's malloc spends a third of the start-up in freeing strings that another thread
// allocated (the index is loaded by several); mimalloc does not.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    mappatu::cli::run(Cli::parse()).await
}
