//! GeoJSON import (RFC 7946): a FeatureCollection, or a single Feature, of Points whose
//! properties are shaped like the public API's output (`name`, `categories`, `address`,
//! `accessibility`, …), so that one directory's export is another's import.
//!
//! Properties the API adds for readers (`id`, `status`, `distance_m`, `open_now`,
//! `verified_at`, …) are ignored. A feature that cannot be listed is skipped with its
//! 1-based number, so every feature of the file is a service or a skip; a file that is not
//! a Feature or FeatureCollection is an error, and so is an object with a key given twice
//! (`"features"` twice would otherwise drop the first list in silence).

use super::{
    Context, Format, ImportError, ImportOptions, Parsed, Place, SeenIds, Warning, check_point,
    check_slugs, normalise_website,
};
use crate::domain::service::ServiceDraft;
use crate::domain::{BoundingBox, Coordinates, Taxonomy};
use crate::store::NewService;
use ::geojson::{Geometry, Value as GeometryValue};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// The property that holds a feature's stable id when the options name none.
const DEFAULT_ID_PROPERTY: &str = "external_id";

/// Parses GeoJSON bytes: see the [module documentation](self).
pub fn parse(
    bytes: &[u8],
    opts: &ImportOptions,
    taxonomy: &Taxonomy,
    area: &BoundingBox,
) -> Result<Parsed, ImportError> {
    check_slugs(opts, taxonomy)?;
    let features = features(bytes)?;
    let ctx = Context {
        opts,
        taxonomy,
        area,
    };
    let mut parsed = Parsed::empty(Format::GeoJson, bytes, Vec::new());
    let mut seen = SeenIds::default();
    for (i, feature) in features.into_iter().enumerate() {
        let at = Place::Feature(i + 1);
        parsed.push(at, read_feature(feature, at, &ctx, &mut seen));
    }
    if let Some(key) = &opts.columns.id
        && !parsed.records.is_empty()
        && parsed.records.iter().all(|r| r.external_id.is_none())
    {
        // Most likely a typo in the option: without ids a re-import duplicates everything.
        parsed.warnings.push(Warning::file(format!(
            "no imported feature has the id property {key:?}: the services have no \
             external id, and importing the file again will add them again"
        )));
    }
    Ok(parsed)
}

/// The features of the file, still as JSON: one bad feature must not sink the others,
/// so each is converted on its own.
fn features(bytes: &[u8]) -> Result<Vec<Value>, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let json = serde_json::from_slice::<StrictValue>(bytes)
        .map_err(|e| ImportError::GeoJson(format!("not valid JSON: {e}")))?
        .0;
    let Value::Object(mut top) = json else {
        return Err(ImportError::GeoJson(format!(
            "expected a Feature or a FeatureCollection object, found {}",
            kind(&json)
        )));
    };
    match top.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => match top.remove("features") {
            Some(Value::Array(features)) => Ok(features),
            _ => Err(ImportError::GeoJson(
                "the FeatureCollection has no \"features\" array".into(),
            )),
        },
        Some("Feature") => Ok(vec![Value::Object(top)]),
        Some(other) => Err(ImportError::GeoJson(format!(
            "expected a Feature or a FeatureCollection, found a {other}"
        ))),
        None => Err(ImportError::GeoJson(
            "the top-level object has no \"type\": it is not GeoJSON".into(),
        )),
    }
}

/// One feature: a service and its warnings, or why it was skipped.
fn read_feature(
    feature: Value,
    row: Place,
    ctx: &Context<'_>,
    seen: &mut SeenIds,
) -> Result<(NewService, Vec<Warning>), String> {
    let Value::Object(mut feature) = feature else {
        return Err(format!("is {}, not a Feature", kind(&feature)));
    };
    match feature.get("type").and_then(Value::as_str) {
        Some("Feature") => {}
        Some(other) => return Err(format!("is a {other}, not a Feature")),
        None => return Err("has no \"type\": it is not a Feature".into()),
    }
    let mut properties = match feature.remove("properties") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(properties)) => properties,
        Some(other) => return Err(format!("properties is {}, not an object", kind(&other))),
    };
    let external_id = external_id(&properties, feature.get("id"), ctx.opts)?;
    if let Some(id) = &external_id {
        seen.check(id, row)?;
    }
    let point = point(feature.remove("geometry"), ctx.area)?;
    // `null` means "not given" in the API's output; serde would refuse it for lists.
    properties.retain(|_, v| !v.is_null());
    let draft = draft(properties, ctx.opts)?;
    let (data, warnings) = super::validate(draft, point, ctx, "properties.", row)?;
    let record = NewService {
        external_id,
        status: ctx.opts.status,
        data,
    };
    Ok((record, warnings))
}

