//! Reading a citizen's sentence: what they need, where, and how.
//!
//! `centro anziani vicino a Piazza del Campo aperto adesso` is read as a need (the
//! vocabulary's `anziani`: the elderly), a place (`vicino a Piazza del Campo`, resolved by
//! the caller's gazetteer), a condition (`aperto adesso`) and what is left as free words
//! (`centro`). Every part keeps the span of the sentence it came from, so the page can show
//! it as a chip and take it away again.
//!
//! The order matters: conditions first (their words, `accessibile`, would otherwise be
//! read as a need), then places (a street name holds words of needs: `Via della
//! Misericordia`), then needs, then the free words.

use crate::domain::text::fold;
use crate::domain::{Coordinates, Lang};
use crate::index::analyzer::is_stopword;
use serde::Serialize;

/// One word of the sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Folded: lowercase ASCII.
    pub folded: String,
    /// Byte offsets in the sentence as typed.
    pub start: usize,
    /// End, exclusive.
    pub end: usize,
}

/// The words of a sentence with their spans: runs of letters and digits (an apostrophe
/// splits `all'ospedale`).
pub fn words_with_spans(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let folded: String = fold(&text[s..i])
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect();
                if !folded.is_empty() {
                    out.push(Word {
                        folded,
                        start: s,
                        end: i,
                    });
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// A need the vocabulary found in the sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedSpan {
    /// Byte offsets of the phrase in the sentence.
    pub start: usize,
    /// End, exclusive.
    pub end: usize,
    /// Categories it stands for.
    pub categories: Vec<String>,
    /// Target groups it stands for.
    pub target_groups: Vec<String>,
}

/// A place the gazetteer resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedPlace {
    /// What to show.
    pub label: String,
    /// Where it is.
    pub point: Coordinates,
}

/// What a part of the sentence was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PhraseKind {
    /// A need: categories and target groups.
    Need,
    /// A place to search near.
    Place,
    /// Only services open now.
    OpenNow,
    /// Only services a wheelchair user can enter.
    Wheelchair,
    /// A free word, matched in the services' text.
    Term,
}

/// A part of the sentence and what it was read as.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Phrase {
    /// What it was read as.
    pub kind: PhraseKind,
    /// The part as typed.
    pub text: String,
    /// Byte offset of `text` in the query.
    pub start: usize,
    /// Byte offset of its end.
    pub end: usize,
    /// For a need: its categories.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// For a need: its target groups.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub target_groups: Vec<String>,
}

/// The whole reading of a sentence.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Interpretation {
    /// The parts, in the sentence's order.
    pub phrases: Vec<Phrase>,
    /// The place, if one was named and found.
    pub place: Option<ResolvedPlace>,
    /// `aperto adesso` / `open now`.
    pub open_now: bool,
    /// `accessibile in carrozzina` / `wheelchair`.
    pub wheelchair: bool,
}

impl Interpretation {
    /// The free words, folded.
    pub fn terms(&self) -> Vec<String> {
        self.phrases
            .iter()
            .filter(|p| p.kind == PhraseKind::Term)
            .map(|p| {
                fold(&p.text)
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect()
            })
            .collect()
    }

    /// The needs, one group of categories and target groups each.
    pub fn needs(&self) -> impl Iterator<Item = &Phrase> {
        self.phrases.iter().filter(|p| p.kind == PhraseKind::Need)
    }

    /// Every category of every need, once each, in order.
    pub fn categories(&self) -> Vec<String> {
        unique(self.needs().flat_map(|p| p.categories.iter()))
    }

    /// Every target group of every need, once each, in order.
    pub fn target_groups(&self) -> Vec<String> {
        unique(self.needs().flat_map(|p| p.target_groups.iter()))
    }
}

fn unique<'a>(items: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !out.contains(i) {
            out.push(i.clone());
        }
    }
    out
}

/// What the sentence asks, beyond needs and places: folded word sequences.
const OPEN_NOW: &[&[&str]] = &[
    &["aperto", "adesso"],
    &["aperti", "adesso"],
    &["aperta", "adesso"],
    &["aperte", "adesso"],
    &["aperto", "ora"],
    &["aperti", "ora"],
    &["aperta", "ora"],
    &["aperto", "in", "questo", "momento"],
    &["aperti", "in", "questo", "momento"],
    &["adesso", "aperto"],
    &["adesso", "aperti"],
    &["open", "now"],
    &["open", "right", "now"],
    &["opened", "now"],
    &["currently", "open"],
    &["open", "at", "the", "moment"],
];

