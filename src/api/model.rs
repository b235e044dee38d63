//! The shapes of the public API's answers: GeoJSON (RFC 7946, positions are `[lon, lat]`)
//! and plain JSON. They borrow from the index so rendering a page copies no strings.

use crate::domain::{Category, Taxonomy, Wheelchair};
use crate::index::{Field, Listing};
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
    #[serde(serialize_with = "centimetres")]
    pub coordinates: [f64; 2],
}

impl PointGeometry {
    /// The GeoJSON Point of a position (lon, lat order).
    pub fn at(p: crate::domain::Coordinates) -> Self {
        Self {
            kind: "Point",
            coordinates: p.to_lon_lat(),
        }
    }
}

/// Seven decimals of a degree are about a centimetre; more digits are noise that every
/// answer would carry (RFC 7946 §11.2 advises trimming them).
fn centimetre_digits(c: [f64; 2]) -> [f64; 2] {
    c.map(|x| round_to(x, COORDINATE_DECIMALS))
}

/// `x` rounded to `decimals` decimals: the one rounding rule of the numbers answers write.
pub(super) fn round_to(x: f64, decimals: u32) -> f64 {
    let scale = 10_u32.pow(decimals) as f64;
    (x * scale).round() / scale
}

/// Decimals of a degree written in answers (about a centimetre).
pub(super) const COORDINATE_DECIMALS: u32 = 7;

/// Decimals of a metre written in distances (a decimetre).
pub(super) const DISTANCE_DECIMALS: u32 = 1;

fn centimetres<S: serde::Serializer>(c: &[f64; 2], s: S) -> Result<S::Ok, S::Error> {
    centimetre_digits(*c).serialize(s)
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
    /// Category slugs (see `/api/categories`), main category first.
    #[schema(value_type = Vec<String>)]
    pub categories: Slugs<'a>,
    /// Target-group slugs (see `/api/target-groups`); empty means everyone.
    #[schema(value_type = Vec<String>)]
    pub target_groups: Slugs<'a>,
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
    pub accessibility: AccessibilityView<'a>,
    /// Languages spoken at the desk: ISO 639-1 codes (`["it", "en"]`); left out when
    /// nobody said.
    #[serde(skip_serializing_if = "Languages::is_empty")]
    #[schema(value_type = Vec<String>, example = json!(["it", "en"]), max_items = 12)]
    pub languages: Languages<'a>,
    /// When a person last confirmed the data; null if never.
    pub verified_at: Option<DateTime<Utc>>,
    /// When the listing last changed.
    pub updated_at: DateTime<Utc>,
    /// Demonstration data, not a real listing.
    pub demo: bool,
    /// Geodesic distance from the query point in metres (nearest queries only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
    /// The bonuses and contributions asked for here (`/api/services/{id}` only; see
    /// `/api/benefits/{id}` for each one's details).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub benefits: Option<Vec<super::benefits::BenefitRef>>,
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
    /// Renders a listing; `now` decides `open_now`. Slugs come from `taxonomy`, the one
    /// the index was built with.
    pub fn new(
        l: &'a Listing,
        taxonomy: &'a Taxonomy,
        now: DateTime<Utc>,
        distance_m: Option<f64>,
    ) -> Self {
        let id = l.id().0;
        Self {
            kind: "Feature",
            id,
            geometry: PointGeometry::at(l.point()),
            properties: ServiceProperties {
                id,
                name: l.name(),
                organisation: l.field(Field::Organisation),
                description_it: l.field(Field::DescriptionIt),
                description_en: l.field(Field::DescriptionEn),
                categories: category_slugs(l, taxonomy),
                target_groups: target_slugs(l, taxonomy),
                address: l.field(Field::Address),
                phone: l.field(Field::Phone),
                email: l.field(Field::Email),
                website: l.field(Field::Website),
                opening_hours: l.hours().map(|h| h.raw()),
                open_now: l.hours().map(|h| h.is_open_at(now)),
                accessibility: AccessibilityView {
                    wheelchair: l.wheelchair(),
                    note_it: l.field(Field::AccessibilityNoteIt),
                    note_en: l.field(Field::AccessibilityNoteEn),
                },
                languages: Languages(l),
                verified_at: l.verified_at(),
                updated_at: l.updated_at(),
                demo: l.demo(),
                distance_m: distance_m.map(round_distance),
                benefits: None,
            },
        }
    }
}

/// A listing's languages, written as a list of codes with no vector built for it.
#[derive(Debug, Clone, Copy)]
pub struct Languages<'a>(&'a Listing);

impl Languages<'_> {
    /// Whether nobody said which languages are spoken.
    pub fn is_empty(&self) -> bool {
        self.0.languages().next().is_none()
    }
}

