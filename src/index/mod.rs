//! The spatial index: an in-memory R-tree of the *published* services.
//!
//! Besides the tree of all published services, the index keeps one tree per category.
//! A query filtered by categories searches only those trees, so a category that holds one
//! service in twenty costs about what an unfiltered search over a tree twenty times smaller
//! costs, instead of walking past nineteen rejected neighbours for each accepted one.
//! Target groups, opening hours and text are checked on the candidates as they stream out
//! of the trees in distance order.
//!
//! The trees are two-dimensional: they index each service's plan position, its east and
//! north metres in the directory's local frame ([`earth::Frame`]), while each entry keeps
//! its full position for exact distances. Services lie on a nearly flat patch of the
//! Earth, and rstar's bulk load slices the points along every axis in turn: in three
//! dimensions one of those slices cut along the frame's `up` axis, which on a curved patch
//! is a ring around the frame's centre, and gave long, overlapping nodes. In plan the
//! nodes are compact: a nearest-10 search at uniform points of the province of Siena over
//! 1 000 000 services visits 18 nodes instead of 26 with rstar's default node size, and 12
//! with [`NODE_MAX`] children (BENCHMARKS.md, stop 9). A box distance in plan never
//! exceeds the true distance (dropping a component of a difference only shortens it), so
//! pruning on it stays exact anywhere on Earth.

pub mod analyzer;
pub mod earth;
mod knn;
mod listing;
pub mod lookalikes;
mod prefetch;
mod select;
pub mod text;

pub use listing::{Field, Listing, prefetch_summaries};

use crate::domain::text::TextQuery;
use crate::domain::{
    BoundingBox, Coordinates, QuotedSlugs, Service, ServiceId, Taxonomy, Wheelchair,
};
use crate::index::text::TextIndex;
use chrono::{DateTime, Utc};
use earth::{EarthBox, Frame, chord2_for_metres, metres_for_chord2};
use parking_lot::{RwLock, RwLockReadGuard};
use rstar::{AABB, RTree, RTreeObject};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

type Tree = RTree<Entry, NodeParams>;

/// The most children a node gets from an insertion. Measured in-process at uniform points
/// over 1 000 000 services, nearest 10: 4.4 µs per query with 6 (rstar's default), 4.0
/// with 8, 3.5 with 12, 3.8 with 16, where fewer, larger nodes start to cost more in box
/// distances than they save in misses.
const NODE_MAX: usize = 12;

/// The most children a node can have at all: a bulk load slices a node's points into up
/// to ⌈√NODE_MAX⌉ groups along each of the two axes.
const NODE_CHILDREN_MAX: usize = {
    let per_axis = (NODE_MAX - 1).isqrt() + 1;
    per_axis * per_axis
};

/// The trees' node sizes ([`NODE_MAX`]); the rest as rstar recommends (a third of it).
struct NodeParams;

impl rstar::RTreeParams for NodeParams {
    const MIN_SIZE: usize = NODE_MAX / 3;
    const MAX_SIZE: usize = NODE_MAX;
    const REINSERTION_COUNT: usize = NODE_MAX / 3;
    type DefaultInsertionStrategy = rstar::RStarInsertionStrategy;
}

/// A tree entry: where a service is, the bit sets that filters test, and the listing
/// itself, so that a query reaches it without a lookup.
#[derive(Debug, Clone)]
struct Entry {
    /// Position in the frame (east, north, up), metres; the tree indexes the first two.
    xyz: [f64; 3],
    id: i64,
    categories: u64,
    targets: u32,
    listing: Listing,
}

/// Ids are unique in the index: equal ids are the same entry.
impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Entry {
    /// Squared straight-line distance to `p` (a position in the frame), metres².
    fn chord2(&self, p: &[f64; 3]) -> f64 {
        chord2(&self.xyz, p)
    }
}

/// Indexed in plan (see the module's notes).
impl RTreeObject for Entry {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        AABB::from_point(earth::plan(&self.xyz))
    }
}

