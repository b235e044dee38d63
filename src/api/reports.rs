//! Citizens' reports of a problem with a listing: `POST /api/services/{id}/reports`.
//!
//! Privacy: nothing that identifies the reporter is stored or logged. The client's IP
//! address is used only by the in-memory rate limit ([`super::ratelimit`]); the message
//! text never reaches the logs.

use super::json::{JsonBody, MAX_BODY_BYTES, limit_bodies};
use super::path::Path;
use super::ratelimit::{ClientIp, RateLimiter};
use super::{AppError, AppState, ErrorBody};
use crate::domain::{Lang, ReportDraft, ReportKind, ReportStatus, ServiceId};
use crate::store::StoreError;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};
use utoipa::ToSchema;

/// How many reports one client may send per [`REPORT_WINDOW`].
pub const REPORTS_PER_WINDOW: usize = 5;
/// The sliding window of the report rate limit.
pub const REPORT_WINDOW: Duration = Duration::from_secs(10 * 60);

/// What the report endpoint keeps between requests, in memory only.
pub struct ReportsState {
    limiter: RateLimiter,
    /// The last id handed out, so that the honeypot's fake receipt looks like a real one.
    last_id: AtomicI64,
}

impl Default for ReportsState {
    fn default() -> Self {
        Self {
            limiter: RateLimiter::new(REPORTS_PER_WINDOW, REPORT_WINDOW),
            last_id: AtomicI64::new(0),
        }
    }
}

/// The report route, `POST /services/{id}/reports` (under `/api`), with its body size
/// limit (answered in JSON by [`JsonBody`]) and its own rate limiter.
pub fn router() -> Router<AppState> {
    let routes = Router::new().route("/services/{id}/reports", post(create));
    limit_bodies(routes, MAX_BODY_BYTES).layer(Extension(Arc::new(ReportsState::default())))
}

/// A citizen's report, as sent by the service card's "report a problem" form.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// What is wrong.
    #[schema(value_type = ReportKind, required = true, example = "wrong_hours")]
    kind: Option<String>,
    /// Details in the citizen's words, plain text, at most 2000 characters; required when
    /// `kind` is `other`. Newlines and tabs are kept, other control characters refused.
    #[schema(example = "Il martedì pomeriggio è chiuso.")]
    message: Option<String>,
    /// The language of the form (default `it`).
    #[schema(value_type = Option<Lang>, example = "it")]
    lang: Option<String>,
    /// Must be empty or absent. A field people do not see, that form-filling bots fill
    /// in: a report with it filled is answered as if accepted, and discarded.
    #[schema(example = "")]
    website: Option<String>,
}

/// The answer to an accepted report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportReceipt {
    /// The report's identifier.
    #[schema(example = 42)]
    pub id: i64,
    /// Always `open`: it waits for a moderator.
    pub status: ReportStatus,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
}

/// Report a problem with a published service ("wrong address", "closed", …) to the
/// moderators. Answers 201 only once the report is stored. Nothing about the reporter is
/// stored. Each client may send 5 reports every 10 minutes.
#[utoipa::path(post, path = "/api/services/{id}/reports", tag = "reports",
    params(("id" = i64, Path, description = "Service identifier", minimum = 1, example = 1)),
    request_body(content = ReportRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "Stored, waiting for a moderator", body = ReportReceipt),
        (status = 400, description = "A field is missing, unknown or invalid, or the body is not JSON; `parameter` names the field", body = ErrorBody),
        (status = 404, description = "No published service has this id", body = ErrorBody),
        (status = 413, description = "The body is larger than 16 KiB", body = ErrorBody),
        (status = 415, description = "The body is not `application/json`", body = ErrorBody),
        (status = 429, description = "Too many reports from this client; see `Retry-After`", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Extension(reports): Extension<Arc<ReportsState>>,
    ClientIp(client): ClientIp,
    Path(id): Path<String>,
    body: Result<JsonBody<ReportRequest>, AppError>,
) -> Result<Response, AppError> {
    let receipt = accept(state, &reports, client, &id, body).await?;
    Ok((StatusCode::CREATED, Json(receipt)).into_response())
}

async fn accept(
    state: AppState,
    reports: &ReportsState,
    client: Option<std::net::IpAddr>,
    id: &str,
    body: Result<JsonBody<ReportRequest>, AppError>,
) -> Result<ReportReceipt, AppError> {
    let id = ServiceId(super::params::positive_id("id", id)?);
    let JsonBody(req) = body?;
    let draft = ReportDraft::new(
        id,
        req.kind.as_deref(),
        req.message.as_deref(),
        req.lang.as_deref(),
    )
    .map_err(|errors| {
        // Every field in error is in the message; `parameter` names the first.
        let first = errors.0[0].field.clone();
        let text = errors.to_string();
        AppError::BadParameter {
            code: "invalid_field",
            parameter: first.to_string(),
            message: text
                .strip_prefix(&format!("{first}: "))
                .unwrap_or(&text)
                .to_string(),
        }
    })?;
    let not_found = || AppError::NotFound(format!("no published service has id {id}"));
    // The index answers for unknown ids without touching the database; the store checks
    // again inside its transaction.
    if state.directory.index().read().get(id).is_none() {
        return Err(not_found());
    }
    reports
        .limiter
        .check(client, Instant::now())
        .map_err(|wait| {
            tracing::info!(service = id.0, "report refused: rate limit reached");
            AppError::too_many_requests("rate_limited", wait, |secs| {
                format!(
                    "too many reports from this connection; try again in {} minute(s)",
                    secs.div_ceil(60)
                )
            })
        })?;
    if req.website.as_deref().is_some_and(|w| !w.trim().is_empty()) {
        // Bots learn nothing from the answer: it looks like a stored report.
        tracing::info!(service = id.0, "report discarded: honeypot field filled");
        return Ok(ReportReceipt {
            id: reports.last_id.load(Ordering::Relaxed) + 1,
            status: ReportStatus::Open,
            created_at: Utc::now(),
        });
    }
    let kind = draft.kind();
    let report = match state.directory.store().add_report(draft).await {
        Ok(r) => r,
        Err(StoreError::UnknownService(_)) => return Err(not_found()),
        Err(e) => return Err(AppError::Store(e)),
    };
    reports.last_id.fetch_max(report.id.0, Ordering::Relaxed);
    // The message is the citizen's own words: it is never logged.
    tracing::info!(
        report = report.id.0,
        service = id.0,
        kind = kind.as_str(),
        "report received"
    );
    Ok(ReportReceipt {
        id: report.id.0,
        status: report.status,
        created_at: report.created_at,
    })
}
