//! The `mappatu` command's subcommands, one module each: [`serve`] (the default),
//! [`import`], [`generate`], `migrate`, [`reports`] and [`user`]. `src/main.rs` only sets
//! up logging and calls [`run`].

pub mod config;
#[cfg(feature = "synthetic")]
mod generate;
mod import;
mod reports;
mod serve;
pub mod user;

use crate::store::{self, Store};
use anyhow::{Context, Result};
use config::{Cli, Command, ServeArgs, Settings};
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::Arc;

/// Runs the command line's subcommand (serve when none is given).
pub async fn run(cli: Cli) -> Result<()> {
    let serve_defaults = ServeArgs::default();
    let serve_args = match &cli.command {
        None => Some(&serve_defaults),
        Some(Command::Serve(a)) => Some(&**a),
        _ => None,
    };
    let settings = Settings::resolve(&cli.global, serve_args)?;
    match cli.command {
        None | Some(Command::Serve(_)) => serve::serve(settings).await,
        Some(Command::Import(args)) => import::import(settings, *args).await,
        #[cfg(feature = "synthetic")]
        Some(Command::Generate(args)) => generate::generate(settings, args).await,
        #[cfg(not(feature = "synthetic"))]
        Some(Command::Generate(_)) => {
            anyhow::bail!(
                "this build has no synthetic data set (built without the `synthetic` feature)"
            )
        }
        Some(Command::Migrate) => {
            let store = open_store(&settings).await?;
            store.close().await;
            println!("database is up to date");
            Ok(())
        }
        Some(Command::Reports(args)) => reports::reports(settings, args).await,
        Some(Command::User(args)) => {
            let store = open_store(&settings).await?;
            let outcome = user::run(&*store, args).await;
            store.close().await;
            outcome
        }
    }
}

pub(crate) async fn open_store(settings: &Settings) -> Result<Arc<dyn Store>> {
    if settings.database_url == config::sqlite_url(&settings.data_dir) {
        std::fs::create_dir_all(&settings.data_dir).with_context(|| {
            format!(
                "cannot create data directory {}",
                settings.data_dir.display()
            )
        })?;
    }
    let shown = store::redact_url(&settings.database_url);
    store::open(&settings.database_url)
        .await
        .with_context(|| format!("cannot open database {shown}"))
}

/// A progress bar for writing `len` records.
pub(crate) fn progress_bar(len: usize, message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(len as u64).with_message(message);
    bar.set_style(
        ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({per_sec}, {eta} left)")
            .expect("valid template"),
    );
    bar
}
