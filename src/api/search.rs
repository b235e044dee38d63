//! Search by need: `GET /api/search` reads a citizen's sentence and answers the services
//! that meet it, with how it was read; `GET /api/search/suggest` offers completions while
//! they type.

use super::AppError;
use super::AppState;
use super::error::ErrorBody;
use super::fastjson::ListAnswer;
use super::model::ServiceCollection;
use super::params::{MAX_K, Params};
use super::public::{geojson_bytes, names};
use crate::domain::text::{MAX_QUERY_CHARS, clip, fold};
use crate::domain::{Coordinates, Lang};
use crate::geocode::PlaceKind;

use crate::search::engine::{self, Relaxed};
use crate::search::interpret::{self, Phrase};
use crate::search::landmarks;

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;
use utoipa::{IntoParams, ToSchema};

/// The default number of services a search answers.
pub const DEFAULT_K: usize = 20;
/// The most suggestions offered.
pub const MAX_SUGGESTIONS: usize = 8;

/// Parameters of `GET /api/search`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Documents the parameters; `Params` parses them.
pub struct SearchQuery {
    /// What the citizen typed, 1 to 200 characters: a need in everyday words, optionally
    /// a place (`vicino a Piazza del Campo`, `near the station`, `a Poggibonsi`), `aperto
    /// adesso` / `open now`, `accessibile in carrozzina` / `wheelchair`.
    #[param(example = "centro anziani vicino a Piazza del Campo")]
    q: String,
    /// The language of the sentence and of the labels answered: `it` (default) or `en`.
    /// Words of the other language are understood too.
    #[param(example = "it")]
    lang: Option<String>,
    /// The citizen's position (with `lon`): answers nearest first when no place is named.
    lat: Option<f64>,
    /// The citizen's position (with `lat`).
    lon: Option<f64>,
    /// How many services, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    k: Option<u32>,
    /// Comma-separated category slugs: only services in any of them (never relaxed).
    category: Option<String>,
    /// Comma-separated target-group slugs: only services for any of them (never relaxed).
    target: Option<String>,
    /// Only services open now (Europe/Rome time, or at `at`).
    open_now: Option<bool>,
    /// Evaluate `open_now` at this RFC 3339 time instead of the request time.
    at: Option<DateTime<Utc>>,
    /// `yes`: only services with full wheelchair access; `limited`: full or partial.
    wheelchair: Option<String>,
    /// Comma-separated ISO 639-1 language codes; a service whose desk speaks any of them
    /// matches.
    #[param(example = "en")]
    lang_spoken: Option<String>,
    /// `summary` (default) or `full` (every public field).
    detail: Option<String>,
}

/// Parameters of `GET /api/search/suggest`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Documents the parameters; `Params` parses them.
pub struct SuggestQuery {
    /// What has been typed so far, 1 to 200 characters.
    #[param(example = "bol")]
    q: String,
    /// `it` (default) or `en`.
    lang: Option<String>,
}

static SEARCH_PARAMS: LazyLock<Vec<&'static str>> = LazyLock::new(names::<SearchQuery>);
static SUGGEST_PARAMS: LazyLock<Vec<&'static str>> = LazyLock::new(names::<SuggestQuery>);

/// A place the sentence named, as resolved.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceOut {
    /// What to show.
    pub label: String,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
}

/// How the sentence was read.
#[derive(Debug, Serialize, ToSchema)]
pub struct InterpretationOut {
    /// Free words searched in the services' text, folded.
    pub terms: Vec<String>,
    /// Categories of the needs recognised.
    pub categories: Vec<String>,
    /// Target groups of the needs recognised.
    pub target_groups: Vec<String>,
    /// The place named, or null.
    pub place: Option<PlaceOut>,
    /// Whether only services open now were asked for.
    pub open_now: bool,
    /// Whether only services with wheelchair access were asked for.
    pub wheelchair: bool,
    /// Each part of the sentence and what it was read as, in order: removing a part's
    /// `text` from `q` takes it out of the search.
    pub phrases: Vec<Phrase>,
}

/// The rest of a search answer, besides the FeatureCollection's own members (documented
/// here; the answer carries them at its top level).
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchExtras {
    /// How the sentence was read.
    pub interpretation: InterpretationOut,
    /// What was let go to avoid an empty answer; empty when everything asked is met.
    pub relaxed: Vec<Relaxed>,
    /// The broader categories searched when the needs' own found nothing.
    pub related_categories: Vec<String>,
    /// How many services the answer holds.
    pub total: usize,
    /// Bonuses and contributions the sentence asks about (at most 3); the services where
    /// they are asked for rank first among the services.
    pub benefits: Vec<BenefitHit>,
}

/// A bonus or contribution a search found.
#[derive(Debug, Serialize, ToSchema)]
pub struct BenefitHit {
    /// Its id (`/api/benefits/{id}`).
    pub id: i64,
    /// Name in Italian.
    pub name_it: String,
    /// Name in English, if given.
    pub name_en: Option<String>,
    /// What it gives, in Italian.
    pub gives_it: Option<String>,
    /// What it gives, in English.
    pub gives_en: Option<String>,
    /// ISEE threshold in euros, where one applies.
    pub isee_max_eur: Option<u32>,
    /// The official page.
    pub official_url: Option<String>,
    /// The services where it is asked for.
    pub service_ids: Vec<i64>,
}

