//! From a reading of the sentence to services, best first, and never a dead end.
//!
//! A service answers the sentence when it meets every need (each need is a group of
//! categories and target groups, any of which will do), holds every free word (see
//! [`TextIndex`](super::text_index::TextIndex)) and every condition. With a place or the
//! citizen's position, answers come nearest first; otherwise by relevance (a need met, a
//! word in the name rather than the description, a rarer word, an exact word rather than a
//! typo), ties nearest the middle of the directory's area first.
//!
//! When nothing answers, the search lets go of what was asked one step at a time — the free
//! words beside a need, `open now`, `wheelchair`, the target groups, all needs at once, all
//! words at once, then the related categories — and says what it let go. If even that
//! finds nothing, it answers the desks that help people find help.

use super::interpret::Interpretation;
use crate::domain::{Coordinates, ServiceId, Wheelchair};
use crate::index::text::{TextIndex, WordMatch};
use crate::index::{Filter, IndexView, Listing};
use chrono::{DateTime, Utc};
use roaring::RoaringTreemap;
use serde::Serialize;

/// Text matches up to this many are taken one by one rather than looked for in the trees.
const FEW: u64 = 8192;
/// Without a place, how many nearby candidates are ranked by relevance when the words
/// are too common to rank them all.
const RANK_POOL: usize = 200;

/// What the search let go of to avoid an empty answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relaxed {
    /// Free words (beside a need, or all of them at once instead of each).
    Terms,
    /// Open now.
    OpenNow,
    /// Wheelchair access.
    Wheelchair,
    /// Target groups of the needs.
    TargetGroups,
    /// The needs' categories: related ones were searched instead, or any need instead of
    /// all.
    Categories,
}

/// Categories to offer when a need's own find nothing: broader or neighbouring help.
pub const RELATED: &[(&str, &[&str])] = &[
    ("food-aid", &["economic-support", "listening-guidance"]),
    (
        "economic-support",
        &["public-offices", "listening-guidance", "food-aid"],
    ),
    (
        "shelter",
        &["home-utilities", "listening-guidance", "economic-support"],
    ),
    ("home-utilities", &["economic-support", "shelter"]),
    (
        "health",
        &["mental-health-addiction", "disability", "elderly"],
    ),
    ("mental-health-addiction", &["health", "listening-guidance"]),
    (
        "children-family",
        &["education-culture", "economic-support"],
    ),
    ("elderly", &["health", "disability", "volunteering"]),
    ("disability", &["health", "elderly", "transport"]),
    ("transport", &["disability", "elderly"]),
    (
        "listening-guidance",
        &["public-offices", "mental-health-addiction"],
    ),
    (
        "violence-support",
        &["listening-guidance", "legal-advice", "shelter"],
    ),
    (
        "migrants-integration",
        &["legal-advice", "work-training", "education-culture"],
    ),
    (
        "work-training",
        &["education-culture", "migrants-integration"],
    ),
    ("education-culture", &["work-training", "children-family"]),
    ("legal-advice", &["listening-guidance", "public-offices"]),
    ("volunteering", &["listening-guidance"]),
    ("public-offices", &["listening-guidance"]),
];

/// Categories that name who is helped rather than with what: a need in one of them
/// (`anziani`) is met by any service for its target group (a taxi for the elderly), while
/// for the others (`violenza`) the target group (women) only ranks, or a consultorio for
/// women would answer a search for violence support.
pub const AUDIENCES: &[&str] = &[
    "elderly",
    "disability",
    "children-family",
    "migrants-integration",
];

/// The desks that help people find help: the last resort.
pub const DESKS: &[&str] = &["listening-guidance", "public-offices", "economic-support"];

/// A search.
pub struct Query<'a> {
    /// The reading of the sentence.
    pub interpretation: &'a Interpretation,
    /// The request's own filters (`category`, `target`, …), kept whatever is relaxed.
    pub filter: Filter,
    /// The place named, or the citizen's position: answers nearest first.
    pub origin: Option<Coordinates>,
    /// Without an origin, ties are broken nearest here.
    pub centre: Coordinates,
    /// For `open now`.
    pub now: DateTime<Utc>,
    /// How many answers.
    pub k: usize,
    /// Services that answer whatever else is asked (where a matching bonus is asked
    /// for), ranked first.
    pub boost: Vec<ServiceId>,
}

/// One service found.
#[derive(Debug, Clone, Copy)]
pub struct Found<'v> {
    /// The service.
    pub listing: &'v Listing,
    /// Metres from the origin, or from the centre when there is none.
    pub distance_m: f64,
    /// Relevance.
    pub score: f32,
}

/// The answer.
pub struct Answer<'v> {
    /// Best first.
    pub found: Vec<Found<'v>>,
    /// What was let go, in the order it was.
    pub relaxed: Vec<Relaxed>,
    /// The related categories searched instead of the needs', if it came to that.
    pub related_categories: Vec<String>,
}

