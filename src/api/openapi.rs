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
use super::{admin, auth, benefits, moderation, search, submissions, vocabulary};
use crate::domain::service::{TEXT_FIELDS, limits};
use crate::domain::submission::MAX_CONTACT_NAME;
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
            strings name `lat` and `lon` explicitly. Every error answers the one body \
            `ErrorBody`: `{\"error\": code, \"message\": text}`, with `parameter` naming \
            the parameter or field at fault when there is one and, on 422, `fields` listing \
            every field problem with its own code. A failure on the server's side that \
            retrying cannot mend answers 500 `internal`.",
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
        search::search,
        search::suggest,
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
        vocabulary::list,
        vocabulary::add,
        vocabulary::remove,
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
        benefits::list,
        benefits::get_one,
        benefits::create,
        benefits::update,
        benefits::delete,
        openapi_json,
    ),
    modifiers(&SessionSecurity, &OptionalBodies, &SubmissionSchemas),
    components(schemas(
        search::SearchExtras, search::BenefitHit, search::InterpretationOut, search::PlaceOut, search::Suggestions,
        search::Suggestion, search::SuggestionKind, crate::search::engine::Relaxed,
        crate::search::interpret::Phrase, crate::search::interpret::PhraseKind,
        submissions::SubmissionReceipt, submissions::SubmissionStatusView,
        crate::domain::service::FieldError, crate::domain::submission::SubmissionKind,
        crate::domain::submission::SubmissionStatus, crate::domain::submission::Contact,
        moderation::ReasonRequest, moderation::MessageRequest, moderation::MergeRequest,
        moderation::NoteRequest, moderation::DecisionView, moderation::DecisionAnswer, moderation::ListingSnapshot, moderation::AuditPage,
        crate::store::AuditEntry,
        crate::moderation::queue::Queue, crate::moderation::queue::QueueItem,
        crate::moderation::queue::QueueCounts, crate::moderation::queue::ItemKind,
        crate::moderation::queue::SubmissionView, crate::moderation::queue::ReportView,
        crate::moderation::duplicates::Nearby, crate::moderation::diff::FieldChange,
        crate::index::lookalikes::NameWarning,
        auth::LoginRequest, auth::SessionInfo, crate::auth::Role, crate::store::User,
        admin::UserList, admin::NewUserRequest, admin::PasswordRequest,
        admin::LoginAttemptList, crate::store::LoginAttempts,
        vocabulary::VocabularyList, vocabulary::VocabularyItem, vocabulary::Origin,
        vocabulary::NewPhraseRequest, crate::store::NeedPhraseRecord,
        ErrorBody, Health, Version, TaxonomyList, ListFeature, SummaryFeature, PointCollection, MapPointFeature, MapPointProperties, ServiceSummary, Category, ServiceCollection, ServiceFeature,
        ServiceProperties, PointGeometry, AccessibilityView, Wheelchair,
        ReportRequest, ReportReceipt, ReportKind, ReportStatus, Lang,
        PlaceCollection, PlaceFeature, PlaceProperties, PlaceKind, PlaceSource,
        benefits::BenefitList, benefits::BenefitView, benefits::BenefitRef,
        benefits::ServiceLink, benefits::BenefitRequest,
    )),
    tags(
        (name = "services", description = "Find services"),
        (name = "search", description = "Search by need: a citizen's sentence read into needs, place and conditions"),
        (name = "taxonomy", description = "Categories and target groups"),
        (name = "geocoding", description = "Places for a text: addresses, streets, towns, services"),
        (name = "reports", description = "Report a problem with a listing to the moderators"),
        (name = "status", description = "Health and API description"),
        (name = "auth", description = "Moderators' and admins' sessions"),
        (name = "admin", description = "Account management and the vocabulary of needs (admins)"),
        (name = "submissions", description = "Ask to be listed, follow a request, propose changes through a listing's edit link"),
        (name = "benefits", description = "Bonuses and contributions, the services where they are asked for; admins edit them (session + X-CSRF-Token)"),
        (name = "moderation", description = "The moderators' queue and actions (session + X-CSRF-Token); the audit log (admins)"),
    )
)]
pub struct ApiDoc;

