//! The offline gazetteer: places found in the directory itself, with no network.
//!
//! It is built from the published services in the index: each service by its name (kind
//! `service`), each street of their addresses (`Via dei Termini 6, 53100 Siena` gives the
//! street `Via dei Termini, Siena`, at the mean position of the services on it, with their
//! house numbers) and each town or postcode of their addresses (kind `place`, at the mean
//! position of its services).
//!
//! Matching is folded for case and accents and ranked: the whole label typed exactly, then
//! the label's beginning, then every word the beginning of a word of the label, then every
//! word anywhere in it. A word index (distinct words, each with the entries holding it)
//! finds the candidates, so a million services answer in milliseconds.
//!
//! Freshness: the index bumps a generation counter on every publish or unpublish; the
//! gazetteer remembers the generation it was built from and is rebuilt when the two
//! differ. A rebuild that took under [`WAIT_FOR_BUILD_MS`] is awaited, so small
//! directories answer from current data at once; a longer one runs in the background while
//! queries are answered from the previous gazetteer.

use super::{GeocodeError, Geocoder, Place, PlaceKind, PlaceSource, normalise};
use crate::domain::text::fold;
use crate::domain::{Coordinates, ServiceId};
use crate::index::{Field, Listing, SpatialIndex};
use async_trait::async_trait;
use parking_lot::RwLock;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// A rebuild that took at most this long is awaited by the query that found the gazetteer
/// stale; longer ones run in the background.
pub const WAIT_FOR_BUILD_MS: u64 = 200;
/// Gazetteers up to this many entries are scanned whole for words found inside other
/// words, when the word index gives fewer results than asked for.
const SCAN_MAX: usize = 100_000;
/// Gazetteers larger than this are searched on a blocking thread.
const INLINE_MAX: usize = 20_000;
/// Words shorter than this are not in the word index (they still have to match).
const MIN_INDEXED: usize = 2;

/// The words that open an Italian street name, folded.
const STREET_TYPES: &[&str] = &[
    "via",
    "viale",
    "vicolo",
    "vico",
    "piazza",
    "piazzale",
    "piazzetta",
    "largo",
    "corso",
    "strada",
    "stradone",
    "stradello",
    "borgo",
    "localita",
    "loc",
    "frazione",
    "fraz",
    "lungarno",
    "lungomare",
    "lungolago",
    "salita",
    "discesa",
    "costa",
    "chiasso",
    "contrada",
    "galleria",
    "circonvallazione",
    "traversa",
    "rampa",
    "calata",
    "vialetto",
    "passaggio",
    "passeggiata",
    "podere",
    "piaggia",
];

/// An address cut into its parts, as written (not folded).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct AddressParts {
    /// `Via dei Termini`: only when it opens with a street-type word.
    pub street: Option<String>,
    /// `6`, `12/a`.
    pub number: Option<String>,
    /// `53100`.
    pub postcode: Option<String>,
    /// `Siena`.
    pub town: Option<String>,
}

