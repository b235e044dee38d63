//! Finding help by need: the language tools every part of search shares.
//!
//! [`analyzer`](crate::index::analyzer) turns text into the terms that are matched — folded (case and accents),
//! function words dropped, each word reduced to its Snowball stem in Italian or English —
//! so that an index and a query analysed the same way meet on `pasti` / `pasto` /
//! `Pasto caldo`, `bollette` / `bolletta`, `meals` / `meal`. [`needs`] is the vocabulary
//! of needs that maps citizens' words (`mangiare`, `luce e gas`, `help paying rent`) to
//! categories and target groups. [`text`](crate::index::text) (in the index) finds the services holding a
//! query's words, [`interpret`] reads a sentence into needs, place and conditions, and [`engine`]
//! turns a reading into services, best first.

pub mod benefits;
pub mod engine;
pub mod interpret;
pub mod landmarks;
pub mod needs;

pub use crate::index::analyzer::{Analyzer, Term};
pub use needs::{NeedMatch, NeedsVocabulary, Vocabulary};

use crate::domain::{BoundingBox, Lang};
use crate::geocode::PlaceKind;
use crate::geocode::offline::Gazetteer;
use interpret::{Interpretation, NeedSpan, ResolvedPlace};

/// Reads a citizen's sentence: the vocabulary's needs, places from the area's landmarks
/// and towns, then the gazetteer, conditions and free words.
pub fn read(
    text: &str,
    lang: Lang,
    vocabulary: &Vocabulary,
    gazetteer: &Gazetteer,
    area: BoundingBox,
) -> Interpretation {
    let needs: Vec<NeedSpan> = vocabulary
        .find(lang, text)
        .into_iter()
        .map(|m| NeedSpan {
            start: m.start,
            end: m.end,
            categories: m.categories,
            target_groups: m.target_groups,
        })
        .collect();
    interpret::interpret(text, lang, &needs, &mut resolver(gazetteer, lang, area))
}

/// Resolves a place name: the area's landmarks, then the gazetteer, whose best answer must
/// hold every word of the name (as the beginning of one of its words); `strict` also
/// refuses services as places (after `a`, `in`: `a Poggibonsi`, not `a Caritas`).
fn resolver<'g>(
    gazetteer: &'g Gazetteer,
    lang: Lang,
    area: BoundingBox,
) -> impl FnMut(&str, bool) -> Option<ResolvedPlace> + 'g {
    move |name, strict| {
        if let Some(l) = landmarks::find(name, lang, &area) {
            return Some(l);
        }
        let wanted: Vec<String> = crate::index::analyzer::words(name)
            .into_iter()
            .filter(|w| w.len() > 2 || w.bytes().all(|b| b.is_ascii_digit()))
            .collect();
        if wanted.is_empty() {
            return None;
        }
        gazetteer
            .search(name, 5)
            .into_iter()
            .filter(|p| !strict || p.kind != PlaceKind::Service)
            .find(|p| {
                let label = crate::index::analyzer::words(&p.label);
                wanted
                    .iter()
                    .all(|w| label.iter().any(|l| l.starts_with(w.as_str())))
            })
            .map(|p| ResolvedPlace {
                label: p.label,
                point: p.point,
            })
    }
}
