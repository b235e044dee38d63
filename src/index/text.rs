//! The text index: which published services hold which terms, for matching and ranking
//! words the way citizens type them.
//!
//! A term is a Snowball stem ([`Analyzer`]): a service's name and organisation are stemmed
//! both in Italian and in English (names come in either), its Italian description in
//! Italian, its English one in English. Category labels are not indexed: needs are found
//! by the vocabulary of needs, and a filter by words (`/api/services?q=`) should find the
//! words, not every service of a category whose label holds them. Each term keeps two sets of
//! service ids, compressed ([`RoaringTreemap`]): every service holding it, and those holding
//! it in the name or organisation, which weigh more in the ranking.
//!
//! A query word finds its terms by its own stems first; failing that, as the beginning of
//! longer terms (`cari` → `carit`as); failing that, within one typo for words of at least
//! [`FUZZY_MIN`] letters and two for [`FUZZY2_MIN`] (`sportelo` → `sportell`o). Typos are
//! found as in SymSpell: every term of [`FUZZY_MIN`] letters or more is filed under each of
//! its one-letter deletions, so a lookup costs a few hash probes, never a scan of the
//! vocabulary; candidates are then checked with the optimal string alignment distance.
//!
//! Numbers of more than [`MAX_NUMBER_DIGITS`] digits are not indexed: they are phone
//! numbers, codes and serial numbers, which nobody searches by, and each would be a term.

use crate::domain::Lang;
use crate::domain::text::{TextQuery, fold};
use crate::index::analyzer::{Analyzer, is_stopword};
use crate::index::{Field, Listing};
use roaring::RoaringTreemap;
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, HashMap};

/// The fewest letters a word needs to be matched despite a typo.
pub const FUZZY_MIN: usize = 5;
/// The fewest letters a word needs to be matched despite two typos.
pub const FUZZY2_MIN: usize = 8;
/// Longer runs of digits are not indexed.
pub const MAX_NUMBER_DIGITS: usize = 4;
/// From this many letters on, a word also matches as the beginning of longer terms.
const PREFIX_MIN: usize = 4;
/// How many terms a word's beginning may expand to.
const MAX_PREFIX_TERMS: usize = 64;
/// How much a match in the name or organisation weighs against one elsewhere.
const NAME_WEIGHT: f32 = 3.0;
/// How much a match by a word's beginning, or despite a typo, is worth against its stem.
const PREFIX_FACTOR: f32 = 0.7;
const FUZZY_FACTOR: f32 = 0.5;

/// The services holding one term.
#[derive(Debug, Default, Clone)]
struct Postings {
    any: RoaringTreemap,
    name: RoaringTreemap,
}

/// The text index of the published services. See the module's notes.
#[derive(Debug, Default)]
pub struct TextIndex {
    /// Term → its slot in `postings`; sorted, so that a word's beginning is a range.
    keys: BTreeMap<Box<str>, u32>,
    postings: Vec<Postings>,
    /// Slot → term.
    names: Vec<Box<str>>,
    /// One-letter deletion of a term (or the term itself) → terms, for typos.
    deletions: HashMap<Box<str>, Vec<u32>>,
    /// The services of each category and target group (by taxonomy bit), so that needs
    /// combine with words as set operations.
    categories: Vec<RoaringTreemap>,
    targets: Vec<RoaringTreemap>,
    docs: u64,
}

/// How text is stemmed: the language of a description, or both for names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Stemming {
    It,
    En,
    Both,
}

