//! The OpenAPI 3.1 description, generated from the handlers' annotations.

use super::error::ErrorBody;
use super::model::{
    AccessibilityView, Health, ListFeature, PointGeometry, ServiceCollection, ServiceFeature,
    ServiceProperties, ServiceSummary, SummaryFeature, TaxonomyList, Version,
};
use super::public;
use crate::domain::{Category, Wheelchair};
use utoipa::OpenApi;

/// The API description served at `/api/openapi.json`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "MappaTU API",
        description = "The open map of social services of Siena's Sportello Famiglia. \
            Geometry is GeoJSON (RFC 7946): positions are [longitude, latitude]. Query \
            strings name `lat` and `lon` explicitly. Every error answers \
            `{\"error\": code, \"message\": text}`.",
        license(name = "AGPL-3.0-or-later"),
    ),
    paths(
        public::health,
        public::version,
        public::categories,
        public::target_groups,
        public::nearest,
        public::list,
        public::get_one,
        openapi_json,
    ),
    components(schemas(
        ErrorBody, Health, Version, TaxonomyList, ListFeature, SummaryFeature, ServiceSummary, Category, ServiceCollection, ServiceFeature,
        ServiceProperties, PointGeometry, AccessibilityView, Wheelchair,
    )),
    tags(
        (name = "services", description = "Find services"),
        (name = "taxonomy", description = "Categories and target groups"),
        (name = "status", description = "Health and API description"),
    )
)]
pub struct ApiDoc;

/// This description.
#[utoipa::path(get, path = "/api/openapi.json", tag = "status",
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
