//! The public, read-only API: health, taxonomy and service queries.

use super::model::{
    Health, MapPointFeature, PointCollection, ServiceCollection, ServiceFeature, TaxonomyList,
    Version,
};
use super::params::{
    DEFAULT_K, DEFAULT_LIMIT, MAX_DISTANCE_M, MAX_K, MAX_LIMIT, MAX_POINTS, Params,
};
use super::path::Path;
use super::{AppError, AppState, ErrorBody, ListAnswer};
use crate::domain::ServiceId;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::sync::LazyLock;
use utoipa::IntoParams;
use utoipa::openapi::path::ParameterIn;

/// Parameters of `GET /api/services/nearest`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Documents the parameters; `Params` parses them.
pub struct NearestQuery {
    /// Latitude of the origin, WGS84 degrees (-90..90).
    #[param(example = 43.318)]
    lat: f64,
    /// Longitude of the origin, WGS84 degrees (-180..180).
    #[param(example = 11.331)]
    lon: f64,
    /// How many services, 1 to 100 (default 10).
    #[param(minimum = 1, maximum = 100, example = 10)]
    k: Option<u32>,
    /// Comma-separated category slugs; a service in any of them matches.
    #[param(example = "food-aid,health")]
    category: Option<String>,
    /// Comma-separated target-group slugs; a service for any of them matches.
    #[param(example = "elderly")]
    target: Option<String>,
    /// Words to find in name, organisation or descriptions (at most 200 characters): every
    /// word must occur, in any of its everyday forms (Italian and English stems), as the
    /// beginning of a longer word, or despite a typo in words of 5 letters or more; case
    /// and accents are ignored.
    #[param(example = "mensa")]
    q: Option<String>,
    /// Leave out services farther than this many metres (up to 2 000 000).
    #[param(minimum = 0, maximum = 2000000, example = 2000)]
    max_distance_m: Option<f64>,
    /// Only services open now (Europe/Rome time, or at `at`).
    open_now: Option<bool>,
    /// Evaluate `open_now` at this RFC 3339 time instead of the request time.
    #[param(example = "2026-11-23T10:30:00+01:00")]
    at: Option<DateTime<Utc>>,
    /// `yes`: only services with full wheelchair access; `limited`: full or partial.
    #[param(example = "yes")]
    wheelchair: Option<String>,
    /// Comma-separated ISO 639-1 language codes; a service whose desk speaks any of them
    /// matches.
    #[param(example = "en")]
    lang_spoken: Option<String>,
    /// `summary` (default: what a results list shows) or `full` (every public field).
    #[param(example = "summary")]
    detail: Option<String>,
}

/// Parameters of `GET /api/services`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Documents the parameters; `Params` parses them.
pub struct ListQuery {
    /// `minLon,minLat,maxLon,maxLat` (WGS84 degrees); default: the directory's area.
    #[param(example = "11.30,43.30,11.36,43.34")]
    bbox: Option<String>,
    /// Comma-separated category slugs; a service in any of them matches.
    category: Option<String>,
    /// Comma-separated target-group slugs; a service for any of them matches.
    target: Option<String>,
    /// Words to find in name, organisation or descriptions (at most 200 characters): every
    /// word must occur, in any of its everyday forms (Italian and English stems), as the
    /// beginning of a longer word, or despite a typo in words of 5 letters or more; case
    /// and accents are ignored.
    #[param(example = "carita")]
    q: Option<String>,
    /// Only services open now (Europe/Rome time, or at `at`).
    open_now: Option<bool>,
    /// Evaluate `open_now` at this RFC 3339 time instead of the request time.
    at: Option<DateTime<Utc>>,
    /// `yes`: only services with full wheelchair access; `limited`: full or partial.
    #[param(example = "yes")]
    wheelchair: Option<String>,
    /// Comma-separated ISO 639-1 language codes; a service whose desk speaks any of them
    /// matches.
    #[param(example = "en")]
    lang_spoken: Option<String>,
    /// Page size, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// `summary` (default: what a results list shows) or `full` (every public field).
    detail: Option<String>,
}

/// Parameters of `GET /api/services/points`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Documents the parameters; `Params` parses them.
pub struct PointsQuery {
    /// `minLon,minLat,maxLon,maxLat` (WGS84 degrees); default: the directory's area.
    #[param(example = "11.30,43.30,11.36,43.34")]
    bbox: Option<String>,
    /// Comma-separated category slugs; a service in any of them matches.
    category: Option<String>,
    /// Comma-separated target-group slugs; a service for any of them matches.
    target: Option<String>,
    /// Words to find in name, organisation or descriptions (see `/api/services`).
    q: Option<String>,
    /// Only services open now (Europe/Rome time, or at `at`).
    open_now: Option<bool>,
    /// Evaluate `open_now` at this RFC 3339 time instead of the request time.
    at: Option<DateTime<Utc>>,
    /// `yes`: only services with full wheelchair access; `limited`: full or partial.
    #[param(example = "yes")]
    wheelchair: Option<String>,
    /// Comma-separated ISO 639-1 language codes; a service whose desk speaks any of them
    /// matches.
    #[param(example = "en")]
    lang_spoken: Option<String>,
}

