//! Look-alike names: a proposed name that imitates a published listing with letters of
//! another script ("Ѕроrtеllо Fаmіglіа", Cyrillic Ѕ, р, о, е, а, і, where the real
//! Sportello Famiglia is), or that mixes scripts inside a word, which honest names do not.
//!
//! Both are warnings for moderators, shown next to the possible duplicates, never
//! refusals: a Ukrainian association may well write «Дружба» beside Italian words.
//!
//! - Mixed scripts: a word (a run of letters and marks) whose letters have no script in
//!   common, by UTS #39's resolved script set (`unicode-security`), so Latin with Cyrillic
//!   or Greek inside one word is flagged, while Japanese (Han with kana) or separate words
//!   in separate scripts are not.
//! - Look-alike: the name's UTS #39 confusable skeleton, or its skeleton folded for case
//!   and accents, equals a published listing's while the names differ. The skeleton maps
//!   each character to the prototype it is confused with (Cyrillic `а` and Latin `a`,
//!   capital `I` and `l`, `rn` and `m` …); the folded one also matches "SPORTELLO
//!   FAMÌGLIA". An impostor can be anywhere, so every published listing is compared, not
//!   just the nearby ones.
//!
//! Keeping that cheap: the skeletons of the published names are kept in a table, sorted by
//! a hash of the key, and rebuilt only when the index changes ([`SpatialIndex::generation`]),
//! reusing the keys of listings whose name did not change; a lookup is two binary searches.

use crate::domain::ServiceId;
use crate::index::{Listing, SpatialIndex};
use parking_lot::Mutex;
use serde::Serialize;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};
use unicode_script::{Script, UnicodeScript};
use unicode_security::mixed_script::AugmentedScriptSet;
use utoipa::ToSchema;

/// The most look-alikes one name is reported with (the table could hold many listings of
/// one name; a moderator needs to see a few).
pub const MAX_LOOKALIKES: usize = 5;

/// A warning about a proposed listing's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NameWarning {
    /// Some words of the name mix letters of different scripts, the way a name imitating
    /// another is made ("Ѕроrtеllо": Cyrillic Ѕ, р, о, е among Latin r, t, l).
    MixedScripts {
        /// The scripts mixed, by their Unicode names (`Latin`, `Cyrillic`, `Greek`, …), in
        /// order of appearance.
        scripts: Vec<String>,
        /// The words that mix them, as written.
        words: Vec<String>,
    },
    /// The name looks like a published listing's name (same confusable skeleton, or the
    /// same once case and accents are set aside) but is not the same text.
    Lookalike {
        /// The published listing's id.
        id: i64,
        /// Its name.
        name: String,
    },
}

/// The [`NameWarning::MixedScripts`] of a name, if any word mixes scripts.
pub fn mixed_scripts(name: &str) -> Option<NameWarning> {
    let mut scripts: Vec<String> = Vec::new();
    let mut words = Vec::new();
    for word in name.split(|c: char| !is_letter_or_mark(c)) {
        if word.is_empty() || !AugmentedScriptSet::for_str(word).is_empty() {
            continue;
        }
        for c in word.chars() {
            let s = c.script();
            if !matches!(s, Script::Common | Script::Inherited | Script::Unknown)
                && !scripts.iter().any(|x| x == s.full_name())
            {
                scripts.push(s.full_name().to_string());
            }
        }
        words.push(word.to_string());
    }
    (!words.is_empty()).then_some(NameWarning::MixedScripts { scripts, words })
}

fn is_letter_or_mark(c: char) -> bool {
    matches!(
        c.general_category_group(),
        GeneralCategoryGroup::Letter | GeneralCategoryGroup::Mark
    )
}

/// A name's two comparison keys.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Keys {
    /// The UTS #39 skeleton, blanks collapsed: equal for names that look the same.
    exact: String,
    /// The skeleton of the name lowercased without accents: equal for names that look the
    /// same but for case and accents. Lowercasing comes first because the skeleton maps
    /// capitals and small letters apart (`I` to `l`), and so does not fold them.
    folded: String,
}

impl Keys {
    fn of(name: &str) -> Self {
        let folded: String = name
            .nfd()
            .filter(|c| c.general_category_group() != GeneralCategoryGroup::Mark)
            .flat_map(char::to_lowercase)
            .collect();
        Self {
            exact: collapse(unicode_security::skeleton(name)),
            folded: collapse(unicode_security::skeleton(&folded)),
        }
    }
}