/// Conditions a service must meet, all of them.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Bit set of categories, any of which will do; 0 for any category.
    pub categories: u64,
    /// Bit set of target groups, any of which will do; 0 for any.
    pub targets: u32,
    /// Only services open at this time.
    pub open_at: Option<DateTime<Utc>>,
    /// Only services whose text holds every word (see [`TextIndex`]).
    pub text: Option<TextQuery>,
    /// Only services at least this accessible: `Yes` keeps full access only, `Limited`
    /// keeps full or partial access.
    pub wheelchair: Option<Wheelchair>,
    /// ISO 639-1 codes, any of which spoken at the desk will do; empty for any.
    pub languages: Vec<String>,
}

impl Filter {
    fn accepts_entry(&self, e: &Entry) -> bool {
        (self.targets == 0 || e.targets & self.targets != 0)
            && (self.categories == 0 || e.categories & self.categories != 0)
    }

    fn needs_listing(&self) -> bool {
        self.open_at.is_some() || self.wheelchair.is_some() || !self.languages.is_empty()
    }

    /// Everything but the text, on a listing alone.
    pub fn accepts(&self, l: &Listing) -> bool {
        (self.targets == 0 || l.target_mask() & self.targets != 0)
            && (self.categories == 0 || l.category_mask() & self.categories != 0)
            && self.accepts_listing(l)
    }

    fn accepts_listing(&self, l: &Listing) -> bool {
        self.open_at.is_none_or(|at| l.is_open_at(at))
            && self.wheelchair.is_none_or(|min| match min {
                Wheelchair::Yes => l.wheelchair() == Wheelchair::Yes,
                _ => matches!(l.wheelchair(), Wheelchair::Yes | Wheelchair::Limited),
            })
            && (self.languages.is_empty() || l.speaks_any(&self.languages))
    }
}

/// A service found near a point.
#[derive(Debug, Clone, Copy)]
pub struct Hit<'a> {
    /// The service.
    pub listing: &'a Listing,
    /// Geodesic distance from the query point, metres.
    pub distance_m: f64,
}

/// One page of a bounding-box query.
#[derive(Debug, Clone)]
pub struct Page<'a> {
    /// Services on this page, by ascending id.
    pub listings: Vec<&'a Listing>,
    /// How many services match in all.
    pub total: usize,
    /// The id to pass as cursor for the next page, if there is one.
    pub next_after: Option<ServiceId>,
}

struct Inner {
    frame: Frame,
    taxonomy: Arc<Taxonomy>,
    slugs: QuotedSlugs,
    all: Tree,
    by_category: Vec<Tree>,
    listings: HashMap<i64, Listing>,
    text: TextIndex,
    demo: usize,
}

/// The R-tree index of published services. Cheap to share; reads run in parallel.
pub struct SpatialIndex {
    inner: RwLock<Inner>,
    /// Bumped by every change (under the write lock), so data derived from the index —
    /// the offline gazetteer — can tell cheaply that it is stale.
    generation: AtomicU64,
    /// Whether the text index is built ([`build_text`](Self::build_text)).
    text_ready: tokio::sync::watch::Sender<bool>,
}

impl SpatialIndex {
    /// Bulk-loads the index. Services that are not published are left out. `centre` is
    /// the middle of the directory's area (any point works; a central one is fastest).
    pub fn build(taxonomy: Taxonomy, centre: Coordinates, services: Vec<Service>) -> Self {
        let index = Self::load(taxonomy, centre, |sink: &(dyn Fn(Vec<Service>) + Sync)| {
            sink(services);
            Ok::<(), std::convert::Infallible>(())
        })
        .unwrap_or_else(|never| match never {});
        index.build_text();
        index
    }