/// The terms of some services, gathered before they are merged into the index; made on
/// the scanning threads, one per batch. Words seen once are not stemmed again.
#[derive(Default)]
pub struct Batch {
    /// Word → term slots, one map per [`Stemming`] (so a borrowed word can probe it).
    stems: [FxHashMap<Box<str>, [Option<u32>; 2]>; 3],
    /// Whole texts seen in this batch (organisations and descriptions repeat: one
    /// organisation runs many services, imports fill descriptions from templates) → their
    /// terms, so that a repeated text costs one lookup rather than one per word.
    texts: [FxHashMap<Box<str>, Vec<u32>>; 3],
    keys: FxHashMap<Box<str>, u32>,
    // Services are added by ascending id (see `add`), so each set grows at its end.
    any: Vec<RoaringTreemap>,
    name: Vec<RoaringTreemap>,
    categories: Vec<RoaringTreemap>,
    targets: Vec<RoaringTreemap>,
    docs: u64,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets the whole texts remembered so far (their words' stems are kept), so that a
    /// long run of unique descriptions does not pile up.
    pub fn forget_texts(&mut self) {
        self.texts.iter_mut().for_each(FxHashMap::clear);
    }

    /// Adds a service's terms. Adding services by ascending id is fastest.
    pub fn add(&mut self, l: &Listing) {
        let id = l.id().0 as u64;
        self.docs += 1;
        for (sets, bits) in [
            (&mut self.categories, l.category_mask()),
            (&mut self.targets, u64::from(l.target_mask())),
        ] {
            for bit in (0..64).filter(|b| bits & (1 << b) != 0) {
                if sets.len() <= bit {
                    sets.resize(bit + 1, RoaringTreemap::new());
                }
                append(&mut sets[bit], id);
            }
        }
        for (field, stemming, in_name, repeats) in [
            (Field::Name, Stemming::Both, true, false),
            (Field::Organisation, Stemming::Both, true, true),
            (Field::DescriptionIt, Stemming::It, false, true),
            (Field::DescriptionEn, Stemming::En, false, true),
        ] {
            if let Some(text) = l.field(field) {
                self.add_text(id, text, stemming, in_name, repeats);
            }
        }
    }

    /// Adds the terms of one field; `repeats` for the fields whose texts repeat
    /// (organisations, descriptions), which are remembered whole.
    fn add_text(&mut self, id: u64, text: &str, stemming: Stemming, in_name: bool, repeats: bool) {
        let map = stemming as usize;
        if repeats {
            let slots = match self.texts[map].get(text) {
                Some(slots) => slots.clone(),
                None => {
                    let mut slots = self.text_slots(text, stemming);
                    slots.sort_unstable();
                    slots.dedup();
                    self.texts[map].insert(text.into(), slots.clone());
                    slots
                }
            };
            for slot in slots {
                append(&mut self.any[slot as usize], id);
                if in_name {
                    append(&mut self.name[slot as usize], id);
                }
            }
            return;
        }
        for slot in self.text_slots(text, stemming) {
            append(&mut self.any[slot as usize], id);
            if in_name {
                append(&mut self.name[slot as usize], id);
            }
        }
    }

    /// The term slots of every word of a text, in order, repeated as the words are.
    fn text_slots(&mut self, text: &str, stemming: Stemming) -> Vec<u32> {
        let mut out = Vec::new();
        let folded;
        let text = if text.is_ascii() {
            text
        } else {
            folded = fold(text);
            &folded
        };
        let mut lower = String::new();
        for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
            if word.is_empty() {
                continue;
            }
            let word = if word.bytes().any(|b| b.is_ascii_uppercase()) {
                lower.clear();
                lower.push_str(word);
                lower.make_ascii_lowercase();
                lower.as_str()
            } else {
                word
            };
            out.extend(self.slots(word, stemming).into_iter().flatten());
        }
        out
    }

    /// The term slots of a folded, lowercase word, stemming it the first time.
    fn slots(&mut self, word: &str, stemming: Stemming) -> [Option<u32>; 2] {
        let map = stemming as usize;
        if let Some(s) = self.stems[map].get(word) {
            return *s;
        }
        let mut out = [None, None];
        if indexable(word) {
            for (i, key) in term_keys(word, stemming).into_iter().enumerate() {
                if let Some(key) = key.filter(|k| !k.is_empty()) {
                    out[i] = Some(self.slot(key));
                }
            }
        }
        self.stems[map].insert(word.into(), out);
        out
    }

    fn slot(&mut self, key: String) -> u32 {
        if let Some(s) = self.keys.get(key.as_str()) {
            return *s;
        }
        let s = self.any.len() as u32;
        self.keys.insert(key.into_boxed_str(), s);
        self.any.push(RoaringTreemap::new());
        self.name.push(RoaringTreemap::new());
        s
    }
}

/// Adds an id to a set, at its end when it is the largest (how a build adds them).
fn append(set: &mut RoaringTreemap, id: u64) {
    if set.try_push(id).is_err() {
        set.insert(id);
    }
}