/// What a service must have, as bits and id sets.
#[derive(Clone)]
struct Ask {
    /// Each need: (categories, target groups, whether a target group alone meets it).
    needs: Vec<(u64, u32, bool)>,
    /// All needs, or any one of them.
    any_need: bool,
    terms: Vec<WordMatch>,
    /// The words of the needs: not required (the need is), but a service that holds them
    /// (`pasti` in "Pasto caldo gratuito") ranks higher.
    need_words: Vec<WordMatch>,
    /// All words, or any one of them.
    any_term: bool,
    open_now: bool,
    wheelchair: bool,
}

impl Ask {
    fn needs_met(&self, l: &Listing) -> usize {
        let (c, t) = (l.category_mask(), l.target_mask());
        self.needs
            .iter()
            .filter(|n| c & n.0 != 0 || (n.2 && t & n.1 != 0))
            .count()
    }

    fn accepts(&self, l: &Listing, now: DateTime<Utc>) -> bool {
        let met = self.needs_met(l);
        let id = l.id().0 as u64;
        (if self.any_need {
            self.needs.is_empty() || met > 0
        } else {
            met == self.needs.len()
        }) && (if self.any_term {
            self.terms.is_empty() || self.terms.iter().any(|t| t.any.contains(id))
        } else {
            self.terms.iter().all(|t| t.any.contains(id))
        }) && (!self.open_now || l.is_open_at(now))
            && (!self.wheelchair || l.wheelchair() == Wheelchair::Yes)
    }

    /// A need met by a category weighs more than one met by a target group only: a
    /// shelter answers `dormire` better than a food bank for the homeless does.
    fn score(&self, l: &Listing) -> f32 {
        let id = l.id().0 as u64;
        let (c, t) = (l.category_mask(), l.target_mask());
        let needs: f32 = self
            .needs
            .iter()
            .map(|(nc, nt, _)| {
                if c & nc != 0 {
                    10.0
                } else if t & nt != 0 {
                    5.0
                } else {
                    0.0
                }
            })
            .sum();
        needs
            + self
                .terms
                .iter()
                .chain(&self.need_words)
                .map(|t| t.score(id))
                .sum::<f32>()
    }

    /// The services meeting the words and needs, when few enough to take one by one: set
    /// operations on the text index's id sets, so that a rare combination of common words
    /// and needs (`emporio solidale montalcino`) is not looked for by walking past every
    /// nearer service that lacks it.
    fn few(&self, text: &TextIndex) -> Option<RoaringTreemap> {
        let mut set: Option<RoaringTreemap> = None;
        for t in &self.terms {
            set = Some(match (set, self.any_term) {
                (None, _) => t.any.clone(),
                (Some(s), false) => s & &t.any,
                (Some(s), true) => s | &t.any,
            });
        }
        if !self.needs.is_empty() {
            let mut needs: Option<RoaringTreemap> = None;
            for (c, t, by_target) in &self.needs {
                let one = text.in_taxonomy(*c, if *by_target { *t } else { 0 });
                needs = Some(match (needs, self.any_need) {
                    (None, _) => one,
                    (Some(s), false) => s & one,
                    (Some(s), true) => s | one,
                });
            }
            let needs = needs.unwrap_or_default();
            set = Some(match set {
                None => needs,
                Some(s) => s & needs,
            });
        }
        set.filter(|s| s.len() <= FEW)
    }
}

