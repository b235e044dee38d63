//! Geocoding: from what a citizen types ("via del Porrione 20", "Caritas", "Poggibonsi")
//! to points on the map.
//!
//! The page never calls a third-party geocoder itself: it asks `GET /api/geocode`, and the
//! server answers from a [`Geocoder`]. Two real implementations:
//!
//! - [`offline::OfflineGeocoder`], a gazetteer built from the directory's own published
//!   services: their names, the streets and the towns of their addresses. It needs no
//!   network and always answers.
//! - [`nominatim::NominatimGeocoder`], a client of a Nominatim-compatible server (the
//!   OpenStreetMap one by default), with a timeout, a cache, a throttle of one request per
//!   second (the public server's policy) and a back-off after a failure.
//!
//! [`WithFallback`] puts them together: the gazetteer's results first, then the remote
//! ones, and the gazetteer's alone whenever the remote fails or is slow.

pub mod nominatim;
pub mod offline;
pub mod towns;

use crate::domain::text::fold;
use crate::domain::{Coordinates, ServiceId};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use utoipa::ToSchema;

/// The most results one query returns.
pub const MAX_RESULTS: usize = 10;
/// The default number of results.
pub const DEFAULT_RESULTS: usize = 5;

/// What a result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PlaceKind {
    /// A service of the directory.
    Service,
    /// A street (or square): a point on it.
    Street,
    /// A town, village or locality.
    Place,
    /// A street address with its house number, or any other single point.
    Address,
}

/// Where a result comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PlaceSource {
    /// The directory's own published services.
    Directory,
    /// The Nominatim-compatible geocoder.
    Nominatim,
}

/// One result of a geocoding query.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// What to show, e.g. `Via del Porrione, Siena`.
    pub label: String,
    /// What it is.
    pub kind: PlaceKind,
    /// Where it comes from.
    pub source: PlaceSource,
    /// Where it is.
    pub point: Coordinates,
    /// The service, when `kind` is [`PlaceKind::Service`].
    pub service_id: Option<ServiceId>,
}

/// Why a geocoder gave no answer. The query text is never part of it: it may be a
/// citizen's home address, and errors end up in logs.
#[derive(Debug, thiserror::Error)]
pub enum GeocodeError {
    /// The remote geocoder failed (network, timeout, bad answer).
    #[error("remote geocoder unavailable: {0}")]
    Unavailable(String),
    /// The remote geocoder failed recently and is left alone for a while.
    #[error("remote geocoder skipped after a recent failure")]
    BackingOff,
    /// Waiting for the next request slot (one per second) would take longer than the
    /// timeout.
    #[error("remote geocoder busy: too many queries waiting")]
    Busy,
    /// The HTTP client cannot be built (bad User-Agent or URL).
    #[error("geocoder configuration: {0}")]
    Config(String),
}

/// Turns text into places.
#[async_trait]
pub trait Geocoder: Send + Sync {
    /// Up to `limit` places matching `query`, best first.
    async fn search(&self, query: &str, limit: usize) -> Result<Vec<Place>, GeocodeError>;
}

/// Which geocoder `mappatu serve` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum GeocoderKind {
    /// Only the gazetteer of the directory's services, streets and towns: no network.
    Offline,
    /// The gazetteer first, then a Nominatim-compatible server.
    #[default]
    Nominatim,
}

/// The default Nominatim-compatible endpoint.
pub const DEFAULT_NOMINATIM_URL: &str = "https://nominatim.openstreetmap.org";
/// The default time a remote query may take, in seconds.
pub const DEFAULT_TIMEOUT_SECS: f64 = 3.0;

/// The default User-Agent. Deployers must set their own, with a contact, under the
/// Nominatim usage policy.
pub fn default_user_agent() -> String {
    format!(
        "MappaTU/{} (+https://github.com/mappatu/mappatu; Sportello Famiglia Siena)",
        env!("CARGO_PKG_VERSION")
    )
}

/// The geocoder's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct GeocoderSettings {
    /// Which geocoder.
    pub kind: GeocoderKind,
    /// Base URL of the Nominatim-compatible server (`/search` is appended).
    pub url: String,
    /// The User-Agent sent to it.
    pub user_agent: String,
    /// How long a remote query may take.
    pub timeout: Duration,
}

impl Default for GeocoderSettings {
    fn default() -> Self {
        Self {
            kind: GeocoderKind::default(),
            url: DEFAULT_NOMINATIM_URL.to_string(),
            user_agent: default_user_agent(),
            timeout: Duration::from_secs_f64(DEFAULT_TIMEOUT_SECS),
        }
    }
}

