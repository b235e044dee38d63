//! Well-known places citizens name without an address (`la stazione`, `the hospital`),
//! from `data/landmarks.json`, and the towns of the province of Siena. Only those inside the directory's area are used, so another
//! city's directory is not sent to Siena.

use super::interpret::ResolvedPlace;
use crate::domain::{BoundingBox, Coordinates, Lang};
use serde::Deserialize;
use std::sync::OnceLock;

#[derive(Debug, Deserialize)]
struct File {
    landmarks: Vec<Landmark>,
}

/// One well-known place.
#[derive(Debug, Deserialize)]
pub struct Landmark {
    label: String,
    label_en: String,
    lat: f64,
    lon: f64,
    names: Vec<String>,
}

/// Words that may stand before a landmark's name and say nothing of it.
const ARTICLES: &[&str] = &[
    "il", "lo", "la", "l", "i", "gli", "le", "the", "a", "al", "alla", "all", "allo",
];

fn key(text: &str) -> String {
    let words = crate::index::analyzer::words(text);
    let start = words
        .iter()
        .position(|w| !ARTICLES.contains(&w.as_str()))
        .unwrap_or(words.len());
    words[start..].join(" ")
}

/// The shipped landmarks.
pub fn all() -> &'static [Landmark] {
    static ALL: OnceLock<Vec<Landmark>> = OnceLock::new();
    ALL.get_or_init(|| {
        let file: File = serde_json::from_str(include_str!("../../data/landmarks.json"))
            .expect("data/landmarks.json is valid (a test checks it)");
        file.landmarks
    })
}

/// The landmarks in `area` one of whose names begins with what is being typed
/// (`staz` → the station), for suggestions.
pub fn starting_with(typed: &str, lang: Lang, area: &BoundingBox) -> Vec<ResolvedPlace> {
    let wanted = key(typed);
    if wanted.is_empty() {
        return Vec::new();
    }
    all()
        .iter()
        .filter(|l| l.names.iter().any(|n| key(n).starts_with(&wanted)))
        .filter_map(|l| find(&l.names[0], lang, area))
        .collect()
}

/// The landmark `name` names, if it lies in `area`.
pub fn find(name: &str, lang: Lang, area: &BoundingBox) -> Option<ResolvedPlace> {
    let wanted = key(name);
    if wanted.is_empty() {
        return None;
    }
    let landmark = all()
        .iter()
        .filter(|l| l.names.iter().any(|n| key(n) == wanted))
        .find_map(|l| {
            let point = Coordinates::new(l.lat, l.lon).ok()?;
            area.contains(point).then(|| ResolvedPlace {
                label: match lang {
                    Lang::It => l.label.clone(),
                    Lang::En => l.label_en.clone(),
                },
                point,
            })
        });
    landmark.or_else(|| {
        crate::geocode::towns::TOWNS
            .iter()
            .filter(|(name, _, _)| key(name) == wanted)
            .find_map(|(name, lat, lon)| {
                let point = Coordinates::new(*lat, *lon).ok()?;
                area.contains(point).then(|| ResolvedPlace {
                    label: name.to_string(),
                    point,
                })
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn landmarks_parse_and_are_found_by_any_name_with_articles() {
        let siena = BoundingBox::siena_province();
        assert!(all().len() >= 5);
        for l in all() {
            assert!(
                siena.contains(Coordinates::new(l.lat, l.lon).unwrap()),
                "{}",
                l.label
            );
        }
        let station = find("the station", Lang::En, &siena).unwrap();
        assert_eq!(station.label, "Siena railway station");
        assert_eq!(
            find("la Stazione", Lang::It, &siena).unwrap().label,
            "Stazione ferroviaria di Siena"
        );
        assert!(find("stazione di servizio", Lang::It, &siena).is_none());
        assert!(find("stazione", Lang::It, &BoundingBox::italy()).is_some());
        assert_eq!(
            find("Poggibonsi", Lang::It, &siena).unwrap().label,
            "Poggibonsi"
        );
        let started = starting_with("the sta", Lang::En, &siena);
        assert_eq!(started[0].label, "Siena railway station");
        let milan: BoundingBox = "9.0,45.3,9.4,45.6".parse().unwrap();
        assert!(find("stazione", Lang::It, &milan).is_none());
    }
}