const WHEELCHAIR: &[&[&str]] = &[
    &["accessibile", "in", "carrozzina"],
    &["accessibili", "in", "carrozzina"],
    &["accessibile", "con", "carrozzina"],
    &["accessibile", "in", "sedia", "a", "rotelle"],
    &["accessibile", "ai", "disabili"],
    &["senza", "barriere", "architettoniche"],
    &["senza", "barriere"],
    &["sedia", "a", "rotelle"],
    &["in", "carrozzina"],
    &["carrozzina"],
    &["accessibile"],
    &["accessibili"],
    &["wheelchair", "accessible"],
    &["accessible", "by", "wheelchair"],
    &["accessible", "to", "wheelchair", "users"],
    &["for", "wheelchair", "users"],
    &["wheelchair", "users"],
    &["wheelchair"],
    &["step", "free"],
    &["accessible"],
];

/// Words that introduce a place, and whether they do so for sure (`vicino a`) or only
/// when what follows is a town or street (`a`, `in`: `a Poggibonsi`, but `aiuto a pagare`).
const PLACE_MARKERS: &[(&[&str], bool)] = &[
    (&["vicino"], true),
    (&["vicina"], true),
    (&["vicini"], true),
    (&["nei", "pressi"], true),
    (&["nelle", "vicinanze"], true),
    (&["presso"], true),
    (&["in", "zona"], true),
    (&["zona"], true),
    (&["dalle", "parti"], true),
    (&["intorno"], true),
    (&["near"], true),
    (&["nearby"], true),
    (&["close", "to"], true),
    (&["next", "to"], true),
    (&["around"], true),
    (&["a"], false),
    (&["ad"], false),
    (&["in"], false),
    (&["at"], false),
];

/// Words between a marker and the place that say nothing of it.
const PLACE_GLUE: &[&str] = &[
    "a", "al", "alla", "allo", "all", "ai", "agli", "alle", "di", "del", "della", "dello", "dell",
    "dei", "degli", "delle", "da", "dal", "dalla", "il", "lo", "la", "l", "i", "gli", "le", "the",
    "to", "of", "me", "casa", "mia", "my",
];

/// The most words a place name is tried with.
const MAX_PLACE_WORDS: usize = 6;

/// Words that say a person is asking, not what for, and the words of a place that was
/// not found: dropped from the free words.
const FILLER_IT: &[&str] = &[
    "aiutami", "aiuto", "bisogno", "cerca", "cerco", "cercare", "domani", "gratis", "gratuita",
    "gratuite", "gratuiti", "gratuito", "mi", "oggi", "posso", "potrei", "qualche", "qualcosa",
    "qualcuno", "serve", "servizi", "servizio", "servono", "stanotte", "stasera", "subito",
    "trovare", "urgente", "vorrei", "voglio", "vicino", "vicina", "vicini", "pressi", "presso",
    "intorno",
];
const FILLER_EN: &[&str] = &[
    "can",
    "find",
    "free",
    "get",
    "help",
    "i",
    "looking",
    "me",
    "my",
    "need",
    "needs",
    "please",
    "service",
    "services",
    "somewhere",
    "today",
    "tonight",
    "tomorrow",
    "urgent",
    "want",
    "near",
    "nearby",
    "around",
    "close",
];

fn is_filler(word: &str) -> bool {
    FILLER_IT.contains(&word) || FILLER_EN.contains(&word)
}

/// Where a place being typed begins: the byte offset of the first word after the last sure
/// place marker (`mensa vicino a piaz` → `piaz`), for suggesting places while typing.
pub fn place_being_typed(text: &str) -> Option<usize> {
    let words = words_with_spans(text);
    let none = vec![false; words.len()];
    let (at, marker) = (0..words.len()).rev().find_map(|i| {
        PLACE_MARKERS
            .iter()
            .filter(|(m, sure)| *sure && sequence_at(&words, &none, i, m))
            .map(|(m, _)| (i, m.len()))
            .max_by_key(|(_, len)| *len)
    })?;
    words[at + marker..]
        .iter()
        .find(|w| !PLACE_GLUE.contains(&w.folded.as_str()))
        .map(|w| w.start)
}

