//! The vocabulary of needs: the everyday words and phrases people use for a need
//! (`mangiare`, `bollette`, `luce e gas`, `help paying rent`, `senza casa`), each mapped to
//! the categories and target groups of the taxonomy, in Italian and English.
//!
//! The built-in vocabulary is `data/needs.json`, embedded in the binary; admins add
//! phrases at run time (stored, see [`crate::store::VocabularyStore`]). Phrases and
//! queries meet on their Snowball stems ([`Analyzer`]), function words skipped on both
//! sides, so `la luce e il gas` finds `luce e gas` and `pasti` finds `pasto`. A query is
//! tried in its own language first and then in the other one: foreign residents type
//! English on the Italian page.

use crate::domain::Lang;
use crate::index::analyzer::{Analyzer, is_stopword};
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// The built-in vocabulary, `data/needs.json`.
pub const BUILTIN_NEEDS_JSON: &str = include_str!("../../data/needs.json");

/// The longest phrase, in characters.
pub const MAX_PHRASE_CHARS: usize = 80;

/// Italian one-word phrases with stems this short match only the forms they spell.
const SHORT_STEM: usize = 3;

/// Words at least this long (in folded letters) are also matched with one typo.
pub const TYPO_MIN_LETTERS: usize = 6;

/// One entry of `data/needs.json`: phrases of the same meaning in one language, and what
/// they point to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeedEntry {
    /// The phrases' language.
    pub lang: Lang,
    /// Everyday words and phrases, as people type them.
    pub phrases: Vec<String>,
    /// Category slugs of the taxonomy.
    pub categories: Vec<String>,
    /// Target-group slugs of the taxonomy.
    pub target_groups: Vec<String>,
}

/// The entries of `data/needs.json`, parsed once.
pub fn builtin_entries() -> &'static [NeedEntry] {
    static ENTRIES: OnceLock<Vec<NeedEntry>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        serde_json::from_str(BUILTIN_NEEDS_JSON).expect("data/needs.json is valid (a test checks)")
    })
}

/// Where a phrase of the vocabulary comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PhraseSource {
    /// `data/needs.json`.
    BuiltIn,
    /// Added by an admin: the stored phrase's id.
    Added(i64),
}

/// A phrase to put in a [`Vocabulary`].
#[derive(Debug, Clone, Copy)]
pub struct PhraseInput<'a> {
    /// Its language.
    pub lang: Lang,
    /// The phrase as written.
    pub text: &'a str,
    /// Category slugs.
    pub categories: &'a [String],
    /// Target-group slugs.
    pub target_groups: &'a [String],
    /// Built in or added.
    pub source: PhraseSource,
}

/// A need found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NeedMatch {
    /// Byte offset in the original text where the matched words begin.
    pub start: usize,
    /// Byte offset in the original text just after the matched words.
    pub end: usize,
    /// The matched words as typed: `&text[start..end]`.
    pub phrase: String,
    /// Category slugs of the need.
    pub categories: Vec<String>,
    /// Target-group slugs of the need.
    pub target_groups: Vec<String>,
}

/// A phrase offered while a citizen types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NeedSuggestion {
    /// The phrase as written in the vocabulary.
    pub phrase: String,
    /// Its language.
    pub lang: Lang,
    /// Category slugs.
    pub categories: Vec<String>,
    /// Target-group slugs.
    pub target_groups: Vec<String>,
}

/// The stems of a phrase joined by spaces: two phrases of one language with the same key
/// match the same texts. `None` when nothing is left of it after analysis (empty, or only
/// function words).
pub fn match_key(lang: Lang, phrase: &str) -> Option<String> {
    let stems: Vec<String> = Analyzer::global()
        .terms(lang, phrase)
        .into_iter()
        .map(|t| t.stem)
        .collect();
    (!stems.is_empty()).then(|| stems.join(" "))
}

struct Phrase {
    lang: Lang,
    stems: Box<[String]>,
    /// For a one-word Italian phrase with a stem of [`SHORT_STEM`] letters or fewer: the
    /// words it matches exactly. Italian stems that short meet unrelated words (`casa`
    /// and `caso`, "in caso di": the stem `cas`); spelling the forms out keeps them apart.
    exact_words: Option<Vec<String>>,
    categories: Vec<String>,
    target_groups: Vec<String>,
    sources: Vec<PhraseSource>,
}

/// One way a phrase is written, offered as a suggestion.
struct Spelling {
    lang: Lang,
    /// As written.
    text: String,
    /// Its folded words joined by one space, and a space after the last one.
    folded: String,
    /// The phrase it spells (several spellings can meet on the same stems).
    phrase: u32,
}