/// The session cookie, the CSRF header and a listing's edit token, named by the
/// `security` of the endpoints that need them.
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
        components.add_security_scheme(
            "edit_token",
            SecurityScheme::Http(
                utoipa::openapi::security::HttpBuilder::new()
                    .scheme(utoipa::openapi::security::HttpAuthScheme::Bearer)
                    .description(Some(
                        "A listing's private edit token, given once with the submission's \
                         receipt (and by email)",
                    ))
                    .build(),
            ),
        );
    }
}

/// utoipa writes an optional request body (`Option<T>`) as `T` or `null`, but the server
/// refuses a `null` body (400, like any body that is not an object): "optional" means the
/// body may be left out, which `required: false` already says. The `null` alternative is
/// taken out again.
struct OptionalBodies;

impl utoipa::Modify for OptionalBodies {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{Schema, SchemaType, Type};
        use utoipa::openapi::{RefOr, Required};
        for item in openapi.paths.paths.values_mut() {
            for op in [&mut item.post, &mut item.put, &mut item.patch]
                .into_iter()
                .flatten()
            {
                let Some(body) = op.request_body.as_mut() else {
                    continue;
                };
                if body.required == Some(Required::True) {
                    continue;
                }
                for content in body.content.values_mut() {
                    let Some(schema) = content.schema.take() else {
                        continue;
                    };
                    content.schema = Some(match schema {
                        RefOr::T(Schema::OneOf(mut one_of)) => {
                            one_of.items.retain(|s| !is_null(s));
                            if one_of.items.len() == 1 {
                                one_of.items.remove(0)
                            } else {
                                RefOr::T(Schema::OneOf(one_of))
                            }
                        }
                        RefOr::T(Schema::Object(mut object)) => {
                            if let SchemaType::Array(types) = &object.schema_type {
                                let types: Vec<Type> = types
                                    .iter()
                                    .filter(|t| **t != Type::Null)
                                    .cloned()
                                    .collect();
                                object.schema_type = match types.as_slice() {
                                    [one] => SchemaType::Type(one.clone()),
                                    _ => SchemaType::Array(types),
                                };
                            }
                            RefOr::T(Schema::Object(object))
                        }
                        other => other,
                    });
                }
            }
        }
    }
}

fn is_null(schema: &utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>) -> bool {
    use utoipa::openapi::schema::{Schema, SchemaType, Type};
    matches!(schema, utoipa::openapi::RefOr::T(Schema::Object(o))
        if o.schema_type == SchemaType::Type(Type::Null))
}

/// The body of a submission or change proposal, `SubmissionFeature`, whose `properties`
/// are `SubmissionProperties`: built from the listing's field table and the limits the
/// server checks ([`TEXT_FIELDS`], [`limits`]), so that `maxLength` and `maxItems` here
/// are the server's own and a client (the web app's form) need not copy them. The nested
/// `Accessibility` and `Contact` schemas get their texts' limits the same way.
struct SubmissionSchemas;

