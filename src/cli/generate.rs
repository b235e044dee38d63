//! `mappatu generate`: a large synthetic data set, clustered in towns, for benchmarks.

use super::{open_store, progress_bar};
use crate::cli::config::{GenerateArgs, Settings};
use crate::store::{NewService, Store};
use anyhow::Result;
use std::time::Instant;

pub(crate) async fn generate(settings: Settings, args: GenerateArgs) -> Result<()> {
    let store = open_store(&settings).await?;
    let taxonomy = store
        .sync_taxonomy(&crate::domain::Taxonomy::default_set())
        .await?;
    let started = Instant::now();
    // Chunks keep memory flat and show progress; each chunk is one transaction.
    const CHUNK: usize = 100_000;
    let mut written = 0;
    let mut chunk_no = 0u64;
    while written < args.count {
        let n = CHUNK.min(args.count - written);
        let records = crate::import::synthetic::generate(
            n,
            args.seed.wrapping_add(chunk_no),
            &taxonomy,
            &settings.area,
        );
        let out = write_with_progress(&*store, records, "generating").await?;
        written += n;
        chunk_no += 1;
        eprintln!(
            "{written}/{} written ({} new)",
            args.count,
            out.inserted.len()
        );
    }
    store.close().await;
    println!(
        "{} synthetic services written in {:.1} s",
        args.count,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Writes `records` with a progress bar.
async fn write_with_progress(
    store: &dyn Store,
    records: Vec<NewService>,
    message: &'static str,
) -> Result<crate::store::UpsertOutcome> {
    let bar = progress_bar(records.len(), message);
    let tick = bar.clone();
    let outcome = store.upsert(records, &move |n| tick.set_position(n)).await;
    bar.finish_and_clear();
    Ok(outcome?)
}
