//! Bonuses and contributions: `GET /api/benefits` (optionally those asked for at one
//! service), `GET /api/benefits/{id}`, and the admins' `POST /api/admin/benefits`,
//! `PUT` and `DELETE /api/admin/benefits/{id}`. Reads come from the in-memory catalog;
//! writes go to the store (one transaction with their audit entry), then to the catalog.

use super::json::{JsonBody, MAX_BODY_BYTES, limit_bodies};
use super::params::{Params, positive_id};
use super::path::Path;
use super::session::Admin;
use super::{AppError, AppState, ErrorBody};
use crate::domain::service::{FieldCode, FieldError};
use crate::domain::{Benefit, BenefitDraft, BenefitId, ServiceId};
use crate::store::StoreError;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The benefit routes (under `/api`): public reads and the admins' writes.
pub fn router() -> Router<AppState> {
    let admin = Router::new()
        .route("/admin/benefits", axum::routing::post(create))
        .route(
            "/admin/benefits/{id}",
            axum::routing::put(update).delete(delete),
        );
    Router::new()
        .route("/benefits", get(list))
        .route("/benefits/{id}", get(get_one))
        .merge(
            limit_bodies(admin, MAX_BODY_BYTES)
                // Admin answers are private: never stored by caches.
                .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
                    axum::http::header::CACHE_CONTROL,
                    axum::http::HeaderValue::from_static("no-store"),
                )),
        )
}

/// A service where a benefit is asked for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceLink {
    /// The service's id (see `/api/services/{id}`).
    pub id: i64,
    /// Its name.
    pub name: String,
}

/// A benefit as a service's detail lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BenefitRef {
    /// The benefit's id (see `/api/benefits/{id}`).
    pub id: i64,
    /// Name in Italian.
    pub name_it: String,
    /// Name in English, if any.
    pub name_en: Option<String>,
}

/// A bonus or contribution, in both languages.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BenefitView {
    /// Identifier.
    #[schema(example = 1)]
    pub id: i64,
    /// Name in Italian.
    #[schema(example = "Bonus utenze")]
    pub name_it: String,
    /// Name in English.
    pub name_en: Option<String>,
    /// Description in Italian.
    pub description_it: Option<String>,
    /// Description in English.
    pub description_en: Option<String>,
    /// What it gives, in Italian.
    pub gives_it: Option<String>,
    /// What it gives, in English.
    pub gives_en: Option<String>,
    /// Category slugs (see `/api/categories`).
    pub categories: Vec<String>,
    /// Who can ask: target-group slugs (see `/api/target-groups`).
    pub target_groups: Vec<String>,
    /// The ISEE threshold in euros, where one applies.
    pub isee_max_eur: Option<u32>,
    /// Residence requirement, in Italian.
    pub residence_it: Option<String>,
    /// Residence requirement, in English.
    pub residence_en: Option<String>,
    /// How to apply, in Italian.
    pub how_to_apply_it: Option<String>,
    /// How to apply, in English.
    pub how_to_apply_en: Option<String>,
    /// Where it is asked for: the published services linked to it.
    pub services: Vec<ServiceLink>,
    /// When applications open.
    pub opens_on: Option<NaiveDate>,
    /// When applications close.
    pub closes_on: Option<NaiveDate>,
    /// The period or deadline in words, in Italian.
    pub period_it: Option<String>,
    /// The period or deadline in words, in English.
    pub period_en: Option<String>,
    /// The official page.
    pub official_url: Option<String>,
    /// Demonstration data, not a real benefit.
    pub demo: bool,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// Benefits.
#[derive(Debug, Serialize, ToSchema)]
pub struct BenefitList {
    /// By id.
    pub items: Vec<BenefitView>,
}

