//! The vocabulary of needs: finding the needs in a citizen's sentence, suggesting phrases
//! while they type, and building the vocabulary (done at start-up and after each admin
//! change). `cargo bench --bench needs`.

use criterion::{Criterion, criterion_group, criterion_main};
use mappatu::domain::Lang;
use mappatu::search::needs::Vocabulary;
use std::hint::black_box;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn needs(c: &mut Criterion) {
    let v = Vocabulary::builtin();
    // Ten words: a need, a place, a time, function words, and a typo.
    let sentence = "dove posso trovare un pasto caldo vicino alla stazione stasera";
    c.bench_function("needs/find 10 words it", |b| {
        b.iter(|| black_box(v.find(Lang::It, black_box(sentence))))
    });
    let typo = "aiuto per pagare le bolette della luce e del gas";
    c.bench_function("needs/find 10 words with a typo", |b| {
        b.iter(|| black_box(v.find(Lang::It, black_box(typo))))
    });
    let english = "where can I find a free meal near the train station";
    c.bench_function("needs/find 11 words en", |b| {
        b.iter(|| black_box(v.find(Lang::En, black_box(english))))
    });
    c.bench_function("needs/suggest 3 letters", |b| {
        b.iter(|| black_box(v.suggest(Lang::It, black_box("bol"), 8)))
    });
    c.bench_function("needs/build the built-in vocabulary", |b| {
        b.iter(|| black_box(Vocabulary::builtin()))
    });
}

criterion_group!(benches, needs);
criterion_main!(benches);