    /// Bulk-loads the index from a scan that hands over services in batches, possibly
    /// from several threads, so that only the compact listings, never all the services,
    /// are in memory at once.
    pub fn load<E>(
        taxonomy: Taxonomy,
        centre: Coordinates,
        scan: impl FnOnce(&(dyn Fn(Vec<Service>) + Sync)) -> Result<(), E>,
    ) -> Result<Self, E> {
        // Listings and entries are made by the scanning threads, batch by batch.
        let frame = Frame::centred_on(centre);
        let collected: parking_lot::Mutex<Vec<Entry>> = parking_lot::Mutex::new(Vec::new());
        scan(&|batch: Vec<Service>| {
            let made: Vec<Entry> = batch
                .into_iter()
                .filter(|s| s.status == crate::domain::Status::Published)
                .map(|s| entry(&frame, &Listing::new(s, &taxonomy)))
                .collect();
            collected.lock().extend(made);
        })?;
        let entries = collected.into_inner();
        let started = std::time::Instant::now();
        let mut buckets: Vec<Vec<Entry>> = vec![Vec::new(); taxonomy.categories.len()];
        for e in &entries {
            for bit in e.listing.category_bits() {
                if let Some(b) = buckets.get_mut(bit as usize) {
                    b.push(e.clone());
                }
            }
        }
        let listings: HashMap<i64, Listing> =
            entries.iter().map(|e| (e.id, e.listing.clone())).collect();
        // The category trees and the whole tree are independent: one per core.
        let (by_category, all) = std::thread::scope(|scope| {
            let categories = scope.spawn(|| {
                buckets
                    .into_iter()
                    .map(RTree::bulk_load_with_params)
                    .collect::<Vec<Tree>>()
            });
            let all: Tree = RTree::bulk_load_with_params(entries);
            (categories.join().expect("index build thread"), all)
        });
        let demo = listings.values().filter(|l| l.demo()).count();
        tracing::debug!(
            trees_ms = started.elapsed().as_millis() as u64,
            "index trees built"
        );
        Ok(Self {
            inner: RwLock::new(Inner {
                frame,
                slugs: QuotedSlugs::of(&taxonomy),
                taxonomy: Arc::new(taxonomy),
                all,
                by_category,
                listings,
                text: TextIndex::new(),
                demo,
            }),
            generation: AtomicU64::new(0),
            text_ready: tokio::sync::watch::channel(false).0,
        })
    }

    /// Builds the text index of the listings loaded, off the lock: readers and writers go
    /// on meanwhile, and changes made during the build are carried over when it is
    /// installed. Until then [`text_ready`](Self::text_ready) is false, and queries by
    /// words wait for it ([`wait_for_text`](Self::wait_for_text)). A million services take
    /// a few seconds; serving does not wait for them.
    pub fn build_text(&self) {
        let started = std::time::Instant::now();
        let (generation, listings) = self.snapshot();
        let text = TextIndex::build_parallel(&listings);
        let mut inner = self.inner.write();
        let mut text = text;
        if self.generation() != generation {
            // Written meanwhile: bring the new index in step with the listings now.
            let before: HashMap<i64, &Listing> = listings.iter().map(|l| (l.id().0, l)).collect();
            for (id, old) in &before {
                match inner.listings.get(id) {
                    Some(now) if now.same(old) => {}
                    _ => text.remove(old),
                }
            }
            for (id, now) in &inner.listings {
                if before.get(id).is_none_or(|old| !now.same(old)) {
                    text.insert(now);
                }
            }
        }
        inner.text = text;
        drop(inner);
        self.text_ready.send_replace(true);
        tracing::info!(
            services = listings.len(),
            ms = started.elapsed().as_millis() as u64,
            "text index built"
        );
    }

    /// Whether the text index is built.
    pub fn text_ready(&self) -> bool {
        *self.text_ready.borrow()
    }

    /// Waits until the text index is built (at once when it is).
    pub async fn wait_for_text(&self) {
        let mut ready = self.text_ready.subscribe();
        let _ = ready.wait_for(|r| *r).await;
    }

    /// How many services the index holds.
    pub fn len(&self) -> usize {
        self.inner.read().listings.len()
    }