fn lang(params: &mut Params) -> Result<Lang, AppError> {
    match params.take("lang").map(str::trim) {
        None | Some("it") => Ok(Lang::It),
        Some("en") => Ok(Lang::En),
        Some(other) => Err(AppError::invalid(
            "lang",
            format!("must be it or en, got {:?}", clip(other)),
        )),
    }
}

fn sentence(params: &mut Params) -> Result<String, AppError> {
    let q = params.take("q").ok_or_else(|| AppError::missing("q"))?;
    let q = q.trim();
    if q.is_empty() {
        return Err(AppError::invalid(
            "q",
            "is empty: type what you are looking for",
        ));
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::invalid(
            "q",
            format!("is longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    Ok(q.to_string())
}

/// Services for a citizen's sentence, best first, with how it was read.
#[utoipa::path(get, path = "/api/search", tag = "search", params(SearchQuery),
    responses(
        (status = 200, description = "GeoJSON FeatureCollection of the services that meet the sentence, best first (nearest first when a place is named or `lat`/`lon` given, with `distance_m`), plus the members of `SearchExtras` at its top level: `interpretation`, `relaxed`, `related_categories`, `total`, `benefits`", body = ServiceCollection, content_type = "application/geo+json"),
        (status = 400, description = "`q` is missing, empty or too long, `lang` is unknown, or another parameter is malformed", body = ErrorBody),
    ))]
pub async fn search(
    State(state): State<AppState>,
    mut params: Params,
) -> Result<Response, AppError> {
    let q = sentence(&mut params)?;
    let lang = lang(&mut params)?;
    let position = match (params.has("lat"), params.has("lon")) {
        (false, false) => None,
        _ => Some(params.point()?),
    };
    let k = params.opt_usize("k", 1, MAX_K)?.unwrap_or(DEFAULT_K);
    let now = params.opt_instant("at")?.unwrap_or_else(Utc::now);
    let directory = &state.directory;
    let area = *directory.area();
    let gazetteer = state.places.gazetteer().await;
    let reading = crate::search::read(&q, lang, &directory.needs().current(), &gazetteer, area);
    let catalog = directory.benefits().all();
    let benefits = crate::search::benefits::matching(&catalog, &reading, &q);
    let boost: Vec<crate::domain::ServiceId> = benefits
        .iter()
        .filter(|m| m.named)
        .flat_map(|m| m.benefit.data.service_ids.iter().copied())
        .collect();
    directory.index().wait_for_text().await;
    let view = directory.index().read();
    let taxonomy = view.taxonomy();
    let filter = params.filter(taxonomy, now, false)?;
    let full = params.detail()?;
    params.finish(&SEARCH_PARAMS)?;
    let origin: Option<Coordinates> = reading.place.as_ref().map(|p| p.point).or(position);
    let answer = engine::search(
        &view,
        &engine::Query {
            interpretation: &reading,
            filter,
            origin,
            centre: area.centre(),
            now,
            k,
            boost,
        },
    );
    let extras = SearchExtras {
        interpretation: InterpretationOut {
            terms: reading.terms(),
            categories: reading.categories(),
            target_groups: reading.target_groups(),
            place: reading.place.as_ref().map(|p| PlaceOut {
                label: p.label.clone(),
                lat: p.point.lat(),
                lon: p.point.lon(),
            }),
            open_now: reading.open_now,
            wheelchair: reading.wheelchair,
            phrases: reading.phrases.clone(),
        },
        relaxed: answer.relaxed.clone(),
        related_categories: answer.related_categories.clone(),
        total: answer.found.len(),
        benefits: benefits
            .iter()
            .map(|m| m.benefit)
            .map(|b| BenefitHit {
                id: b.id.0,
                name_it: b.data.name_it.clone(),
                name_en: b.data.name_en.clone(),
                gives_it: b.data.gives_it.clone(),
                gives_en: b.data.gives_en.clone(),
                isee_max_eur: b.data.isee_max_eur,
                official_url: b.data.official_url.clone(),
                service_ids: b.data.service_ids.iter().map(|s| s.0).collect(),
            })
            .collect(),
    };
    let list = ListAnswer {
        full,
        taxonomy,
        slugs: view.quoted_slugs(),
        now,
        total: None,
        next_cursor: None,
    };
    let body = list.to_json(
        answer
            .found
            .iter()
            .map(|f| (f.listing, origin.is_some().then_some(f.distance_m))),
    );
    drop(view);
    Ok(geojson_bytes(with_members(body, &extras)))
}

/// Adds an object's members to a JSON object's (`{…}` + `{"a":…}` → `{…,"a":…}`).
fn with_members(mut object: Vec<u8>, extra: &impl Serialize) -> Vec<u8> {
    let extra = serde_json::to_vec(extra).expect("plain data serialises");
    debug_assert!(object.ends_with(b"}") && extra.starts_with(b"{"));
    object.pop();
    if extra.len() > 2 {
        object.push(b',');
        object.extend_from_slice(&extra[1..]);
    } else {
        object.push(b'}');
    }
    object
}

/// What a suggestion is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionKind {
    /// A phrase of the vocabulary of needs.
    Need,
    /// A category of the taxonomy.
    Category,
    /// A target group of the taxonomy.
    TargetGroup,
    /// A published service: choosing it opens its card.
    Service,
    /// A town, street or landmark.
    Place,
    /// A bonus or contribution (`id` is the benefit's).
    Benefit,
}