/// Cuts an Italian address — `Via dei Termini 6, 53100 Siena`, `Piazza del Campo, 1,
/// Siena (SI)`, `Via Roma n. 5, 53036 Poggibonsi, Italia` — into street, number, postcode
/// and town. Whatever is not recognised is left out.
pub fn parse_address(address: &str) -> AddressParts {
    let cleaned = strip_parentheses(address);
    let parts: Vec<&str> = cleaned
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let mut out = AddressParts::default();
    let Some((first, rest)) = parts.split_first() else {
        return out;
    };
    let (street, number) = split_number(first);
    let first_is_street = is_street(&street);
    if first_is_street {
        out.street = Some(street);
        out.number = number;
    }
    let tail = if first_is_street { rest } else { &parts[..] };
    for (i, part) in tail.iter().enumerate() {
        let words: Vec<&str> = part.split_whitespace().collect();
        if out.street.is_some() && out.number.is_none() && i == 0 && is_house_number(part) {
            out.number = Some(part.to_string());
            continue;
        }
        if is_country(part) || (out.street.is_some() && is_street(part)) {
            continue;
        }
        let postcode = words
            .iter()
            .find(|w| w.len() == 5 && w.bytes().all(|b| b.is_ascii_digit()));
        let mut town: Vec<&str> = words
            .iter()
            .copied()
            .filter(|w| Some(w) != postcode)
            .collect();
        // `Siena SI`: a province code after the town.
        if town.len() > 1
            && town
                .last()
                .is_some_and(|w| w.len() == 2 && w.bytes().all(|b| b.is_ascii_uppercase()))
        {
            town.pop();
        }
        let has_letters = town.iter().any(|w| w.chars().any(char::is_alphabetic));
        let has_digits = town.iter().any(|w| w.chars().any(|c| c.is_ascii_digit()));
        if let Some(p) = postcode {
            out.postcode = Some(p.to_string());
        }
        // A part without a street before it is a town only when a postcode vouches for
        // it: `Siena centro` alone is a description, not a place name.
        if has_letters && !has_digits && (first_is_street || postcode.is_some()) {
            out.town = Some(town.join(" "));
        }
    }
    out
}

fn strip_parentheses(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// `Via Roma 12/a` → (`Via Roma`, `12/a`); `Via Roma n. 5` → (`Via Roma`, `5`).
fn split_number(part: &str) -> (String, Option<String>) {
    let mut words: Vec<&str> = part.split_whitespace().collect();
    let mut number = None;
    if words.len() > 2 && words.last().is_some_and(|w| is_house_number(w)) {
        number = words.pop().map(str::to_string);
        if words.len() > 2
            && words
                .last()
                .is_some_and(|w| matches!(fold(w).trim_end_matches('.'), "n" | "n°" | "civico"))
        {
            words.pop();
        }
    }
    (words.join(" "), number)
}

fn is_house_number(s: &str) -> bool {
    let f = fold(s.trim());
    (f.len() <= 8 && f.starts_with(|c: char| c.is_ascii_digit()))
        || matches!(f.as_str(), "snc" | "s.n.c." | "sn" | "s.n.")
}

/// `Via dei Termini`, `Via 4 Novembre`; not `Via 4`.
fn is_street(s: &str) -> bool {
    let mut words = s.split_whitespace();
    let first = words.next().map(|w| fold(w.trim_end_matches('.')));
    first.is_some_and(|f| STREET_TYPES.contains(&f.as_str()))
        && words.any(|w| w.chars().any(char::is_alphabetic))
}

fn is_country(s: &str) -> bool {
    matches!(fold(s.trim()).as_str(), "italia" | "italy")
}

/// A query, split for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Query {
    /// Every word, folded, joined by spaces.
    all: String,
    /// The words that must match: those with a letter; only the numbers when there is
    /// no word with a letter (a postcode).
    required: Vec<String>,
    /// `required` joined by spaces.
    required_joined: String,
    /// A house number (1 to 4 digits) after some words: found on the matching streets.
    number: Option<u32>,
    /// Whether the query is only numbers (a postcode): places match it.
    numbers_only: bool,
}

impl Query {
    fn new(text: &str) -> Option<Self> {
        let all = normalise(text);
        let words: Vec<&str> = all.split(' ').filter(|w| !w.is_empty()).collect();
        let is_number = |w: &&str| w.bytes().all(|b| b.is_ascii_digit());
        let lettered: Vec<String> = words
            .iter()
            .filter(|w| !is_number(w))
            .map(|w| w.to_string())
            .collect();
        let numbers_only = lettered.is_empty();
        let number = if numbers_only {
            None
        } else {
            words
                .iter()
                .find(|w| is_number(w) && w.len() <= 4)
                .and_then(|w| w.parse().ok())
        };
        let required = if numbers_only {
            words.iter().map(|w| w.to_string()).collect()
        } else {
            lettered
        };
        if required.is_empty() {
            return None;
        }
        Some(Self {
            required_joined: required.join(" "),
            all,
            required,
            number,
            numbers_only,
        })
    }
}