impl utoipa::Modify for SubmissionSchemas {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use serde_json::{Value, json};
        use utoipa::openapi::{RefOr, Schema};
        let text = |max: usize| json!({"type": ["string", "null"], "maxLength": max});
        let codes = |max: usize, description: &str| {
            json!({"type": ["array", "null"], "items": {"type": "string"}, "maxItems": max,
                   "description": description})
        };
        let mut props = serde_json::Map::new();
        props.insert(
            "name".into(),
            json!({"type": "string", "minLength": 1, "maxLength": limits::NAME}),
        );
        for f in TEXT_FIELDS.iter().filter(|f| !f.key.contains('.')) {
            props.insert(f.key.into(), text(f.max));
        }
        props.insert("opening_hours".into(), {
            let mut t = text(limits::OPENING_HOURS);
            t["description"] = json!("OpenStreetMap `opening_hours` syntax");
            t
        });
        props.insert(
            "categories".into(),
            codes(
                limits::CATEGORIES,
                "Category slugs (see /api/categories), at least one",
            ),
        );
        props.insert(
            "target_groups".into(),
            codes(
                limits::TARGET_GROUPS,
                "Target-group slugs (see /api/target-groups)",
            ),
        );
        props.insert(
            "languages".into(),
            codes(
                limits::LANGUAGES,
                "Languages spoken at the desk: ISO 639-1 codes such as it, en, ar",
            ),
        );
        props.insert(
            "accessibility".into(),
            json!({"$ref": "#/components/schemas/Accessibility"}),
        );
        props.insert(
            "contact".into(),
            json!({"$ref": "#/components/schemas/Contact",
                   "description": "Private: seen by the moderators only"}),
        );
        props.insert(
            "consent".into(),
            json!({"type": "boolean", "description": "Must be true"}),
        );
        props.insert(
            "lang".into(),
            json!({"type": "string", "enum": ["it", "en"],
                   "description": "The language to write to the submitter in"}),
        );
        props.insert(
            "website_url".into(),
            json!({"type": ["string", "null"], "description": "Leave empty (a trap for bots)"}),
        );
        let properties = json!({
            "type": "object",
            "description": "A listing's fields as a submitter sends them; server-owned \
                fields (id, status, timestamps, open_now, demo, benefits) are ignored",
            "required": ["name", "categories"],
            "properties": props,
        });
        let feature = json!({
            "type": "object",
            "description": "A listing as a GeoJSON Feature, for a submission or a change proposal",
            "required": ["type", "geometry", "properties"],
            "properties": {
                "type": {"type": "string", "enum": ["Feature"]},
                "geometry": {"$ref": "#/components/schemas/PointGeometry"},
                "properties": {"$ref": "#/components/schemas/SubmissionProperties"},
            },
        });
        let schema =
            |v: Value| -> RefOr<Schema> { serde_json::from_value(v).expect("a valid schema") };
        let components = openapi.components.get_or_insert_with(Default::default);
        components
            .schemas
            .insert("SubmissionProperties".into(), schema(properties));
        components
            .schemas
            .insert("SubmissionFeature".into(), schema(feature));
        // The nested objects' texts, by the same limits.
        let nested: Vec<(&str, &str, usize)> = TEXT_FIELDS
            .iter()
            .filter_map(|f| f.key.split_once('.').map(|(o, k)| (o, k, f.max)))
            .map(|(o, k, max)| {
                (
                    if o == "accessibility" {
                        "Accessibility"
                    } else {
                        o
                    },
                    k,
                    max,
                )
            })
            .chain([
                ("Contact", "name", MAX_CONTACT_NAME),
                ("Contact", "email", limits::EMAIL),
                ("Contact", "phone", limits::PHONE),
            ])
            .collect();
        for (object, key, max) in nested {
            let Some(s) = components.schemas.get_mut(object) else {
                continue;
            };
            let mut v = serde_json::to_value(&*s).expect("a schema is JSON");
            if v["properties"][key].is_object() {
                v["properties"][key]["maxLength"] = json!(max);
                *s = schema(v);
            }
        }
        for path in ["/api/submissions", "/api/listings/{id}/proposals"] {
            let body = openapi
                .paths
                .paths
                .get_mut(path)
                .and_then(|item| item.post.as_mut())
                .and_then(|op| op.request_body.as_mut());
            if let Some(content) = body.and_then(|b| b.content.get_mut("application/json")) {
                content.schema = Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                    "SubmissionFeature",
                )));
            }
        }
    }
}

/// This description.
#[utoipa::path(get, path = "/api/openapi.json", tag = "status",
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
