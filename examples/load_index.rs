//! Times loading the index from a database: `cargo run --release --example load_index -- sqlite:///tmp/mappatu-bench-1000000/mappatu.sqlite3`.

use mappatu::domain::Taxonomy;
use mappatu::index::SpatialIndex;
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
#[tokio::main]
async fn main() {
    tracing_subscriber::fmt().with_env_filter("debug").init();
    let url = std::env::args().nth(1).unwrap();
    let store = mappatu::store::open(&url).await.unwrap();
    let tax = Taxonomy::default_set();
    tokio::task::spawn_blocking(move || {
        let t = Instant::now();
        let n = std::sync::atomic::AtomicUsize::new(0);
        store
            .scan_published(&|b| {
                n.fetch_add(b.len(), std::sync::atomic::Ordering::Relaxed);
            })
            .unwrap();
        let n = n.into_inner();
        println!("scan only: {n} in {:?}", t.elapsed());
        let t = Instant::now();
        let idx = SpatialIndex::load(
            tax.clone(),
            mappatu::domain::BoundingBox::siena_province().centre(),
            |sink| store.scan_published(sink),
        )
        .unwrap();
        println!("full load: {} in {:?}", idx.len(), t.elapsed());
    })
    .await
    .unwrap();
}
