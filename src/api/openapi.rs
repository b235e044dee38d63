//! The OpenAPI 3.1 description, generated from the handlers' annotations.

use super::error::ErrorBody;
use super::geocode::{self, PlaceCollection, PlaceFeature, PlaceProperties};
use super::model::{
    AccessibilityView, Health, ListFeature, MapPointFeature, MapPointProperties, PointCollection,
    PointGeometry, ServiceCollection, ServiceFeature, ServiceProperties, ServiceSummary,
    SummaryFeature, TaxonomyList, Version,
};
use super::public;
use super::reports::{self, ReportReceipt, ReportRequest};
use super::{admin, auth, moderation, submissions};
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
        auth::login,
        auth::logout,
        auth::me,
        admin::list_users,
        admin::create_user,
        admin::disable_user,
        admin::enable_user,
        admin::reset_password,
        admin::login_attempts,
        submissions::create,
        submissions::status,
        submissions::propose,
        moderation::get_queue,
        moderation::get_item,
        moderation::approve,
        moderation::reject,
        moderation::request_changes,
        moderation::merge,
        moderation::resolve_item,
        moderation::dismiss_item,
        moderation::resolve_report,
        moderation::dismiss_report,
        moderation::get_service,
        moderation::edit_service,
        moderation::unpublish,
        moderation::republish,
        moderation::verify,
        moderation::audit,
        openapi_json,
    ),
    modifiers(&SessionSecurity),
    components(schemas(
        submissions::SubmissionReceipt, submissions::SubmissionStatusView, submissions::InvalidBody,
        crate::domain::service::FieldError, crate::domain::submission::SubmissionKind,
        crate::domain::submission::SubmissionStatus, crate::domain::submission::Contact,
        moderation::ReasonRequest, moderation::MessageRequest, moderation::MergeRequest,
        moderation::NoteRequest, moderation::DecisionView, moderation::DecisionAnswer, moderation::ListingSnapshot, moderation::AuditPage,
        crate::store::AuditEntry,
        crate::moderation::queue::Queue, crate::moderation::queue::QueueItem,
        crate::moderation::queue::QueueCounts, crate::moderation::queue::ItemKind,
        crate::moderation::queue::SubmissionView, crate::moderation::queue::ReportView,
        crate::moderation::duplicates::Nearby, crate::moderation::diff::FieldChange,
        crate::moderation::lookalikes::NameWarning,
        auth::LoginRequest, auth::SessionInfo, crate::auth::Role, crate::store::User,
        admin::UserList, admin::NewUserRequest, admin::PasswordRequest,
        admin::LoginAttemptList, crate::store::LoginAttempts,
        ErrorBody, Health, Version, TaxonomyList, ListFeature, SummaryFeature, PointCollection, MapPointFeature, MapPointProperties, ServiceSummary, Category, ServiceCollection, ServiceFeature,
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
        (name = "auth", description = "Moderators' and admins' sessions"),
        (name = "admin", description = "Account management (admins)"),
        (name = "submissions", description = "Ask to be listed, follow a request, propose changes through a listing's edit link"),
        (name = "moderation", description = "The moderators' queue and actions (session + X-CSRF-Token); the audit log (admins)"),
    )
)]
pub struct ApiDoc;

/// The session cookie and the CSRF header, named by the `security` of the endpoints
/// that need them.
struct SessionSecurity;

impl utoipa::Modify for SessionSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "Set by POST /api/auth/login; HttpOnly, SameSite=Strict, Secure over HTTPS",
            ))),
        );
        components.add_security_scheme(
            "csrf_token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token",
                "The `csrf_token` of the login or /api/auth/me answer; required on every \
                 state-changing request",
            ))),
        );
    }
}

/// This description.
#[utoipa::path(get, path = "/api/openapi.json", tag = "status",
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
