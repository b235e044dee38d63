//! Asking to be listed: `POST /api/submissions`, `GET /api/submissions/{code}`, and change
//! proposals through a listing's private edit link, `POST /api/listings/{id}/proposals`.
//!
//! Privacy: the submitter's contact is stored for the moderators and never returned by
//! these endpoints nor logged (email addresses appear masked). The client's address is
//! used only by the in-memory rate limit.

use super::json::{JsonBody, limit_bodies};
use super::path::Path;
use super::ratelimit::{ClientIp, RateLimiter};
use super::{AppError, AppState, ErrorBody};
use crate::domain::ServiceId;
use crate::domain::submission::{
    EditToken, SubmissionKind, SubmissionStatus, TrackingCode, check_submission, hash_token,
};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};
use utoipa::ToSchema;

/// The largest submission or moderation body: every field at its longest fits.
pub const MAX_SUBMISSION_BYTES: usize = 128 * 1024;
/// How many submissions (new listings and change proposals) one client may send per
/// [`SUBMISSION_WINDOW`].
pub const SUBMISSIONS_PER_WINDOW: usize = 10;
/// The sliding window of the submission rate limit.
pub const SUBMISSION_WINDOW: Duration = Duration::from_secs(60 * 60);

/// What the submission endpoints keep between requests, in memory only.
pub struct SubmissionsState {
    limiter: RateLimiter,
}

impl Default for SubmissionsState {
    fn default() -> Self {
        Self {
            limiter: RateLimiter::new(SUBMISSIONS_PER_WINDOW, SUBMISSION_WINDOW),
        }
    }
}

/// The submission routes (under `/api`), with their body limit and rate limiter.
pub fn router() -> Router<AppState> {
    let routes = Router::new()
        .route("/submissions", post(create))
        .route("/submissions/{code}", get(status))
        .route("/listings/{id}/proposals", post(propose));
    limit_bodies(routes, MAX_SUBMISSION_BYTES)
        .layer(Extension(Arc::new(SubmissionsState::default())))
}

/// The answer to an accepted submission or change proposal.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionReceipt {
    /// Ten characters to follow the submission with; it shows the status only.
    #[schema(example = "7KQ2MX9FHD")]
    pub tracking_code: String,
    /// Always `pending`.
    pub status: SubmissionStatus,
    /// Where to read the status.
    #[schema(example = "/api/submissions/7KQ2MX9FHD")]
    pub status_url: String,
    /// New listings only: the listing's private edit token, shown this once (and sent by
    /// email); it opens `POST /api/listings/{id}/proposals` once the listing is published.
    /// Keep it secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edit_token: Option<String>,
}

/// What the holder of a tracking code may read.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionStatusView {
    /// The tracking code.
    pub tracking_code: String,
    /// `new` or `change`.
    pub kind: SubmissionKind,
    /// Where it is.
    pub status: SubmissionStatus,
    /// The proposed listing's name.
    pub name: String,
    /// The moderator's reason (rejected) or message (changes requested).
    pub reason: Option<String>,
    /// The listing, once published or merged (or the one a change is for).
    pub service_id: Option<i64>,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
    /// When a moderator decided.
    pub decided_at: Option<DateTime<Utc>>,
}

fn too_many_submissions(wait: Duration) -> AppError {
    AppError::too_many_requests("rate_limited", wait, |secs| {
        format!(
            "too many submissions from this connection; try again in {} minute(s)",
            secs.div_ceil(60)
        )
    })
}

fn receipt(code: &TrackingCode, token: Option<&EditToken>) -> SubmissionReceipt {
    SubmissionReceipt {
        tracking_code: code.to_string(),
        status: SubmissionStatus::Pending,
        status_url: format!("/api/submissions/{code}"),
        edit_token: token.map(|t| t.secret().to_string()),
    }
}