impl Serialize for Languages<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.languages())
    }
}

/// Accessibility information.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Accessibility)]
pub struct AccessibilityView<'a> {
    /// Wheelchair access (OpenStreetMap values).
    pub wheelchair: Wheelchair,
    /// Notes in Italian (entrance, lift, hearing loop, …).
    pub note_it: Option<&'a str>,
    /// Notes in English.
    pub note_en: Option<&'a str>,
}

/// The properties of a service in a list: what a results list shows. The full set is
/// one request away (`/api/services/{id}`, or `detail=full` on the list).
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceSummary<'a> {
    /// Identifier.
    pub id: i64,
    /// Name.
    pub name: &'a str,
    /// The organisation that runs it.
    pub organisation: Option<&'a str>,
    /// Category slugs, main category first.
    #[schema(value_type = Vec<String>)]
    pub categories: Slugs<'a>,
    /// Target-group slugs; empty means everyone.
    #[schema(value_type = Vec<String>)]
    pub target_groups: Slugs<'a>,
    /// Street address.
    pub address: Option<&'a str>,
    /// Opening hours in OpenStreetMap `opening_hours` syntax.
    pub opening_hours: Option<&'a str>,
    /// Whether it is open at the request time (or `at`), Europe/Rome; null when unknown.
    pub open_now: Option<bool>,
    /// Wheelchair access.
    pub wheelchair: Wheelchair,
    /// Demonstration data, not a real listing.
    pub demo: bool,
    /// Geodesic distance from the query point in metres (nearest queries only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
}

/// A service in a list, as a GeoJSON Feature.
// Not a generic `Feature<P>` shared with `ServiceFeature`: utoipa documents every
// instance of a generic under one name, and the description would lose the difference.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryFeature<'a> {
    /// Always `Feature`.
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub kind: &'static str,
    /// The service's identifier.
    pub id: i64,
    /// Where the service is.
    pub geometry: PointGeometry,
    /// What the service is, in short.
    pub properties: ServiceSummary<'a>,
}

impl<'a> SummaryFeature<'a> {
    /// Renders a listing in short; `now` decides `open_now`.
    pub fn new(
        l: &'a Listing,
        taxonomy: &'a Taxonomy,
        now: DateTime<Utc>,
        distance_m: Option<f64>,
    ) -> Self {
        let id = l.id().0;
        Self {
            kind: "Feature",
            id,
            geometry: PointGeometry::at(l.point()),
            properties: ServiceSummary {
                id,
                name: l.name(),
                organisation: l.field(Field::Organisation),
                categories: category_slugs(l, taxonomy),
                target_groups: target_slugs(l, taxonomy),
                address: l.field(Field::Address),
                opening_hours: l.hours().map(|h| h.raw()),
                open_now: l.hours().map(|h| h.is_open_at(now)),
                wheelchair: l.wheelchair(),
                demo: l.demo(),
                distance_m: distance_m.map(round_distance),
            },
        }
    }
}

/// A feature of a list: short by default, complete with `detail=full`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ListFeature<'a> {
    /// The default.
    Summary(SummaryFeature<'a>),
    /// With `detail=full`.
    Full(ServiceFeature<'a>),
}

impl<'a> ListFeature<'a> {
    /// Renders a listing, in short or in full.
    pub fn new(
        full: bool,
        l: &'a Listing,
        taxonomy: &'a Taxonomy,
        now: DateTime<Utc>,
        distance_m: Option<f64>,
    ) -> Self {
        if full {
            ListFeature::Full(ServiceFeature::new(l, taxonomy, now, distance_m))
        } else {
            ListFeature::Summary(SummaryFeature::new(l, taxonomy, now, distance_m))
        }
    }
}

/// Slugs written straight from a listing's bits: a list of strings in JSON, with no
/// vector built for it.
#[derive(Debug, Clone, Copy)]
pub struct Slugs<'a> {
    bits: SlugBits,
    list: &'a [Category],
}

#[derive(Debug, Clone, Copy)]
enum SlugBits {
    /// In the listing's own order (categories: the main one first).
    Ordered([u8; 8], usize),
    /// A bit set, in taxonomy order (target groups).
    Mask(u32),
}

impl<'a> Slugs<'a> {
    /// The slugs, in the order they are written.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let list = self.list;
        self.positions().map(move |bit| list[bit].slug.as_str())
    }

    /// The taxonomy positions (bits) of the slugs, in the order they are written. A bit
    /// the taxonomy no longer has is skipped, not shown as a blank.
    pub fn positions(&self) -> impl Iterator<Item = usize> + use<> {
        let len = self.list.len();
        SlugBitIter {
            bits: self.bits,
            next: 0,
        }
        .filter(move |bit| *bit < len)
    }
}

