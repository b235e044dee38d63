//! Possible duplicates: published listings near a proposed one whose names look alike.
//!
//! Two names are similar when, after folding (case, accents) and dropping short function
//! words ("di", "della", "the", …), their word sets overlap by a Jaccard index of at least
//! one half, or the words of one appear, in order, inside the other ("Caritas" and "Centro
//! d'ascolto Caritas"). Both are cheap and err on the side of flagging: a moderator looks
//! at every flagged pair anyway, and a missed duplicate costs more than a glance.

use crate::domain::text::fold;
use crate::domain::{Coordinates, ServiceId};
use crate::index::{Filter, SpatialIndex};
use serde::Serialize;
use std::collections::BTreeSet;
use utoipa::ToSchema;

/// How far to look for duplicates, in metres.
pub const DUPLICATE_RADIUS_M: f64 = 200.0;
/// How many nearby listings to show at most.
pub const MAX_NEARBY: usize = 10;
/// The Jaccard index of name words from which two names are similar.
pub const JACCARD_THRESHOLD: f64 = 0.5;

/// A published listing near a proposed one.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Nearby {
    /// The listing's id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its address.
    pub address: Option<String>,
    /// Geodesic distance from the proposed point, metres.
    pub distance_m: f64,
    /// Whether the names are similar: a possible duplicate.
    pub possible_duplicate: bool,
}

const STOPWORDS: &[&str] = &[
    "a", "ad", "al", "alla", "alle", "allo", "and", "at", "con", "d", "da", "dal", "dalla", "dei",
    "degli", "del", "della", "delle", "dello", "di", "e", "ed", "for", "gli", "i", "il", "in", "l",
    "la", "le", "lo", "nel", "nella", "of", "per", "su", "sul", "the", "to", "un", "una", "uno",
];

/// The significant folded words of a name, in order.
fn words(name: &str) -> Vec<String> {
    fold(name)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && !STOPWORDS.contains(w))
        .map(str::to_owned)
        .collect()
}

/// Whether two names are similar enough to flag their listings as possible duplicates.
pub fn similar_names(a: &str, b: &str) -> bool {
    let (wa, wb) = (words(a), words(b));
    if wa.is_empty() || wb.is_empty() {
        return false;
    }
    let sa: BTreeSet<&str> = wa.iter().map(String::as_str).collect();
    let sb: BTreeSet<&str> = wb.iter().map(String::as_str).collect();
    let common = sa.intersection(&sb).count() as f64;
    let union = sa.union(&sb).count() as f64;
    if common / union >= JACCARD_THRESHOLD {
        return true;
    }
    // One name's words, in order, inside the other's (more than 4 letters, so that a lone
    // "Casa" does not match every "Casa …").
    let (ja, jb) = (format!(" {} ", wa.join(" ")), format!(" {} ", wb.join(" ")));
    let (short, long) = if ja.len() <= jb.len() {
        (&ja, &jb)
    } else {
        (&jb, &ja)
    };
    short.trim().len() > 4 && long.contains(short.as_str())
}

/// Published listings within [`DUPLICATE_RADIUS_M`] of `point`, nearest first, each
/// flagged when its name is similar to `name`; `exclude` (the listing itself, for a
/// change proposal) is left out.
pub fn nearby(
    index: &SpatialIndex,
    point: Coordinates,
    name: &str,
    exclude: Option<ServiceId>,
) -> Vec<Nearby> {
    let view = index.read();
    view.nearest(
        point,
        MAX_NEARBY + 1,
        &Filter::default(),
        Some(DUPLICATE_RADIUS_M),
    )
    .into_iter()
    .filter(|h| Some(h.listing.id()) != exclude)
    .take(MAX_NEARBY)
    .map(|h| Nearby {
        id: h.listing.id().0,
        name: h.listing.name().to_string(),
        address: h
            .listing
            .field(crate::index::Field::Address)
            .map(str::to_owned),
        distance_m: (h.distance_m * 10.0).round() / 10.0,
        possible_duplicate: similar_names(name, h.listing.name()),
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similar_and_different_names() {
        for (a, b) in [
            ("Caritas", "Centro d'ascolto Caritas"),
            ("Banco alimentare di Siena", "BANCO ALIMENTARE"),
            ("Centro diurno per anziani", "Centro Diurno Anziani"),
            ("Associazione Età Libera", "associazione eta libera onlus"),
            ("Sportello Famiglia", "Lo sportello famiglia del Comune"),
        ] {
            assert!(similar_names(a, b), "{a} / {b}");
            assert!(similar_names(b, a), "{b} / {a}");
        }
        for (a, b) in [
            ("Centro anziani", "Centro giovani"),
            ("Casa", "Casa della salute Val di Merse"),
            ("Mensa dei poveri", "Farmacia comunale"),
            ("", "Caritas"),
            ("di la", "di la"),
        ] {
            assert!(!similar_names(a, b), "{a} / {b}");
        }
    }
}