/// The feature's stable id: the property the options name, else `external_id`; a string or
/// a number. With `id` named, the feature's own RFC 7946 `id` member counts too.
fn external_id(
    properties: &Map<String, Value>,
    feature_id: Option<&Value>,
    opts: &ImportOptions,
) -> Result<Option<String>, String> {
    let key = opts.columns.id.as_deref().unwrap_or(DEFAULT_ID_PROPERTY);
    let value = match properties.get(key) {
        None if key == "id" => feature_id,
        value => value,
    };
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(format!(
            "properties.{key} is {}: an id must be a string or a number",
            kind(other)
        )),
    }
}

/// The feature's point, checked against the directory's area.
fn point(geometry: Option<Value>, area: &BoundingBox) -> Result<Coordinates, String> {
    let geometry = match geometry {
        None | Some(Value::Null) => return Err("no geometry".into()),
        Some(geometry) => geometry,
    };
    let geometry = Geometry::from_json_value(geometry)
        .map_err(|e| format!("geometry is not valid GeoJSON: {e}"))?;
    match geometry.value {
        // RFC 7946 positions are [longitude, latitude, optional altitude]: lon comes first.
        GeometryValue::Point(position) => match position.as_slice() {
            [lon, lat, ..] => check_point(*lat, *lon, area),
            _ => Err("the Point has fewer than two coordinates".into()),
        },
        other => Err(format!(
            "geometry is a {}: only a Point can be listed",
            other.type_name()
        )),
    }
}

/// The properties as a draft, with the options' categories, target groups and demo flag
/// filling in what the feature does not say.
fn draft(properties: Map<String, Value>, opts: &ImportOptions) -> Result<ServiceDraft, String> {
    let properties = Value::Object(properties);
    let mut draft =
        ServiceDraft::deserialize(&properties).map_err(|e| wrong_type(&properties, e))?;
    if draft.categories.is_empty() {
        draft.categories = opts.categories.clone();
    }
    if draft.target_groups.is_empty() {
        draft.target_groups = opts.target_groups.clone();
    }
    if opts.demo {
        draft.demo = Some(true);
    }
    draft.website = draft.website.map(normalise_website);
    Ok(draft)
}

/// serde's message says what type was wanted but not where: find the property by
/// deserializing each one alone.
fn wrong_type(properties: &Value, error: serde_json::Error) -> String {
    let culprit = properties
        .as_object()
        .into_iter()
        .flatten()
        .find_map(|(k, v)| {
            let alone = Value::Object(Map::from_iter([(k.clone(), v.clone())]));
            ServiceDraft::deserialize(&alone)
                .err()
                .map(|e| format!("properties.{k}: {e}"))
        });
    culprit.unwrap_or_else(|| format!("properties: {error}"))
}

