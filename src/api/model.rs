//! The shapes of the public API's answers: GeoJSON (RFC 7946, positions are `[lon, lat]`)
//! and plain JSON. They borrow from the index so rendering a page copies no strings.

use crate::domain::{Accessibility, Category, Service};
use crate::index::Listing;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// A GeoJSON Point.
#[derive(Debug, Serialize, ToSchema)]
pub struct PointGeometry {
    /// Always `Point`.
    #[serde(rename = "type")]
    #[schema(example = "Point")]
    pub kind: &'static str,
    /// `[longitude, latitude]` in WGS84 degrees (RFC 7946 order).
    #[schema(example = json!([11.3317, 43.3183]))]
    pub coordinates: [f64; 2],
}

/// The public properties of a service.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceProperties<'a> {
    /// Identifier.
    pub id: i64,
    /// Name.
    pub name: &'a str,
    /// The organisation that runs it.
    pub organisation: Option<&'a str>,
    /// Description in Italian.
    pub description_it: Option<&'a str>,
    /// Description in English.
    pub description_en: Option<&'a str>,
    /// Category slugs (see `/api/categories`).
    pub categories: &'a [String],
    /// Target-group slugs (see `/api/target-groups`); empty means everyone.
    pub target_groups: &'a [String],
    /// Street address.
    pub address: Option<&'a str>,
    /// Phone number.
    pub phone: Option<&'a str>,
    /// Email address.
    pub email: Option<&'a str>,
    /// Website.
    pub website: Option<&'a str>,
    /// Opening hours in OpenStreetMap `opening_hours` syntax.
    #[schema(example = "Mo,We 10:00-13:00; Tu 15:00-18:00")]
    pub opening_hours: Option<&'a str>,
    /// Whether it is open at the request time (or `at`), Europe/Rome; null when the hours
    /// are unknown.
    pub open_now: Option<bool>,
    /// Accessibility.
    pub accessibility: &'a Accessibility,
    /// When a person last confirmed the data; null if never.
    pub verified_at: Option<DateTime<Utc>>,
    /// When the listing last changed.
    pub updated_at: DateTime<Utc>,
    /// Demonstration data, not a real listing.
    pub demo: bool,
    /// Geodesic distance from the query point in metres (nearest queries only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
}

/// A service as a GeoJSON Feature.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceFeature<'a> {
    /// Always `Feature`.
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub kind: &'static str,
    /// The service's identifier.
    pub id: i64,
    /// Where the service is.
    pub geometry: PointGeometry,
    /// What the service is.
    pub properties: ServiceProperties<'a>,
}

impl<'a> ServiceFeature<'a> {
    /// Renders a service; `now` decides `open_now`.
    pub fn new(service: &'a Service, now: DateTime<Utc>, distance_m: Option<f64>) -> Self {
        let d = &service.data;
        Self {
            kind: "Feature",
            id: service.id.0,
            geometry: PointGeometry {
                kind: "Point",
                coordinates: d.point.to_lon_lat(),
            },
            properties: ServiceProperties {
                id: service.id.0,
                name: &d.name,
                organisation: d.organisation.as_deref(),
                description_it: d.description_it.as_deref(),
                description_en: d.description_en.as_deref(),
                categories: &d.categories,
                target_groups: &d.target_groups,
                address: d.address.as_deref(),
                phone: d.phone.as_deref(),
                email: d.email.as_deref(),
                website: d.website.as_deref(),
                opening_hours: d.opening_hours.as_ref().map(|h| h.raw()),
                open_now: d.opening_hours.as_ref().map(|h| h.is_open_at(now)),
                accessibility: &d.accessibility,
                verified_at: service.verified_at,
                updated_at: service.updated_at,
                demo: d.demo,
                // Digits below a decimetre are noise, not precision.
                distance_m: distance_m.map(|m| (m * 10.0).round() / 10.0),
            },
        }
    }

    /// Renders a listing from the index.
    pub fn from_listing(l: &'a Listing, now: DateTime<Utc>, distance_m: Option<f64>) -> Self {
        Self::new(&l.service, now, distance_m)
    }
}

/// A GeoJSON FeatureCollection of services.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceCollection<'a> {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub kind: &'static str,
    /// The services.
    pub features: Vec<ServiceFeature<'a>>,
    /// How many services match in all (bounding-box queries only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<usize>,
    /// Pass as `cursor` to get the next page; null on the last page (bounding-box queries
    /// only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<Option<String>>,
}

/// The service's state.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `degraded` when the database does not answer.
    #[schema(example = "ok")]
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    #[schema(example = "sqlite")]
    pub store: &'static str,
    /// Whether the database answered just now.
    pub store_reachable: bool,
    /// Published services (those in the index).
    pub published_services: usize,
    /// How many of them are demonstration data.
    pub demo_services: usize,
    /// The directory's area, `[minLon, minLat, maxLon, maxLat]`.
    pub area: [f64; 4],
    /// Server version.
    pub version: &'static str,
}

/// A list of categories or target groups.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaxonomyList {
    /// The entries, in display order.
    pub items: Vec<Category>,
}

/// Name and version of the server.
#[derive(Debug, Serialize, ToSchema)]
pub struct Version {
    /// Always `mappatu`.
    pub name: &'static str,
    /// Semantic version.
    #[schema(example = "0.1.0")]
    pub version: &'static str,
}