/// Unites `ids` into `set`, moving it when `set` is empty.
fn merge_into(set: &mut RoaringTreemap, ids: RoaringTreemap) {
    if set.is_empty() {
        *set = ids;
    } else if !ids.is_empty() {
        *set |= ids;
    }
}

/// Whether a folded, lowercase word goes into the index: not a function word, not a long number.
fn indexable(word: &str) -> bool {
    if word.bytes().all(|b| b.is_ascii_digit()) {
        return word.len() <= MAX_NUMBER_DIGITS;
    }
    !(is_stopword(Lang::It, word) || is_stopword(Lang::En, word))
}

/// The terms a folded, lowercase word stands for: its stems, or the number itself.
fn term_keys(word: &str, stemming: Stemming) -> [Option<String>; 2] {
    if word.bytes().all(|b| b.is_ascii_digit()) {
        return [Some(word.to_string()), None];
    }
    let a = Analyzer::global();
    match stemming {
        Stemming::It => [Some(a.stem(Lang::It, word)), None],
        Stemming::En => [Some(a.stem(Lang::En, word)), None],
        Stemming::Both => {
            let it = a.stem(Lang::It, word);
            let en = a.stem(Lang::En, word);
            if it == en {
                [Some(it), None]
            } else {
                [Some(it), Some(en)]
            }
        }
    }
}

/// What one query word matches.
#[derive(Debug, Clone)]
pub struct WordMatch {
    /// The word, folded.
    pub word: String,
    /// Services holding it anywhere.
    pub any: RoaringTreemap,
    /// Services holding it in the name or organisation.
    pub name: RoaringTreemap,
    /// How much a match is worth: rarer terms more, matches by stem more than by
    /// beginning or despite a typo.
    pub weight: f32,
}

impl WordMatch {
    /// What this word adds to a service's score.
    pub fn score(&self, id: u64) -> f32 {
        if self.name.contains(id) {
            self.weight * NAME_WEIGHT
        } else if self.any.contains(id) {
            self.weight
        } else {
            0.0
        }
    }
}