#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    len: u32,
}

#[derive(Debug, Clone)]
struct Entry {
    kind: PlaceKind,
    point: Coordinates,
    label: Span,
    /// Folded label words, then extra search words (a town's postcodes).
    norm: Span,
    /// How much of `norm` is the label itself.
    label_norm_len: u32,
    service: Option<ServiceId>,
    /// House numbers of a street, sorted: an index into `Gazetteer::numbers`.
    numbers: Option<u32>,
}

/// The searchable places of one generation of the index.
pub struct Gazetteer {
    generation: Option<u64>,
    entries: Vec<Entry>,
    /// Labels, back to back.
    labels: String,
    /// Folded search text, back to back.
    norms: String,
    /// Distinct indexed words, sorted, and the entries holding each (ascending).
    words: Vec<Box<str>>,
    postings: Vec<Vec<u32>>,
    /// Places, for postcode queries.
    places: Vec<u32>,
    /// Each street's house numbers and their points, sorted by number.
    numbers: Vec<Vec<(u32, Coordinates)>>,
}

#[derive(Default)]
struct Mean {
    lat: f64,
    lon: f64,
    n: u32,
}

impl Mean {
    fn add(&mut self, p: Coordinates) {
        self.lat += p.lat();
        self.lon += p.lon();
        self.n += 1;
    }
    fn point(&self) -> Option<Coordinates> {
        let n = f64::from(self.n.max(1));
        Coordinates::new(self.lat / n, self.lon / n).ok()
    }
}

struct StreetAcc {
    label: String,
    mean: Mean,
    numbers: Vec<(u32, Coordinates)>,
}

struct PlaceAcc {
    label: String,
    mean: Mean,
    postcodes: Vec<String>,
}

impl Gazetteer {
    /// A gazetteer that knows nothing yet.
    pub fn empty() -> Self {
        Self {
            generation: None,
            entries: Vec::new(),
            labels: String::new(),
            norms: String::new(),
            words: Vec::new(),
            postings: Vec::new(),
            places: Vec::new(),
            numbers: Vec::new(),
        }
    }

    /// Builds the gazetteer of the index's current contents.
    pub fn from_index(index: &SpatialIndex) -> Self {
        let (generation, mut listings) = index.snapshot();
        // Ids ascending: the first spelling of a street wins, the same one on every build.
        listings.sort_unstable_by_key(|l| l.id());
        let mut g = Self::build(listings.iter());
        g.generation = Some(generation);
        g
    }

