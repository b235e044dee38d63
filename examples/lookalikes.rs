//! Times the moderators' look-alike check over a database's published listings:
//! `cargo run --release --example lookalikes -- sqlite:///tmp/mappatu-10000/mappatu.sqlite3`.
//!
//! Prints the first look-up (which builds the table of skeletons), a queue page's worth of
//! look-ups (50 names: 25 published names with Cyrillic letters put in, 25 others), and
//! the first look-up after one listing is renamed (the table is rebuilt, reusing the keys
//! of every other name).

use mappatu::domain::{BoundingBox, Taxonomy};
use mappatu::index::SpatialIndex;
use mappatu::index::lookalikes::{NameSkeletons, NameWarning};
use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Latin letters swapped for the Cyrillic ones that look the same.
fn cyrillic(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'a' => 'а',
            'e' => 'е',
            'o' => 'о',
            'p' => 'р',
            'c' => 'с',
            other => other,
        })
        .collect()
}

async fn page(
    skeletons: &NameSkeletons,
    index: &SpatialIndex,
    names: &[String],
) -> (Duration, usize) {
    let t = Instant::now();
    let mut lookalikes = 0;
    for n in names {
        let w = skeletons.warnings(index, n, None).await;
        lookalikes += w
            .iter()
            .filter(|w| matches!(w, NameWarning::Lookalike { .. }))
            .count();
    }
    (t.elapsed(), lookalikes)
}

#[tokio::main]
async fn main() {
    let url = std::env::args()
        .nth(1)
        .expect("a database URL: sqlite://PATH or postgres://…");
    let store = mappatu::store::open(&url).await.unwrap();
    let reader = store.clone();
    let index = tokio::task::spawn_blocking(move || {
        SpatialIndex::load(
            Taxonomy::default_set(),
            BoundingBox::siena_province().centre(),
            |sink| reader.scan_published(sink),
        )
        .unwrap()
    })
    .await
    .unwrap();
    let (_, listings) = index.snapshot();
    println!("published listings: {}", listings.len());
    let mut names: Vec<String> = listings
        .iter()
        .take(25)
        .map(|l| cyrillic(l.name()))
        .collect();
    names.extend((0..25).map(|i| format!("Associazione di prova numero {i}")));

    let skeletons = NameSkeletons::new();
    let t = Instant::now();
    skeletons.warnings(&index, "Sportello Famiglia", None).await;
    println!("first look-up (builds the table): {:?}", t.elapsed());
    for round in 1..=3 {
        let (took, found) = page(&skeletons, &index, &names).await;
        println!(
            "page of {} names, round {round}: {took:?} ({found} look-alikes)",
            names.len()
        );
    }

    // One listing renamed: the next look-up rebuilds the table.
    let id = listings[0].id();
    let mut service = store.get(id).await.unwrap().unwrap();
    service.data.name = format!("{} (rinominato)", service.data.name);
    index.upsert(service);
    let t = Instant::now();
    skeletons.warnings(&index, "Sportello Famiglia", None).await;
    println!(
        "first look-up after one rename (rebuilds, reusing keys): {:?}",
        t.elapsed()
    );
    let (took, found) = page(&skeletons, &index, &names).await;
    println!("page after the rename: {took:?} ({found} look-alikes)");
}