    /// How many of the services are demonstration data.
    pub fn demo_len(&self) -> usize {
        self.inner.read().demo
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The taxonomy whose bits the index uses.
    pub fn taxonomy(&self) -> Arc<Taxonomy> {
        self.inner.read().taxonomy.clone()
    }

    /// Adds or replaces a service; removes it if it is not published.
    pub fn upsert(&self, service: Service) {
        let mut inner = self.inner.write();
        self.generation.fetch_add(1, Ordering::Release);
        inner.remove(service.id.0);
        if service.status == crate::domain::Status::Published {
            let listing = Listing::new(service, &inner.taxonomy);
            if self.text_ready() {
                inner.text.insert(&listing);
            }
            let e = entry(&inner.frame, &listing);
            for (bit, tree) in inner.by_category.iter_mut().enumerate() {
                if e.categories & (1 << bit) != 0 {
                    tree.insert(e.clone());
                }
            }
            inner.all.insert(e);
            inner.demo += usize::from(listing.demo());
            inner.listings.insert(listing.id().0, listing);
        }
    }

    /// Removes a service, if present.
    pub fn remove(&self, id: ServiceId) {
        let mut inner = self.inner.write();
        self.generation.fetch_add(1, Ordering::Release);
        inner.remove(id.0);
    }

    /// A number that changes whenever the index's contents change.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Every listing, in no particular order, with the [`generation`](Self::generation)
    /// they make up. Only reference counts are copied under the read lock, so writers wait
    /// for a few milliseconds even with a million listings.
    pub fn snapshot(&self) -> (u64, Vec<Listing>) {
        let inner = self.inner.read();
        let generation = self.generation();
        (generation, inner.listings.values().cloned().collect())
    }

    /// A consistent view for queries: readers share it, and it lends listings out by
    /// reference, so a query touches no reference count (a cache line that every core would
    /// fight over). Do not hold it across an `.await`.
    pub fn read(&self) -> IndexView<'_> {
        IndexView {
            inner: self.inner.read(),
        }
    }
}

/// A read view of the index; see [`SpatialIndex::read`].
pub struct IndexView<'a> {
    inner: RwLockReadGuard<'a, Inner>,
}