/// Reads `text`. `needs` are the vocabulary's matches in it; `resolve` looks a place name
/// up (`strict`: only towns, streets and landmarks, not services).
pub fn interpret(
    text: &str,
    lang: Lang,
    needs: &[NeedSpan],
    resolve: &mut dyn FnMut(&str, bool) -> Option<ResolvedPlace>,
) -> Interpretation {
    let words = words_with_spans(text);
    let mut taken = vec![false; words.len()];
    let mut out = Interpretation::default();
    let mut phrases: Vec<Phrase> = Vec::new();
    let phrase = |kind, from: usize, to: usize, words: &[Word]| Phrase {
        kind,
        text: text[words[from].start..words[to - 1].end].to_string(),
        start: words[from].start,
        end: words[to - 1].end,
        categories: Vec::new(),
        target_groups: Vec::new(),
    };

    for (list, kind) in [
        (OPEN_NOW, PhraseKind::OpenNow),
        (WHEELCHAIR, PhraseKind::Wheelchair),
    ] {
        let mut i = 0;
        while i < words.len() {
            let hit = list
                .iter()
                .filter(|p| sequence_at(&words, &taken, i, p))
                .map(|p| p.len())
                .max();
            match hit {
                Some(n) => {
                    taken[i..i + n].iter_mut().for_each(|t| *t = true);
                    phrases.push(phrase(kind, i, i + n, &words));
                    match kind {
                        PhraseKind::OpenNow => out.open_now = true,
                        _ => out.wheelchair = true,
                    }
                    i += n;
                }
                None => i += 1,
            }
        }
    }

    // A place: a marker, then the longest run of words the gazetteer knows.
    let mut i = 0;
    while i < words.len() && out.place.is_none() {
        let marker = PLACE_MARKERS
            .iter()
            .filter(|(m, _)| sequence_at(&words, &taken, i, m))
            .max_by_key(|(m, _)| m.len());
        let Some((m, strict_marker)) = marker else {
            i += 1;
            continue;
        };
        let mut from = i + m.len();
        while from < words.len() && !taken[from] && PLACE_GLUE.contains(&&*words[from].folded) {
            from += 1;
        }
        let mut until = from;
        while until < words.len() && !taken[until] && until - from < MAX_PLACE_WORDS {
            until += 1;
        }
        let found = (from + 1..=until).rev().find_map(|to| {
            let name = &text[words[from].start..words[to - 1].end];
            resolve(name, !strict_marker).map(|p| (to, p))
        });
        match found {
            Some((to, place)) => {
                taken[i..to].iter_mut().for_each(|t| *t = true);
                phrases.push(phrase(PhraseKind::Place, i, to, &words));
                out.place = Some(place);
                i = to;
            }
            None => i += 1,
        }
    }

    for need in needs {
        let inside: Vec<usize> = (0..words.len())
            .filter(|&w| words[w].start >= need.start && words[w].end <= need.end)
            .collect();
        if inside.is_empty() || inside.iter().any(|&w| taken[w]) {
            continue;
        }
        inside.iter().for_each(|&w| taken[w] = true);
        let mut p = phrase(
            PhraseKind::Need,
            inside[0],
            inside[inside.len() - 1] + 1,
            &words,
        );
        p.categories = need.categories.clone();
        p.target_groups = need.target_groups.clone();
        phrases.push(p);
    }

    for (w, word) in words.iter().enumerate() {
        if taken[w]
            || is_stopword(lang, &word.folded)
            || is_stopword(other(lang), &word.folded)
            || is_filler(&word.folded)
            || phrases
                .iter()
                .any(|p| p.kind == PhraseKind::Term && fold(&p.text) == word.folded)
        {
            continue;
        }
        phrases.push(phrase(PhraseKind::Term, w, w + 1, &words));
    }
    phrases.sort_by_key(|p| p.start);
    out.phrases = phrases;
    out
}

fn other(lang: Lang) -> Lang {
    match lang {
        Lang::It => Lang::En,
        Lang::En => Lang::It,
    }
}

