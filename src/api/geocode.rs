//! `GET /api/geocode`: places for a text, so the page never calls a third-party geocoder.

use super::model::PointGeometry;
use super::params::Params;
use super::{AppError, AppState, ErrorBody};
use crate::domain::text::MAX_QUERY_CHARS;
use crate::geocode::{DEFAULT_RESULTS, MAX_RESULTS, Place, PlaceKind, PlaceSource};
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;
use utoipa::openapi::path::ParameterIn;
use utoipa::{IntoParams, ToSchema};

/// Parameters of `GET /api/geocode`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Documents the parameters; `Params` parses them.
pub struct GeocodeQuery {
    /// What to look for: an address, a street, a town or a service's name (1 to 200
    /// characters; case and accents do not matter).
    #[param(example = "via del porrione 20")]
    q: String,
    /// How many places, 1 to 10 (default 5).
    #[param(minimum = 1, maximum = 10, example = 5)]
    limit: Option<u32>,
}

static GEOCODE_PARAMS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    GeocodeQuery::into_params(|| Some(ParameterIn::Query))
        .into_iter()
        .map(|p| &*String::leak(p.name))
        .collect()
});

/// What a place is and where it comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceProperties {
    /// What to show, e.g. `Via del Porrione, Siena`.
    #[schema(example = "Via del Porrione, Siena")]
    pub label: String,
    /// `service`, `street`, `place` (a town or locality) or `address`.
    pub kind: PlaceKind,
    /// `directory` (the published services and their addresses) or `nominatim`.
    pub source: PlaceSource,
    /// The service's id (see `/api/services/{id}`), when `kind` is `service`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_id: Option<i64>,
}

/// A place as a GeoJSON Feature.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceFeature {
    /// Always `Feature`.
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub kind: &'static str,
    /// Where it is.
    pub geometry: PointGeometry,
    /// What it is.
    pub properties: PlaceProperties,
}

/// Places as a GeoJSON FeatureCollection, best match first.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceCollection {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub kind: &'static str,
    /// The places.
    pub features: Vec<PlaceFeature>,
}

impl From<Place> for PlaceFeature {
    fn from(p: Place) -> Self {
        Self {
            kind: "Feature",
            geometry: PointGeometry::at(p.point),
            properties: PlaceProperties {
                label: p.label,
                kind: p.kind,
                source: p.source,
                service_id: p.service_id.map(|id| id.0),
            },
        }
    }
}

/// Places matching a text, inside the directory's area: the directory's own services,
/// streets and towns first, then (when configured) a Nominatim-compatible geocoder's
/// results. When that geocoder is slow or down, the directory's results alone.
#[utoipa::path(get, path = "/api/geocode", tag = "geocoding", params(GeocodeQuery),
    responses(
        (status = 200, description = "GeoJSON FeatureCollection of places, best first", body = PlaceCollection, content_type = "application/geo+json"),
        (status = 400, description = "`q` is missing, empty or too long, `limit` is out of range, or a parameter is unknown", body = ErrorBody),
        (status = 503, description = "No geocoder could answer", body = ErrorBody),
    ))]
pub async fn geocode(
    State(state): State<AppState>,
    mut params: Params,
) -> Result<Response, AppError> {
    let q = params.opt_text("q").ok_or_else(|| AppError::missing("q"))?;
    let q = q.trim();
    if q.is_empty() {
        return Err(AppError::invalid("q", "must not be empty"));
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::invalid(
            "q",
            format!("is longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    let limit = params
        .opt_usize("limit", 1, MAX_RESULTS)?
        .unwrap_or(DEFAULT_RESULTS);
    params.finish(&GEOCODE_PARAMS)?;
    let places = match state.geocoder.search(q, limit).await {
        Ok(places) => places,
        Err(e) => {
            // The query is not logged: it may be a citizen's home address.
            tracing::warn!("geocoding failed: {e}");
            return Err(AppError::Unavailable(
                "geocoding is not available; try again shortly".into(),
            ));
        }
    };
    let body = PlaceCollection {
        kind: "FeatureCollection",
        features: places.into_iter().take(limit).map(Into::into).collect(),
    };
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], Json(body)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_parameters_are_the_accepted_ones() {
        assert_eq!(*GEOCODE_PARAMS, ["q", "limit"]);
    }
}