/// Runs a search.
pub fn search<'v>(view: &'v IndexView<'_>, q: &Query<'_>) -> Answer<'v> {
    let taxonomy = view.taxonomy();
    let i = q.interpretation;
    let audiences = taxonomy.category_mask(AUDIENCES);
    let needs: Vec<(u64, u32, bool)> = i
        .needs()
        .map(|p| {
            let c = taxonomy.category_mask(&p.categories);
            (
                c,
                taxonomy.target_mask(&p.target_groups),
                c == 0 || c & audiences != 0,
            )
        })
        .filter(|n| (n.0, n.1) != (0, 0))
        .collect();
    let text = view.text();
    let terms: Vec<WordMatch> = i
        .terms()
        .iter()
        .map(|w| {
            // A word nothing holds still counts: it makes the answer empty, then is let go.
            text.lookup(w, false).unwrap_or_else(|| WordMatch {
                word: w.clone(),
                any: RoaringTreemap::new(),
                name: RoaringTreemap::new(),
                weight: 0.0,
            })
        })
        .collect();
    let need_words: Vec<WordMatch> = i
        .needs()
        .flat_map(|p| crate::index::analyzer::words(&p.text))
        .filter_map(|w| text.lookup(&w, false))
        .collect();
    let mut ask = Ask {
        needs,
        any_need: false,
        terms,
        need_words,
        any_term: false,
        open_now: i.open_now,
        wheelchair: i.wheelchair,
    };
    let mut relaxed = Vec::new();
    let mut related_categories = Vec::new();
    let found = run(view, q, &ask);
    if !found.is_empty() {
        return Answer {
            found,
            relaxed,
            related_categories,
        };
    }
    type Step = fn(&mut Ask) -> Option<Relaxed>;
    let steps: &[Step] = &[
        |a| {
            (!a.needs.is_empty() && !a.terms.is_empty()).then(|| {
                a.terms.clear();
                Relaxed::Terms
            })
        },
        |a| std::mem::take(&mut a.open_now).then_some(Relaxed::OpenNow),
        |a| std::mem::take(&mut a.wheelchair).then_some(Relaxed::Wheelchair),
        |a| {
            a.needs.iter().any(|n| n.0 == 0).then(|| {
                a.needs.retain(|n| n.0 != 0);
                Relaxed::TargetGroups
            })
        },
        |a| {
            (a.needs.len() > 1 && !a.any_need).then(|| {
                a.any_need = true;
                Relaxed::Categories
            })
        },
        |a| {
            (a.terms.len() > 1 && !a.any_term).then(|| {
                a.any_term = true;
                Relaxed::Terms
            })
        },
    ];
    for step in steps {
        if let Some(r) = step(&mut ask) {
            if !relaxed.contains(&r) {
                relaxed.push(r);
            }
            let found = run(view, q, &ask);
            if !found.is_empty() {
                return Answer {
                    found,
                    relaxed,
                    related_categories,
                };
            }
        }
    }
    // Related categories, then the desks.
    let asked: Vec<String> = i.categories();
    let mut related: Vec<String> = Vec::new();
    for c in &asked {
        for (from, to) in RELATED {
            if from == c {
                related.extend(to.iter().map(|s| s.to_string()));
            }
        }
    }
    related.retain(|r| !asked.contains(r));
    dedup(&mut related);
    for fallback in [related, DESKS.iter().map(|s| s.to_string()).collect()] {
        if fallback.is_empty() {
            continue;
        }
        let mask = taxonomy.category_mask(&fallback);
        ask.needs = vec![(mask, 0, false)];
        ask.any_need = false;
        if !ask.terms.is_empty() {
            ask.terms.clear();
            if !relaxed.contains(&Relaxed::Terms) {
                relaxed.push(Relaxed::Terms);
            }
        }
        if !relaxed.contains(&Relaxed::Categories) {
            relaxed.push(Relaxed::Categories);
        }
        related_categories = fallback;
        let found = run(view, q, &ask);
        if !found.is_empty() {
            return Answer {
                found,
                relaxed,
                related_categories,
            };
        }
    }
    Answer {
        found: Vec::new(),
        relaxed,
        related_categories,
    }
}

fn dedup(v: &mut Vec<String>) {
    let mut seen = Vec::new();
    v.retain(|s| {
        let new = !seen.contains(s);
        seen.push(s.clone());
        new
    });
}

/// One try: the services meeting `ask`, best first.
fn run<'v>(view: &'v IndexView<'_>, q: &Query<'_>, ask: &Ask) -> Vec<Found<'v>> {
    let origin = q.origin.unwrap_or(q.centre);
    let frame = view.frame();
    let from = frame.position(origin);
    let accept = |l: &Listing| q.filter.accepts(l) && ask.accepts(l, q.now);
    let mut found: Vec<Found<'v>> = match ask.few(view.text()) {
        Some(set) => view
            .listings_in(&set)
            .filter(|l| accept(l))
            .map(|l| Found {
                listing: l,
                distance_m: crate::index::earth::metres_for_chord2(crate::index::chord2(
                    &frame.position(l.point()),
                    &from,
                )),
                score: 0.0,
            })
            .collect(),
        None => {
            let pool = if q.origin.is_some() {
                q.k
            } else {
                RANK_POOL.max(q.k)
            };
            view.nearest_where(origin, pool, &q.filter, &|l| ask.accepts(l, q.now))
                .into_iter()
                .map(|h| Found {
                    listing: h.listing,
                    distance_m: h.distance_m,
                    score: 0.0,
                })
                .collect()
        }
    };
    // The desks of the bonuses asked about join an answer, never make one: an empty
    // answer must still be relaxed and said so. They meet the conditions like the rest.
    let conditions = |l: &Listing| {
        q.filter.accepts(l)
            && (!ask.open_now || l.is_open_at(q.now))
            && (!ask.wheelchair || l.wheelchair() == Wheelchair::Yes)
    };
    let boost: &[ServiceId] = if found.is_empty() { &[] } else { &q.boost };
    for id in boost {
        if !found.iter().any(|f| f.listing.id() == *id)
            && let Some(l) = view.get(*id)
            && conditions(l)
        {
            let d = crate::index::chord2(&frame.position(l.point()), &from);
            found.push(Found {
                listing: l,
                distance_m: crate::index::earth::metres_for_chord2(d),
                score: 0.0,
            });
        }
    }
    for f in &mut found {
        f.score = ask.score(f.listing)
            + if q.boost.contains(&f.listing.id()) {
                50.0
            } else {
                0.0
            };
    }
    if q.origin.is_some() {
        found.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m));
    } else {
        found.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.distance_m.total_cmp(&b.distance_m))
        });
    }
    found.truncate(q.k);
    found
}