impl IndexView<'_> {
    /// The taxonomy whose bits the index uses.
    pub fn taxonomy(&self) -> &Taxonomy {
        &self.inner.taxonomy
    }

    /// The taxonomy's slugs, quoted for JSON.
    pub fn quoted_slugs(&self) -> &QuotedSlugs {
        &self.inner.slugs
    }

    /// A published service by id.
    pub fn get(&self, id: ServiceId) -> Option<&Listing> {
        self.inner.listings.get(&id.0)
    }

    /// The text index of the published services.
    pub fn text(&self) -> &TextIndex {
        &self.inner.text
    }

    /// The published services of a set of ids (from the [text index](Self::text)), by
    /// ascending id.
    pub fn listings_in<'s, 'i>(
        &'s self,
        ids: &'i roaring::RoaringTreemap,
    ) -> impl Iterator<Item = &'s Listing> + use<'s, 'i> {
        ids.iter()
            .filter_map(|id| self.inner.listings.get(&(id as i64)))
    }

    /// The directory's local frame: positions for distances.
    pub fn frame(&self) -> &Frame {
        &self.inner.frame
    }

    /// The `k` services nearest to `origin` that pass `filter`, nearest first, no farther
    /// than `max_distance_m` if given.
    pub fn nearest(
        &self,
        origin: Coordinates,
        k: usize,
        filter: &Filter,
        max_distance_m: Option<f64>,
    ) -> Vec<Hit<'_>> {
        if k == 0 {
            return Vec::new();
        }
        let inner = &self.inner;
        let q = inner.frame.position(origin);
        let text = filter.text.as_ref().and_then(|t| inner.text.matching(t));
        if let Some(set) = text.as_ref().filter(|s| s.len() <= FEW) {
            let limit = max_distance_m.map_or(f64::INFINITY, chord2_for_metres);
            let mut found: Vec<(f64, &Listing)> = self
                .listings_in(set)
                .filter(|l| filter.accepts(l))
                .map(|l| (chord2(&inner.frame.position(l.point()), &q), l))
                .filter(|(d2, _)| *d2 <= limit)
                .collect();
            found.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.id().0.cmp(&b.1.id().0)));
            found.truncate(k);
            return found
                .into_iter()
                .map(|(d2, listing)| Hit {
                    distance_m: metres_for_chord2(d2),
                    listing,
                })
                .collect();
        }
        let accept = |e: &Entry| {
            filter.accepts_entry(e)
                && text.as_ref().is_none_or(|s| s.contains(e.id as u64))
                && (!filter.needs_listing() || filter.accepts_listing(&e.listing))
        };
        let mut best = knn::Best::new(
            k,
            max_distance_m.map_or(f64::INFINITY, chord2_for_metres),
            inner.trees_for(filter.categories).nth(1).is_some(),
        );
        for tree in inner.trees_for(filter.categories) {
            best.search(tree.root(), &q, &accept);
        }
        best.into_items()
            .into_iter()
            .map(|(d2, e)| Hit {
                distance_m: metres_for_chord2(d2),
                listing: &e.listing,
            })
            .collect()
    }

    /// The `k` services nearest to `origin` that pass `filter` (its categories, target
    /// groups and conditions; not its text) and `accept`, nearest first.
    pub fn nearest_where(
        &self,
        origin: Coordinates,
        k: usize,
        filter: &Filter,
        accept: &dyn Fn(&Listing) -> bool,
    ) -> Vec<Hit<'_>> {
        if k == 0 {
            return Vec::new();
        }
        let inner = &self.inner;
        let q = inner.frame.position(origin);
        let accept = |e: &Entry| {
            filter.accepts_entry(e)
                && (!filter.needs_listing() || filter.accepts_listing(&e.listing))
                && accept(&e.listing)
        };
        let mut best = knn::Best::new(
            k,
            f64::INFINITY,
            inner.trees_for(filter.categories).nth(1).is_some(),
        );
        for tree in inner.trees_for(filter.categories) {
            best.search(tree.root(), &q, &accept);
        }
        best.into_items()
            .into_iter()
            .map(|(d2, e)| Hit {
                distance_m: metres_for_chord2(d2),
                listing: &e.listing,
            })
            .collect()
    }

    /// Services inside `bbox` that pass `filter`, by ascending id, at most `limit`, starting
    /// after id `after`.
    pub fn within(
        &self,
        bbox: &BoundingBox,
        filter: &Filter,
        after: Option<ServiceId>,
        limit: usize,
    ) -> Page<'_> {
        let inner = &self.inner;
        let eb = EarthBox::new(bbox, &inner.frame);
        let text = filter.text.as_ref().and_then(|t| inner.text.matching(t));
        // Ids inline next to the listings: sorting then compares without chasing pointers.
        let mut found: Vec<(i64, &Listing)> = Vec::with_capacity(256);
        if let Some(set) = text.as_ref().filter(|s| s.len() <= FEW) {
            // Already by ascending id.
            found.extend(
                self.listings_in(set)
                    .filter(|l| eb.contains(&inner.frame.position(l.point())) && filter.accepts(l))
                    .map(|l| (l.id().0, l)),
            );
        } else {
            for tree in inner.trees_for(filter.categories) {
                select::within(tree.root(), Some(eb.envelope()), &mut |e| {
                    if eb.contains(&e.xyz)
                        && filter.accepts_entry(e)
                        && text.as_ref().is_none_or(|s| s.contains(e.id as u64))
                        && (!filter.needs_listing() || filter.accepts_listing(&e.listing))
                    {
                        found.push((e.id, &e.listing));
                    }
                });
            }
            found.sort_unstable_by_key(|(id, _)| *id);
            found.dedup_by_key(|(id, _)| *id);
        }
        let total = found.len();
        let start = after.map_or(0, |a| found.partition_point(|(id, _)| *id <= a.0));
        let page: Vec<&Listing> = found[start..].iter().take(limit).map(|(_, l)| *l).collect();
        let next_after = (start + limit < total)
            .then(|| page.last().map(|l| l.id()))
            .flatten();
        Page {
            listings: page,
            total,
            next_after,
        }
    }
}