/// The bits of a [`SlugBits`], in order, whether or not the taxonomy has them.
#[derive(Debug, Clone)]
struct SlugBitIter {
    bits: SlugBits,
    /// Position in the listing's order, or the lowest bit not yet looked at.
    next: usize,
}

impl Iterator for SlugBitIter {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        match self.bits {
            SlugBits::Ordered(bits, n) => {
                let bit = *bits[..n].get(self.next)?;
                self.next += 1;
                Some(usize::from(bit))
            }
            SlugBits::Mask(mask) => {
                let rest = mask.checked_shr(self.next as u32).unwrap_or(0);
                if rest == 0 {
                    return None;
                }
                let bit = self.next + rest.trailing_zeros() as usize;
                self.next = bit + 1;
                Some(bit)
            }
        }
    }
}

impl Serialize for Slugs<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

fn category_slugs<'a>(l: &Listing, taxonomy: &'a Taxonomy) -> Slugs<'a> {
    let mut bits = [0u8; 8];
    let mut n = 0;
    for (slot, b) in bits.iter_mut().zip(l.category_bits()) {
        *slot = b as u8;
        n += 1;
    }
    Slugs {
        bits: SlugBits::Ordered(bits, n),
        list: &taxonomy.categories,
    }
}

fn target_slugs<'a>(l: &Listing, taxonomy: &'a Taxonomy) -> Slugs<'a> {
    Slugs {
        bits: SlugBits::Mask(l.target_mask()),
        list: &taxonomy.target_groups,
    }
}

/// Digits below a decimetre are noise, not precision.
fn round_distance(m: f64) -> f64 {
    round_to(m, DISTANCE_DECIMALS)
}

/// A GeoJSON FeatureCollection of services.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceCollection<'a> {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub kind: &'static str,
    /// The services: short by default, complete with `detail=full`.
    pub features: Vec<ListFeature<'a>>,
    /// How many services match in all (bounding-box queries only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<usize>,
    /// Pass as `cursor` to get the next page; null on the last page (bounding-box queries
    /// only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<Option<String>>,
}

/// What a marker and a results-list line need of a service: the map layer leaves out the
/// rest of the summary (target groups, the raw hours) to stay light with thousands of
/// services.
#[derive(Debug, Serialize, ToSchema)]
pub struct MapPointProperties<'a> {
    /// Identifier.
    pub id: i64,
    /// Name.
    pub name: &'a str,
    /// The organisation that runs it.
    pub organisation: Option<&'a str>,
    /// Category slugs, main category first.
    #[schema(value_type = Vec<String>)]
    pub categories: Slugs<'a>,
    /// Street address.
    pub address: Option<&'a str>,
    /// Whether it is open at the request time (or `at`), Europe/Rome; null when unknown.
    pub open_now: Option<bool>,
    /// Wheelchair access.
    pub wheelchair: Wheelchair,
    /// Demonstration data, not a real listing.
    pub demo: bool,
}

/// A service on the map layer, as a GeoJSON Feature.
#[derive(Debug, Serialize, ToSchema)]
pub struct MapPointFeature<'a> {
    /// Always `Feature`.
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub kind: &'static str,
    /// The service's identifier.
    pub id: i64,
    /// Where the service is.
    pub geometry: PointGeometry,
    /// What a marker and a list line show.
    pub properties: MapPointProperties<'a>,
}

impl<'a> MapPointFeature<'a> {
    /// Renders a listing for the map; `now` decides `open_now`.
    pub fn new(l: &'a Listing, taxonomy: &'a Taxonomy, now: DateTime<Utc>) -> Self {
        let id = l.id().0;
        Self {
            kind: "Feature",
            id,
            geometry: PointGeometry::at(l.point()),
            properties: MapPointProperties {
                id,
                name: l.name(),
                organisation: l.field(Field::Organisation),
                categories: category_slugs(l, taxonomy),
                address: l.field(Field::Address),
                open_now: l.hours().map(|h| h.is_open_at(now)),
                wheelchair: l.wheelchair(),
                demo: l.demo(),
            },
        }
    }
}

/// Every service of a map layer, in short.
#[derive(Debug, Serialize, ToSchema)]
pub struct PointCollection<'a> {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub kind: &'static str,
    /// The services, by ascending id.
    pub features: Vec<MapPointFeature<'a>>,
    /// How many services match in all.
    pub total: usize,
    /// True when more services match than one answer holds: ask for a smaller box.
    pub truncated: bool,
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
