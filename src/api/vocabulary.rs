//! The vocabulary of needs for admins: `GET /api/admin/vocabulary` (the built-in phrases
//! and the added ones), `POST /api/admin/vocabulary` (add a phrase),
//! `DELETE /api/admin/vocabulary/{id}` (remove an added phrase). Every change is audited
//! in its own transaction and used by search as soon as it committed.

use super::json::{JsonBody, MAX_BODY_BYTES, limit_bodies};
use super::path::Path;
use super::session::Admin;
use super::{AppError, AppState, ErrorBody};
use crate::domain::Lang;
use crate::domain::text::{Layout, checked_text};
use crate::search::needs::{MAX_PHRASE_CHARS, PhraseSource, builtin_entries, match_key};
use crate::store::{NeedPhraseRecord, NewNeedPhrase};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The vocabulary routes (under `/api`).
pub fn router() -> Router<AppState> {
    let routes = Router::new()
        .route("/admin/vocabulary", get(list).post(add))
        .route("/admin/vocabulary/{id}", delete(remove));
    limit_bodies(routes, MAX_BODY_BYTES)
}

/// Where a phrase comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// Shipped with MappaTU (`data/needs.json`); changed by a new release only.
    Builtin,
    /// Added by an admin; can be deleted.
    Added,
}

/// One phrase of the vocabulary of needs.
#[derive(Debug, Serialize, ToSchema)]
pub struct VocabularyItem {
    /// The added phrase's id (for `DELETE`); `null` for a built-in one.
    pub id: Option<i64>,
    /// `builtin` or `added`.
    pub origin: Origin,
    /// The phrase's language.
    pub lang: Lang,
    /// The phrase as written.
    #[schema(example = "luce e gas")]
    pub phrase: String,
    /// Category slugs it points to.
    #[schema(example = json!(["home-utilities"]))]
    pub categories: Vec<String>,
    /// Target-group slugs it points to.
    #[schema(example = json!([]))]
    pub target_groups: Vec<String>,
    /// When an added phrase was added; `null` for a built-in one.
    pub created_at: Option<DateTime<Utc>>,
    /// Who added it; `null` for a built-in one or one added from the command line.
    pub created_by: Option<String>,
}

/// The whole vocabulary of needs.
#[derive(Debug, Serialize, ToSchema)]
pub struct VocabularyList {
    /// The built-in phrases in the order of `data/needs.json`, then the added ones,
    /// oldest first.
    pub items: Vec<VocabularyItem>,
}

/// A phrase to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPhraseRequest {
    /// `it` or `en`: the language the phrase is matched in first.
    #[schema(value_type = Lang)]
    lang: String,
    /// 1–80 characters, not only function words (`di`, `the`, …), not already in the
    /// vocabulary in the same language (compared by stems: `bollette` is `bolletta`).
    #[schema(example = "ribollita solidale")]
    phrase: String,
    /// Category slugs of the taxonomy (`GET /api/categories`).
    #[serde(default)]
    categories: Vec<String>,
    /// Target-group slugs of the taxonomy (`GET /api/target-groups`); at least one
    /// category or one target group.
    #[serde(default)]
    target_groups: Vec<String>,
}

fn conflict(message: String) -> AppError {
    AppError::Conflict {
        parameter: Some("phrase".into()),
        message,
    }
}

fn checked_slugs(
    field: &str,
    given: &[String],
    known: impl Fn(&str) -> bool,
) -> Result<Vec<String>, AppError> {
    let mut out: Vec<String> = Vec::new();
    for slug in given {
        if !known(slug) {
            let shown = crate::domain::text::clip(slug);
            return Err(AppError::invalid(
                field,
                format!("{shown:?} is not in the taxonomy"),
            ));
        }
        if !out.contains(slug) {
            out.push(slug.clone());
        }
    }
    Ok(out)
}

