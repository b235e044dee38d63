//! The OpenAPI 3.1 description, generated from the handlers' annotations.

use super::error::ErrorBody;
use super::model::{
    AccessibilityView, Health, ListFeature, PointCollection, PointGeometry, ServiceCollection,
    ServiceFeature,
    ServiceProperties, ServiceSummary, SummaryFeature, TaxonomyList, Version,
};
use super::geocode::{self, PlaceCollection, PlaceFeature, PlaceProperties};
use super::public;
use super::reports::{self, ReportReceipt, ReportRequest};
use crate::domain::{Category, Lang, ReportKind, ReportStatus, Wheelchair};
use crate::geocode::{PlaceKind, PlaceSource};
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
        public::points,
        public::get_one,
        geocode::geocode,
        reports::create,
        openapi_json,
    ),
    components(schemas(
        ErrorBody, Health, Version, TaxonomyList, ListFeature, SummaryFeature, PointCollection, ServiceSummary, Category, ServiceCollection, ServiceFeature,
        ServiceProperties, PointGeometry, AccessibilityView, Wheelchair,
        ReportRequest, ReportReceipt, ReportKind, ReportStatus, Lang,
        PlaceCollection, PlaceFeature, PlaceProperties, PlaceKind, PlaceSource,
    )),
    tags(
        (name = "services", description = "Find services"),
        (name = "taxonomy", description = "Categories and target groups"),
        (name = "geocoding", description = "Places for a text: addresses, streets, towns, services"),
        (name = "reports", description = "Report a problem with a listing to the moderators"),
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
