//! Which bonuses and contributions a sentence asks about: `bonus bollette` finds the
//! utilities bonus (its words), `pasti` the shopping vouchers (its need's category).

use super::interpret::Interpretation;
use crate::domain::Lang;
use crate::domain::benefit::Benefit;
use crate::index::analyzer::{Analyzer, words};
use std::collections::HashSet;

/// The most benefits a search answers.
pub const MAX_BENEFITS: usize = 3;

/// Words every benefit's text holds, which say nothing about which one is meant.
const GENERIC: &[&str] = &[
    "acquist",
    "agevol",
    "benefit",
    "bonus",
    "buon",
    "contribut",
    "contribution",
    "rimbors",
    "voucher",
];

/// The stems of a text in both languages.
fn stems(text: &str) -> HashSet<String> {
    let a = Analyzer::global();
    let mut out = HashSet::new();
    for w in words(text) {
        for lang in [Lang::It, Lang::En] {
            if !crate::index::analyzer::is_stopword(lang, &w) {
                out.insert(a.stem(lang, &w));
            }
        }
    }
    out
}

/// A benefit the sentence asks about.
pub struct Matched<'b> {
    /// The benefit.
    pub benefit: &'b Benefit,
    /// Whether the sentence asks for a bonus (`bonus`, `contributo`, `buoni`, …): then the
    /// desks where it is asked for rank first.
    pub named: bool,
}

/// The benefits the reading asks about, best first: a word of the sentence (free or of a
/// need) in a benefit's name or what it gives counts most, then a need's category, then
/// its target group.
pub fn matching<'b>(
    benefits: &'b [Benefit],
    reading: &Interpretation,
    query: &str,
) -> Vec<Matched<'b>> {
    let all = stems(query);
    // `bonus bollette` asks for a bonus; `violenza domestica` does not, though the utilities
    // bonus is for "utenze domestiche".
    let asks_for_one = all
        .iter()
        .any(|s| GENERIC.contains(&s.as_str()) || s == "sussid");
    let asked: HashSet<String> = all
        .into_iter()
        .filter(|s| s.len() > 2 && !GENERIC.contains(&s.as_str()))
        .collect();
    let categories = reading.categories();
    let targets = reading.target_groups();
    let mut scored: Vec<(u32, &Benefit)> = benefits
        .iter()
        .filter_map(|b| {
            let d = &b.data;
            let text = [
                Some(d.name_it.as_str()),
                d.name_en.as_deref(),
                d.gives_it.as_deref(),
                d.gives_en.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
            let held = stems(&text);
            let words = asked.iter().filter(|s| held.contains(*s)).count() as u32;
            let cats = d
                .categories
                .iter()
                .filter(|c| categories.contains(c))
                .count() as u32;
            let tgs = d
                .target_groups
                .iter()
                .filter(|t| targets.contains(t))
                .count() as u32;
            let score = 4 * words + 2 * cats + tgs;
            (words > 0 || cats > 0).then_some((score, b))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.id.0.cmp(&b.1.id.0)));
    scored
        .into_iter()
        .take(MAX_BENEFITS)
        .map(|(_, benefit)| Matched {
            benefit,
            named: asks_for_one,
        })
        .collect()
}