    /// Builds a gazetteer from listings.
    fn build<'a>(listings: impl Iterator<Item = &'a Listing>) -> Self {
        let mut g = Self::empty();
        let mut streets: HashMap<(String, String), StreetAcc> = HashMap::new();
        let mut street_order: Vec<(String, String)> = Vec::new();
        let mut places: HashMap<String, PlaceAcc> = HashMap::new();
        let mut place_order: Vec<String> = Vec::new();
        for l in listings {
            let point = l.point();
            let parts = l
                .field(Field::Address)
                .map(parse_address)
                .unwrap_or_default();
            let town_key = parts.town.as_deref().map(normalise).unwrap_or_default();
            let name = l.name();
            let label = match &parts.town {
                Some(t) if !normalise(name).contains(&town_key) => format!("{name}, {t}"),
                _ => name.to_string(),
            };
            g.push(PlaceKind::Service, point, &label, None, Some(l.id()), None);
            if let Some(street) = &parts.street {
                let key = (normalise(street), town_key.clone());
                let acc = streets.entry(key.clone()).or_insert_with(|| {
                    street_order.push(key);
                    StreetAcc {
                        label: match &parts.town {
                            Some(t) => format!("{street}, {t}"),
                            None => street.clone(),
                        },
                        mean: Mean::default(),
                        numbers: Vec::new(),
                    }
                });
                acc.mean.add(point);
                let number = parts.number.as_deref().and_then(leading_number);
                if let Some(n) = number
                    && !acc.numbers.iter().any(|(m, _)| *m == n)
                {
                    acc.numbers.push((n, point));
                }
            }
            let place_key = if town_key.is_empty() {
                parts.postcode.clone().unwrap_or_default()
            } else {
                town_key
            };
            if !place_key.is_empty() {
                let acc = places.entry(place_key.clone()).or_insert_with(|| {
                    place_order.push(place_key);
                    PlaceAcc {
                        label: parts
                            .town
                            .clone()
                            .or_else(|| parts.postcode.clone())
                            .unwrap_or_default(),
                        mean: Mean::default(),
                        postcodes: Vec::new(),
                    }
                });
                acc.mean.add(point);
                if let Some(pc) = &parts.postcode
                    && acc.postcodes.len() < 8
                    && !acc.postcodes.contains(pc)
                {
                    acc.postcodes.push(pc.clone());
                }
            }
        }
        for key in street_order {
            let mut acc = streets.remove(&key).expect("street accumulated");
            let Some(point) = acc.mean.point() else {
                continue;
            };
            acc.numbers.sort_unstable_by_key(|(n, _)| *n);
            let numbers = (!acc.numbers.is_empty()).then(|| {
                g.numbers.push(acc.numbers);
                (g.numbers.len() - 1) as u32
            });
            g.push(PlaceKind::Street, point, &acc.label, None, None, numbers);
        }
        for key in place_order {
            let acc = places.remove(&key).expect("place accumulated");
            let Some(point) = acc.mean.point() else {
                continue;
            };
            let extra = acc.postcodes.join(" ");
            g.push(
                PlaceKind::Place,
                point,
                &acc.label,
                Some(&extra),
                None,
                None,
            );
            g.places.push((g.entries.len() - 1) as u32);
        }
        g.index_words();
        g
    }

    fn push(
        &mut self,
        kind: PlaceKind,
        point: Coordinates,
        label: &str,
        extra: Option<&str>,
        service: Option<ServiceId>,
        numbers: Option<u32>,
    ) {
        let label_norm = normalise(label);
        let mut norm = label_norm.clone();
        if let Some(extra) = extra.map(normalise).filter(|e| !e.is_empty()) {
            norm.push(' ');
            norm.push_str(&extra);
        }
        // Offsets are u32 to keep entries small; a gazetteer over 4 GiB of text stops
        // growing instead of wrapping around.
        let (Ok(label_start), Ok(norm_start)) = (
            u32::try_from(self.labels.len()),
            u32::try_from(self.norms.len()),
        ) else {
            return;
        };
        if self.labels.len() + label.len() > u32::MAX as usize
            || self.norms.len() + norm.len() > u32::MAX as usize
        {
            return;
        }
        self.labels.push_str(label);
        self.norms.push_str(&norm);
        self.entries.push(Entry {
            kind,
            point,
            label: Span {
                start: label_start,
                len: label.len() as u32,
            },
            norm: Span {
                start: norm_start,
                len: norm.len() as u32,
            },
            label_norm_len: label_norm.len() as u32,
            service,
            numbers,
        });
    }

    fn index_words(&mut self) {
        let mut map: HashMap<&str, Vec<u32>> = HashMap::new();
        for (i, e) in self.entries.iter().enumerate() {
            let norm = &self.norms[e.norm.start as usize..(e.norm.start + e.norm.len) as usize];
            for w in norm.split(' ') {
                // Numbers are never required words unless the query has nothing else
                // (a postcode, answered by the places alone): they need no index.
                if w.len() < MIN_INDEXED || w.bytes().all(|b| b.is_ascii_digit()) {
                    continue;
                }
                let list = map.entry(w).or_default();
                if list.last() != Some(&(i as u32)) {
                    list.push(i as u32);
                }
            }
        }
        let mut words: Vec<(&str, Vec<u32>)> = map.into_iter().collect();
        words.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let (words, postings): (Vec<Box<str>>, Vec<Vec<u32>>) =
            words.into_iter().map(|(w, p)| (Box::from(w), p)).unzip();
        self.words = words;
        self.postings = postings;
    }

    /// How many entries (services, streets, places) it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The index generation it was built from; `None` before the first build.
    pub fn generation(&self) -> Option<u64> {
        self.generation
    }

    fn norm(&self, e: &Entry) -> &str {
        &self.norms[e.norm.start as usize..(e.norm.start + e.norm.len) as usize]
    }

    fn label(&self, e: &Entry) -> &str {
        &self.labels[e.label.start as usize..(e.label.start + e.label.len) as usize]
    }

    /// The indexed words starting with `prefix`.
    fn prefix_range(&self, prefix: &str) -> std::ops::Range<usize> {
        let lo = self.words.partition_point(|w| &**w < prefix);
        let hi = lo + self.words[lo..].partition_point(|w| w.starts_with(prefix));
        lo..hi
    }

    /// 0 when the label is the query, 1 when it starts with it.
    fn label_tier(&self, e: &Entry, q: &Query) -> Option<u8> {
        let label = &self.norm(e)[..e.label_norm_len as usize];
        if label == q.all || label == q.required_joined {
            Some(0)
        } else if label.starts_with(&q.required_joined) {
            Some(1)
        } else {
            None
        }
    }

    /// How well an entry matches: 0 the label exactly, 1 the label's beginning, 2 every
    /// word the beginning of a word, 3 every word somewhere; `None` when it does not.
    fn tier(&self, e: &Entry, q: &Query) -> Option<u8> {
        if let Some(t) = self.label_tier(e, q) {
            return Some(t);
        }
        let norm = self.norm(e);
        if q.required
            .iter()
            .all(|w| norm.split(' ').any(|n| n.starts_with(w.as_str())))
        {
            return Some(2);
        }
        q.required
            .iter()
            .all(|w| norm.contains(w.as_str()))
            .then_some(3)
    }

    /// Up to `limit` places matching `text`, best first.
    pub fn search(&self, text: &str, limit: usize) -> Vec<Place> {
        let Some(q) = Query::new(text) else {
            return Vec::new();
        };
        let mut hits: Vec<(u8, u32)> = Vec::new();
        if q.numbers_only {
            for &i in &self.places {
                if let Some(t) = self.tier(&self.entries[i as usize], &q) {
                    hits.push((t, i));
                }
            }
        } else {
            // The most selective indexed word gives the candidates; the others are checked.
            let best = q
                .required
                .iter()
                .filter(|w| w.len() >= MIN_INDEXED)
                .map(|w| {
                    let r = self.prefix_range(w);
                    let n: usize = self.postings[r.clone()].iter().map(Vec::len).sum();
                    (n, r)
                })
                .min_by_key(|(n, _)| *n);
            if let Some((_, range)) = best {
                let candidates: Vec<u32> = if range.len() == 1 {
                    self.postings[range.start].clone()
                } else {
                    let mut c: Vec<u32> = self.postings[range].concat();
                    c.sort_unstable();
                    c.dedup();
                    c
                };
                // With one word, every candidate holds a word that starts with it: only
                // the better tiers need a look (a common word has 100 000s of candidates).
                let one_word = q.required.len() == 1;
                for i in candidates {
                    let e = &self.entries[i as usize];
                    let tier = if one_word {
                        Some(self.label_tier(e, &q).unwrap_or(2))
                    } else {
                        self.tier(e, &q)
                    };
                    if let Some(t) = tier {
                        hits.push((t, i));
                    }
                }
            }
            if hits.len() < limit && self.entries.len() <= SCAN_MAX {
                // Words inside words (`porrione` in `delporrione`), and one-letter words.
                hits.clear();
                for (i, e) in self.entries.iter().enumerate() {
                    if let Some(t) = self.tier(e, &q) {
                        hits.push((t, i as u32));
                    }
                }
            }
        }
        let key = |&(t, i): &(u8, u32)| {
            let e = &self.entries[i as usize];
            (t, e.label.len, kind_rank(e.kind), i)
        };
        if hits.len() > limit {
            hits.select_nth_unstable_by_key(limit, key);
            hits.truncate(limit);
        }
        hits.sort_unstable_by_key(key);
        hits.iter()
            .map(|&(_, i)| self.place(&self.entries[i as usize], q.number))
            .collect()
    }

    fn place(&self, e: &Entry, number: Option<u32>) -> Place {
        let label = self.label(e);
        // A street with the house number asked for: the service's own point there.
        if let (Some(n), Some(list)) = (number, e.numbers) {
            let list = &self.numbers[list as usize];
            if let Ok(at) = list.binary_search_by_key(&n, |(m, _)| *m) {
                let label = match label.split_once(", ") {
                    Some((street, town)) => format!("{street} {n}, {town}"),
                    None => format!("{label} {n}"),
                };
                return Place {
                    label,
                    kind: PlaceKind::Address,
                    source: PlaceSource::Directory,
                    point: list[at].1,
                    service_id: None,
                };
            }
        }
        Place {
            label: label.to_string(),
            kind: e.kind,
            source: PlaceSource::Directory,
            point: e.point,
            service_id: e.service,
        }
    }
}