/// The parameter names a documented query struct declares.
pub(crate) fn names<P: IntoParams>() -> Vec<&'static str> {
    P::into_params(|| Some(ParameterIn::Query))
        .into_iter()
        .map(|p| &*String::leak(p.name))
        .collect()
}

/// The parameter names each endpoint accepts, read off the documentation so the two
/// cannot disagree.
static NEAREST_PARAMS: LazyLock<Vec<&'static str>> = LazyLock::new(names::<NearestQuery>);
static LIST_PARAMS: LazyLock<Vec<&'static str>> = LazyLock::new(names::<ListQuery>);
static POINTS_PARAMS: LazyLock<Vec<&'static str>> = LazyLock::new(names::<PointsQuery>);

/// Health of the service.
#[utoipa::path(get, path = "/api/health", tag = "status",
    responses(
        (status = 200, description = "Serving", body = Health),
        (status = 503, description = "Serving from the index, but the database does not answer", body = Health),
    ))]
pub async fn health(State(state): State<AppState>) -> Response {
    let dir = &state.directory;
    let reachable = dir.store().ping().await.is_ok();
    let area = dir.area();
    let body = Health {
        status: if reachable { "ok" } else { "degraded" },
        store: dir.store().kind().as_str(),
        store_reachable: reachable,
        published_services: dir.index().len(),
        demo_services: dir.index().demo_len(),
        area: [
            area.min_lon(),
            area.min_lat(),
            area.max_lon(),
            area.max_lat(),
        ],
        version: env!("CARGO_PKG_VERSION"),
    };
    let status = if reachable {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// Name and version: a constant answer, the baseline of the HTTP benchmark.
#[utoipa::path(get, path = "/api/version", tag = "status",
    responses((status = 200, description = "Name and version", body = Version)))]
pub async fn version() -> Json<Version> {
    Json(Version {
        name: "mappatu",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// The categories of service.
#[utoipa::path(get, path = "/api/categories", tag = "taxonomy",
    responses((status = 200, description = "Categories in display order", body = TaxonomyList)))]
pub async fn categories(State(state): State<AppState>) -> Json<TaxonomyList> {
    Json(TaxonomyList {
        items: state.directory.taxonomy().categories.clone(),
    })
}

/// The target groups.
#[utoipa::path(get, path = "/api/target-groups", tag = "taxonomy",
    responses((status = 200, description = "Target groups in display order", body = TaxonomyList)))]
pub async fn target_groups(State(state): State<AppState>) -> Json<TaxonomyList> {
    Json(TaxonomyList {
        items: state.directory.taxonomy().target_groups.clone(),
    })
}

/// The published services nearest to a point, nearest first.
#[utoipa::path(get, path = "/api/services/nearest", tag = "services", params(NearestQuery),
    responses(
        (status = 200, description = "GeoJSON FeatureCollection, ascending by `properties.distance_m`", body = ServiceCollection, content_type = "application/geo+json"),
        (status = 400, description = "A parameter is missing, malformed or out of range", body = ErrorBody),
    ))]
pub async fn nearest(
    State(state): State<AppState>,
    mut params: Params,
) -> Result<Response, AppError> {
    let origin = params.point()?;
    let k = params.opt_usize("k", 1, MAX_K)?.unwrap_or(DEFAULT_K);
    let max_distance = params.opt_f64("max_distance_m")?;
    if let Some(m) = max_distance
        && !(0.0..=MAX_DISTANCE_M).contains(&m)
    {
        return Err(AppError::invalid(
            "max_distance_m",
            format!("must be between 0 and {MAX_DISTANCE_M} metres, got {m}"),
        ));
    }
    let now = params.opt_instant("at")?.unwrap_or_else(Utc::now);
    if params.has("q") {
        state.directory.index().wait_for_text().await;
    }
    let view = state.directory.index().read();
    let taxonomy = view.taxonomy();
    let filter = params.filter(taxonomy, now, true)?;
    let full = params.detail()?;
    params.finish(&NEAREST_PARAMS)?;
    let hits = view.nearest(origin, k, &filter, max_distance);
    let answer = ListAnswer {
        full,
        taxonomy,
        slugs: view.quoted_slugs(),
        now,
        total: None,
        next_cursor: None,
    };
    let hits = hits.iter().map(|h| (h.listing, Some(h.distance_m)));
    Ok(geojson_bytes(answer.to_json(hits)))
}

/// Published services in a bounding box, filtered and searched, by ascending id, in pages.
#[utoipa::path(get, path = "/api/services", tag = "services", params(ListQuery),
    responses(
        (status = 200, description = "GeoJSON FeatureCollection with `total` and `next_cursor`", body = ServiceCollection, content_type = "application/geo+json"),
        (status = 400, description = "A parameter is missing, malformed or out of range", body = ErrorBody),
    ))]