/// A benefit as an admin writes it. Unknown fields are refused.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BenefitRequest {
    /// Required; at most 200 characters.
    name_it: Option<String>,
    /// At most 200 characters.
    name_en: Option<String>,
    /// At most 4000 characters.
    description_it: Option<String>,
    /// At most 4000 characters.
    description_en: Option<String>,
    /// What it gives; at most 300 characters.
    gives_it: Option<String>,
    /// What it gives; at most 300 characters.
    gives_en: Option<String>,
    /// Category slugs, at most 6.
    #[serde(default)]
    categories: Vec<String>,
    /// Target-group slugs.
    #[serde(default)]
    target_groups: Vec<String>,
    /// ISEE threshold in euros, 0 to 1 000 000.
    #[schema(minimum = 0, maximum = 1000000)]
    isee_max_eur: Option<u32>,
    /// At most 300 characters.
    residence_it: Option<String>,
    /// At most 300 characters.
    residence_en: Option<String>,
    /// At most 4000 characters.
    how_to_apply_it: Option<String>,
    /// At most 4000 characters.
    how_to_apply_en: Option<String>,
    /// Ids of existing services where it is asked for (at most 50).
    #[serde(default)]
    service_ids: Vec<i64>,
    /// `YYYY-MM-DD`.
    #[schema(value_type = Option<String>, format = Date)]
    opens_on: Option<String>,
    /// `YYYY-MM-DD`, not before `opens_on`.
    #[schema(value_type = Option<String>, format = Date)]
    closes_on: Option<String>,
    /// At most 300 characters.
    period_it: Option<String>,
    /// At most 300 characters.
    period_en: Option<String>,
    /// `https://…` or `http://…`.
    official_url: Option<String>,
    /// Demonstration data (default: false on creation, unchanged on update).
    demo: Option<bool>,
}

impl From<BenefitRequest> for BenefitDraft {
    fn from(r: BenefitRequest) -> Self {
        BenefitDraft {
            name_it: r.name_it,
            name_en: r.name_en,
            description_it: r.description_it,
            description_en: r.description_en,
            gives_it: r.gives_it,
            gives_en: r.gives_en,
            categories: r.categories,
            target_groups: r.target_groups,
            isee_max_eur: r.isee_max_eur,
            residence_it: r.residence_it,
            residence_en: r.residence_en,
            how_to_apply_it: r.how_to_apply_it,
            how_to_apply_en: r.how_to_apply_en,
            service_ids: r.service_ids,
            opens_on: r.opens_on,
            closes_on: r.closes_on,
            period_it: r.period_it,
            period_en: r.period_en,
            official_url: r.official_url,
            demo: r.demo,
        }
    }
}

/// Parameters of `GET /api/benefits`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Documents the parameters; `Params` parses them.
pub struct BenefitQuery {
    /// Only the benefits asked for at this service.
    #[param(minimum = 1, example = 1)]
    service: Option<i64>,
}

/// A benefit id in the path, checked before anything reads the body.
pub struct BenefitIdPath(pub BenefitId);

impl<S: Send + Sync> FromRequestParts<S> for BenefitIdPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state).await?;
        Ok(BenefitIdPath(BenefitId(positive_id("id", &raw)?)))
    }
}

/// The public view of a benefit: its linked services that are published, by name.
pub fn view(state: &AppState, b: &Benefit) -> BenefitView {
    let index = state.directory.index().read();
    let services = b
        .data
        .service_ids
        .iter()
        .filter_map(|id| {
            index.get(*id).map(|l| ServiceLink {
                id: id.0,
                name: l.name().to_string(),
            })
        })
        .collect();
    let d = b.data.clone();
    BenefitView {
        id: b.id.0,
        name_it: d.name_it,
        name_en: d.name_en,
        description_it: d.description_it,
        description_en: d.description_en,
        gives_it: d.gives_it,
        gives_en: d.gives_en,
        categories: d.categories,
        target_groups: d.target_groups,
        isee_max_eur: d.isee_max_eur,
        residence_it: d.residence_it,
        residence_en: d.residence_en,
        how_to_apply_it: d.how_to_apply_it,
        how_to_apply_en: d.how_to_apply_en,
        services,
        opens_on: d.opens_on,
        closes_on: d.closes_on,
        period_it: d.period_it,
        period_en: d.period_en,
        official_url: d.official_url,
        demo: d.demo,
        updated_at: b.updated_at,
    }
}