/// The vocabulary in use: every phrase analysed, indexed by its first stem.
pub struct Vocabulary {
    phrases: Vec<Phrase>,
    spellings: Vec<Spelling>,
    /// Per language (index [`lang_index`]): first stem → phrases, most stems first.
    by_first_stem: [HashMap<String, Vec<u32>>; 2],
    /// Per language: word length → the one-word phrases of at least [`TYPO_MIN_LETTERS`]
    /// letters that long, with their folded word, for typo tolerance.
    typo_by_len: [HashMap<usize, Vec<(String, u32)>>; 2],
}

fn lang_index(lang: Lang) -> usize {
    match lang {
        Lang::It => 0,
        Lang::En => 1,
    }
}

fn other(lang: Lang) -> Lang {
    match lang {
        Lang::It => Lang::En,
        Lang::En => Lang::It,
    }
}

fn union(into: &mut Vec<String>, more: &[String]) {
    for s in more {
        if !into.contains(s) {
            into.push(s.clone());
        }
    }
}

impl Vocabulary {
    /// The built-in vocabulary alone.
    pub fn builtin() -> Self {
        Self::build(builtin_inputs())
    }

    /// The built-in vocabulary and `added` phrases.
    pub fn with_added<'a>(added: impl IntoIterator<Item = PhraseInput<'a>>) -> Self {
        Self::build(builtin_inputs().chain(added))
    }

    /// A vocabulary of exactly these phrases. Phrases of one language with the same stems
    /// become one, with the union of their categories and target groups; phrases with
    /// nothing left after analysis are left out.
    pub fn build<'a>(inputs: impl IntoIterator<Item = PhraseInput<'a>>) -> Self {
        let analyzer = Analyzer::global();
        let mut phrases: Vec<Phrase> = Vec::new();
        let mut spellings: Vec<Spelling> = Vec::new();
        let mut by_key: HashMap<(usize, String), usize> = HashMap::new();
        let mut spelled: std::collections::HashSet<(usize, String)> = Default::default();
        let mut typo_by_len: [HashMap<usize, Vec<(String, u32)>>; 2] = Default::default();
        for input in inputs {
            let stems: Vec<String> = analyzer
                .terms(input.lang, input.text)
                .into_iter()
                .map(|t| t.stem)
                .collect();
            if stems.is_empty() {
                continue;
            }
            let l = lang_index(input.lang);
            let words = crate::index::analyzer::words(input.text);
            let exact_word =
                (input.lang == Lang::It && stems.len() == 1 && stems[0].len() <= SHORT_STEM)
                    .then(|| words.iter().find(|w| !is_stopword(input.lang, w)).cloned())
                    .flatten();
            let key = (l, stems.join(" "));
            let at = match by_key.get(&key) {
                Some(&i) => {
                    let p = &mut phrases[i];
                    union(&mut p.categories, input.categories);
                    union(&mut p.target_groups, input.target_groups);
                    p.sources.push(input.source);
                    if let (Some(list), Some(w)) = (p.exact_words.as_mut(), exact_word) {
                        list.push(w);
                    }
                    i
                }
                None => {
                    by_key.insert(key, phrases.len());
                    phrases.push(Phrase {
                        lang: input.lang,
                        stems: stems.into_boxed_slice(),
                        exact_words: exact_word.map(|w| vec![w]),
                        categories: input.categories.to_vec(),
                        target_groups: input.target_groups.to_vec(),
                        sources: vec![input.source],
                    });
                    phrases.len() - 1
                }
            };
            if let [w] = words.as_slice()
                && w.len() >= TYPO_MIN_LETTERS
                && w.bytes().all(|b| b.is_ascii_alphabetic())
            {
                typo_by_len[l]
                    .entry(w.len())
                    .or_default()
                    .push((w.clone(), at as u32));
            }
            let folded = format!("{} ", words.join(" "));
            if spelled.insert((l, folded.clone())) {
                spellings.push(Spelling {
                    lang: input.lang,
                    text: input.text.trim().to_string(),
                    folded,
                    phrase: at as u32,
                });
            }
        }
        let mut by_first_stem: [HashMap<String, Vec<u32>>; 2] = Default::default();
        for (i, p) in phrases.iter().enumerate() {
            by_first_stem[lang_index(p.lang)]
                .entry(p.stems[0].clone())
                .or_default()
                .push(i as u32);
        }
        for map in &mut by_first_stem {
            for list in map.values_mut() {
                list.sort_by_key(|&i| std::cmp::Reverse(phrases[i as usize].stems.len()));
            }
        }
        Vocabulary {
            phrases,
            spellings,
            by_first_stem,
            typo_by_len,
        }
    }

    /// How many distinct phrases (by language and stems) it holds.
    pub fn len(&self) -> usize {
        self.phrases.len()
    }

    /// Whether it holds no phrase.
    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }

    /// Whether a phrase of `lang` with these stems ([`match_key`]) is already in it, and
    /// where from.
    pub fn source_of(&self, lang: Lang, key: &str) -> Option<&[PhraseSource]> {
        let first = key.split(' ').next()?;
        self.by_first_stem[lang_index(lang)]
            .get(first)?
            .iter()
            .map(|&i| &self.phrases[i as usize])
            .find(|p| p.stems.join(" ") == key)
            .map(|p| p.sources.as_slice())
    }

    /// The needs named in `text`, in the order they appear: longest phrases first, never
    /// overlapping, phrases of `lang` before those of the other language; then single
    /// words of at least [`TYPO_MIN_LETTERS`] letters one typo away from a one-word
    /// phrase (`bolette`). Offsets are byte offsets into `text` itself.
    pub fn find(&self, lang: Lang, text: &str) -> Vec<NeedMatch> {
        let words = spans(text);
        if words.is_empty() {
            return Vec::new();
        }
        let analyzer = Analyzer::global();
        // (stems matched, words covered, language rank, first word, last word, phrase)
        let mut candidates: Vec<(usize, usize, usize, usize, usize, u32)> = Vec::new();
        for (rank, l) in [lang, other(lang)].into_iter().enumerate() {
            let map = &self.by_first_stem[lang_index(l)];
            let terms: Vec<(usize, String)> = words
                .iter()
                .enumerate()
                .filter(|(_, w)| !is_stopword(l, &w.folded))
                .map(|(i, w)| (i, analyzer.stem(l, &w.folded)))
                .collect();
            for at in 0..terms.len() {
                let Some(list) = map.get(terms[at].1.as_str()) else {
                    continue;
                };
                for &p in list {
                    let phrase = &self.phrases[p as usize];
                    let stems = &phrase.stems;
                    let Some(window) = terms.get(at..at + stems.len()) else {
                        continue;
                    };
                    let spelled = match &phrase.exact_words {
                        Some(exact) => exact.contains(&words[window[0].0].folded),
                        None => true,
                    };
                    if spelled && window.iter().zip(stems.iter()).all(|(t, s)| t.1 == *s) {
                        let (first, last) = (window[0].0, window[window.len() - 1].0);
                        candidates.push((stems.len(), last - first + 1, rank, first, last, p));
                    }
                }
            }
        }
        candidates.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then(b.1.cmp(&a.1))
                .then(a.2.cmp(&b.2))
                .then(a.3.cmp(&b.3))
                .then(a.5.cmp(&b.5))
        });
        let mut covered = vec![false; words.len()];
        let mut chosen: Vec<(usize, usize, u32)> = Vec::new();
        for (_, _, _, first, last, p) in candidates {
            if covered[first..=last].iter().any(|&c| c) {
                continue;
            }
            covered[first..=last].iter_mut().for_each(|c| *c = true);
            chosen.push((first, last, p));
        }
        for (i, w) in words.iter().enumerate() {
            if covered[i]
                || w.folded.len() < TYPO_MIN_LETTERS
                || is_stopword(Lang::It, &w.folded)
                || is_stopword(Lang::En, &w.folded)
            {
                continue;
            }
            if let Some(p) = self.typo_match(lang, &w.folded) {
                covered[i] = true;
                chosen.push((i, i, p));
            }
        }
        chosen.sort_by_key(|c| c.0);
        chosen
            .into_iter()
            .map(|(first, last, p)| {
                let phrase = &self.phrases[p as usize];
                let (start, end) = (words[first].start, words[last].end);
                NeedMatch {
                    start,
                    end,
                    phrase: text[start..end].to_string(),
                    categories: phrase.categories.clone(),
                    target_groups: phrase.target_groups.clone(),
                }
            })
            .collect()
    }

    /// A one-word phrase one edit (insertion, deletion, substitution or swap of two
    /// neighbours) away from `word`, in `lang` first.
    fn typo_match(&self, lang: Lang, word: &str) -> Option<u32> {
        let n = word.len();
        [lang, other(lang)].into_iter().find_map(|l| {
            let by_len = &self.typo_by_len[lang_index(l)];
            [n, n - 1, n + 1]
                .iter()
                .filter_map(|len| by_len.get(len))
                .flatten()
                .find(|(w, _)| within_one_edit(word.as_bytes(), w.as_bytes()))
                .map(|&(_, p)| p)
        })
    }

    /// Up to `limit` phrases for a citizen who has typed `prefix`: those whose folded form
    /// starts with the folded prefix, then those with a word that does; `lang`'s before
    /// the other language's, shorter before longer.
    pub fn suggest(&self, lang: Lang, prefix: &str, limit: usize) -> Vec<NeedSuggestion> {
        let wanted = crate::index::analyzer::words(prefix).join(" ");
        // A trailing space means the last word is complete: "luce " is not "lucernario".
        let wanted = if prefix.ends_with(char::is_whitespace) && !wanted.is_empty() {
            format!("{wanted} ")
        } else {
            wanted
        };
        if wanted.is_empty() || limit == 0 {
            return Vec::new();
        }
        let inner = format!(" {wanted}");
        let mut found: Vec<(usize, usize, &Spelling)> = self
            .spellings
            .iter()
            .filter_map(|s| {
                let kind = if s.folded.starts_with(&wanted) {
                    0
                } else if s.folded.contains(&inner) {
                    1
                } else {
                    return None;
                };
                Some((usize::from(s.lang != lang), kind, s))
            })
            .collect();
        found.sort_by(|a, b| {
            (a.0, a.1, a.2.folded.len(), &a.2.folded).cmp(&(
                b.0,
                b.1,
                b.2.folded.len(),
                &b.2.folded,
            ))
        });
        found
            .into_iter()
            .take(limit)
            .map(|(_, _, s)| {
                let p = &self.phrases[s.phrase as usize];
                NeedSuggestion {
                    phrase: s.text.clone(),
                    lang: s.lang,
                    categories: p.categories.clone(),
                    target_groups: p.target_groups.clone(),
                }
            })
            .collect()
    }
}