/// Runs of blanks as one space, none at the ends.
fn collapse(chars: impl Iterator<Item = char>) -> String {
    let mut out = String::new();
    for c in chars {
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

fn hash(key: &str) -> u64 {
    let mut h = DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

/// One published listing in the table.
struct Keyed {
    /// The listing as keyed: its name tells a rebuild whether the keys still hold.
    listing: Listing,
    exact: u64,
    folded: u64,
}

/// The skeletons of the published names at one generation of the index.
struct Table {
    generation: u64,
    by_id: HashMap<i64, Keyed>,
    /// (hash of a key, listing id), sorted: every listing under both of its keys.
    keys: Vec<(u64, i64)>,
}

impl Table {
    /// The table of `listings`, reusing `previous`'s keys for names that did not change.
    fn build(generation: u64, listings: Vec<Listing>, previous: Option<&Table>) -> Self {
        let mut by_id = HashMap::with_capacity(listings.len());
        let mut keys = Vec::with_capacity(listings.len() * 2);
        for listing in listings {
            let id = listing.id().0;
            let known = previous
                .and_then(|p| p.by_id.get(&id))
                .filter(|k| k.listing.name() == listing.name());
            let (exact, folded) = match known {
                Some(k) => (k.exact, k.folded),
                None => {
                    let k = Keys::of(listing.name());
                    (hash(&k.exact), hash(&k.folded))
                }
            };
            keys.push((exact, id));
            if folded != exact {
                keys.push((folded, id));
            }
            by_id.insert(
                id,
                Keyed {
                    listing,
                    exact,
                    folded,
                },
            );
        }
        keys.sort_unstable();
        keys.dedup();
        Self {
            generation,
            by_id,
            keys,
        }
    }

    /// Published listings whose names look like `name` but are not it, by id.
    fn lookalikes(&self, name: &str, exclude: Option<ServiceId>) -> Vec<NameWarning> {
        let wanted = Keys::of(name);
        let mut ids: Vec<i64> = [hash(&wanted.exact), hash(&wanted.folded)]
            .iter()
            .flat_map(|h| {
                let start = self.keys.partition_point(|(k, _)| k < h);
                self.keys[start..]
                    .iter()
                    .take_while(move |(k, _)| k == h)
                    .map(|(_, id)| *id)
            })
            .filter(|id| Some(ServiceId(*id)) != exclude)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter()
            .filter_map(|id| self.by_id.get(&id))
            .filter(|k| k.listing.name() != name)
            // The hashes only found the candidates; the keys themselves decide.
            .filter(|k| {
                let theirs = Keys::of(k.listing.name());
                theirs.exact == wanted.exact || theirs.folded == wanted.folded
            })
            .take(MAX_LOOKALIKES)
            .map(|k| NameWarning::Lookalike {
                id: k.listing.id().0,
                name: k.listing.name().to_string(),
            })
            .collect()
    }
}

/// The look-alike check's table of published names, kept up to date with the index.
pub struct NameSkeletons {
    current: Mutex<Option<Arc<Table>>>,
    /// Held while a table is built, so that concurrent pages wait for one build.
    building: tokio::sync::Mutex<()>,
}

impl Default for NameSkeletons {
    fn default() -> Self {
        Self::new()
    }
}

impl NameSkeletons {
    /// An empty table, built at the first look-up.
    pub fn new() -> Self {
        Self {
            current: Mutex::new(None),
            building: tokio::sync::Mutex::new(()),
        }
    }

    /// Every warning about `name` proposed for a listing (`exclude`, the listing itself
    /// for a change, is not its own look-alike): mixed scripts first, then look-alikes of
    /// published listings by id. Needs a Tokio runtime (a stale table is rebuilt on a
    /// blocking thread).
    pub async fn warnings(
        &self,
        index: &SpatialIndex,
        name: &str,
        exclude: Option<ServiceId>,
    ) -> Vec<NameWarning> {
        let table = self.table(index).await;
        mixed_scripts(name)
            .into_iter()
            .chain(table.lookalikes(name, exclude))
            .collect()
    }

    /// Builds the table for the index as it is now, if it is not built yet (at start-up,
    /// so that the first moderator does not wait for it).
    pub async fn warm(&self, index: &SpatialIndex) {
        let started = std::time::Instant::now();
        let table = self.table(index).await;
        tracing::info!(
            listings = table.by_id.len(),
            ms = started.elapsed().as_millis() as u64,
            "name skeletons ready"
        );
    }

    fn fresh(&self, generation: u64) -> Option<Arc<Table>> {
        self.current
            .lock()
            .clone()
            .filter(|t| t.generation == generation)
    }

    async fn table(&self, index: &SpatialIndex) -> Arc<Table> {
        if let Some(t) = self.fresh(index.generation()) {
            return t;
        }
        let _building = self.building.lock().await;
        if let Some(t) = self.fresh(index.generation()) {
            return t;
        }
        let (generation, listings) = index.snapshot();
        let previous = self.current.lock().clone();
        let started = std::time::Instant::now();
        let table = tokio::task::spawn_blocking(move || {
            Table::build(generation, listings, previous.as_deref())
        })
        .await
        .expect("skeleton table thread");
        tracing::debug!(
            listings = table.by_id.len(),
            ms = started.elapsed().as_millis() as u64,
            "name skeletons built"
        );
        let table = Arc::new(table);
        *self.current.lock() = Some(table.clone());
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Coordinates, Service, ServiceData, Status, Taxonomy};
    use chrono::Utc;

    fn service(id: i64, name: &str) -> Service {
        Service {
            id: ServiceId(id),
            external_id: None,
            status: Status::Published,
            data: ServiceData {
                categories: vec!["economic-support".into()],
                ..ServiceData::new(name.into(), Coordinates::new(43.3183, 11.3317).unwrap())
            },
            created_at: Utc::now(),
            updated_at: Utc::now(),
            verified_at: None,
        }
    }

    fn index(names: &[&str]) -> SpatialIndex {
        SpatialIndex::build(
            Taxonomy::default_set(),
            Coordinates::new(43.3183, 11.3317).unwrap(),
            names
                .iter()
                .enumerate()
                .map(|(i, n)| service(i as i64 + 1, n))
                .collect(),
        )
    }

    fn lookalike(id: i64, name: &str) -> NameWarning {
        NameWarning::Lookalike {
            id,
            name: name.into(),
        }
    }

    #[test]
    fn words_that_mix_scripts_are_named() {
        assert_eq!(
            mixed_scripts("Ѕроrtеllо Fаmіglіа, Siena"),
            Some(NameWarning::MixedScripts {
                scripts: vec!["Cyrillic".into(), "Latin".into()],
                words: vec!["Ѕроrtеllо".into(), "Fаmіglіа".into()],
            })
        );
        assert_eq!(
            mixed_scripts("Centro Ωmega"),
            Some(NameWarning::MixedScripts {
                scripts: vec!["Greek".into(), "Latin".into()],
                words: vec!["Ωmega".into()],
            })
        );
        for honest in [
            "Sportello Famiglia",
            "Associazione Italia–Ucraina «Дружба»",
            "Caritas/Каритас",
            "Centro 日本語の案内",
            "Famìglia 2 ☎",
            "مركز الجالية",
            "",
        ] {
            assert_eq!(mixed_scripts(honest), None, "{honest}");
        }
    }

    #[tokio::test]
    async fn look_alikes_of_any_published_listing_are_found() {
        let idx = index(&[
            "Sportello Famiglia",
            "Caritas diocesana",
            "Centro diurno anziani",
        ]);
        let skeletons = NameSkeletons::new();
        for fake in [
            "Ѕроrtеllо Fаmіglіа",   // Cyrillic look-alikes
            "SportelIo Famiglia",   // capital I for l
            "Sportello Farniglia",  // rn for m
            "Sportello  Famiglia ", // blanks
            "SPORTELLO FAMÌGLIA",   // case and accents
            "sportello famiglia",
        ] {
            assert_eq!(
                skeletons.warnings(&idx, fake, None).await.last(),
                Some(&lookalike(1, "Sportello Famiglia")),
                "{fake}"
            );
        }
        // The same name is the duplicate check's business; a listing is not its own
        // look-alike; other names are not look-alikes.
        for (name, exclude) in [
            ("Sportello Famiglia", None),
            ("Sportello famiglia", Some(ServiceId(1))),
            ("Sportello Famiglie", None),
            ("Caritas", None),
        ] {
            assert_eq!(skeletons.warnings(&idx, name, exclude).await, [], "{name}");
        }
        let w = skeletons.warnings(&idx, "Ѕроrtеllо Fаmіglіа", None).await;
        assert!(matches!(w[0], NameWarning::MixedScripts { .. }), "{w:?}");
        assert_eq!(w.len(), 2);
    }

    #[tokio::test]
    async fn the_table_follows_the_index() {
        let idx = index(&["Sportello Famiglia", "Caritas diocesana"]);
        let skeletons = NameSkeletons::new();
        assert_eq!(
            skeletons
                .warnings(&idx, "Cаritas diocesana", None)
                .await
                .len(),
            2
        );
        // Renamed, unpublished, published: the next look-up sees it.
        idx.upsert(service(2, "Mensa dei poveri"));
        assert_eq!(
            skeletons
                .warnings(&idx, "Меnsа dei poveri", None)
                .await
                .last(),
            Some(&lookalike(2, "Mensa dei poveri"))
        );
        assert_eq!(
            skeletons.warnings(&idx, "caritas diocesana", None).await,
            []
        );
        idx.remove(ServiceId(2));
        assert_eq!(skeletons.warnings(&idx, "mensa dei poveri", None).await, []);
        idx.upsert(service(3, "Banco alimentare"));
        assert_eq!(
            skeletons.warnings(&idx, "BANCO ALIMENTARE", None).await,
            [lookalike(3, "Banco alimentare")]
        );
        let table = skeletons.table(&idx).await;
        assert_eq!(table.generation, idx.generation());
        assert_eq!(table.by_id.len(), 2);
    }
}