fn kind_rank(k: PlaceKind) -> u8 {
    match k {
        PlaceKind::Place => 0,
        PlaceKind::Street => 1,
        PlaceKind::Address => 2,
        PlaceKind::Service => 3,
    }
}

/// `12/a` → 12.
fn leading_number(s: &str) -> Option<u32> {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|n| *n > 0)
}

struct Shared {
    index: Arc<SpatialIndex>,
    current: RwLock<Arc<Gazetteer>>,
    /// Held by the one build that runs at a time.
    building: Arc<tokio::sync::Mutex<()>>,
    last_build_ms: AtomicU64,
}

/// The [`Geocoder`] over the directory's gazetteer. Never fails.
pub struct OfflineGeocoder {
    shared: Arc<Shared>,
}

impl OfflineGeocoder {
    /// A geocoder over the index's published services (the directory's
    /// [`index_handle`](crate::directory::Directory::index_handle)); the gazetteer is built
    /// on the first query, or earlier with [`warm_up`](Self::warm_up).
    pub fn new(index: Arc<SpatialIndex>) -> Self {
        Self {
            shared: Arc::new(Shared {
                index,
                current: RwLock::new(Arc::new(Gazetteer::empty())),
                building: Arc::new(tokio::sync::Mutex::new(())),
                last_build_ms: AtomicU64::new(0),
            }),
        }
    }