/// A JSON value read like [`Value`], except that an object with a key given twice is an
/// error: JSON readers keep one of the two in silence (serde_json the last), so a file
/// with two `"features"` lists would lose the first one's features unseen.
struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "the key {key:?} is given twice in one object, and a reader keeps only one \
                     of the two"
                )));
            }
            let StrictValue(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// What a JSON value is, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Status, Wheelchair};
    use crate::import::{ColumnMap, Format, parse_bytes};
    use serde_json::json;

    fn opts() -> ImportOptions {
        ImportOptions {
            format: Some(Format::GeoJson),
            status: Status::Pending,
            categories: Vec::new(),
            target_groups: Vec::new(),
            columns: ColumnMap::default(),
            delimiter: None,
            demo: false,
        }
    }

    fn parse_with(json: &Value, opts: &ImportOptions) -> Result<Parsed, ImportError> {
        parse_bytes(
            json.to_string().as_bytes(),
            Format::GeoJson,
            opts,
            &Taxonomy::default_set(),
            &BoundingBox::siena_province(),
        )
    }

    /// Parses a file's bytes as they are, with the default options.
    fn parse_raw(bytes: &[u8]) -> Result<Parsed, ImportError> {
        parse_bytes(
            bytes,
            Format::GeoJson,
            &opts(),
            &Taxonomy::default_set(),
            &BoundingBox::siena_province(),
        )
    }

    fn collection(features: Vec<Value>) -> Value {
        json!({ "type": "FeatureCollection", "features": features })
    }

    /// A feature at [lon, lat] with the given properties.
    fn feature(lon: f64, lat: f64, properties: Value) -> Value {
        json!({
            "type": "Feature",
            "geometry": { "type": "Point", "coordinates": [lon, lat] },
            "properties": properties,
        })
    }

    fn reasons(p: &Parsed) -> Vec<(usize, &str)> {
        p.skipped
            .iter()
            .map(|s| (s.at.start(), s.reason.as_str()))
            .collect()
    }

    #[test]
    fn the_apis_output_imports_with_every_field() {
        let full = feature(
            11.3317,
            43.3183,
            json!({
                "id": 7, "status": "published", "distance_m": 12.5, "open_now": true,
                "verified_at": null, "external_id": 4521,
                "name": "Sportello Famiglia", "organisation": "Comune di Siena",
                "description_it": "Informazioni su bonus e contributi",
                "description_en": "Information on allowances",
                "categories": ["economic-support", "listening-guidance"],
                "target_groups": ["minors-families"],
                "address": "Piazza del Campo 1, 53100 Siena",
                "phone": "+39 0577 292111", "email": "sportello@example.org",
                "website": "https://example.org/sportello",
                "opening_hours": "Mo,We 10:00-13:00; Tu 15:00-18:00",
                "accessibility": { "wheelchair": "yes", "note_it": "Ascensore", "note_en": null },
                "demo": false
            }),
        );
        let p = parse_with(&collection(vec![full]), &opts()).unwrap();
        assert_eq!((p.rows, p.records.len()), (1, 1), "{:?}", p.skipped);
        assert!(p.warnings.is_empty());
        let r = &p.records[0];
        assert_eq!(r.external_id.as_deref(), Some("4521"));
        assert_eq!(r.status, Status::Pending);
        let d = &r.data;
        assert_eq!(d.point.lat(), 43.3183, "GeoJSON is [lon, lat]");
        assert_eq!(d.point.lon(), 11.3317);
        assert_eq!(d.categories, ["economic-support", "listening-guidance"]);
        assert_eq!(d.target_groups, ["minors-families"]);
        assert_eq!(d.organisation.as_deref(), Some("Comune di Siena"));
        assert_eq!(
            d.description_en.as_deref(),
            Some("Information on allowances")
        );
        assert_eq!(d.accessibility.wheelchair, Wheelchair::Yes);
        assert_eq!(d.accessibility.note_it.as_deref(), Some("Ascensore"));
        assert!(d.opening_hours.is_some());
        assert!(!d.demo);
    }

    #[test]
    fn options_fill_in_what_a_feature_does_not_say() {
        let bare = feature(11.33, 43.32, json!({ "name": "Centro", "demo": false }));
        let single = json!({ "type": "Feature", "geometry": bare["geometry"], "properties": bare["properties"] });
        let o = ImportOptions {
            categories: vec!["food-aid".into()],
            target_groups: vec!["homeless".into()],
            demo: true,
            ..opts()
        };
        let p = parse_with(&single, &o).unwrap();
        assert_eq!(p.rows, 1);
        let d = &p.records[0].data;
        assert_eq!(d.categories, ["food-aid"]);
        assert_eq!(d.target_groups, ["homeless"]);
        assert!(d.demo, "the demo option wins over the feature");
        assert_eq!(p.records[0].external_id, None);
    }

    #[test]
    fn bad_features_are_skipped_with_their_number_and_reason() {
        let named = |n: &str| json!({ "name": n, "categories": ["health"] });
        let features = vec![
            json!({ "type": "Feature", "geometry": null, "properties": named("no geometry") }),
            json!({ "type": "Feature", "properties": named("missing geometry") }),
            json!({ "type": "Feature", "properties": named("area"),
                    "geometry": { "type": "Polygon", "coordinates": [[[11.3, 43.3], [11.4, 43.3], [11.4, 43.4], [11.3, 43.3]]] } }),
            json!({ "type": "Feature", "properties": named("strings"),
                    "geometry": { "type": "Point", "coordinates": ["11.3", "43.3"] } }),
            feature(0.0, 0.0, named("placeholder")),
            feature(12.5, 41.9, named("Rome")),
            feature(
                11.33,
                43.32,
                json!({ "name": "wrong type", "categories": "health" }),
            ),
            feature(11.33, 43.32, json!({ "categories": ["health"] })),
            json!({ "type": "Point", "coordinates": [11.3, 43.3] }),
            json!("not even an object"),
            json!({ "type": "Feature", "geometry": null, "properties": [1, 2] }),
            feature(
                11.33,
                43.32,
                json!({ "name": "unknown", "categories": ["nope"] }),
            ),
            feature(11.33, 43.32, named("good")),
        ];
        let p = parse_with(&collection(features), &opts()).unwrap();
        assert_eq!(p.rows, 13);
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.records[0].data.name, "good");
        let r = reasons(&p);
        assert_eq!(r[0], (1, "no geometry"));
        assert_eq!(r[1], (2, "no geometry"));
        assert_eq!(
            r[2],
            (3, "geometry is a Polygon: only a Point can be listed")
        );
        assert_eq!(r[3].0, 4);
        assert!(
            r[3].1.starts_with("geometry is not valid GeoJSON"),
            "{}",
            r[3].1
        );
        assert_eq!(r[4], (5, "coordinates 0,0 are a placeholder, not a place"));
        assert_eq!(r[5].0, 6);
        assert!(r[5].1.contains("is outside the directory's area"));
        assert_eq!(r[6].0, 7);
        assert!(
            r[6].1
                .starts_with("properties.categories: invalid type: string"),
            "{}",
            r[6].1
        );
        assert_eq!(r[7], (8, "properties.name: is required"));
        assert_eq!(r[8], (9, "is a Point, not a Feature"));
        assert_eq!(r[9], (10, "is a string, not a Feature"));
        assert_eq!(r[10], (11, "properties is an array, not an object"));
        assert_eq!(
            r[11],
            (12, "properties.categories: unknown category \"nope\"")
        );
    }

    #[test]
    fn a_bad_email_is_dropped_with_a_warning() {
        let f = feature(
            11.33,
            43.32,
            json!({ "name": "Centro", "categories": ["health"], "email": "scrivici qui", "website": "www.esempio.it" }),
        );
        let p = parse_with(&collection(vec![f]), &opts()).unwrap();
        let d = &p.records[0].data;
        assert_eq!(d.email, None);
        assert_eq!(d.website.as_deref(), Some("http://www.esempio.it"));
        assert_eq!(p.warnings.len(), 1);
        assert_eq!(p.warnings[0].at, Some(Place::Feature(1)));
        assert!(
            p.warnings[0]
                .message
                .starts_with("properties.email dropped: must be an email address")
        );
    }

    #[test]
    fn ids_come_from_the_named_property_and_repeats_are_skipped() {
        let with = |code: Value| {
            feature(
                11.33,
                43.32,
                json!({ "name": "x", "categories": ["health"], "codice": code }),
            )
        };
        let features = vec![
            with(json!("A1")),
            with(json!(" A1 ")),
            with(json!(7)),
            with(json!(true)),
        ];
        let o = ImportOptions {
            columns: ColumnMap {
                id: Some("codice".into()),
                ..Default::default()
            },
            ..opts()
        };
        let p = parse_with(&collection(features), &o).unwrap();
        let ids: Vec<_> = p.records.iter().map(|r| r.external_id.as_deref()).collect();
        assert_eq!(ids, [Some("A1"), Some("7")]);
        assert_eq!(
            reasons(&p),
            [
                (2, "duplicate id A1, first seen on feature 1"),
                (
                    4,
                    "properties.codice is a boolean: an id must be a string or a number"
                )
            ]
        );
    }

    #[test]
    fn the_feature_id_member_counts_when_id_is_named() {
        let mut f = feature(
            11.33,
            43.32,
            json!({ "name": "x", "categories": ["health"] }),
        );
        f["id"] = json!("osm-node-1");
        let o = ImportOptions {
            columns: ColumnMap {
                id: Some("id".into()),
                ..Default::default()
            },
            ..opts()
        };
        let p = parse_with(&collection(vec![f.clone()]), &o).unwrap();
        assert_eq!(p.records[0].external_id.as_deref(), Some("osm-node-1"));
        // Without the option, the API's own ids are not taken for external ones.
        let p = parse_with(&collection(vec![f]), &opts()).unwrap();
        assert_eq!(p.records[0].external_id, None);
    }

    #[test]
    fn an_id_property_that_no_feature_has_is_a_warning() {
        let f = feature(
            11.33,
            43.32,
            json!({ "name": "x", "categories": ["health"] }),
        );
        let o = ImportOptions {
            columns: ColumnMap {
                id: Some("codice".into()),
                ..Default::default()
            },
            ..opts()
        };
        let p = parse_with(&collection(vec![f]), &o).unwrap();
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.warnings.len(), 1);
        assert_eq!(p.warnings[0].at, None);
        assert!(p.warnings[0].message.contains("\"codice\""));
    }

    #[test]
    fn files_that_are_not_features_are_errors() {
        let cases: [(&[u8], &str); 5] = [
            (b"{ not json", "not valid JSON"),
            (b"[1, 2]", "found an array"),
            (
                br#"{"type":"Point","coordinates":[11.3,43.3]}"#,
                "found a Point",
            ),
            (br#"{"type":"FeatureCollection"}"#, "no \"features\" array"),
            (br#"{"name":"x"}"#, "no \"type\""),
        ];
        for (bytes, expected) in cases {
            let err = parse_raw(bytes).unwrap_err();
            assert!(matches!(err, ImportError::GeoJson(_)), "{err}");
            assert!(err.to_string().contains(expected), "{err}");
        }
    }

    #[test]
    fn a_key_given_twice_refuses_the_file() {
        // serde_json alone keeps the last "features": the first two would vanish unseen.
        let f = |name: &str| {
            feature(
                11.33,
                43.32,
                json!({ "name": name, "categories": ["health"] }),
            )
        };
        let text = format!(
            r#"{{"type": "FeatureCollection", "features": [{}, {}],
"features": [{}]}}"#,
            f("uno"),
            f("due"),
            f("tre")
        );
        let err = parse_raw(text.as_bytes()).unwrap_err();
        assert!(matches!(err, ImportError::GeoJson(_)), "{err}");
        let message = err.to_string();
        assert!(
            message.contains("the key \"features\" is given twice") && message.contains("line 2"),
            "{message}"
        );
        // Inside a feature too: which name would be the listing's?
        let text = r#"{"type": "Feature", "geometry": {"type": "Point", "coordinates": [11.33, 43.32]},
            "properties": {"name": "A", "categories": ["health"], "name": "B"}}"#;
        let err = parse_raw(text.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("\"name\" is given twice"), "{err}");
    }

    #[test]
    fn every_feature_is_a_service_or_a_skip_and_file_text_is_escaped() {
        let features = vec![
            json!(null),
            json!({ "type": "\u{1b}[2JFeature" }),
            feature(
                11.33,
                43.32,
                json!({ "name": "x", "categories": ["health"], "\u{1b}]0;key\u{7}": true, "wheelchair": 1 }),
            ),
            feature(
                11.33,
                43.32,
                json!({ "name": "buona", "categories": ["health"] }),
            ),
        ];
        let p = parse_with(&collection(features), &opts()).unwrap();
        assert_eq!(p.rows, 4);
        assert_eq!(p.records.len() + p.skipped.len(), p.rows);
        assert_eq!(p.lines, None, "GeoJSON is accounted for by feature");
        let shown: Vec<String> = p.skipped.iter().map(ToString::to_string).collect();
        assert_eq!(shown[0], "feature 1: is null, not a Feature");
        assert_eq!(shown[1], "feature 2: is a \\u{1b}[2JFeature, not a Feature");
        assert!(
            shown
                .iter()
                .all(|s| !s.chars().any(crate::import::escape::is_unsafe))
        );
    }

    #[test]
    fn unknown_option_slugs_are_errors_for_geojson_too() {
        let o = ImportOptions {
            categories: vec!["nope".into()],
            ..opts()
        };
        assert!(matches!(
            parse_with(&collection(Vec::new()), &o),
            Err(ImportError::UnknownCategory { .. })
        ));
    }
}