/// One suggestion.
#[derive(Debug, Serialize, ToSchema)]
pub struct Suggestion {
    /// What it is.
    pub kind: SuggestionKind,
    /// What to show.
    pub label: String,
    /// The whole query to search when it is chosen.
    pub text: String,
    /// The service or benefit, for `service` and `benefit` suggestions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
}

/// Suggestions for what is being typed.
#[derive(Debug, Serialize, ToSchema)]
pub struct Suggestions {
    /// At most 8, most likely first.
    pub suggestions: Vec<Suggestion>,
}

/// Completions while a citizen types: needs, categories and target groups, services,
/// places.
#[utoipa::path(get, path = "/api/search/suggest", tag = "search", params(SuggestQuery),
    responses(
        (status = 200, description = "Suggestions, most likely first", body = Suggestions),
        (status = 400, description = "`q` is missing, empty or too long, or `lang` is unknown", body = ErrorBody),
    ))]
pub async fn suggest(
    State(state): State<AppState>,
    mut params: Params,
) -> Result<Json<Suggestions>, AppError> {
    let q = sentence(&mut params)?;
    let lang = lang(&mut params)?;
    params.finish(&SUGGEST_PARAMS)?;
    let mut out: Vec<Suggestion> = Vec::new();
    let gazetteer = state.places.gazetteer().await;
    // After a place marker, the rest is a place being typed.
    if let Some(start) = interpret::place_being_typed(&q) {
        let (head, rest) = q.split_at(start);
        let area = *state.directory.area();
        for l in landmarks::starting_with(rest, lang, &area) {
            out.push(Suggestion {
                kind: SuggestionKind::Place,
                text: format!("{head}{}", l.label),
                label: l.label,
                id: None,
            });
        }
        for p in gazetteer.search(rest, MAX_SUGGESTIONS) {
            out.push(Suggestion {
                kind: SuggestionKind::Place,
                text: format!("{head}{}", p.label),
                label: p.label,
                id: None,
            });
        }
        out.truncate(MAX_SUGGESTIONS);
        return Ok(Json(Suggestions { suggestions: out }));
    }
    let vocabulary = state.directory.needs().current();
    for n in vocabulary.suggest(lang, &q, 4) {
        out.push(Suggestion {
            kind: SuggestionKind::Need,
            label: n.phrase.clone(),
            text: n.phrase,
            id: None,
        });
    }
    let wanted = fold(&q);
    let taxonomy = state.directory.taxonomy();
    let labelled = taxonomy
        .categories
        .iter()
        .map(|c| (SuggestionKind::Category, &c.label_it, &c.label_en))
        .chain(
            taxonomy
                .target_groups
                .iter()
                .map(|t| (SuggestionKind::TargetGroup, &t.label_it, &t.label_en)),
        );
    for (kind, it, en) in labelled {
        let label = if lang == Lang::En { en } else { it };
        let folded = fold(label);
        if folded.starts_with(&wanted) || folded.contains(&format!(" {wanted}")) {
            out.push(Suggestion {
                kind,
                label: label.clone(),
                text: label.clone(),
                id: None,
            });
        }
    }
    for b in state.directory.benefits().all().iter() {
        let name = match (lang, &b.data.name_en) {
            (Lang::En, Some(en)) => en,
            _ => &b.data.name_it,
        };
        let folded = fold(name);
        if folded.starts_with(&wanted) || folded.contains(&format!(" {wanted}")) {
            out.push(Suggestion {
                kind: SuggestionKind::Benefit,
                label: name.clone(),
                text: name.clone(),
                id: Some(b.id.0),
            });
        }
    }
    for p in gazetteer.search(&q, MAX_SUGGESTIONS) {
        let (kind, text) = match p.kind {
            PlaceKind::Service => (SuggestionKind::Service, p.label.clone()),
            _ if lang == Lang::En => (SuggestionKind::Place, format!("near {}", p.label)),
            _ => (SuggestionKind::Place, format!("vicino a {}", p.label)),
        };
        out.push(Suggestion {
            kind,
            label: p.label,
            text,
            id: p.service_id.map(|id| id.0),
        });
    }
    let mut seen: Vec<(SuggestionKind, String)> = Vec::new();
    out.retain(|s| {
        let key = (s.kind, fold(&s.label));
        let new = !seen.contains(&key);
        seen.push(key);
        new
    });
    out.truncate(MAX_SUGGESTIONS);
    Ok(Json(Suggestions { suggestions: out }))
}