pub async fn list(State(state): State<AppState>, mut params: Params) -> Result<Response, AppError> {
    let area = *state.directory.area();
    let bbox = params.opt_bbox("bbox")?.unwrap_or(area);
    let now = params.opt_instant("at")?.unwrap_or_else(Utc::now);
    if params.has("q") {
        state.directory.index().wait_for_text().await;
    }
    let view = state.directory.index().read();
    let taxonomy = view.taxonomy();
    let filter = params.filter(taxonomy, now, true)?;
    let limit = params
        .opt_usize("limit", 1, MAX_LIMIT)?
        .unwrap_or(DEFAULT_LIMIT);
    let after = params.opt_cursor("cursor")?.map(ServiceId);
    let full = params.detail()?;
    params.finish(&LIST_PARAMS)?;
    let page = view.within(&bbox, &filter, after, limit);
    let answer = ListAnswer {
        full,
        taxonomy,
        slugs: view.quoted_slugs(),
        now,
        total: Some(page.total),
        next_cursor: Some(page.next_after.map(|id| id.0.to_string())),
    };
    let listings = page.listings.iter().map(|l| (*l, None));
    Ok(geojson_bytes(answer.to_json(listings)))
}

/// Every published service in a bounding box that passes the filters, in one answer,
/// for drawing a map layer: at most 50 000 (then `truncated` is true and the client
/// should ask for a smaller box).
#[utoipa::path(get, path = "/api/services/points", tag = "services", params(PointsQuery),
    responses(
        (status = 200, description = "GeoJSON FeatureCollection of map points (what a marker and a list line show), by ascending id, with `total` and `truncated`", body = PointCollection, content_type = "application/geo+json"),
        (status = 400, description = "A parameter is malformed or out of range", body = ErrorBody),
    ))]
pub async fn points(
    State(state): State<AppState>,
    mut params: Params,
) -> Result<Response, AppError> {
    let area = *state.directory.area();
    let bbox = params.opt_bbox("bbox")?.unwrap_or(area);
    let now = params.opt_instant("at")?.unwrap_or_else(Utc::now);
    if params.has("q") {
        state.directory.index().wait_for_text().await;
    }
    let view = state.directory.index().read();
    let taxonomy = view.taxonomy();
    let filter = params.filter(taxonomy, now, true)?;
    params.finish(&POINTS_PARAMS)?;
    let page = view.within(&bbox, &filter, None, MAX_POINTS);
    let features = page
        .listings
        .iter()
        .map(|l| MapPointFeature::new(l, taxonomy, now))
        .collect();
    Ok(geojson(PointCollection {
        kind: "FeatureCollection",
        features,
        total: page.total,
        truncated: page.next_after.is_some(),
    }))
}

/// One published service.
#[utoipa::path(get, path = "/api/services/{id}", tag = "services",
    params(("id" = i64, Path, description = "Service identifier", minimum = 1, example = 1)),
    responses(
        (status = 200, description = "GeoJSON Feature", body = ServiceFeature, content_type = "application/geo+json"),
        (status = 400, description = "The id is not a positive whole number", body = ErrorBody),
        (status = 404, description = "No published service has this id", body = ErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = super::params::positive_id("id", &id)?;
    let view = state.directory.index().read();
    let listing = view
        .get(ServiceId(id))
        .ok_or_else(|| AppError::NotFound(format!("no published service has id {id}")))?;
    let mut feature = ServiceFeature::new(listing, view.taxonomy(), Utc::now(), None);
    feature.properties.benefits = Some(super::benefits::asked_at(&state, ServiceId(id)));
    Ok(geojson(feature))
}

/// A GeoJSON body with its media type (RFC 7946 §12).
/// GeoJSON bytes with their media type.
pub(crate) fn geojson_bytes(body: Vec<u8>) -> Response {
    // A static header value is neither checked nor copied on each answer.
    const GEOJSON: axum::http::HeaderValue =
        axum::http::HeaderValue::from_static("application/geo+json");
    ([(axum::http::header::CONTENT_TYPE, GEOJSON)], body).into_response()
}

/// Serialises a GeoJSON value with its media type.
fn geojson<T: serde::Serialize>(value: T) -> Response {
    let mut body = Vec::with_capacity(8 * 1024);
    match serde_json::to_writer(&mut body, &value).map(|()| body) {
        Ok(body) => geojson_bytes(body),
        // The house body, like every other error answer.
        Err(e) => AppError::Internal(format!("cannot serialise an answer: {e}")).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_parameters_are_the_accepted_ones() {
        assert_eq!(
            *NEAREST_PARAMS,
            [
                "lat",
                "lon",
                "k",
                "category",
                "target",
                "q",
                "max_distance_m",
                "open_now",
                "at",
                "wheelchair",
                "lang_spoken",
                "detail"
            ]
        );
        assert_eq!(
            *LIST_PARAMS,
            [
                "bbox",
                "category",
                "target",
                "q",
                "open_now",
                "at",
                "wheelchair",
                "lang_spoken",
                "limit",
                "cursor",
                "detail"
            ]
        );
    }
}
