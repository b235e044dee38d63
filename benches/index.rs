//! Index benchmarks over 1 000 000 synthetic published services (see BENCHMARKS.md).
//!
//! `MAPPATU_BENCH_N` changes the size (for a quick run).

use criterion::{Criterion, criterion_group, criterion_main};
use mappatu::api::ListAnswer;
use mappatu::domain::{BoundingBox, Coordinates, Service, Taxonomy};
use mappatu::index::{Filter, SpatialIndex};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::hint::black_box;
use std::time::Instant;

// The server's allocator, so that listings and nodes lie in memory as
// they do in the server.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Query points where people are: near services, jittered by up to ~1 km.
fn query_points(all: &[Service], n: usize, rng: &mut SmallRng) -> Vec<Coordinates> {
    (0..n)
        .map(|_| {
            let p = all[rng.random_range(0..all.len())].data.point;
            Coordinates::new(
                p.lat() + rng.random_range(-0.01..0.01),
                p.lon() + rng.random_range(-0.01..0.01),
            )
            .unwrap()
        })
        .collect()
}

/// A box around `p` holding about `target` services, found by bisection on its size.
fn box_around(index: &SpatialIndex, p: Coordinates, target: usize) -> BoundingBox {
    let (mut lo, mut hi) = (0.0001_f64, 0.5_f64);
    let make = |half: f64| {
        BoundingBox::new(
            Coordinates::new(p.lat() - half, p.lon() - half).unwrap(),
            Coordinates::new(p.lat() + half, p.lon() + half).unwrap(),
        )
        .unwrap()
    };
    for _ in 0..30 {
        let mid = (lo + hi) / 2.0;
        let n = index
            .read()
            .within(&make(mid), &Filter::default(), None, usize::MAX)
            .total;
        if n < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    make(hi)
}

/// The whole nearest k=10 answer at `p` as the endpoint writes it (search, then ten short
/// features as JSON); its length.
fn answer_len(index: &SpatialIndex, p: Coordinates, now: chrono::DateTime<chrono::Utc>) -> usize {
    let view = index.read();
    let hits = view.nearest(p, 10, &Filter::default(), None);
    let answer = ListAnswer {
        full: false,
        taxonomy: view.taxonomy(),
        slugs: view.quoted_slugs(),
        now,
        total: None,
        next_cursor: None,
    };
    let hits = hits.iter().map(|h| (h.listing, Some(h.distance_m)));
    answer.to_json(hits).len()
}

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("MAPPATU_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let taxonomy = Taxonomy::default_set();
    let t = Instant::now();
    let all =
        mappatu::import::synthetic::published(n, 42, &taxonomy, &BoundingBox::siena_province());
    eprintln!("generated {n} services in {:.2?}", t.elapsed());
    let mut rng = SmallRng::seed_from_u64(7);
    let points = query_points(&all, 1024, &mut rng);

    // The category closest to one service in twenty.
    let (cat_bit, share) = (0..taxonomy.categories.len())
        .map(|b| {
            let slug = &taxonomy.categories[b].slug;
            let k = all
                .iter()
                .filter(|s| s.data.categories.contains(slug))
                .count();
            (b, k as f64 / n as f64)
        })
        .min_by(|a, b| (a.1 - 0.05).abs().total_cmp(&(b.1 - 0.05).abs()))
        .unwrap();
    eprintln!(
        "category filter: {} holds {:.2} % of services",
        taxonomy.categories[cat_bit].slug,
        share * 100.0
    );

    let t = Instant::now();
    let index = SpatialIndex::build(
        taxonomy.clone(),
        BoundingBox::siena_province().centre(),
        all,
    );
    eprintln!("bulk-loaded the index in {:.2?}", t.elapsed());

    // What the HTTP load script asks: points anywhere in the province, so many fall
    // between towns, and too many to stay in the processor's caches.
    let area = BoundingBox::siena_province();
    let uniform: Vec<Coordinates> = (0..1 << 16)
        .map(|_| {
            Coordinates::new(
                rng.random_range(area.min_lat()..area.max_lat()),
                rng.random_range(area.min_lon()..area.max_lon()),
            )
            .unwrap()
        })
        .collect();
    for (name, queries) in [
        ("nearest k=10", &points),
        ("nearest k=10, uniform points", &uniform),
    ] {
        let mut i = 0;
        c.bench_function(name, |b| {
            b.iter(|| {
                i = (i + 1) % queries.len();
                black_box(
                    index
                        .read()
                        .nearest(queries[i], 10, &Filter::default(), None)
                        .len(),
                )
            })
        });
    }
    // The whole nearest answer as the HTTP endpoint writes it: search, then ten short
    // features rendered to JSON, whose listings are as far out of cache as the tree.
    let now = chrono::Utc::now();
    let mut i = 0;
    c.bench_function("nearest k=10 answer (search + JSON), uniform points", |b| {
        b.iter(|| {
            i = (i + 1) % uniform.len();
            black_box(answer_len(&index, uniform[i], now))
        })
    });
    // The same answer as a server under load gives it: between two requests the kernel's
    // network work, the HTTP stack and the load generator run on the same cores and push
    // part of the index out of cache. Each query here follows a write over a buffer
    // (MAPPATU_BENCH_POLLUTE_KB, default 2048: four times L2 here), outside the timing.
    let pollute_kb: usize = std::env::var("MAPPATU_BENCH_POLLUTE_KB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2048);
    let mut junk = vec![0_u64; pollute_kb * 1024 / 8];
    let mut i = 0;
    c.bench_function(
        "nearest k=10 answer, caches polluted between queries",
        |b| {
            b.iter_batched(
                || {
                    for (n, w) in junk.iter_mut().enumerate().step_by(8) {
                        *w = w.wrapping_add(n as u64);
                    }
                    i = (i + 1) % uniform.len();
                    uniform[i]
                },
                |p| answer_len(&index, p, now),
                criterion::BatchSize::PerIteration,
            )
        },
    );
    black_box(&junk);
    let mut i = 0;
    let filter = Filter {
        categories: 1 << cat_bit,
        ..Default::default()
    };
    c.bench_function("nearest k=10, category 1 in 20", |b| {
        b.iter(|| {
            i = (i + 1) % points.len();
            black_box(index.read().nearest(points[i], 10, &filter, None).len())
        })
    });
    let boxes: Vec<BoundingBox> = points
        .iter()
        .take(256)
        .map(|p| box_around(&index, *p, 100))
        .collect();
    let mean: f64 = boxes
        .iter()
        .map(|b| index.read().within(b, &Filter::default(), None, 500).total as f64)
        .sum::<f64>()
        / boxes.len() as f64;
    eprintln!("bounding boxes return {mean:.1} services on average");
    let mut j = 0;
    c.bench_function("bbox ~100 services", |b| {
        b.iter(|| {
            j = (j + 1) % boxes.len();
            black_box(
                index
                    .read()
                    .within(&boxes[j], &Filter::default(), None, 500)
                    .total,
            )
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(std::time::Duration::from_secs(5));
    targets = bench
}
criterion_main!(benches);