fn builtin_inputs<'a>() -> impl Iterator<Item = PhraseInput<'a>> {
    builtin_entries().iter().flat_map(|e| {
        e.phrases.iter().map(move |text| PhraseInput {
            lang: e.lang,
            text,
            categories: &e.categories,
            target_groups: &e.target_groups,
            source: PhraseSource::BuiltIn,
        })
    })
}

/// A folded word of a text and where it came from in the original.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Span {
    folded: String,
    /// Byte offsets in the original text.
    start: usize,
    end: usize,
}

/// The folded words of `text` as [`crate::index::analyzer::words`] gives them, each with
/// the byte span of the original characters it came from. Folding works a character at a
/// time, and it can change lengths (`à` → `a`, `ß` → `ss`), so each folded character
/// remembers its original one.
fn spans(text: &str) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    let mut current: Option<Span> = None;
    let mut buf = [0u8; 4];
    for (at, c) in text.char_indices() {
        let end = at + c.len_utf8();
        let folded: &str = if c.is_ascii() {
            c.encode_utf8(&mut buf)
        } else {
            deunicode::deunicode_char(c).unwrap_or(" ")
        };
        for f in folded.chars() {
            if f.is_ascii_alphanumeric() {
                let span = current.get_or_insert_with(|| Span {
                    folded: String::new(),
                    start: at,
                    end,
                });
                span.folded.push(f.to_ascii_lowercase());
                span.end = end;
            } else if let Some(done) = current.take() {
                out.push(done);
            }
        }
    }
    out.extend(current);
    out
}