/// The benefits asked for at a service, as its detail lists them.
pub fn asked_at(state: &AppState, id: ServiceId) -> Vec<BenefitRef> {
    state
        .directory
        .benefits()
        .for_service(id)
        .into_iter()
        .map(|b| BenefitRef {
            id: b.id.0,
            name_it: b.data.name_it,
            name_en: b.data.name_en,
        })
        .collect()
}

fn no_such_benefit(id: BenefitId) -> AppError {
    AppError::NotFound(format!("no benefit has id {id}"))
}

/// The store's refusal of a link, as the field problem it is.
fn write_failed(e: StoreError) -> AppError {
    match e {
        StoreError::UnknownService(id) => AppError::Invalid(vec![
            FieldError::new(
                "service_ids",
                FieldCode::UnknownValue,
                format!("no service has id {id}"),
            )
            .with("value", id.0),
        ]),
        e => AppError::Store(e),
    }
}

/// Bonuses and contributions, by id; `service` narrows them to those asked for at one
/// service (none for a service that does not exist).
#[utoipa::path(get, path = "/api/benefits", tag = "benefits",
    params(BenefitQuery),
    responses(
        (status = 200, description = "The benefits", body = BenefitList),
        (status = 400, description = "`service` is not a positive whole number, or an unknown parameter; `parameter` names it", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    mut params: Params,
) -> Result<Json<BenefitList>, AppError> {
    let service = params
        .opt_text("service")
        .map(|s| positive_id("service", &s))
        .transpose()?;
    params.finish(&["service"])?;
    let catalog = state.directory.benefits();
    let items = match service {
        Some(id) => catalog
            .for_service(ServiceId(id))
            .iter()
            .map(|b| view(&state, b))
            .collect(),
        None => catalog.all().iter().map(|b| view(&state, b)).collect(),
    };
    Ok(Json(BenefitList { items }))
}

/// One benefit.
#[utoipa::path(get, path = "/api/benefits/{id}", tag = "benefits",
    params(("id" = i64, Path, description = "Benefit identifier", minimum = 1, example = 1)),
    responses(
        (status = 200, description = "The benefit", body = BenefitView),
        (status = 400, description = "The id is not a positive whole number", body = ErrorBody),
        (status = 404, description = "No benefit has this id", body = ErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    BenefitIdPath(id): BenefitIdPath,
) -> Result<Json<BenefitView>, AppError> {
    let b = state
        .directory
        .benefits()
        .get(id)
        .ok_or_else(|| no_such_benefit(id))?;
    Ok(Json(view(&state, &b)))
}

/// Add a benefit (admins only; audited as `benefit.create`).
#[utoipa::path(post, path = "/api/admin/benefits", tag = "benefits",
    security(("session_cookie" = [], "csrf_token" = [])),
    request_body(content = BenefitRequest, content_type = "application/json",
        example = json!({
            "name_it": "Bonus utenze",
            "name_en": "Utility bills bonus",
            "gives_it": "Rimborso delle bollette",
            "gives_en": "A refund of utility bills",
            "categories": ["home-utilities"],
            "target_groups": ["low-income"],
            "isee_max_eur": 12000,
            "service_ids": [1],
            "opens_on": "2026-01-01",
            "closes_on": "2026-03-31",
            "period_it": "domande entro il 31 marzo",
            "period_en": "apply by 31 March",
            "official_url": "https://www.sienafamiglia.it"
        })),
    responses(
        (status = 201, description = "Created", body = BenefitView),
        (status = 400, description = "The body is not a JSON object of this shape (a field of the wrong type, an unknown field); `parameter` names it", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "Not an admin, or `X-CSRF-Token` missing or wrong", body = ErrorBody),
        (status = 413, description = "The body is larger than 16 KiB", body = ErrorBody),
        (status = 415, description = "The body is not `application/json`", body = ErrorBody),
        (status = 422, description = "Every invalid field (a missing `name_it`, an unknown slug or service, a bad date or link)", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn create(
    Admin(admin): Admin,
    State(state): State<AppState>,
    JsonBody(req): JsonBody<BenefitRequest>,
) -> Result<Response, AppError> {
    let data = BenefitDraft::from(req)
        .validate(&state.directory.taxonomy())
        .map_err(AppError::Invalid)?;
    let b = state
        .directory
        .create_benefit(&data, &admin.actor())
        .await
        .map_err(write_failed)?;
    tracing::info!(admin = admin.id, benefit = b.id.0, "benefit added");
    Ok((StatusCode::CREATED, Json(view(&state, &b))).into_response())
}

/// Replace a benefit's content (admins only; audited as `benefit.update` with before and
/// after). Fields left out are emptied; `demo` left out is kept.
#[utoipa::path(put, path = "/api/admin/benefits/{id}", tag = "benefits",
    security(("session_cookie" = [], "csrf_token" = [])),
    params(("id" = i64, Path, description = "Benefit identifier", minimum = 1, example = 1)),
    request_body(content = BenefitRequest, content_type = "application/json",
        example = json!({
            "name_it": "Bonus utenze",
            "name_en": "Utility bills bonus",
            "gives_it": "Rimborso delle bollette",
            "gives_en": "A refund of utility bills",
            "categories": ["home-utilities"],
            "target_groups": ["low-income"],
            "isee_max_eur": 12000,
            "service_ids": [1],
            "opens_on": "2026-01-01",
            "closes_on": "2026-03-31",
            "period_it": "domande entro il 31 marzo",
            "period_en": "apply by 31 March",
            "official_url": "https://www.sienafamiglia.it"
        })),
    responses(
        (status = 200, description = "Updated", body = BenefitView),
        (status = 400, description = "The id is not a positive whole number, or the body is not a JSON object of this shape; `parameter` names it", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "Not an admin, or `X-CSRF-Token` missing or wrong", body = ErrorBody),
        (status = 404, description = "No benefit has this id", body = ErrorBody),
        (status = 413, description = "The body is larger than 16 KiB", body = ErrorBody),
        (status = 415, description = "The body is not `application/json`", body = ErrorBody),
        (status = 422, description = "Every invalid field", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn update(
    Admin(admin): Admin,
    State(state): State<AppState>,
    BenefitIdPath(id): BenefitIdPath,
    JsonBody(req): JsonBody<BenefitRequest>,
) -> Result<Json<BenefitView>, AppError> {
    let mut draft = BenefitDraft::from(req);
    if draft.demo.is_none() {
        let current = state.directory.store().benefit(id).await?;
        let current = current.ok_or_else(|| no_such_benefit(id))?;
        draft.demo = Some(current.data.demo);
    }
    let data = draft
        .validate(&state.directory.taxonomy())
        .map_err(AppError::Invalid)?;
    let b = state
        .directory
        .update_benefit(id, &data, &admin.actor())
        .await
        .map_err(write_failed)?
        .ok_or_else(|| no_such_benefit(id))?;
    tracing::info!(admin = admin.id, benefit = id.0, "benefit updated");
    Ok(Json(view(&state, &b)))
}

/// Delete a benefit (admins only; audited as `benefit.delete` with what it was).
#[utoipa::path(delete, path = "/api/admin/benefits/{id}", tag = "benefits",
    security(("session_cookie" = [], "csrf_token" = [])),
    params(("id" = i64, Path, description = "Benefit identifier", minimum = 1, example = 1)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is not a positive whole number", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "Not an admin, or `X-CSRF-Token` missing or wrong", body = ErrorBody),
        (status = 404, description = "No benefit has this id", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn delete(
    Admin(admin): Admin,
    State(state): State<AppState>,
    BenefitIdPath(id): BenefitIdPath,
) -> Result<StatusCode, AppError> {
    state
        .directory
        .delete_benefit(id, &admin.actor())
        .await?
        .ok_or_else(|| no_such_benefit(id))?;
    tracing::info!(admin = admin.id, benefit = id.0, "benefit deleted");
    Ok(StatusCode::NO_CONTENT)
}
