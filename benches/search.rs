//! Search by need over 1 000 000 synthetic published services (see BENCHMARKS.md): a
//! sentence read (vocabulary, places, conditions) and answered by the engine, in-process.
//!
//! `MAPPATU_BENCH_N` changes the size (for a quick run).

use criterion::{Criterion, criterion_group, criterion_main};
use mappatu::domain::{BoundingBox, Lang, Taxonomy};
use mappatu::geocode::offline::Gazetteer;
use mappatu::index::{Filter, SpatialIndex};
use mappatu::search::engine::{self, Query};
use mappatu::search::{Vocabulary, read};
use std::hint::black_box;
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("MAPPATU_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let taxonomy = Taxonomy::default_set();
    let area = BoundingBox::siena_province();
    let services = mappatu::import::synthetic::published(n, 7, &taxonomy, &area);
    let started = Instant::now();
    let index = SpatialIndex::build(taxonomy, area.centre(), services);
    eprintln!(
        "index with text built in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    {
        let view = index.read();
        eprintln!("text index: {} terms", view.text().terms());
    }
    let started = Instant::now();
    let gazetteer = Gazetteer::from_index(&index);
    eprintln!(
        "gazetteer: {} entries in {:.2} s",
        gazetteer.len(),
        started.elapsed().as_secs_f64()
    );
    let vocabulary = Vocabulary::builtin();
    let now = chrono::Utc::now();

    let mut group = c.benchmark_group("search");
    for (name, q) in [
        ("three words", "emporio solidale montalcino"),
        ("three words, need and words", "centro diurno anziani"),
        ("sentence", "dove posso mangiare gratis"),
        ("typo", "sportelo sociale chiusi"),
        ("place: town", "ambulatorio per anziani a Poggibonsi"),
        (
            "place: street",
            "patronato vicino a via Garibaldi Montepulciano",
        ),
        (
            "place and conditions",
            "emporio solidale vicino alla stazione aperto adesso",
        ),
    ] {
        let reading = read(q, Lang::It, &vocabulary, &gazetteer, area);
        {
            let view = index.read();
            let a = engine::search(
                &view,
                &Query {
                    interpretation: &reading,
                    filter: Filter::default(),
                    origin: reading.place.as_ref().map(|p| p.point),
                    centre: area.centre(),
                    now,
                    k: 20,
                    boost: Vec::new(),
                },
            );
            eprintln!(
                "{q:?}: {} found, place {:?}, terms {:?}, categories {:?}, relaxed {:?}",
                a.found.len(),
                reading.place.as_ref().map(|p| &p.label),
                reading.terms(),
                reading.categories(),
                a.relaxed
            );
        }
        group.bench_function(name, |b| {
            b.iter(|| {
                let reading = read(black_box(q), Lang::It, &vocabulary, &gazetteer, area);
                let view = index.read();
                let a = engine::search(
                    &view,
                    &Query {
                        interpretation: &reading,
                        filter: Filter::default(),
                        origin: reading.place.as_ref().map(|p| p.point),
                        centre: area.centre(),
                        now,
                        k: 20,
                        boost: Vec::new(),
                    },
                );
                black_box(a.found.len())
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