    /// Starts building the gazetteer in the background, if it is stale. Needs a Tokio
    /// runtime.
    pub fn warm_up(&self) {
        start_build(&self.shared);
    }

    /// The gazetteer of the index's current contents, or the previous one while a slow
    /// rebuild runs.
    pub async fn gazetteer(&self) -> Arc<Gazetteer> {
        let shared = &self.shared;
        let generation = shared.index.generation();
        let current = shared.current.read().clone();
        if current.generation == Some(generation) {
            return current;
        }
        start_build(shared);
        let wait = current.generation.is_none()
            || shared.last_build_ms.load(Ordering::Relaxed) <= WAIT_FOR_BUILD_MS;
        if !wait {
            return current;
        }
        drop(shared.building.lock().await);
        shared.current.read().clone()
    }
}

/// Builds a new gazetteer on a blocking thread unless one is being built.
fn start_build(shared: &Arc<Shared>) {
    let Ok(guard) = shared.building.clone().try_lock_owned() else {
        return;
    };
    let shared = shared.clone();
    tokio::task::spawn_blocking(move || {
        let _guard = guard;
        let index = &shared.index;
        if shared.current.read().generation == Some(index.generation()) {
            return;
        }
        let started = Instant::now();
        let g = Gazetteer::from_index(index);
        let ms = started.elapsed().as_millis() as u64;
        shared.last_build_ms.store(ms, Ordering::Relaxed);
        tracing::debug!(
            entries = g.len(),
            words = g.words.len(),
            ms,
            "gazetteer built"
        );
        *shared.current.write() = Arc::new(g);
    });
}