/// The whole vocabulary of needs: built-in and added phrases, marked which is which
/// (admins only).
#[utoipa::path(get, path = "/api/admin/vocabulary", tag = "admin",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "Every phrase", body = VocabularyList),
        (status = 400, description = "A query parameter was given (there are none)", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn list(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    params: super::params::Params,
) -> Result<Json<VocabularyList>, AppError> {
    params.finish(&[])?;
    let added = state.directory.store().need_phrases().await?;
    let mut items: Vec<VocabularyItem> = builtin_entries()
        .iter()
        .flat_map(|e| {
            e.phrases.iter().map(|p| VocabularyItem {
                id: None,
                origin: Origin::Builtin,
                lang: e.lang,
                phrase: p.clone(),
                categories: e.categories.clone(),
                target_groups: e.target_groups.clone(),
                created_at: None,
                created_by: None,
            })
        })
        .collect();
    items.extend(added.into_iter().map(|p| VocabularyItem {
        id: Some(p.id),
        origin: Origin::Added,
        lang: p.lang,
        phrase: p.phrase,
        categories: p.categories,
        target_groups: p.target_groups,
        created_at: Some(p.created_at),
        created_by: p.created_by,
    }));
    Ok(Json(VocabularyList { items }))
}

/// Add a phrase to the vocabulary of needs (admins only; audited as `vocabulary.add`).
/// Search uses it as soon as this answers.
#[utoipa::path(post, path = "/api/admin/vocabulary", tag = "admin",
    security(("session_cookie" = [], "csrf_token" = [])),
    request_body(content = NewPhraseRequest, content_type = "application/json",
        example = json!({"lang": "it", "phrase": "ribollita solidale",
            "categories": ["food-aid"], "target_groups": ["low-income"]})),
    responses(
        (status = 201, description = "Added", body = NeedPhraseRecord),
        (status = 400, description = "The body is not a JSON object of this shape, or a field is invalid (lang, phrase, categories, target_groups); `parameter` names it", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "Not an admin, or `X-CSRF-Token` missing or wrong", body = ErrorBody),
        (status = 409, description = "The phrase is already in the vocabulary in this language (compared by stems)", body = ErrorBody),
        (status = 413, description = "The body is larger than 16 KiB", body = ErrorBody),
        (status = 415, description = "The body is not `application/json`", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn add(
    Admin(admin): Admin,
    State(state): State<AppState>,
    JsonBody(req): JsonBody<NewPhraseRequest>,
) -> Result<Response, AppError> {
    let lang: Lang = req
        .lang
        .parse()
        .map_err(|e: String| AppError::invalid("lang", e))?;
    let phrase = checked_text(&req.phrase, Layout::Line)
        .map_err(|bad| AppError::invalid("phrase", bad.to_string()))?
        .ok_or_else(|| AppError::invalid("phrase", "is empty"))?;
    let chars = phrase.chars().count();
    if chars > MAX_PHRASE_CHARS {
        return Err(AppError::invalid(
            "phrase",
            format!("is {chars} characters long; at most {MAX_PHRASE_CHARS}"),
        ));
    }
    let key = match_key(lang, &phrase).ok_or_else(|| {
        AppError::invalid(
            "phrase",
            "has only function words (articles, prepositions, …), which match everything",
        )
    })?;
    let taxonomy = state.directory.taxonomy();
    let categories = checked_slugs("categories", &req.categories, |s| {
        taxonomy.category_bit(s).is_some()
    })?;
    let target_groups = checked_slugs("target_groups", &req.target_groups, |s| {
        taxonomy.target_bit(s).is_some()
    })?;
    if categories.is_empty() && target_groups.is_empty() {
        return Err(AppError::invalid(
            "categories",
            "give at least one category or target group",
        ));
    }
    let vocabulary = state.directory.needs().current();
    if let Some(sources) = vocabulary.source_of(lang, &key) {
        let where_ = match sources.iter().find_map(|s| match s {
            PhraseSource::Added(id) => Some(*id),
            PhraseSource::BuiltIn => None,
        }) {
            Some(id) => format!("as added phrase {id}"),
            None => "built in".to_string(),
        };
        return Err(conflict(format!(
            "phrase: {phrase:?} is already in the vocabulary ({where_})"
        )));
    }
    let new = NewNeedPhrase {
        lang,
        phrase,
        match_key: key,
        categories,
        target_groups,
    };
    let store = state.directory.store();
    let Some(record) = store.add_need_phrase(&new, &admin.actor()).await? else {
        return Err(conflict(format!(
            "phrase: {:?} is already in the vocabulary",
            new.phrase
        )));
    };
    reload(&state).await;
    tracing::info!(admin = admin.id, phrase = record.id, "need phrase added");
    Ok((StatusCode::CREATED, Json(record)).into_response())
}

/// Remove an added phrase from the vocabulary of needs (admins only; audited as
/// `vocabulary.delete`). Built-in phrases have no id and cannot be removed.
#[utoipa::path(delete, path = "/api/admin/vocabulary/{id}", tag = "admin",
    security(("session_cookie" = [], "csrf_token" = [])),
    params(("id" = i64, Path, description = "Added phrase id", minimum = 1, example = 1)),
    responses(
        (status = 200, description = "Removed; the phrase as it was", body = NeedPhraseRecord),
        (status = 400, description = "The id is not a positive whole number", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "Not an admin, or `X-CSRF-Token` missing or wrong", body = ErrorBody),
        (status = 404, description = "No added phrase has this id", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn remove(
    Admin(admin): Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<NeedPhraseRecord>, AppError> {
    let id = super::params::positive_id("id", &id)?;
    let record = state
        .directory
        .store()
        .delete_need_phrase(id, &admin.actor())
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no added phrase has id {id}")))?;
    reload(&state).await;
    tracing::info!(admin = admin.id, phrase = id, "need phrase deleted");
    Ok(Json(record))
}

/// The change committed: search must see it. If the store cannot be read back just now,
/// the change still stands (it is stored), and the next change or restart brings it in.
async fn reload(state: &AppState) {
    if let Err(e) = state.directory.reload_needs().await {
        tracing::error!("vocabulary of needs not rebuilt after a change: {e}");
    }
}