impl Inner {
    fn trees_for(&self, categories: u64) -> impl Iterator<Item = &Tree> {
        let all = (categories == 0).then_some(&self.all);
        let some = self
            .by_category
            .iter()
            .enumerate()
            .filter(move |(bit, _)| categories & (1 << bit) != 0)
            .map(|(_, t)| t);
        all.into_iter().chain(some)
    }

    fn remove(&mut self, id: i64) {
        let Some(old) = self.listings.remove(&id) else {
            return;
        };
        self.demo -= usize::from(old.demo());
        self.text.remove(&old);
        let e = entry(&self.frame, &old);
        self.all.remove(&e);
        for (bit, tree) in self.by_category.iter_mut().enumerate() {
            if e.categories & (1 << bit) != 0 {
                tree.remove(&e);
            }
        }
    }
}

/// Up to this many text matches are filtered and sorted directly, rather than looked for
/// in the trees: a rare word's few services cost less to take one by one than a walk
/// past every nearer service that lacks it.
const FEW: u64 = 2048;

/// Squared straight-line distance between two positions in the frame, metres².
pub fn chord2(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    let d = [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
    d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
}

fn entry(frame: &Frame, l: &Listing) -> Entry {
    Entry {
        xyz: frame.position(l.point()),
        id: l.id().0,
        categories: l.category_mask(),
        targets: l.target_mask(),
        listing: l.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(n: usize) -> (SpatialIndex, Vec<Service>, Taxonomy) {
        let taxonomy = Taxonomy::default_set();
        let area = BoundingBox::siena_province();
        let services = crate::import::synthetic::published(n, 3, &taxonomy, &area);
        let idx = SpatialIndex::build(taxonomy.clone(), area.centre(), services.clone());
        (idx, services, taxonomy)
    }

    /// The k nearest by brute force with Karney's geodesic, as (id, metres).
    fn brute(
        services: &[Service],
        origin: Coordinates,
        k: usize,
        keep: impl Fn(&Service) -> bool,
    ) -> Vec<(i64, f64)> {
        let mut all: Vec<(i64, f64)> = services
            .iter()
            .filter(|s| keep(s))
            .map(|s| (s.id.0, origin.geodesic_distance_m(s.data.point)))
            .collect();
        all.sort_by(|a, b| a.1.total_cmp(&b.1));
        all.truncate(k);
        all
    }

    #[test]
    fn nearest_matches_brute_force_with_and_without_filters() {
        let taxonomy = Taxonomy::default_set();
        let area = BoundingBox::siena_province();
        let mut services = crate::import::synthetic::published(4000, 3, &taxonomy, &area);
        // In both filtered categories, so in both trees a two-category search enters:
        // each must still be found once.
        for s in services.iter_mut().step_by(5) {
            s.data.categories = vec!["volunteering".into(), "economic-support".into()];
        }
        let idx = SpatialIndex::build(taxonomy.clone(), area.centre(), services.clone());
        let rare = taxonomy.category_bit("volunteering").unwrap();
        let common = taxonomy.category_bit("economic-support").unwrap();
        for (lat, lon) in [
            (43.3183, 11.3317),
            (43.05, 11.5),
            (42.9, 11.9),
            (43.5, 11.0),
        ] {
            let origin = Coordinates::new(lat, lon).unwrap();
            let got: Vec<(i64, f64)> = idx
                .read()
                .nearest(origin, 10, &Filter::default(), None)
                .iter()
                .map(|h| (h.listing.id().0, h.distance_m))
                .collect();
            let want = brute(&services, origin, 10, |_| true);
            assert_eq!(
                got.iter().map(|g| g.0).collect::<Vec<_>>(),
                want.iter().map(|w| w.0).collect::<Vec<_>>()
            );
            for (g, w) in got.iter().zip(&want) {
                assert!((g.1 - w.1).abs() < 0.05 + w.1 * 1e-4, "{} vs {}", g.1, w.1);
            }

            let filter = Filter {
                categories: (1 << rare) | (1 << common),
                ..Default::default()
            };
            let got: Vec<i64> = idx
                .read()
                .nearest(origin, 25, &filter, None)
                .iter()
                .map(|h| h.listing.id().0)
                .collect();
            let want: Vec<i64> = brute(&services, origin, 25, |s| {
                s.data
                    .categories
                    .iter()
                    .any(|c| c == "volunteering" || c == "economic-support")
            })
            .iter()
            .map(|w| w.0)
            .collect();
            assert_eq!(got, want);

            let view = idx.read();
            let got = view.nearest(origin, 1000, &Filter::default(), Some(3000.0));
            let want = brute(&services, origin, 1000, |_| true);
            let within: Vec<i64> = want.iter().filter(|w| w.1 <= 3000.0).map(|w| w.0).collect();
            assert_eq!(
                got.iter().map(|h| h.listing.id().0).collect::<Vec<_>>(),
                within
            );
        }
    }

    /// The k-nearest search sorts a node's children on the stack when they fit in
    /// [`NODE_CHILDREN_MAX`]; bulk-loaded and updated trees must keep within it.
    #[test]
    fn no_node_has_more_children_than_the_search_sorts_on_the_stack() {
        fn widest(node: &rstar::ParentNode<Entry>) -> usize {
            node.children()
                .iter()
                .filter_map(|c| match c {
                    rstar::RTreeNode::Parent(p) => Some(widest(p)),
                    rstar::RTreeNode::Leaf(_) => None,
                })
                .fold(node.children().len(), usize::max)
        }
        let (idx, services, _) = index(20_000);
        assert!(widest(idx.read().inner.all.root()) <= NODE_CHILDREN_MAX);
        for s in services.iter().take(2000) {
            let mut moved = s.clone();
            moved.data.point =
                Coordinates::new(s.data.point.lat() + 0.001, s.data.point.lon() - 0.001).unwrap();
            idx.upsert(moved);
        }
        let view = idx.read();
        for tree in std::iter::once(&view.inner.all).chain(&view.inner.by_category) {
            assert!(widest(tree.root()) <= NODE_CHILDREN_MAX);
        }
    }

    /// The trees index plan positions in a frame centred on Siena: far from the centre,
    /// in a national or a world-wide directory, plan distances shrink more and more below
    /// the true ones. The search must still find exactly the nearest.
    #[test]
    fn nearest_is_exact_far_from_the_frame_centre() {
        let taxonomy = Taxonomy::default_set();
        let siena = Coordinates::new(43.3183, 11.3317).unwrap();
        for (area, origins) in [
            (
                BoundingBox::italy(),
                vec![
                    (45.737, 7.320),
                    (35.50, 12.60),
                    (40.15, 18.49),
                    (46.49, 11.35),
                ],
            ),
            (
                "-180,-90,180,90".parse().unwrap(),
                vec![
                    (-43.3183, -168.6683), // Siena's antipode
                    (-33.87, 151.21),
                    (64.15, -21.94),
                    (0.0, 101.3),
                    (89.0, 0.0),
                ],
            ),
        ] {
            let services = crate::import::synthetic::published(3000, 11, &taxonomy, &area);
            let idx = SpatialIndex::build(taxonomy.clone(), siena, services.clone());
            for (lat, lon) in origins {
                let origin = Coordinates::new(lat, lon).unwrap();
                let o = earth::to_ecef(origin);
                let mut want: Vec<(f64, i64)> = services
                    .iter()
                    .map(|s| {
                        let p = earth::to_ecef(s.data.point);
                        let d: f64 = (0..3).map(|i| (p[i] - o[i]).powi(2)).sum();
                        (d, s.id.0)
                    })
                    .collect();
                want.sort_by(|a, b| a.0.total_cmp(&b.0));
                let want: Vec<i64> = want.iter().take(20).map(|w| w.1).collect();
                let got: Vec<i64> = idx
                    .read()
                    .nearest(origin, 20, &Filter::default(), None)
                    .iter()
                    .map(|h| h.listing.id().0)
                    .collect();
                assert_eq!(got, want, "{area} from {origin}");
            }
        }
    }

    #[test]
    fn within_matches_brute_force_and_pages_cover_everything() {
        let (idx, services, _) = index(4000);
        let bbox: BoundingBox = "11.25,43.25,11.40,43.36".parse().unwrap();
        let want: Vec<i64> = services
            .iter()
            .filter(|s| bbox.contains(s.data.point))
            .map(|s| s.id.0)
            .collect();
        assert!(want.len() > 100);
        let mut got = Vec::new();
        let mut after = None;
        loop {
            let view = idx.read();
            let page = view.within(&bbox, &Filter::default(), after, 37);
            assert_eq!(page.total, want.len());
            got.extend(page.listings.iter().map(|l| l.id().0));
            match page.next_after {
                Some(a) => after = Some(a),
                None => break,
            }
        }
        assert_eq!(got, want);
    }

    /// Boxes of every size, from a few metres to the whole area, in the bulk-loaded trees
    /// and after updates (which reshape nodes), with and without a category: the tree
    /// walk must find what a scan of every service finds, whether a node lies wholly
    /// inside the box (taken without testing its entries), across its edge, or outside.
    #[test]
    fn within_finds_what_a_scan_finds_for_boxes_of_every_size() {
        use rand::{Rng, SeedableRng};
        let (idx, mut services, taxonomy) = index(20_000);
        let mut rng = rand::rngs::SmallRng::seed_from_u64(11);
        for s in services.iter_mut().step_by(7) {
            s.data.point = Coordinates::new(
                s.data.point.lat() + rng.random_range(-0.02..0.02),
                s.data.point.lon() + rng.random_range(-0.02..0.02),
            )
            .unwrap();
            idx.upsert(s.clone());
        }
        let area = BoundingBox::siena_province();
        let food = taxonomy.category_bit("food-aid").unwrap();
        let mut sizes_seen = [0usize; 3];
        for round in 0..300 {
            let half = [0.0005, 0.01, 0.05, 0.3][round % 4];
            let centre = services[rng.random_range(0..services.len())].data.point;
            let bbox = BoundingBox::new(
                Coordinates::new(centre.lat() - half, centre.lon() - half * 1.3).unwrap(),
                Coordinates::new(centre.lat() + half, centre.lon() + half * 1.3).unwrap(),
            )
            .unwrap();
            let filter = Filter {
                categories: if round % 3 == 0 { 1 << food } else { 0 },
                ..Default::default()
            };
            let want: Vec<i64> = services
                .iter()
                .filter(|s| bbox.contains(s.data.point))
                .filter(|s| {
                    filter.categories == 0 || s.data.categories.iter().any(|c| c == "food-aid")
                })
                .map(|s| s.id.0)
                .collect();
            let view = idx.read();
            let page = view.within(&bbox, &filter, None, usize::MAX);
            let got: Vec<i64> = page.listings.iter().map(|l| l.id().0).collect();
            assert_eq!(got, want, "box {bbox:?}, categories {}", filter.categories);
            assert_eq!(page.total, want.len());
            sizes_seen[match want.len() {
                0 => 0,
                1..=500 => 1,
                _ => 2,
            }] += 1;
        }
        // Empty, small and large answers all occurred.
        assert!(sizes_seen.iter().all(|n| *n > 10), "{sizes_seen:?}");
        let view = idx.read();
        let whole = view.within(&area, &Filter::default(), None, usize::MAX);
        let inside = services.iter().filter(|s| area.contains(s.data.point));
        assert_eq!(whole.total, inside.count());
        assert!(whole.total > 19_000);
    }

    #[test]
    fn upsert_and_remove_keep_trees_and_map_in_step() {
        let (idx, services, _) = index(500);
        let mut s = services[0].clone();
        let far = Coordinates::new(43.5, 11.95).unwrap();
        s.data.point = far;
        idx.upsert(s.clone());
        assert_eq!(
            idx.read().nearest(far, 1, &Filter::default(), None)[0]
                .listing
                .id(),
            s.id
        );
        assert_eq!(idx.len(), 500);
        idx.remove(s.id);
        assert_eq!(idx.len(), 499);
        assert!(idx.read().get(s.id).is_none());
        assert_ne!(
            idx.read().nearest(far, 1, &Filter::default(), None)[0]
                .listing
                .id(),
            s.id
        );
    }
}
