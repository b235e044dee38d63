//! The moderators' API: the queue, decisions on submissions and reports, actions on
//! listings, and (admins only) the audit log. Every route takes the [`Moderator`] or
//! [`Admin`] extractor first, so an unauthenticated request (401), a POST without the
//! session's CSRF token (403) or an under-privileged one (403) is refused before its body
//! is read, and changes nothing.
//!
//! Queue item ids are namespaced: `s-12` is submission 12, `r-5` report 5 and `p-7`
//! listing 7 imported as pending (a bare number is a submission). A pending import can be
//! approved or rejected only: it has no submitter to ask for changes. Reports can also be
//! closed at `/api/moderation/reports/{id}/…`.

use super::json::{JsonBody, limit_bodies};
use super::params::Params;
use super::path::Path;
use super::session::{Admin, Moderator};
use super::submissions::MAX_SUBMISSION_BYTES;
use super::{AppError, AppState, ErrorBody};
use crate::domain::service::FieldError;
use crate::domain::submission::{SubmissionId, check_reason};
use crate::domain::{ReportId, ReportStatus, ServiceId};
use crate::moderation::queue::{
    self, ItemKind, ItemRef, Queue, QueueItem, ReportView, SubmissionView,
};
use crate::moderation::{self as actions, ActionError};
use crate::store::{
    AuditEntry, AuditFilter, Decision, MAX_AUDIT_PAGE, SubjectKind, service_snapshot,
};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

/// The moderation routes (under `/api`).
pub fn router() -> Router<AppState> {
    let routes = Router::new()
        .route("/moderation/queue", get(get_queue))
        .route("/moderation/items/{id}", get(get_item))
        .route("/moderation/items/{id}/approve", post(approve))
        .route("/moderation/items/{id}/reject", post(reject))
        .route(
            "/moderation/items/{id}/request-changes",
            post(request_changes),
        )
        .route("/moderation/items/{id}/merge", post(merge))
        .route("/moderation/items/{id}/resolve", post(resolve_item))
        .route("/moderation/items/{id}/dismiss", post(dismiss_item))
        .route("/moderation/reports/{id}/resolve", post(resolve_report))
        .route("/moderation/reports/{id}/dismiss", post(dismiss_report))
        .route("/moderation/services/{id}", get(get_service))
        .route("/moderation/services/{id}/edit", post(edit_service))
        .route("/moderation/services/{id}/unpublish", post(unpublish))
        .route("/moderation/services/{id}/republish", post(republish))
        .route("/moderation/services/{id}/verify", post(verify))
        .route("/moderation/audit", get(audit));
    limit_bodies(routes, MAX_SUBMISSION_BYTES)
}

impl From<ActionError> for AppError {
    fn from(e: ActionError) -> Self {
        match e {
            ActionError::NotFound(m) => AppError::NotFound(m),
            ActionError::Conflict(m) => AppError::conflict(m),
            ActionError::Invalid(fields) => AppError::Invalid(fields),
            ActionError::Store(e) => AppError::Store(e),
        }
    }
}

/// `{"reason": "…"}`: why (required for a rejection, optional elsewhere).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    /// Plain text, at most 2000 characters; the submitter sees a rejection's reason.
    reason: Option<String>,
}

/// `{"message": "…"}`: what the submitter should change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageRequest {
    /// Plain text, at most 2000 characters; the submitter sees it.
    message: Option<String>,
}

/// `{"into": service_id}`: the published listing a duplicate is merged into.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The listing's id.
    #[schema(minimum = 1, example = 1)]
    into: i64,
}

/// `{"note": "…"}`: a moderator's note on closing a report (optional).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    /// Plain text, at most 2000 characters.
    note: Option<String>,
}

/// What approving or rejecting an item answers: the decision on a submission (`s-N`), or,
/// for a pending import (`p-N`), which has no submitter and so no decision record, the
/// listing itself as a GeoJSON Feature with its `status`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // Documents the answer; the handlers write each variant's own type.
pub enum DecisionAnswer {
    /// `s-N`: the decision.
    Decision(DecisionView),
    /// `p-N`: the listing.
    Listing(ListingSnapshot),
}