/// Whether the folded words `seq` start at word `i`, none of them taken yet.
fn sequence_at(words: &[Word], taken: &[bool], i: usize, seq: &[&str]) -> bool {
    i + seq.len() <= words.len()
        && seq
            .iter()
            .enumerate()
            .all(|(k, s)| !taken[i + k] && words[i + k].folded == *s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn campo(name: &str, strict: bool) -> Option<ResolvedPlace> {
        let n = fold(name);
        let point = Coordinates::new(43.3184, 11.3316).unwrap();
        match n.as_str() {
            "piazza del campo" => Some(ResolvedPlace {
                label: "Piazza del Campo, Siena".into(),
                point,
            }),
            "poggibonsi" => Some(ResolvedPlace {
                label: "Poggibonsi".into(),
                point,
            }),
            "caritas" if !strict => Some(ResolvedPlace {
                label: "Caritas".into(),
                point,
            }),
            _ => None,
        }
    }

    fn kinds(i: &Interpretation) -> Vec<(PhraseKind, &str)> {
        i.phrases
            .iter()
            .map(|p| (p.kind, p.text.as_str()))
            .collect()
    }

    #[test]
    fn a_sentence_is_read_into_need_place_condition_and_words() {
        let text = "Centro anziani vicino a Piazza del Campo, aperto adesso";
        let needs = [NeedSpan {
            start: 7,
            end: 14,
            categories: vec!["elderly".into()],
            target_groups: vec!["elderly".into()],
        }];
        let i = interpret(text, Lang::It, &needs, &mut campo);
        assert_eq!(
            kinds(&i),
            vec![
                (PhraseKind::Term, "Centro"),
                (PhraseKind::Need, "anziani"),
                (PhraseKind::Place, "vicino a Piazza del Campo"),
                (PhraseKind::OpenNow, "aperto adesso"),
            ]
        );
        assert!(i.open_now && !i.wheelchair);
        assert_eq!(i.place.as_ref().unwrap().label, "Piazza del Campo, Siena");
        assert_eq!(i.terms(), vec!["centro"]);
        for p in &i.phrases {
            assert_eq!(&text[p.start..p.end], p.text);
        }
    }

    #[test]
    fn weak_markers_need_a_town_or_street() {
        let i = interpret("aiuto a pagare le bollette", Lang::It, &[], &mut campo);
        assert!(i.place.is_none());
        assert_eq!(i.terms(), vec!["pagare", "bollette"]);
        let i = interpret("mensa a Poggibonsi", Lang::It, &[], &mut campo);
        assert_eq!(i.place.unwrap().label, "Poggibonsi");
        let i = interpret("pasti a Caritas", Lang::It, &[], &mut campo);
        assert!(i.place.is_none(), "a service needs a sure marker");
        let i = interpret("pasti vicino alla Caritas", Lang::It, &[], &mut campo);
        assert_eq!(i.place.unwrap().label, "Caritas");
    }

    #[test]
    fn conditions_in_english_and_accented_text_keep_their_spans() {
        let text = "wheelchair accessible food bank open now near Città";
        let i = interpret(text, Lang::En, &[], &mut campo);
        assert!(i.wheelchair && i.open_now);
        assert_eq!(i.terms(), vec!["food", "bank", "citta"]);
        let last = i.phrases.last().unwrap();
        assert_eq!(last.text, "Città");
        assert_eq!(&text[last.start..last.end], "Città");
    }

    #[test]
    fn the_place_being_typed_starts_after_the_last_sure_marker() {
        let q = "mensa vicino a piazza del ca";
        assert_eq!(&q[place_being_typed(q).unwrap()..], "piazza del ca");
        let q = "food close to the sta";
        assert_eq!(&q[place_being_typed(q).unwrap()..], "sta");
        assert_eq!(
            place_being_typed("mensa a Poggi"),
            None,
            "a weak marker is not enough"
        );
        assert_eq!(place_being_typed("mensa vicino a "), None);
    }

    #[test]
    fn fillers_and_function_words_are_not_searched() {
        let i = interpret("dove posso mangiare gratis", Lang::It, &[], &mut campo);
        assert_eq!(i.terms(), vec!["mangiare"]);
        let i = interpret("I need help paying rent", Lang::En, &[], &mut campo);
        assert_eq!(i.terms(), vec!["paying", "rent"]);
    }
}
