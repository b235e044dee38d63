//! A client of a Nominatim-compatible geocoder (`/search?format=jsonv2`).
//!
//! It follows the public server's usage policy
//! (<https://operations.osmfoundation.org/policies/nominatim/>): an identifying
//! User-Agent, at most one request per second, and results cached. Queries are bounded to
//! the directory's area, and results outside it are dropped anyway.
//!
//! It fails fast rather than slowly: every request has a timeout, a query that would wait
//! longer than half of it for its turn is not sent, and after a failure the server is left
//! alone for a back-off period, so a machine without network answers at once from the
//! gazetteer. The query text is never logged: it may be a citizen's home address.

use super::{GeocodeError, Geocoder, MAX_RESULTS, Place, PlaceKind, PlaceSource, normalise};
use crate::domain::{BoundingBox, Coordinates};
use async_trait::async_trait;
use moka::sync::Cache;
use parking_lot::Mutex;
use serde::Deserialize;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How a [`NominatimGeocoder`] talks to its server.
#[derive(Debug, Clone)]
pub struct NominatimConfig {
    /// Base URL; `/search` is appended.
    pub base_url: String,
    /// Sent with every request.
    pub user_agent: String,
    /// How long one query may take, waiting for its turn included.
    pub timeout: Duration,
    /// The directory's area: the search's view box, and the filter on results.
    pub area: BoundingBox,
    /// The least time between two requests (the public server allows one per second).
    pub min_interval: Duration,
    /// How long the server is left alone after a failure.
    pub backoff: Duration,
    /// How many queries the cache remembers.
    pub cache_capacity: usize,
    /// How long a cached answer is used.
    pub cache_ttl: Duration,
}

impl NominatimConfig {
    /// The settings of the public OpenStreetMap server's policy, for a server at `base_url`.
    pub fn new(base_url: &str, user_agent: &str, timeout: Duration, area: BoundingBox) -> Self {
        Self {
            base_url: base_url.to_string(),
            user_agent: user_agent.to_string(),
            timeout,
            area,
            min_interval: Duration::from_secs(1),
            backoff: Duration::from_secs(30),
            cache_capacity: 1000,
            cache_ttl: Duration::from_secs(24 * 3600),
        }
    }
}

/// The [`Geocoder`] that asks a Nominatim-compatible server.
pub struct NominatimGeocoder {
    client: reqwest::Client,
    search_url: reqwest::Url,
    config: NominatimConfig,
    /// Answers by normalised query, bounded and expiring (`moka`).
    cache: Cache<String, Arc<Vec<Place>>>,
    pacing: Mutex<Pacing>,
}

struct Pacing {
    /// When the next request may be sent.
    next_slot: Instant,
    /// No request before this, after a failure.
    down_until: Option<Instant>,
}

impl NominatimGeocoder {
    /// A client; fails when the URL or the User-Agent is not valid.
    pub fn new(config: NominatimConfig) -> Result<Self, GeocodeError> {
        let search_url = format!("{}/search", config.base_url.trim_end_matches('/'));
        let search_url = reqwest::Url::parse(&search_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| {
                GeocodeError::Config(format!("{:?} is not an http(s) URL", config.base_url))
            })?;
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .build()
            .map_err(|e| GeocodeError::Config(format!("HTTP client: {e}")))?;
        Ok(Self {
            client,
            search_url,
            cache: Cache::builder()
                .max_capacity(config.cache_capacity.max(1) as u64)
                .time_to_live(config.cache_ttl)
                .build(),
            pacing: Mutex::new(Pacing {
                next_slot: Instant::now(),
                down_until: None,
            }),
            config,
        })
    }

    /// Takes the next request slot: how long to wait for it.
    fn reserve(&self) -> Result<Duration, GeocodeError> {
        let mut p = self.pacing.lock();
        let now = Instant::now();
        if let Some(until) = p.down_until {
            if now < until {
                return Err(GeocodeError::BackingOff);
            }
            p.down_until = None;
        }
        let slot = p.next_slot.max(now);
        let wait = slot - now;
        // Waiting that long would leave too little of the timeout for the request.
        if wait > self.config.timeout / 2 {
            return Err(GeocodeError::Busy);
        }
        p.next_slot = slot + self.config.min_interval;
        Ok(wait)
    }