/// A listing as moderators see it: a GeoJSON Feature whose properties hold every field,
/// with `status` and `verified_at`.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)] // Documents the answer; handlers write it with `service_snapshot`.
pub struct ListingSnapshot {
    /// Always `Feature`.
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    kind: String,
    /// The listing's id.
    id: i64,
    /// Where it is: a GeoJSON Point, `[lon, lat]`.
    #[schema(value_type = Object)]
    geometry: Value,
    /// Every field, with `status` and `verified_at`.
    #[schema(value_type = Object)]
    properties: Value,
}

/// A decision on a submission.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionView {
    /// The submission as committed.
    pub submission: SubmissionView,
    /// The listing published, changed or merged into, as committed (with its status).
    #[schema(value_type = Option<Object>)]
    pub service: Option<Value>,
}

impl From<&Decision> for DecisionView {
    fn from(d: &Decision) -> Self {
        DecisionView {
            submission: SubmissionView::from(&d.submission),
            service: d.service.as_ref().map(service_snapshot),
        }
    }
}

/// A page of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    /// Entries, newest first.
    pub items: Vec<AuditEntry>,
    /// Pass as `before_id` for the next page; null on the last.
    pub next_before_id: Option<i64>,
}

/// Parameters of `GET /api/moderation/queue`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Documents the parameters; the handler parses them.
pub struct QueueQuery {
    /// Only items of this kind: `new`, `change` or `report`.
    kind: Option<String>,
    /// Items per page: a whole number from 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page, as given: the page starts right after that
    /// page's last item (items decided meanwhile do not shift it).
    after: Option<String>,
}

/// The names [`AuditQuery`] documents.
const AUDIT_PARAMS: [&str; 9] = [
    "actor",
    "action",
    "subject_kind",
    "subject_id",
    "service_id",
    "before_id",
    "from",
    "to",
    "limit",
];

/// Parameters of `GET /api/moderation/audit`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Documents the parameters; the handler parses them.
pub struct AuditQuery {
    /// The acting username, `cli` (the command line) or `system`.
    actor: Option<String>,
    /// The action, e.g. `submission.approve`, `service.unpublish`, `user.add`,
    /// `import.file`.
    action: Option<String>,
    /// `user`, `submission`, `service`, `report`, `import`, `vocabulary` or `benefit`.
    subject_kind: Option<String>,
    /// The subject's id.
    subject_id: Option<i64>,
    /// The listing concerned.
    service_id: Option<i64>,
    /// At or after this RFC 3339 time.
    from: Option<DateTime<Utc>>,
    /// Before this RFC 3339 time.
    to: Option<DateTime<Utc>>,
    /// Entries older than this id (paging).
    before_id: Option<i64>,
    /// 1 to 500 (default 100).
    limit: Option<u32>,
}

fn positive(name: &str, raw: &str) -> Result<i64, AppError> {
    super::params::positive_id(name, raw)
}

fn item_ref(raw: &str) -> Result<ItemRef, AppError> {
    raw.parse::<ItemRef>()
        .map_err(|m| AppError::invalid("id", m))
}

/// What `request-changes` and `merge` say to a pending import.
const NO_SUBMITTER: &str =
    "an imported listing has no submitter to ask; approve and edit it, or reject it";

fn submission_ref(raw: &str) -> Result<SubmissionId, AppError> {
    submission_of(item_ref(raw)?)
}

fn submission_of(item: ItemRef) -> Result<SubmissionId, AppError> {
    match item {
        ItemRef::Submission(id) => Ok(id),
        ItemRef::Report(_) => Err(AppError::conflict(
            "this action applies to submissions (s-N); reports are resolved or dismissed",
        )),
        ItemRef::PendingService(_) => Err(AppError::conflict(NO_SUBMITTER)),
    }
}

/// What approve and reject act on: a submission or a pending import.
enum Decidable {
    Submission(SubmissionId),
    Import(ServiceId),
}

fn decidable_ref(raw: &str) -> Result<Decidable, AppError> {
    match item_ref(raw)? {
        ItemRef::PendingService(id) => Ok(Decidable::Import(id)),
        other => submission_of(other).map(Decidable::Submission),
    }
}

fn report_ref(raw: &str) -> Result<ReportId, AppError> {
    match item_ref(raw)? {
        ItemRef::Report(id) => Ok(id),
        ItemRef::Submission(_) | ItemRef::PendingService(_) => Err(AppError::conflict(
            "resolve and dismiss apply to reports (r-N)",
        )),
    }
}