impl TextIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds the index of `listings` on every core: each thread indexes a share in
    /// batches, and the shares' indexes are merged.
    pub fn build_parallel(listings: &[Listing]) -> Self {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        // By ascending id, so that every id set grows at its end.
        let mut listings: Vec<&Listing> = listings.iter().collect();
        listings.sort_unstable_by_key(|l| l.id().0);
        let share = listings.len().div_ceil(threads).max(1);
        let mut parts: Vec<TextIndex> = std::thread::scope(|scope| {
            let handles: Vec<_> = listings
                .chunks(share)
                .map(|chunk| {
                    scope.spawn(move || {
                        let mut terms = Batch::new();
                        for (n, l) in chunk.iter().enumerate() {
                            if n % 4096 == 0 {
                                terms.forget_texts();
                            }
                            terms.add(l);
                        }
                        let mut index = TextIndex::new();
                        index.absorb(terms);
                        index
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("text index thread"))
                .collect()
        });
        let mut index = parts.pop().unwrap_or_default();
        for part in parts {
            index.merge(part);
        }
        index
    }

    /// Merges another index into this one.
    fn merge(&mut self, other: TextIndex) {
        self.docs += other.docs;
        for (mine, theirs) in [
            (&mut self.categories, other.categories),
            (&mut self.targets, other.targets),
        ] {
            if mine.len() < theirs.len() {
                mine.resize(theirs.len(), RoaringTreemap::new());
            }
            for (set, other) in mine.iter_mut().zip(theirs) {
                *set |= other;
            }
        }
        let mut postings: Vec<Option<Postings>> = other.postings.into_iter().map(Some).collect();
        for (key, slot) in other.keys {
            let p = postings[slot as usize].take().unwrap_or_default();
            let mine = self.slot(key);
            let m = &mut self.postings[mine as usize];
            m.any |= p.any;
            m.name |= p.name;
        }
    }

    /// How many services the index holds.
    pub fn docs(&self) -> u64 {
        self.docs
    }

    /// How many distinct terms it holds.
    pub fn terms(&self) -> usize {
        self.keys.len()
    }

    /// Merges a batch of services into the index.
    pub fn absorb(&mut self, batch: Batch) {
        self.docs += batch.docs;
        let Batch {
            keys,
            any,
            name,
            categories,
            targets,
            ..
        } = batch;
        for (mine, theirs) in [
            (&mut self.categories, categories),
            (&mut self.targets, targets),
        ] {
            if mine.len() < theirs.len() {
                mine.resize(theirs.len(), RoaringTreemap::new());
            }
            for (set, ids) in mine.iter_mut().zip(theirs) {
                merge_into(set, ids);
            }
        }
        let mut any: Vec<RoaringTreemap> = any;
        let mut name: Vec<RoaringTreemap> = name;
        for (key, local) in keys {
            let slot = self.slot(key);
            let p = &mut self.postings[slot as usize];
            merge_into(&mut p.any, std::mem::take(&mut any[local as usize]));
            merge_into(&mut p.name, std::mem::take(&mut name[local as usize]));
        }
    }

    /// Adds one service (published or edited; remove the old version first).
    pub fn insert(&mut self, l: &Listing) {
        let mut batch = Batch::new();
        batch.add(l);
        self.absorb(batch);
    }

    /// Removes one service, as it was indexed.
    pub fn remove(&mut self, l: &Listing) {
        let mut batch = Batch::new();
        batch.add(l);
        let id = l.id().0 as u64;
        self.docs = self.docs.saturating_sub(1);
        for set in self.categories.iter_mut().chain(&mut self.targets) {
            set.remove(id);
        }
        for key in batch.keys.keys() {
            if let Some(&slot) = self.keys.get(key) {
                let p = &mut self.postings[slot as usize];
                p.any.remove(id);
                p.name.remove(id);
            }
        }
    }

    fn slot(&mut self, key: Box<str>) -> u32 {
        if let Some(&s) = self.keys.get(&key) {
            return s;
        }
        let s = self.postings.len() as u32;
        self.postings.push(Postings::default());
        self.names.push(key.clone());
        if key.len() >= FUZZY_MIN - 1 && !key.bytes().all(|b| b.is_ascii_digit()) {
            for d in deletions(&key) {
                self.deletions
                    .entry(d.into_boxed_str())
                    .or_default()
                    .push(s);
            }
            self.deletions.entry(key.clone()).or_default().push(s);
        }
        self.keys.insert(key, s);
        s
    }

    /// The services matching a folded query word, or `None` when nothing does. `prefix`
    /// lets the word match as the beginning of longer terms even when it has stems of its
    /// own (the last word of what is being typed).
    pub fn lookup(&self, word: &str, prefix: bool) -> Option<WordMatch> {
        let word = word.to_ascii_lowercase();
        if word.is_empty() {
            return None;
        }
        let mut found: Vec<(u32, f32)> = Vec::new();
        let digits = word.bytes().all(|b| b.is_ascii_digit());
        for key in term_keys(&word, Stemming::Both).into_iter().flatten() {
            if let Some(&s) = self.keys.get(key.as_str()) {
                found.push((s, 1.0));
            }
        }
        // A word's beginning also finds longer terms (`cari` → Caritas, as a substring
        // search did): always from four letters on, below that only when nothing else does.
        if (found.is_empty() || prefix || word.len() >= PREFIX_MIN) && word.len() >= 3 {
            for (_, &s) in self
                .keys
                .range::<str, _>((
                    std::ops::Bound::Included(word.as_str()),
                    std::ops::Bound::Unbounded,
                ))
                .take_while(|(k, _)| k.starts_with(word.as_str()))
                .take(MAX_PREFIX_TERMS)
            {
                if !found.iter().any(|f| f.0 == s) {
                    found.push((s, PREFIX_FACTOR));
                }
            }
        }
        if found.is_empty() && !digits && word.len() >= FUZZY_MIN {
            let max = if word.len() >= FUZZY2_MIN { 2 } else { 1 };
            for key in term_keys(&word, Stemming::Both).into_iter().flatten() {
                for s in self.fuzzy(&key, max) {
                    if !found.iter().any(|f| f.0 == s) {
                        found.push((s, FUZZY_FACTOR));
                    }
                }
            }
        }
        if found.is_empty() {
            return None;
        }
        let mut any = RoaringTreemap::new();
        let mut name = RoaringTreemap::new();
        let mut weight = 0.0f32;
        for (s, factor) in &found {
            let p = &self.postings[*s as usize];
            if p.any.is_empty() {
                continue;
            }
            let idf = (1.0 + self.docs as f32 / p.any.len() as f32).ln();
            weight = weight.max(idf * factor);
            if found.len() == 1 {
                any = p.any.clone();
                name = p.name.clone();
            } else {
                any |= &p.any;
                name |= &p.name;
            }
        }
        (!any.is_empty()).then_some(WordMatch {
            word,
            any,
            name,
            weight,
        })
    }

    /// The services in any of the categories of a bit set, and, when `targets` is not 0,
    /// those for any of its target groups.
    pub fn in_taxonomy(&self, categories: u64, targets: u32) -> RoaringTreemap {
        let mut out = RoaringTreemap::new();
        for (sets, bits) in [
            (&self.categories, categories),
            (&self.targets, u64::from(targets)),
        ] {
            for (bit, set) in sets.iter().enumerate() {
                if bits & (1 << bit) != 0 {
                    out |= set;
                }
            }
        }
        out
    }

    /// The services holding every word of a query (its function words aside), or `None`
    /// when it asks nothing (only function words).
    pub fn matching(&self, query: &TextQuery) -> Option<RoaringTreemap> {
        let mut set: Option<RoaringTreemap> = None;
        for word in query.words().iter().filter(|w| indexable(w)) {
            let Some(m) = self.lookup(word, false) else {
                return Some(RoaringTreemap::new());
            };
            set = Some(match set {
                None => m.any,
                Some(s) => s & m.any,
            });
        }
        set
    }

    /// Terms within `max` edits of `key`.
    fn fuzzy(&self, key: &str, max: usize) -> Vec<u32> {
        let mut probes = vec![key.to_string()];
        let first = deletions(key);
        if max >= 2 {
            for d in &first {
                probes.extend(deletions(d));
            }
        }
        probes.extend(first);
        probes.sort_unstable();
        probes.dedup();
        let mut out: Vec<u32> = Vec::new();
        for p in &probes {
            let candidates = self
                .deletions
                .get(p.as_str())
                .into_iter()
                .flatten()
                .copied()
                .chain(self.keys.get(p.as_str()).copied());
            for s in candidates {
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
        out.retain(|&s| strsim::osa_distance(&self.names[s as usize], key) <= max);
        out
    }
}

/// Every string made by deleting one letter of `s` (ASCII).
fn deletions(s: &str) -> Vec<String> {
    (0..s.len())
        .map(|i| {
            let mut d = String::with_capacity(s.len() - 1);
            d.push_str(&s[..i]);
            d.push_str(&s[i + 1..]);
            d
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::domain::{BoundingBox, Taxonomy};
    use crate::index::SpatialIndex;

    /// Needs combine with words as sets: each category's and target group's services are
    /// kept, and follow edits and removals.
    #[test]
    fn taxonomy_sets_hold_each_category_and_follow_changes() {
        let taxonomy = Taxonomy::default_set();
        let area = BoundingBox::siena_province();
        let services = crate::import::synthetic::published(500, 3, &taxonomy, &area);
        let index = SpatialIndex::build(taxonomy.clone(), area.centre(), services.clone());
        let bit = taxonomy.category_bit("food-aid").unwrap();
        let want: Vec<u64> = services
            .iter()
            .filter(|s| s.data.categories.iter().any(|c| c == "food-aid"))
            .map(|s| s.id.0 as u64)
            .collect();
        assert!(!want.is_empty());
        let got: Vec<u64> = index
            .read()
            .text()
            .in_taxonomy(1 << bit, 0)
            .iter()
            .collect();
        assert_eq!(got, want);
        let mut moved = services[want.len()].clone();
        moved.data.categories = vec!["food-aid".into()];
        index.upsert(moved.clone());
        assert!(
            index
                .read()
                .text()
                .in_taxonomy(1 << bit, 0)
                .contains(moved.id.0 as u64)
        );
        index.remove(moved.id);
        assert!(
            !index
                .read()
                .text()
                .in_taxonomy(1 << bit, 0)
                .contains(moved.id.0 as u64)
        );
    }
}