/// Builds the geocoder the settings ask for, over the directory's gazetteer, and starts
/// building the gazetteer in the background.
pub fn from_settings(
    settings: &GeocoderSettings,
    offline: Arc<offline::OfflineGeocoder>,
    area: crate::domain::BoundingBox,
) -> Result<Arc<dyn Geocoder>, GeocodeError> {
    offline.warm_up();
    Ok(match settings.kind {
        GeocoderKind::Offline => offline,
        GeocoderKind::Nominatim => {
            let config = nominatim::NominatimConfig::new(
                &settings.url,
                &settings.user_agent,
                settings.timeout,
                area,
            );
            let remote = Arc::new(nominatim::NominatimGeocoder::new(config)?);
            Arc::new(WithFallback::new(offline, remote))
        }
    })
}

/// The gazetteer's results first, then the remote geocoder's; the gazetteer's alone when
/// the remote fails. Never fails itself.
pub struct WithFallback {
    offline: Arc<dyn Geocoder>,
    remote: Arc<dyn Geocoder>,
}

impl WithFallback {
    /// Puts a local and a remote geocoder together.
    pub fn new(offline: Arc<dyn Geocoder>, remote: Arc<dyn Geocoder>) -> Self {
        Self { offline, remote }
    }
}

#[async_trait]
impl Geocoder for WithFallback {
    async fn search(&self, query: &str, limit: usize) -> Result<Vec<Place>, GeocodeError> {
        let mut places = self.offline.search(query, limit).await.unwrap_or_default();
        // When the directory alone fills the answer, the remote server is not bothered:
        // fewer requests under its one-per-second policy, and a faster answer.
        if places.len() >= limit {
            return Ok(places);
        }
        match self.remote.search(query, limit).await {
            Ok(remote) => {
                for p in remote {
                    if places.len() >= limit {
                        break;
                    }
                    if !places.iter().any(|q| same_place(q, &p)) {
                        places.push(p);
                    }
                }
            }
            // The remote logs its own failures (once per back-off); the query is not logged.
            Err(e) => tracing::debug!("geocoding from the directory only: {e}"),
        }
        Ok(places)
    }
}

/// Whether two results name the same thing: the same first part of the label (`Via
/// Roma`), within a kilometre.
fn same_place(a: &Place, b: &Place) -> bool {
    let head = |p: &Place| fold(p.label.split(',').next().unwrap_or_default().trim());
    head(a) == head(b) && a.point.geodesic_distance_m(b.point) < 1000.0
}

/// A query folded for case and accents, cut into words of letters and digits, and joined
/// by single spaces: the cache key, and what the gazetteer matches.
pub fn normalise(query: &str) -> String {
    let folded = fold(query);
    let mut out = String::with_capacity(folded.len());
    for w in folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Result<Vec<Place>, ()>);

    #[async_trait]
    impl Geocoder for Fixed {
        async fn search(&self, _: &str, limit: usize) -> Result<Vec<Place>, GeocodeError> {
            match &self.0 {
                Ok(v) => Ok(v.iter().take(limit).cloned().collect()),
                Err(()) => Err(GeocodeError::Unavailable("down".into())),
            }
        }
    }

    fn place(label: &str, lat: f64, lon: f64, source: PlaceSource) -> Place {
        Place {
            label: label.into(),
            kind: PlaceKind::Street,
            source,
            point: Coordinates::new(lat, lon).unwrap(),
            service_id: None,
        }
    }

    #[tokio::test]
    async fn fallback_merges_local_first_and_survives_remote_failure() {
        let local = place("Via Roma, Siena", 43.3138, 11.3376, PlaceSource::Directory);
        let offline = Arc::new(Fixed(Ok(vec![local.clone()])));
        let remote = Arc::new(Fixed(Ok(vec![
            place(
                "Via Roma, Siena, Toscana",
                43.3140,
                11.3380,
                PlaceSource::Nominatim,
            ),
            place("Via Roma, Poggibonsi", 43.47, 11.15, PlaceSource::Nominatim),
        ])));
        let both = WithFallback::new(offline.clone(), remote);
        let got = both.search("via roma", 5).await.unwrap();
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0], local);
        assert_eq!(got[1].label, "Via Roma, Poggibonsi");

        let down = WithFallback::new(offline, Arc::new(Fixed(Err(()))));
        assert_eq!(down.search("via roma", 5).await.unwrap(), vec![local]);
    }

    #[test]
    fn normalise_folds_and_collapses() {
        assert_eq!(normalise("  Via  dei TERMINI, 6 "), "via dei termini 6");
        assert_eq!(normalise("Città"), "citta");
        assert_eq!(normalise(",;"), "");
    }
}