fn optional_text(field: &str, text: Option<String>) -> Result<Option<String>, AppError> {
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => check_reason(field, Some(t))
            .map(Some)
            .map_err(|e| AppError::Invalid(vec![e])),
    }
}

fn required_text(field: &str, text: Option<String>) -> Result<String, AppError> {
    check_reason(field, text.as_deref()).map_err(|e: FieldError| AppError::Invalid(vec![e]))
}

/// The queue, a page at a time: pending new listings (submissions and imports), change
/// proposals and open reports, oldest first, with counts per kind of the whole queue; each
/// item with its map point, nearby possible duplicates and, for change proposals, the
/// field-by-field diff.
/// Follow `next_cursor` (as `after`) until it is null.
#[utoipa::path(get, path = "/api/moderation/queue", tag = "moderation",
    security(("session_cookie" = [])),
    params(QueueQuery),
    responses(
        (status = 200, description = "A page of the queue", body = Queue),
        (status = 400, description = "A parameter is malformed, out of range, unknown or given twice; `parameter` names it", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn get_queue(
    Moderator(_user): Moderator,
    State(state): State<AppState>,
    mut params: Params,
) -> Result<Json<Queue>, AppError> {
    // `Params` refuses a parameter given twice, naming it, where a map would keep the
    // last one silently.
    let only = params
        .opt_text("kind")
        .map(|v| match v.as_str() {
            "new" => Ok(ItemKind::New),
            "change" => Ok(ItemKind::Change),
            "report" => Ok(ItemKind::Report),
            _ => Err(AppError::invalid("kind", "must be new, change or report")),
        })
        .transpose()?;
    let limit = params
        .opt_usize("limit", 1, queue::MAX_PAGE)?
        .unwrap_or(queue::DEFAULT_PAGE);
    let after = params
        .opt_text("after")
        .map(|v| {
            v.parse::<queue::Cursor>()
                .map_err(|m| AppError::invalid("after", m))
        })
        .transpose()?;
    params.finish(&["kind", "limit", "after"])?;
    Ok(Json(
        queue::build(&state.directory, only, after, limit).await?,
    ))
}

/// One item (`s-N`, `r-N` or `p-N`), decided or not.
#[utoipa::path(get, path = "/api/moderation/items/{id}", tag = "moderation",
    security(("session_cookie" = [])),
    params(("id" = String, Path, description = "s-N (submission), r-N (report) or p-N (pending import); a bare N is s-N", pattern = r"^([srp]-)?[1-9][0-9]{0,17}$", example = "s-1")),
    responses(
        (status = 200, description = "The item", body = QueueItem),
        (status = 400, description = "The id is not s-N, r-N or p-N; `parameter` names it", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn get_item(
    Moderator(_user): Moderator,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<QueueItem>, AppError> {
    let r = item_ref(&id)?;
    queue::item(&state.directory, r)
        .await?
        .map(Json)
        .ok_or_else(|| AppError::NotFound(format!("no item {r}")))
}

fn decided(state: &AppState, d: Decision) -> Response {
    state.notifier.submission_decided(&d.submission);
    Json(DecisionView::from(&d)).into_response()
}

/// Approve a pending submission: it is published at once (a new listing appears in the
/// API and on the map; a change is applied to the live listing). The optional body is the
/// moderator's edited Feature, checked like a submission (422 lists every problem).
///
/// On a pending import (`p-N`) the listing is published as imported and the answer is the
/// listing (with its status) instead of a decision; a body is refused (422): approve it,
/// then edit it.
#[utoipa::path(post, path = "/api/moderation/items/{id}/approve", tag = "moderation",
    security(("session_cookie" = [], "csrf_token" = [])),
    params(("id" = String, Path, description = "s-N (a submission) or p-N (a pending import)", pattern = r"^([srp]-)?[1-9][0-9]{0,17}$", example = "s-1")),
    request_body(content = Option<Object>, content_type = "application/json",
        description = "Optional (s-N only): the edited listing as a GeoJSON Feature"),
    responses(
        (status = 200, description = "Published: the decision (s-N), or the listing (p-N)", body = DecisionAnswer),
        (status = 400, description = "The id is not s-N, r-N or p-N, or the body is not a JSON object of this shape (a field missing, unknown or of the wrong type); `parameter` names it", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "`X-CSRF-Token` missing or wrong", body = ErrorBody),
        (status = 404, description = "No such submission or pending import", body = ErrorBody),
        (status = 409, description = "Already decided, a report (r-N), or a change to a listing that no longer exists", body = ErrorBody),
        (status = 413, description = "The body is larger than 128 KiB", body = ErrorBody),
        (status = 415, description = "A body that is not `application/json`", body = ErrorBody),
        (status = 422, description = "The (edited) listing is invalid, or a body was sent for a pending import", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn approve(
    Moderator(user): Moderator,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Option<JsonBody<Value>>, AppError>,
) -> Result<Response, AppError> {
    let edited: Option<Value> = body?.map(|JsonBody(v)| v);
    let id = match decidable_ref(&id)? {
        Decidable::Submission(id) => id,
        Decidable::Import(id) => {
            if edited.is_some() {
                return Err(AppError::Invalid(vec![FieldError::invalid(
                    "body",
                    "an imported listing is approved as it is: send no body, \
                     then edit the published listing",
                )]));
            }
            let s = actions::decide_import(&state.directory, id, true, None, &user.actor()).await?;
            tracing::info!(service = id.0, moderator = %user.username, "pending import approved");
            return Ok(Json(service_snapshot(&s)).into_response());
        }
    };
    let d = actions::approve(&state.directory, id, edited.as_ref(), &user.actor()).await?;
    tracing::info!(submission = id.0, moderator = %user.username, "submission approved");
    Ok(decided(&state, d))
}

/// Reject a pending submission with a reason the submitter sees. On a pending import
/// (`p-N`) the listing is rejected (it stays off the map; the reason is audited) and the
/// answer is the listing (with its status) instead of a decision.
#[utoipa::path(post, path = "/api/moderation/items/{id}/reject", tag = "moderation",
    security(("session_cookie" = [], "csrf_token" = [])),
    params(("id" = String, Path, description = "s-N (a submission) or p-N (a pending import)", pattern = r"^([srp]-)?[1-9][0-9]{0,17}$", example = "s-1")),
    request_body(content = ReasonRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Rejected: the decision (s-N), or the listing (p-N)", body = DecisionAnswer),
        (status = 400, description = "The id is not s-N, r-N or p-N, there is no body, or the body is not a JSON object of this shape (a field missing, unknown or of the wrong type); `parameter` names it", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "`X-CSRF-Token` missing or wrong", body = ErrorBody),
        (status = 404, description = "No such submission or pending import", body = ErrorBody),
        (status = 409, description = "Already decided, or a report (r-N)", body = ErrorBody),
        (status = 413, description = "The body is larger than 128 KiB", body = ErrorBody),
        (status = 415, description = "A body that is not `application/json`", body = ErrorBody),
        (status = 422, description = "No reason, or one longer than 2000 characters", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn reject(
    Moderator(user): Moderator,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<JsonBody<ReasonRequest>, AppError>,
) -> Result<Response, AppError> {
    let target = decidable_ref(&id)?;
    let JsonBody(req) = body?;
    let reason = required_text("reason", req.reason)?;
    let id = match target {
        Decidable::Submission(id) => id,
        Decidable::Import(id) => {
            let s =
                actions::decide_import(&state.directory, id, false, Some(&reason), &user.actor())
                    .await?;
            return Ok(Json(service_snapshot(&s)).into_response());
        }
    };
    let d = actions::reject(&state.directory, id, &reason, &user.actor()).await?;
    Ok(decided(&state, d))
}

/// Ask the submitter of a pending submission for changes (they see the message).
#[utoipa::path(post, path = "/api/moderation/items/{id}/request-changes", tag = "moderation",
    security(("session_cookie" = [], "csrf_token" = [])),
    params(("id" = String, Path, description = "s-N (a submission)", pattern = r"^([srp]-)?[1-9][0-9]{0,17}$", example = "s-1")),
    request_body(content = MessageRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Changes requested", body = DecisionView),
        (status = 400, description = "The id is not s-N, r-N or p-N, there is no body, or the body is not a JSON object of this shape (a field missing, unknown or of the wrong type); `parameter` names it", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "`X-CSRF-Token` missing or wrong", body = ErrorBody),
        (status = 404, description = "No such submission", body = ErrorBody),
        (status = 409, description = "Already decided, a report (r-N), or a pending import (p-N: no submitter to ask)", body = ErrorBody),
        (status = 413, description = "The body is larger than 128 KiB", body = ErrorBody),
        (status = 415, description = "A body that is not `application/json`", body = ErrorBody),
        (status = 422, description = "No message, or one longer than 2000 characters", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn request_changes(
    Moderator(user): Moderator,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<JsonBody<MessageRequest>, AppError>,
) -> Result<Response, AppError> {
    let id = submission_ref(&id)?;
    let JsonBody(req) = body?;
    let message = required_text("message", req.message)?;
    let d = actions::request_changes(&state.directory, id, &message, &user.actor()).await?;
    Ok(decided(&state, d))
}

/// Merge a pending submission into an existing published listing (its duplicate): the
/// listing keeps its fields and takes what it lacked from the submission.
#[utoipa::path(post, path = "/api/moderation/items/{id}/merge", tag = "moderation",
    security(("session_cookie" = [], "csrf_token" = [])),
    params(("id" = String, Path, description = "s-N (a submission)", pattern = r"^([srp]-)?[1-9][0-9]{0,17}$", example = "s-1")),
    request_body(content = MergeRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Merged", body = DecisionView),
        (status = 400, description = "The id is not s-N, r-N or p-N, `into` is not a positive whole number, there is no body, or the body is not a JSON object of this shape (a field missing, unknown or of the wrong type); `parameter` names it", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "`X-CSRF-Token` missing or wrong", body = ErrorBody),
        (status = 404, description = "No such submission or listing", body = ErrorBody),
        (status = 409, description = "Already decided, the listing is not published, a change proposal merged into its own listing, a report (r-N) or a pending import (p-N)", body = ErrorBody),
        (status = 413, description = "The body is larger than 128 KiB", body = ErrorBody),
        (status = 415, description = "A body that is not `application/json`", body = ErrorBody),
        (status = 422, description = "The merged listing would be invalid", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn merge(
    Moderator(user): Moderator,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<JsonBody<MergeRequest>, AppError>,
) -> Result<Response, AppError> {
    let id = submission_ref(&id)?;
    let JsonBody(req) = body?;
    if req.into <= 0 {
        return Err(AppError::invalid("into", "must be a positive whole number"));
    }
    let d = actions::merge(&state.directory, id, ServiceId(req.into), &user.actor()).await?;
    Ok(decided(&state, d))
}

async fn close_report(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    id: ReportId,
    status: ReportStatus,
    body: Result<Option<JsonBody<NoteRequest>>, AppError>,
) -> Result<Json<ReportView>, AppError> {
    let req = body?.map(|JsonBody(r)| r);
    let note = optional_text("note", req.and_then(|r| r.note))?;
    let r =
        actions::close_report(&state.directory, id, status, note.as_deref(), &user.actor()).await?;
    Ok(Json(ReportView::from(&r)))
}

/// Resolve an open report (`r-N`): the problem was dealt with. Optional `{"note"}`.
#[utoipa::path(post, path = "/api/moderation/items/{id}/resolve", tag = "moderation",
    security(("session_cookie" = [], "csrf_token" = [])),
    params(("id" = String, Path, description = "r-N (a report)", pattern = r"^([srp]-)?[1-9][0-9]{0,17}$", example = "r-1")),
    request_body(content = Option<NoteRequest>, content_type = "application/json"),
    responses(
        (status = 200, description = "Resolved", body = ReportView),
        (status = 400, description = "The id is not s-N, r-N or p-N, or the body is not a JSON object of this shape (a field missing, unknown or of the wrong type); `parameter` names it", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "`X-CSRF-Token` missing or wrong", body = ErrorBody),
        (status = 404, description = "No such report", body = ErrorBody),
        (status = 409, description = "Already closed, or not a report (s-N, p-N)", body = ErrorBody),
        (status = 413, description = "The body is larger than 128 KiB", body = ErrorBody),
        (status = 415, description = "A body that is not `application/json`", body = ErrorBody),
        (status = 422, description = "The note is longer than 2000 characters, or nothing but control characters", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn resolve_item(
    Moderator(user): Moderator,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Option<JsonBody<NoteRequest>>, AppError>,
) -> Result<Json<ReportView>, AppError> {
    let id = report_ref(&id)?;
    close_report(&state, &user, id, ReportStatus::Resolved, body).await
}

/// Dismiss an open report (`r-N`): nothing to do. Optional `{"note"}`.
#[utoipa::path(post, path = "/api/moderation/items/{id}/dismiss", tag = "moderation",
    security(("session_cookie" = [], "csrf_token" = [])),
    params(("id" = String, Path, description = "r-N (a report)", pattern = r"^([srp]-)?[1-9][0-9]{0,17}$", example = "r-1")),
    request_body(content = Option<NoteRequest>, content_type = "application/json"),
    responses(
        (status = 200, description = "Dismissed", body = ReportView),
        (status = 400, description = "The id is not s-N, r-N or p-N, or the body is not a JSON object of this shape (a field missing, unknown or of the wrong type); `parameter` names it", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "`X-CSRF-Token` missing or wrong", body = ErrorBody),
        (status = 404, description = "No such report", body = ErrorBody),
        (status = 409, description = "Already closed, or not a report (s-N, p-N)", body = ErrorBody),
        (status = 413, description = "The body is larger than 128 KiB", body = ErrorBody),
        (status = 415, description = "A body that is not `application/json`", body = ErrorBody),
        (status = 422, description = "The note is longer than 2000 characters, or nothing but control characters", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn dismiss_item(
    Moderator(user): Moderator,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Option<JsonBody<NoteRequest>>, AppError>,
) -> Result<Json<ReportView>, AppError> {
    let id = report_ref(&id)?;
    close_report(&state, &user, id, ReportStatus::Dismissed, body).await
}

/// Resolve an open report by its numeric id. Optional `{"note"}`.
#[utoipa::path(post, path = "/api/moderation/reports/{id}/resolve", tag = "moderation",
    security(("session_cookie" = [], "csrf_token" = [])),
    params(("id" = i64, Path, description = "Report id", minimum = 1, example = 1)),
    request_body(content = Option<NoteRequest>, content_type = "application/json"),
    responses(
        (status = 200, description = "Resolved", body = ReportView),
        (status = 400, description = "The id is not a positive whole number, or the body is not a JSON object of this shape (a field missing, unknown or of the wrong type); `parameter` names it", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "`X-CSRF-Token` missing or wrong", body = ErrorBody),
        (status = 404, description = "No such report", body = ErrorBody),
        (status = 409, description = "Already closed", body = ErrorBody),
        (status = 413, description = "The body is larger than 128 KiB", body = ErrorBody),
        (status = 415, description = "A body that is not `application/json`", body = ErrorBody),
        (status = 422, description = "The note is longer than 2000 characters, or nothing but control characters", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn resolve_report(
    Moderator(user): Moderator,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Option<JsonBody<NoteRequest>>, AppError>,
) -> Result<Json<ReportView>, AppError> {
    let id = ReportId(positive("id", &id)?);
    close_report(&state, &user, id, ReportStatus::Resolved, body).await
}

/// Dismiss an open report by its numeric id. Optional `{"note"}`.
#[utoipa::path(post, path = "/api/moderation/reports/{id}/dismiss", tag = "moderation",
    security(("session_cookie" = [], "csrf_token" = [])),
    params(("id" = i64, Path, description = "Report id", minimum = 1, example = 1)),
    request_body(content = Option<NoteRequest>, content_type = "application/json"),
    responses(
        (status = 200, description = "Dismissed", body = ReportView),
        (status = 400, description = "The id is not a positive whole number, or the body is not a JSON object of this shape (a field missing, unknown or of the wrong type); `parameter` names it", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "`X-CSRF-Token` missing or wrong", body = ErrorBody),
        (status = 404, description = "No such report", body = ErrorBody),
        (status = 409, description = "Already closed", body = ErrorBody),
        (status = 413, description = "The body is larger than 128 KiB", body = ErrorBody),
        (status = 415, description = "A body that is not `application/json`", body = ErrorBody),
        (status = 422, description = "The note is longer than 2000 characters, or nothing but control characters", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn dismiss_report(
    Moderator(user): Moderator,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Option<JsonBody<NoteRequest>>, AppError>,
) -> Result<Json<ReportView>, AppError> {
    let id = ReportId(positive("id", &id)?);
    close_report(&state, &user, id, ReportStatus::Dismissed, body).await
}

/// A listing whatever its status (published, unpublished, …), as a Feature with its
/// `status` and `verified_at`.
#[utoipa::path(get, path = "/api/moderation/services/{id}", tag = "moderation",
    security(("session_cookie" = [])),
    params(("id" = i64, Path, description = "Listing id", minimum = 1, example = 1)),
    responses(
        (status = 200, description = "The listing", body = ListingSnapshot),
        (status = 400, description = "The id is not a positive whole number; `parameter` names it", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 404, description = "No such listing", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn get_service(
    Moderator(_user): Moderator,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let id = ServiceId(positive("id", &id)?);
    let s = state
        .directory
        .store()
        .get(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no listing has id {id}")))?;
    Ok(Json(service_snapshot(&s)))
}

/// Edit a listing: the body is the whole listing as a GeoJSON Feature (as
/// `GET /api/services/{id}` returns it; server-owned fields are ignored). A published
/// listing changes in the API and on the map at once.
#[utoipa::path(post, path = "/api/moderation/services/{id}/edit", tag = "moderation",
    security(("session_cookie" = [], "csrf_token" = [])),
    params(("id" = i64, Path, description = "Listing id", minimum = 1, example = 1)),
    request_body(content = Object, content_type = "application/json",
        description = "The whole listing as a GeoJSON Feature",
        example = json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [11.3317, 43.3183]},
            "properties": {
                "name": "Sportello Famiglia",
                "organisation": "Comune di Siena",
                "categories": ["listening-guidance"],
                "target_groups": ["minors-families"],
                "address": "Via di Città 81, Siena",
                "opening_hours": "Mo,We 10:00-13:00; Tu 15:00-18:00",
                "accessibility": {"wheelchair": "yes"}
            }
        })),
    responses(
        (status = 200, description = "Edited", body = ListingSnapshot),
        (status = 400, description = "The id is not a positive whole number, there is no body, or it is not a JSON object; `parameter` names it", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "`X-CSRF-Token` missing or wrong", body = ErrorBody),
        (status = 404, description = "No such listing", body = ErrorBody),
        (status = 413, description = "The body is larger than 128 KiB", body = ErrorBody),
        (status = 415, description = "A body that is not `application/json`", body = ErrorBody),
        (status = 422, description = "Every invalid field", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn edit_service(
    Moderator(user): Moderator,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<JsonBody<Value>, AppError>,
) -> Result<Json<Value>, AppError> {
    let id = ServiceId(positive("id", &id)?);
    let JsonBody(feature) = body?;
    let s = actions::edit_service(&state.directory, id, &feature, &user.actor()).await?;
    Ok(Json(service_snapshot(&s)))
}

async fn set_published(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    id: &str,
    published: bool,
    body: Result<Option<JsonBody<ReasonRequest>>, AppError>,
) -> Result<Json<Value>, AppError> {
    let id = ServiceId(positive("id", id)?);
    let req = body?.map(|JsonBody(r)| r);
    let reason = optional_text("reason", req.and_then(|r| r.reason))?;
    let s = actions::set_published(
        &state.directory,
        id,
        published,
        reason.as_deref(),
        &user.actor(),
    )
    .await?;
    Ok(Json(service_snapshot(&s)))
}

/// Take a published listing off the API and the map. Optional `{"reason"}`.
#[utoipa::path(post, path = "/api/moderation/services/{id}/unpublish", tag = "moderation",
    security(("session_cookie" = [], "csrf_token" = [])),
    params(("id" = i64, Path, description = "Listing id", minimum = 1, example = 1)),
    request_body(content = Option<ReasonRequest>, content_type = "application/json"),
    responses(
        (status = 200, description = "Unpublished", body = ListingSnapshot),
        (status = 400, description = "The id is not a positive whole number, or the body is not a JSON object of this shape (a field missing, unknown or of the wrong type); `parameter` names it", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "`X-CSRF-Token` missing or wrong", body = ErrorBody),
        (status = 404, description = "No such listing", body = ErrorBody),
        (status = 409, description = "Not published", body = ErrorBody),
        (status = 413, description = "The body is larger than 128 KiB", body = ErrorBody),
        (status = 415, description = "A body that is not `application/json`", body = ErrorBody),
        (status = 422, description = "The reason is longer than 2000 characters, or nothing but control characters", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn unpublish(
    Moderator(user): Moderator,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Option<JsonBody<ReasonRequest>>, AppError>,
) -> Result<Json<Value>, AppError> {
    set_published(&state, &user, &id, false, body).await
}

/// Put an unpublished listing back. Optional `{"reason"}`.
#[utoipa::path(post, path = "/api/moderation/services/{id}/republish", tag = "moderation",
    security(("session_cookie" = [], "csrf_token" = [])),
    params(("id" = i64, Path, description = "Listing id", minimum = 1, example = 1)),
    request_body(content = Option<ReasonRequest>, content_type = "application/json"),
    responses(
        (status = 200, description = "Published again", body = ListingSnapshot),
        (status = 400, description = "The id is not a positive whole number, or the body is not a JSON object of this shape (a field missing, unknown or of the wrong type); `parameter` names it", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "`X-CSRF-Token` missing or wrong", body = ErrorBody),
        (status = 404, description = "No such listing", body = ErrorBody),
        (status = 409, description = "Not unpublished", body = ErrorBody),
        (status = 413, description = "The body is larger than 128 KiB", body = ErrorBody),
        (status = 415, description = "A body that is not `application/json`", body = ErrorBody),
        (status = 422, description = "The reason is longer than 2000 characters, or nothing but control characters", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn republish(
    Moderator(user): Moderator,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Option<JsonBody<ReasonRequest>>, AppError>,
) -> Result<Json<Value>, AppError> {
    set_published(&state, &user, &id, true, body).await
}

/// Mark a listing's data as confirmed by a person now (sets `verified_at`).
#[utoipa::path(post, path = "/api/moderation/services/{id}/verify", tag = "moderation",
    security(("session_cookie" = [], "csrf_token" = [])),
    params(("id" = i64, Path, description = "Listing id", minimum = 1, example = 1)),
    responses(
        (status = 200, description = "Verified", body = ListingSnapshot),
        (status = 400, description = "The id is not a positive whole number; `parameter` names it", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "`X-CSRF-Token` missing or wrong", body = ErrorBody),
        (status = 404, description = "No such listing", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn verify(
    Moderator(user): Moderator,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let id = ServiceId(positive("id", &id)?);
    let s = actions::verify(&state.directory, id, &user.actor()).await?;
    Ok(Json(service_snapshot(&s)))
}

/// The audit log, newest first, filtered (admins only): who did what, when, to which
/// listing, with the state before and after and the reason.
#[utoipa::path(get, path = "/api/moderation/audit", tag = "moderation",
    security(("session_cookie" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of entries", body = AuditPage),
        (status = 400, description = "A parameter is malformed, out of range, unknown or given twice; `parameter` names it", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn audit(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    mut params: Params,
) -> Result<Json<AuditPage>, AppError> {
    let int = |params: &mut Params, k: &str| -> Result<Option<i64>, AppError> {
        params.opt_text(k).map(|v| positive(k, &v)).transpose()
    };
    let time = |params: &mut Params, k: &str| -> Result<Option<DateTime<Utc>>, AppError> {
        params
            .opt_text(k)
            .map(|v| {
                DateTime::parse_from_rfc3339(&v)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| AppError::invalid(k, "must be an RFC 3339 time"))
            })
            .transpose()
    };
    let mut f = AuditFilter {
        actor: params.opt_text("actor"),
        action: params.opt_text("action"),
        ..AuditFilter::default()
    };
    f.subject_kind = params
        .opt_text("subject_kind")
        .map(|v| match v.as_str() {
            "user" => Ok(SubjectKind::User),
            "submission" => Ok(SubjectKind::Submission),
            "service" => Ok(SubjectKind::Service),
            "report" => Ok(SubjectKind::Report),
            "import" => Ok(SubjectKind::Import),
            "vocabulary" => Ok(SubjectKind::Vocabulary),
            "benefit" => Ok(SubjectKind::Benefit),
            _ => Err(AppError::invalid(
                "subject_kind",
                "must be user, submission, service, report, import, vocabulary or benefit",
            )),
        })
        .transpose()?;
    f.subject_id = int(&mut params, "subject_id")?;
    f.service_id = int(&mut params, "service_id")?;
    f.before_id = int(&mut params, "before_id")?;
    f.from = time(&mut params, "from")?;
    f.to = time(&mut params, "to")?;
    f.limit = params
        .opt_usize("limit", 1, MAX_AUDIT_PAGE as usize)?
        .map_or(0, |n| n as u32);
    params.finish(&AUDIT_PARAMS)?;
    let limit = if f.limit == 0 { 100 } else { f.limit } as usize;
    let items = state.directory.store().audit_entries(&f).await?;
    let next_before_id = (items.len() == limit)
        .then(|| items.last().map(|e| e.id))
        .flatten();
    Ok(Json(AuditPage {
        items,
        next_before_id,
    }))
}