/// Ask for a service to be listed. The body is a GeoJSON Feature shaped like
/// `GET /api/services/{id}` (server-owned fields are ignored) plus
/// `properties.contact` `{name, email, phone}` (private: moderators only; name and an
/// email or phone required), `properties.consent: true`, optional `properties.lang`
/// (`it`|`en`, for the messages to the submitter) and the honeypot
/// `properties.website_url`, which must be absent or empty. Answers 201 only once the
/// submission is stored; 422 lists every problem. 10 submissions per client per hour.
#[utoipa::path(post, path = "/api/submissions", tag = "submissions",
    request_body(content = Object, content_type = "application/json",
        description = "GeoJSON Feature with properties.contact and properties.consent",
        example = json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [11.329, 43.32]},
            "properties": {
                "name": "Banco alimentare di quartiere",
                "organisation": "Associazione Esempio",
                "description_it": "Distribuzione di pacchi alimentari",
                "categories": ["food-aid"],
                "target_groups": ["low-income"],
                "address": "Via dei Rossi 10, Siena",
                "phone": "0577 123456",
                "opening_hours": "Mo,We 09:00-12:00",
                "accessibility": {"wheelchair": "limited"},
                "contact": {"name": "Anna Rossi", "email": "anna.rossi@example.org"},
                "consent": true,
                "lang": "it"
            }
        })),
    responses(
        (status = 201, description = "Stored, waiting for a moderator", body = SubmissionReceipt),
        (status = 400, description = "No body, or the body is not a JSON object; `parameter` names it", body = ErrorBody),
        (status = 413, description = "The body is larger than 128 KiB", body = ErrorBody),
        (status = 415, description = "A body that is not `application/json`", body = ErrorBody),
        (status = 422, description = "Every invalid field", body = ErrorBody),
        (status = 429, description = "Too many submissions from this client (10 an hour); see `Retry-After`", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Extension(subs): Extension<Arc<SubmissionsState>>,
    ClientIp(client): ClientIp,
    body: Result<JsonBody<Value>, AppError>,
) -> Result<Response, AppError> {
    let JsonBody(value) = body?;
    let dir = &state.directory;
    let checked = check_submission(
        &value,
        SubmissionKind::New,
        None,
        &dir.taxonomy(),
        dir.area(),
    )
    .map_err(AppError::Invalid)?;
    subs.limiter
        .check(client, Instant::now())
        .map_err(too_many_submissions)?;
    let code = TrackingCode::generate();
    let token = EditToken::generate();
    if checked.honeypot {
        // Bots learn nothing from the answer: it looks like a stored submission.
        tracing::info!("submission discarded: honeypot field filled");
        return Ok((StatusCode::CREATED, Json(receipt(&code, Some(&token)))).into_response());
    }
    let stored = dir
        .store()
        .add_submission(&checked.submission, &code, Some(&token.hash()))
        .await?;
    tracing::info!(
        submission = stored.id.0,
        "new listing submitted; waiting for a moderator"
    );
    state.notifier.submission_received(&stored, Some(&token));
    Ok((StatusCode::CREATED, Json(receipt(&code, Some(&token)))).into_response())
}

/// A submission's status, for whoever holds its tracking code (any case; spaces and
/// dashes are ignored). The private contact is never shown.
#[utoipa::path(get, path = "/api/submissions/{code}", tag = "submissions",
    params(("code" = String, Path, description = "Tracking code: 10 letters and digits, any case; spaces and dashes are ignored", example = "7KQ2MX9FHD")),
    responses(
        (status = 200, description = "The status", body = SubmissionStatusView),
        (status = 400, description = "Not a tracking code", body = ErrorBody),
        (status = 404, description = "No submission has this code", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn status(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<SubmissionStatusView>, AppError> {
    let code = TrackingCode::parse(&code).ok_or_else(|| {
        AppError::invalid("code", "must be a tracking code of 10 letters and digits")
    })?;
    let s = state
        .directory
        .store()
        .submission_by_code(&code)
        .await?
        .ok_or_else(|| AppError::NotFound("no submission has this tracking code".into()))?;
    Ok(Json(SubmissionStatusView {
        tracking_code: s.tracking_code.to_string(),
        kind: s.kind,
        status: s.status,
        name: s.data.name,
        reason: s.reason,
        service_id: s.service_id.map(|i| i.0),
        created_at: s.created_at,
        decided_at: s.decided_at,
    }))
}

/// Propose changes to a published listing through its private edit link: the listing's
/// edit token in `Authorization: Bearer <token>` and the whole listing as a Feature (as for
/// `POST /api/submissions`, with contact and consent). The proposal waits in the
/// moderators' queue with a diff against the live listing, which does not change until a
/// moderator approves. A tracking code is not an edit token.
#[utoipa::path(post, path = "/api/listings/{id}/proposals", tag = "submissions",
    security(("edit_token" = [])),
    params(("id" = i64, Path, description = "Listing id", minimum = 1, example = 1)),
    request_body(content = Object, content_type = "application/json",
        description = "GeoJSON Feature with properties.contact and properties.consent"),
    responses(
        (status = 201, description = "Stored, waiting for a moderator", body = SubmissionReceipt),
        (status = 400, description = "The id is not a positive whole number, there is no body, or the body is not a JSON object; `parameter` names it", body = ErrorBody),
        (status = 401, description = "No edit token (`Authorization: Bearer <token>`)", body = ErrorBody),
        (status = 403, description = "The token does not open this listing", body = ErrorBody),
        (status = 413, description = "The body is larger than 128 KiB", body = ErrorBody),
        (status = 415, description = "A body that is not `application/json`", body = ErrorBody),
        (status = 422, description = "Every invalid field", body = ErrorBody),
        (status = 429, description = "Too many submissions from this client (10 an hour); see `Retry-After`", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn propose(
    State(state): State<AppState>,
    Extension(subs): Extension<Arc<SubmissionsState>>,
    ClientIp(client): ClientIp,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<JsonBody<Value>, AppError>,
) -> Result<Response, AppError> {
    let id = ServiceId(super::params::positive_id("id", &id)?);
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            AppError::unauthenticated(
                "Authorization: Bearer <edit token> is required to propose changes",
            )
        })?;
    let dir = &state.directory;
    // The token is checked before the body is looked at: a wrong one learns nothing.
    if dir.store().edit_token_service(&hash_token(token)).await? != Some(id) {
        tracing::info!(service = id.0, "change proposal refused: wrong edit token");
        return Err(AppError::Forbidden(
            "this edit token does not open this listing".into(),
        ));
    }
    let JsonBody(value) = body?;
    let checked = check_submission(
        &value,
        SubmissionKind::Change,
        Some(id),
        &dir.taxonomy(),
        dir.area(),
    )
    .map_err(AppError::Invalid)?;
    subs.limiter
        .check(client, Instant::now())
        .map_err(too_many_submissions)?;
    let code = TrackingCode::generate();
    if checked.honeypot {
        tracing::info!("change proposal discarded: honeypot field filled");
        return Ok((StatusCode::CREATED, Json(receipt(&code, None))).into_response());
    }
    let stored = dir
        .store()
        .add_submission(&checked.submission, &code, None)
        .await?;
    tracing::info!(
        submission = stored.id.0,
        service = id.0,
        "change proposal submitted"
    );
    state.notifier.submission_received(&stored, None);
    Ok((StatusCode::CREATED, Json(receipt(&code, None))).into_response())
}