    fn failed(&self, e: &GeocodeError) {
        let mut p = self.pacing.lock();
        let first = p.down_until.is_none();
        p.down_until = Some(Instant::now() + self.config.backoff);
        if first {
            tracing::warn!(
                "geocoder {}: {e}; answering from the directory alone for {} s",
                self.search_url.origin().ascii_serialization(),
                self.config.backoff.as_secs()
            );
        }
    }

    async fn fetch(&self, query: &str) -> Result<Vec<Place>, GeocodeError> {
        let a = &self.config.area;
        let viewbox = format!(
            "{},{},{},{}",
            a.min_lon(),
            a.min_lat(),
            a.max_lon(),
            a.max_lat()
        );
        let limit = MAX_RESULTS.to_string();
        let res = self
            .client
            .get(self.search_url.clone())
            .query(&[
                ("format", "jsonv2"),
                ("q", query),
                ("limit", &limit),
                ("viewbox", &viewbox),
                ("bounded", "1"),
                ("countrycodes", "it"),
                ("accept-language", "it"),
            ])
            .send()
            .await
            .map_err(describe)?;
        if !res.status().is_success() {
            return Err(GeocodeError::Unavailable(format!(
                "answered HTTP {}",
                res.status().as_u16()
            )));
        }
        let raw: Vec<Raw> = res.json().await.map_err(describe)?;
        let mut places: Vec<Place> = Vec::with_capacity(raw.len());
        for r in raw {
            if let Some(p) = r.place(a)
                && !places.iter().any(|q| q.label == p.label)
            {
                places.push(p);
            }
        }
        Ok(places)
    }
}

/// What went wrong, without the URL: it holds the query.
fn describe(e: reqwest::Error) -> GeocodeError {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_decode() {
        "answered something that is not Nominatim JSON"
    } else {
        "request failed"
    };
    GeocodeError::Unavailable(what.to_string())
}

#[async_trait]
impl Geocoder for NominatimGeocoder {
    async fn search(&self, query: &str, limit: usize) -> Result<Vec<Place>, GeocodeError> {
        let key = normalise(query);
        if key.is_empty() {
            return Ok(Vec::new());
        }
        if let Some(hit) = self.cache.get(&key) {
            return Ok(hit.iter().take(limit).cloned().collect());
        }
        let wait = self.reserve()?;
        // Whitespace collapsed, accents kept: Nominatim folds them better than we would.
        let text = query.split_whitespace().collect::<Vec<_>>().join(" ");
        let answer = tokio::time::timeout(self.config.timeout, async {
            tokio::time::sleep(wait).await;
            self.fetch(&text).await
        })
        .await
        .unwrap_or_else(|_| Err(GeocodeError::Unavailable("timed out".into())));
        match answer {
            Ok(places) => {
                let places = Arc::new(places);
                self.cache.insert(key, places.clone());
                Ok(places.iter().take(limit).cloned().collect())
            }
            Err(e) => {
                self.failed(&e);
                Err(e)
            }
        }
    }
}

/// One result of `format=jsonv2` (`class` in the older `json` format).
#[derive(Debug, Deserialize)]
struct Raw {
    lat: String,
    lon: String,
    display_name: String,
    #[serde(default, alias = "class")]
    category: Option<String>,
    #[serde(default)]
    addresstype: Option<String>,
}