#[async_trait]
impl Geocoder for OfflineGeocoder {
    async fn search(&self, query: &str, limit: usize) -> Result<Vec<Place>, GeocodeError> {
        let g = self.gazetteer().await;
        if g.len() <= INLINE_MAX {
            return Ok(g.search(query, limit));
        }
        // Common words in a large gazetteer take a few milliseconds: off the async threads.
        let query = query.to_string();
        Ok(tokio::task::spawn_blocking(move || g.search(&query, limit))
            .await
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{BoundingBox, Taxonomy};

    fn parts(
        street: Option<&str>,
        number: Option<&str>,
        pc: Option<&str>,
        town: Option<&str>,
    ) -> AddressParts {
        AddressParts {
            street: street.map(Into::into),
            number: number.map(Into::into),
            postcode: pc.map(Into::into),
            town: town.map(Into::into),
        }
    }

    #[test]
    fn addresses_are_cut_into_street_number_postcode_and_town() {
        let cases = [
            (
                "Via dei Termini 6, 53100 Siena",
                parts(
                    Some("Via dei Termini"),
                    Some("6"),
                    Some("53100"),
                    Some("Siena"),
                ),
            ),
            (
                "Via del Porrione, 20, 53100 Siena",
                parts(
                    Some("Via del Porrione"),
                    Some("20"),
                    Some("53100"),
                    Some("Siena"),
                ),
            ),
            (
                "Piazza del Campo 1, Siena",
                parts(Some("Piazza del Campo"), Some("1"), None, Some("Siena")),
            ),
            (
                "Via Roma n. 5, 53036 Poggibonsi (SI), Italia",
                parts(
                    Some("Via Roma"),
                    Some("5"),
                    Some("53036"),
                    Some("Poggibonsi"),
                ),
            ),
            (
                "Viale Cavour 12/a, Colle di Val d'Elsa SI",
                parts(
                    Some("Viale Cavour"),
                    Some("12/a"),
                    None,
                    Some("Colle di Val d'Elsa"),
                ),
            ),
            (
                "Strada di Pieve al Bozzone, 20, 53100 Siena",
                parts(
                    Some("Strada di Pieve al Bozzone"),
                    Some("20"),
                    Some("53100"),
                    Some("Siena"),
                ),
            ),
            (
                "Siena centro (indirizzo su appuntamento)",
                parts(None, None, None, None),
            ),
            (
                "53100 Siena",
                parts(None, None, Some("53100"), Some("Siena")),
            ),
            ("", parts(None, None, None, None)),
            ("Via 4", parts(None, None, None, None)),
            (
                "Via 4 Novembre 10, Siena",
                parts(Some("Via 4 Novembre"), Some("10"), None, Some("Siena")),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(parse_address(input), want, "{input}");
        }
    }

    #[test]
    fn queries_keep_house_numbers_and_postcodes_apart() {
        let q = Query::new("Via Roma 50, 53100").unwrap();
        assert_eq!(q.required, ["via", "roma"]);
        assert_eq!(q.number, Some(50));
        assert!(!q.numbers_only);
        let q = Query::new("53100").unwrap();
        assert_eq!(q.required, ["53100"]);
        assert!(q.numbers_only && q.number.is_none());
        assert!(Query::new(" ;, ").is_none());
    }

    fn demo_gazetteer() -> Gazetteer {
        let taxonomy = Taxonomy::default_set();
        let area = BoundingBox::siena_province();
        let demo = crate::import::demo::services(&taxonomy, &area).unwrap();
        let now = chrono::Utc::now();
        let services: Vec<crate::domain::Service> = demo
            .into_iter()
            .zip(1..)
            .map(|(n, id)| crate::domain::Service {
                id: ServiceId(id),
                external_id: n.external_id,
                status: n.status,
                data: n.data,
                created_at: now,
                updated_at: now,
                verified_at: None,
            })
            .collect();
        let index = SpatialIndex::build(taxonomy, area.centre(), services);
        Gazetteer::from_index(&index)
    }

    #[test]
    fn demo_streets_places_and_services_rank_as_expected() {
        let g = demo_gazetteer();
        let first = |q: &str| g.search(q, 5).into_iter().next();

        let p = first("siena").unwrap();
        assert_eq!((p.label.as_str(), p.kind), ("Siena", PlaceKind::Place));
        assert_eq!(first("53100").unwrap().label, "Siena");

        // Two services on Strada di Ruffolo: the street sits between them.
        let s = first("strada di ruffolo").unwrap();
        assert_eq!(
            (s.label.as_str(), s.kind),
            ("Strada di Ruffolo, Siena", PlaceKind::Street)
        );
        assert!((s.point.lon() - (11.3518 + 11.3475) / 2.0).abs() < 1e-9);

        let a = first("Strada di Ruffolo 4").unwrap();
        assert_eq!(
            (a.label.as_str(), a.kind),
            ("Strada di Ruffolo 4, Siena", PlaceKind::Address)
        );
        assert!((a.point.lon() - 11.3475).abs() < 1e-9);

        let c = first("EMPORIO della carita").unwrap();
        assert_eq!(c.kind, PlaceKind::Service);
        assert!(c.label.starts_with("Emporio della Carità"), "{}", c.label);
        assert!(c.service_id.is_some());

        // Prefix of a word, and a word inside a word.
        assert_eq!(first("porrio").unwrap().label, "Via del Porrione, Siena");
        assert!(
            g.search("orrione", 5)
                .iter()
                .any(|p| p.label == "Via del Porrione, Siena")
        );
        assert!(g.search("zzzz", 5).is_empty());
        assert_eq!(g.search("via", 3).len(), 3);
    }
}

/// Build and query times over synthetic directories; run with
/// `cargo test --release --lib gazetteer_scale -- --ignored --nocapture`.
#[cfg(test)]
mod scale {
    use super::*;
    use crate::domain::{BoundingBox, Taxonomy};

    fn rss_mib() -> f64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    }

    #[test]
    #[ignore = "a measurement, not a test"]
    fn gazetteer_scale() {
        let taxonomy = Taxonomy::default_set();
        let area = BoundingBox::siena_province();
        for n in [10_000, 1_000_000] {
            let services = crate::import::synthetic::published(n, 42, &taxonomy, &area);
            let index = SpatialIndex::build(taxonomy.clone(), area.centre(), services);
            let before = rss_mib();
            let started = Instant::now();
            let g = Gazetteer::from_index(&index);
            let build = started.elapsed();
            let after = rss_mib();
            println!(
                "{n} listings: {} entries, {} words, built in {:.0} ms, +{:.0} MiB RSS",
                g.len(),
                g.words.len(),
                build.as_secs_f64() * 1e3,
                after - before
            );
            for q in [
                "via roma",
                "via roma 12",
                "siena",
                "poggibonsi",
                "mensa",
                "centro",
                "zzz",
                "53100",
                "sintetico",
            ] {
                let started = Instant::now();
                let runs = 20;
                let mut found = 0;
                for _ in 0..runs {
                    found = g.search(q, 5).len();
                }
                println!(
                    "  {q:>12}: {found} results, {:.2} ms",
                    started.elapsed().as_secs_f64() * 1e3 / runs as f64
                );
            }
        }
    }
}