/// Whether `a` and `b` are at most one edit apart: one byte inserted, deleted or changed,
/// or two neighbours swapped.
fn within_one_edit(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        let (sa, sb) = (&short[prefix..], &long[prefix..]);
        // One change, or a swap of two neighbours.
        sa[1..] == sb[1..]
            || (sa.len() >= 2 && sa[0] == sb[1] && sa[1] == sb[0] && sa[2..] == sb[2..])
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

/// The vocabulary an application instance uses, replaced as a whole after each committed
/// change: readers take the current one and keep it for as long as they need it.
pub struct NeedsVocabulary {
    current: RwLock<Arc<Vocabulary>>,
    /// Held from reading the store to replacing the vocabulary, so that a slower rebuild
    /// cannot put back an older state.
    rebuilding: tokio::sync::Mutex<()>,
}

impl NeedsVocabulary {
    /// Starts with `vocabulary`.
    pub fn new(vocabulary: Vocabulary) -> Self {
        NeedsVocabulary {
            current: RwLock::new(Arc::new(vocabulary)),
            rebuilding: tokio::sync::Mutex::new(()),
        }
    }

    /// The vocabulary in use now.
    pub fn current(&self) -> Arc<Vocabulary> {
        self.current.read().clone()
    }

    /// Replaces the vocabulary with the one `build` makes, one rebuild at a time.
    pub async fn rebuild<F, Fut, E>(&self, build: F) -> Result<(), E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vocabulary, E>>,
    {
        let _one_at_a_time = self.rebuilding.lock().await;
        let fresh = build().await?;
        *self.current.write() = Arc::new(fresh);
        Ok(())
    }
}

impl Default for NeedsVocabulary {
    fn default() -> Self {
        Self::new(Vocabulary::builtin())
    }
}

#[cfg(test)]
mod tests;