impl Raw {
    /// The result as a place, if it parses and lies in the area.
    fn place(self, area: &BoundingBox) -> Option<Place> {
        let lat: f64 = self.lat.trim().parse().ok()?;
        let lon: f64 = self.lon.trim().parse().ok()?;
        let point = Coordinates::new(lat, lon).ok()?;
        if !area.contains(point) {
            return None;
        }
        let category = self.category.as_deref().unwrap_or_default();
        let addresstype = self.addresstype.as_deref().unwrap_or_default();
        let kind = match (category, addresstype) {
            ("highway", _) | (_, "road") => PlaceKind::Street,
            ("place" | "boundary", _)
            | (
                _,
                "city" | "town" | "village" | "hamlet" | "suburb" | "quarter" | "neighbourhood"
                | "municipality" | "county" | "locality" | "isolated_dwelling",
            ) => PlaceKind::Place,
            _ => PlaceKind::Address,
        };
        let label = self
            .display_name
            .trim()
            .trim_end_matches(", Italia")
            .trim_end_matches(", Italy")
            .to_string();
        (!label.is_empty()).then_some(Place {
            label,
            kind,
            source: PlaceSource::Nominatim,
            point,
            service_id: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_is_bounded_and_expires() {
        let area = BoundingBox::siena_province();
        let mut config = NominatimConfig::new(
            "http://127.0.0.1:9",
            "MappaTU test",
            Duration::from_secs(1),
            area,
        );
        config.cache_capacity = 2;
        let g = NominatimGeocoder::new(config.clone()).unwrap();
        let places = |n: usize| {
            Arc::new(vec![Place {
                label: n.to_string(),
                kind: PlaceKind::Address,
                source: PlaceSource::Nominatim,
                point: Coordinates::new(43.3, 11.3).unwrap(),
                service_id: None,
            }])
        };
        g.cache.insert("a".into(), places(1));
        g.cache.insert("a".into(), places(3));
        assert_eq!(
            g.cache.get("a").map(|p| p[0].label.clone()),
            Some("3".into())
        );
        for i in 0..100 {
            g.cache.insert(format!("k{i}"), places(i));
        }
        g.cache.run_pending_tasks();
        assert!(g.cache.entry_count() <= 2, "{}", g.cache.entry_count());

        config.cache_ttl = Duration::ZERO;
        let short = NominatimGeocoder::new(config).unwrap();
        short.cache.insert("a".into(), places(1));
        assert!(short.cache.get("a").is_none());
    }

    #[test]
    fn results_map_to_kinds_and_leave_the_area() {
        let area = BoundingBox::siena_province();
        let raw: Vec<Raw> = serde_json::from_str(
            r#"[
              {"lat":"43.3172","lon":"11.3339","display_name":"Via del Porrione, Siena, Toscana, 53100, Italia","category":"highway","type":"residential","addresstype":"road"},
              {"lat":"43.4700","lon":"11.1400","display_name":"Poggibonsi, Siena, Toscana, Italia","category":"boundary","addresstype":"town"},
              {"lat":"43.3180","lon":"11.3310","display_name":"20, Via del Porrione, Siena","category":"building","addresstype":"building"},
              {"lat":"41.9","lon":"12.5","display_name":"Roma, Lazio, Italia","category":"boundary"},
              {"lat":"x","lon":"11.3","display_name":"broken"}
            ]"#,
        )
        .unwrap();
        let got: Vec<(String, PlaceKind)> = raw
            .into_iter()
            .filter_map(|r| r.place(&area))
            .map(|p| (p.label, p.kind))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "Via del Porrione, Siena, Toscana, 53100".to_string(),
                    PlaceKind::Street
                ),
                ("Poggibonsi, Siena, Toscana".to_string(), PlaceKind::Place),
                (
                    "20, Via del Porrione, Siena".to_string(),
                    PlaceKind::Address
                ),
            ]
        );
    }

    #[test]
    fn bad_urls_are_configuration_errors() {
        let area = BoundingBox::siena_province();
        for url in ["not a url", "ftp://example.org"] {
            let c = NominatimConfig::new(url, "MappaTU test", Duration::from_secs(1), area);
            assert!(matches!(
                NominatimGeocoder::new(c),
                Err(GeocodeError::Config(_))
            ));
        }
    }
}
