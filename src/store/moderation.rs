//! Submissions, edit tokens and the moderators' decisions, in the store.
//!
//! Every decision is one transaction that checks the subject is still in the state the
//! moderator saw (a pending submission, an open report), makes the change, and appends
//! its audit entry ([`super::audit::append_audit`]): the three commit together or not at
//! all. The index learns of a change only after the commit (see
//! [`crate::directory::Directory::refresh`]).

use super::StoreError;
use super::audit::{Actor, NewAuditEntry, SubjectKind, append_audit, db_now};
use super::sql::{
    AnyPool, CONTENT_COLUMNS, DELETE_CATEGORIES, DELETE_TARGETS, HoursCache, INSERT_CATEGORY,
    INSERT_TARGET, LOCK_SERVICE, LockRows, ReportRow, SELECT_ONE, SET_STATUS, ServiceRow, SqlStore,
    bind_fields, content_assignments, content_count, content_params, in_write_tx, insert_lists,
    on_pool,
};
use crate::domain::service::TEXT_FIELDS;
use crate::domain::submission::{
    Contact, NewSubmission, Submission, SubmissionId, SubmissionKind, SubmissionStatus,
    TrackingCode, data_from_stored, feature_json,
};
use crate::domain::{Report, ReportId, ReportStatus, Service, ServiceData, ServiceId, Status};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::sync::LazyLock;

/// Why a moderation write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ModerationError {
    /// No such submission, report or listing.
    #[error("{0}")]
    NotFound(String),
    /// The subject is no longer in a state that allows the action (someone decided first).
    #[error("{0}")]
    Conflict(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ModerationError {
    fn from(e: sqlx::Error) -> Self {
        ModerationError::Store(StoreError::Database(e))
    }
}

/// What a decision on a submission left behind.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The submission as committed.
    pub submission: Submission,
    /// The listing it published or changed, as committed.
    pub service: Option<Service>,
}

/// The store's side of submissions and moderation.
#[async_trait]
pub trait ModerationStore: Send + Sync {
    /// Stores a submission with its tracking code and, for a new listing, the hash of its
    /// edit token (valid once the listing is published), in one transaction.
    async fn add_submission(
        &self,
        new: &NewSubmission,
        code: &TrackingCode,
        edit_token_hash: Option<&str>,
    ) -> Result<Submission, StoreError>;

    /// One submission.
    async fn submission(&self, id: SubmissionId) -> Result<Option<Submission>, StoreError>;

    /// The submission with this tracking code.
    async fn submission_by_code(
        &self,
        code: &TrackingCode,
    ) -> Result<Option<Submission>, StoreError>;

    /// Submissions, all or with one status, oldest first.
    async fn submissions(
        &self,
        status: Option<SubmissionStatus>,
    ) -> Result<Vec<Submission>, StoreError>;

    /// One citizen's report.
    async fn report(&self, id: ReportId) -> Result<Option<Report>, StoreError>;

    /// The listing an edit token (by its hash) opens: bound to a listing and not revoked.
    async fn edit_token_service(&self, token_hash: &str) -> Result<Option<ServiceId>, StoreError>;

    /// Publishes a pending submission with `data` (the proposal, possibly edited by the
    /// moderator): a new listing is inserted and its edit token bound to it; a change is
    /// written over the live listing.
    async fn approve_submission(
        &self,
        id: SubmissionId,
        data: &ServiceData,
        actor: &Actor,
    ) -> Result<Decision, ModerationError>;

    /// Rejects a pending submission, or asks its submitter for changes, with the
    /// moderator's words for the submitter.
    async fn close_submission(
        &self,
        id: SubmissionId,
        status: SubmissionStatus,
        reason: &str,
        actor: &Actor,
    ) -> Result<Decision, ModerationError>;

    /// Merges a pending submission into the published listing `into`, which takes
    /// `merged` as its content; the submission's edit token then opens that listing.
    async fn merge_submission(
        &self,
        id: SubmissionId,
        into: ServiceId,
        merged: &ServiceData,
        actor: &Actor,
    ) -> Result<Decision, ModerationError>;

    /// Resolves or dismisses an open report.
    async fn close_report(
        &self,
        id: ReportId,
        status: ReportStatus,
        note: Option<&str>,
        actor: &Actor,
    ) -> Result<Report, ModerationError>;

    /// Writes a moderator's edit over a listing (any status); returns it as committed.
    async fn edit_service(
        &self,
        id: ServiceId,
        data: &ServiceData,
        reason: Option<&str>,
        actor: &Actor,
    ) -> Result<Service, ModerationError>;

    /// Unpublishes or republishes a listing.
    async fn moderate_status(
        &self,
        id: ServiceId,
        status: Status,
        reason: Option<&str>,
        actor: &Actor,
    ) -> Result<Service, ModerationError>;

    /// Decides a listing waiting as `pending` (an import queued for moderation): publishes
    /// it (`service.approve`) or rejects it (`service.reject`, with the reason). Conflict
    /// unless it is pending at that moment.
    async fn decide_pending_service(
        &self,
        id: ServiceId,
        approve: bool,
        reason: Option<&str>,
        actor: &Actor,
    ) -> Result<Service, ModerationError>;

    /// Marks a listing's data as confirmed by a person now (`verified_at`).
    async fn verify_service(
        &self,
        id: ServiceId,
        actor: &Actor,
    ) -> Result<Service, ModerationError>;
}

macro_rules! select_submissions {
    ($tail:literal) => {
        concat!(
            "SELECT id, kind, service_id, feature, contact_name, contact_email, contact_phone, ",
            "lang, tracking_code, status, reason, created_at, decided_at, decided_by ",
            "FROM submissions ",
            $tail
        )
    };
}

const INSERT_SUBMISSION: &str = "INSERT INTO submissions (kind, service_id, feature, \
    contact_name, contact_email, contact_phone, lang, tracking_code, status, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9) RETURNING id";
const SUBMISSION_BY_ID: &str = select_submissions!("WHERE id = $1");
const SUBMISSION_BY_CODE: &str = select_submissions!("WHERE tracking_code = $1");
const SUBMISSIONS_ALL: &str = select_submissions!("ORDER BY created_at, id");
const SUBMISSIONS_STATUS: &str = select_submissions!("WHERE status = $1 ORDER BY created_at, id");
// Only a pending submission can be decided: the condition makes a second moderator's
// concurrent decision a no-op that the caller reports as a conflict.
const DECIDE_SUBMISSION: &str = "UPDATE submissions SET status = $2, reason = $3, \
    service_id = COALESCE($4, service_id), decided_at = $5, decided_by = $6 \
    WHERE id = $1 AND status = 'pending'";
const INSERT_TOKEN: &str =
    "INSERT INTO edit_tokens (token_hash, submission_id, created_at) VALUES ($1, $2, $3)";
const BIND_TOKEN: &str =
    "UPDATE edit_tokens SET service_id = $1 WHERE submission_id = $2 AND service_id IS NULL";
const TOKEN_SERVICE: &str = "SELECT t.service_id FROM edit_tokens t \
    JOIN services s ON s.id = t.service_id \
    WHERE t.token_hash = $1 AND t.revoked_at IS NULL";

const SELECT_REPORT: &str = "SELECT id, service_id, kind, message, lang, status, created_at, \
    resolved_at, resolved_by, resolution_note FROM reports WHERE id = $1";
const CLOSE_REPORT: &str = "UPDATE reports SET status = $2, resolved_at = $3, resolved_by = $4, \
    resolution_note = $5 WHERE id = $1 AND status = 'open'";

static INSERT_SERVICE: LazyLock<String> = LazyLock::new(|| {
    let n = content_count();
    format!(
        "INSERT INTO services (status, {}, demo, created_at, updated_at) \
         VALUES ($1, {}, ${}, ${}, ${}) RETURNING id",
        *CONTENT_COLUMNS,
        content_params(2),
        n + 2,
        n + 3,
        n + 3
    )
});
static UPDATE_CONTENT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "UPDATE services SET {}, updated_at = ${} WHERE id = $1",
        content_assignments(2),
        content_count() + 2
    )
});
const UPDATE_VERIFIED: &str = "UPDATE services SET verified_at = $2 WHERE id = $1";

/// Reads one listing inside a transaction.
macro_rules! read_service {
    ($tx:expr, $id:expr) => {{
        let row: Option<ServiceRow> = sqlx::query_as(SELECT_ONE.as_str())
            .bind($id)
            .fetch_optional(&mut *$tx)
            .await?;
        row.map(|r| r.into_service(&mut HoursCache::default()))
            .transpose()?
    }};
}

/// Replaces a listing's category and target-group lists inside a transaction.
macro_rules! write_lists {
    ($tx:expr, $id:expr, $d:expr) => {{
        sqlx::query(DELETE_CATEGORIES)
            .bind($id)
            .execute(&mut *$tx)
            .await?;
        sqlx::query(DELETE_TARGETS)
            .bind($id)
            .execute(&mut *$tx)
            .await?;
        insert_lists!($tx, $id, $d);
    }};
}

/// Reads one submission inside a transaction.
macro_rules! read_submission {
    ($tx:expr, $id:expr) => {{
        let row: Option<SubmissionRow> = sqlx::query_as(SUBMISSION_BY_ID)
            .bind($id)
            .fetch_optional(&mut *$tx)
            .await?;
        row.map(Submission::try_from).transpose()?
    }};
}

/// A listing as the audit log records it: its public Feature, status and verification.
pub fn service_snapshot(s: &Service) -> Value {
    let mut v = feature_json(&s.data);
    v["id"] = json!(s.id.0);
    v["properties"]["status"] = json!(s.status.as_str());
    v["properties"]["verified_at"] = json!(s.verified_at);
    v
}

#[derive(sqlx::FromRow)]
struct SubmissionRow {
    id: i64,
    kind: String,
    service_id: Option<i64>,
    feature: String,
    contact_name: String,
    contact_email: Option<String>,
    contact_phone: Option<String>,
    lang: String,
    tracking_code: String,
    status: String,
    reason: Option<String>,
    created_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
    decided_by: Option<i64>,
}

impl TryFrom<SubmissionRow> for Submission {
    type Error = StoreError;
    fn try_from(r: SubmissionRow) -> Result<Self, StoreError> {
        let corrupt = |reason: String| StoreError::Corrupt {
            id: r.id,
            reason: format!("submission: {reason}"),
        };
        let feature: Value =
            serde_json::from_str(&r.feature).map_err(|e| corrupt(e.to_string()))?;
        Ok(Submission {
            id: SubmissionId(r.id),
            kind: r.kind.parse().map_err(corrupt)?,
            service_id: r.service_id.map(ServiceId),
            data: data_from_stored(&feature).map_err(corrupt)?,
            contact: Contact {
                name: r.contact_name,
                email: r.contact_email,
                phone: r.contact_phone,
            },
            lang: r.lang.parse().map_err(corrupt)?,
            tracking_code: TrackingCode::parse(&r.tracking_code)
                .ok_or_else(|| corrupt("bad tracking code".into()))?,
            status: r.status.parse().map_err(corrupt)?,
            reason: r.reason,
            created_at: r.created_at,
            decided_at: r.decided_at,
            decided_by: r.decided_by,
        })
    }
}

fn not_pending(s: &Submission) -> ModerationError {
    ModerationError::Conflict(format!(
        "submission {} is {}, not pending: it was decided already",
        s.id,
        s.status.as_str()
    ))
}

fn no_submission(id: SubmissionId) -> ModerationError {
    ModerationError::NotFound(format!("no submission has id {id}"))
}

fn no_service(id: ServiceId) -> ModerationError {
    ModerationError::NotFound(format!("no listing has id {id}"))
}

#[async_trait]
impl ModerationStore for SqlStore {
    async fn add_submission(
        &self,
        new: &NewSubmission,
        code: &TrackingCode,
        edit_token_hash: Option<&str>,
    ) -> Result<Submission, StoreError> {
        let now = db_now();
        let feature = feature_json(&new.data).to_string();
        let id: i64 = in_write_tx!(self, tx => {
            let id: i64 = sqlx::query_scalar(INSERT_SUBMISSION)
                .bind(new.kind.as_str())
                .bind(new.service_id.map(|s| s.0))
                .bind(&feature)
                .bind(&new.contact.name)
                .bind(&new.contact.email)
                .bind(&new.contact.phone)
                .bind(new.lang.as_str())
                .bind(code.as_str())
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            if let Some(hash) = edit_token_hash {
                sqlx::query(INSERT_TOKEN)
                    .bind(hash)
                    .bind(id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            id
        });
        Ok(Submission {
            id: SubmissionId(id),
            kind: new.kind,
            service_id: new.service_id,
            data: new.data.clone(),
            contact: new.contact.clone(),
            lang: new.lang,
            tracking_code: code.clone(),
            status: SubmissionStatus::Pending,
            reason: None,
            created_at: now,
            decided_at: None,
            decided_by: None,
        })
    }

    async fn submission(&self, id: SubmissionId) -> Result<Option<Submission>, StoreError> {
        let row: Option<SubmissionRow> = on_pool!(self, pool => {
            sqlx::query_as(SUBMISSION_BY_ID).bind(id.0).fetch_optional(pool).await?
        });
        row.map(Submission::try_from).transpose()
    }

    async fn submission_by_code(
        &self,
        code: &TrackingCode,
    ) -> Result<Option<Submission>, StoreError> {
        let row: Option<SubmissionRow> = on_pool!(self, pool => {
            sqlx::query_as(SUBMISSION_BY_CODE)
                .bind(code.as_str())
                .fetch_optional(pool)
                .await?
        });
        row.map(Submission::try_from).transpose()
    }

    async fn submissions(
        &self,
        status: Option<SubmissionStatus>,
    ) -> Result<Vec<Submission>, StoreError> {
        let rows: Vec<SubmissionRow> = on_pool!(self, pool => match status {
            None => sqlx::query_as(SUBMISSIONS_ALL).fetch_all(pool).await?,
            Some(s) => sqlx::query_as(SUBMISSIONS_STATUS)
                .bind(s.as_str())
                .fetch_all(pool)
                .await?,
        });
        rows.into_iter().map(Submission::try_from).collect()
    }

    async fn report(&self, id: ReportId) -> Result<Option<Report>, StoreError> {
        let row: Option<ReportRow> = on_pool!(self, pool => {
            sqlx::query_as(SELECT_REPORT).bind(id.0).fetch_optional(pool).await?
        });
        row.map(Report::try_from).transpose()
    }

    async fn edit_token_service(&self, token_hash: &str) -> Result<Option<ServiceId>, StoreError> {
        let id: Option<Option<i64>> = on_pool!(self, pool => {
            sqlx::query_scalar(TOKEN_SERVICE)
                .bind(token_hash)
                .fetch_optional(pool)
                .await?
        });
        Ok(id.flatten().map(ServiceId))
    }

    async fn approve_submission(
        &self,
        id: SubmissionId,
        data: &ServiceData,
        actor: &Actor,
    ) -> Result<Decision, ModerationError> {
        let now = db_now();
        in_write_tx!(self, tx => {
            let sub = read_submission!(tx, id.0).ok_or_else(|| no_submission(id))?;
            if sub.status != SubmissionStatus::Pending {
                return Err(not_pending(&sub));
            }
            let (service_id, before) = match sub.kind {
                SubmissionKind::New => {
                    let sid: i64 = bind_fields!(
                        sqlx::query_scalar(INSERT_SERVICE.as_str()).bind(Status::Published.as_str()),
                        data
                    )
                    .bind(false)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                    sqlx::query(BIND_TOKEN).bind(sid).bind(id.0).execute(&mut *tx).await?;
                    let before = json!({"status": "pending", "proposed": feature_json(&sub.data)});
                    (sid, before)
                }
                SubmissionKind::Change => {
                    let sid = sub.service_id.ok_or_else(|| {
                        ModerationError::Conflict("the change proposal names no listing".into())
                    })?;
                    tx.lock_row(LOCK_SERVICE, sid.0).await?;
                    let live = read_service!(tx, sid.0).ok_or_else(|| no_service(sid))?;
                    bind_fields!(sqlx::query(UPDATE_CONTENT.as_str()).bind(sid.0), data)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    (sid.0, service_snapshot(&live))
                }
            };
            write_lists!(tx, service_id, data);
            let changed = sqlx::query(DECIDE_SUBMISSION)
                .bind(id.0)
                .bind(SubmissionStatus::Published.as_str())
                .bind(None::<String>)
                .bind(Some(service_id))
                .bind(now)
                .bind(actor.id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                return Err(not_pending(&sub));
            }
            let service = read_service!(tx, service_id).ok_or_else(|| no_service(ServiceId(service_id)))?;
            let entry = NewAuditEntry::new(actor, "submission.approve", SubjectKind::Submission, id.0)
                .service(service_id)
                .before(before)
                .after(service_snapshot(&service));
            append_audit(&mut *tx, &entry).await?;
            let submission = read_submission!(tx, id.0).ok_or_else(|| no_submission(id))?;
            tx.commit().await?;
            Ok(Decision { submission, service: Some(service) })
        })
    }

    async fn close_submission(
        &self,
        id: SubmissionId,
        status: SubmissionStatus,
        reason: &str,
        actor: &Actor,
    ) -> Result<Decision, ModerationError> {
        let action = match status {
            SubmissionStatus::Rejected => "submission.reject",
            SubmissionStatus::ChangesRequested => "submission.request_changes",
            other => {
                return Err(ModerationError::Conflict(format!(
                    "cannot close a submission as {}",
                    other.as_str()
                )));
            }
        };
        let now = db_now();
        in_write_tx!(self, tx => {
            let sub = read_submission!(tx, id.0).ok_or_else(|| no_submission(id))?;
            let changed = sqlx::query(DECIDE_SUBMISSION)
                .bind(id.0)
                .bind(status.as_str())
                .bind(reason)
                .bind(None::<i64>)
                .bind(now)
                .bind(actor.id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                return Err(not_pending(&sub));
            }
            let mut entry = NewAuditEntry::new(actor, action, SubjectKind::Submission, id.0)
                .before(json!({"status": "pending", "proposed": feature_json(&sub.data)}))
                .after(json!({"status": status.as_str()}))
                .reason(reason);
            entry.service_id = sub.service_id.map(|s| s.0);
            append_audit(&mut *tx, &entry).await?;
            let submission = read_submission!(tx, id.0).ok_or_else(|| no_submission(id))?;
            tx.commit().await?;
            Ok(Decision { submission, service: None })
        })
    }

    async fn merge_submission(
        &self,
        id: SubmissionId,
        into: ServiceId,
        merged: &ServiceData,
        actor: &Actor,
    ) -> Result<Decision, ModerationError> {
        let now = db_now();
        in_write_tx!(self, tx => {
            let sub = read_submission!(tx, id.0).ok_or_else(|| no_submission(id))?;
            if sub.status != SubmissionStatus::Pending {
                return Err(not_pending(&sub));
            }
            tx.lock_row(LOCK_SERVICE, into.0).await?;
            let live = read_service!(tx, into.0).ok_or_else(|| no_service(into))?;
            if live.status != Status::Published {
                return Err(ModerationError::Conflict(format!(
                    "listing {into} is {}: merge only into a published listing",
                    live.status.as_str()
                )));
            }
            bind_fields!(sqlx::query(UPDATE_CONTENT.as_str()).bind(into.0), merged)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            write_lists!(tx, into.0, merged);
            sqlx::query(BIND_TOKEN).bind(into.0).bind(id.0).execute(&mut *tx).await?;
            let changed = sqlx::query(DECIDE_SUBMISSION)
                .bind(id.0)
                .bind(SubmissionStatus::Merged.as_str())
                .bind(None::<String>)
                .bind(Some(into.0))
                .bind(now)
                .bind(actor.id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                return Err(not_pending(&sub));
            }
            let service = read_service!(tx, into.0).ok_or_else(|| no_service(into))?;
            let entry = NewAuditEntry::new(actor, "submission.merge", SubjectKind::Submission, id.0)
                .service(into.0)
                .before(json!({"status": "pending", "proposed": feature_json(&sub.data),
                    "listing": service_snapshot(&live)}))
                .after(json!({"status": "merged", "listing": service_snapshot(&service)}));
            append_audit(&mut *tx, &entry).await?;
            let submission = read_submission!(tx, id.0).ok_or_else(|| no_submission(id))?;
            tx.commit().await?;
            Ok(Decision { submission, service: Some(service) })
        })
    }

    async fn close_report(
        &self,
        id: ReportId,
        status: ReportStatus,
        note: Option<&str>,
        actor: &Actor,
    ) -> Result<Report, ModerationError> {
        let action = match status {
            ReportStatus::Resolved => "report.resolve",
            ReportStatus::Dismissed => "report.dismiss",
            ReportStatus::Open => {
                return Err(ModerationError::Conflict(
                    "a report cannot be reopened".into(),
                ));
            }
        };
        let now = db_now();
        in_write_tx!(self, tx => {
            let row: Option<ReportRow> = sqlx::query_as(SELECT_REPORT)
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await?;
            let before = row
                .map(Report::try_from)
                .transpose()?
                .ok_or_else(|| ModerationError::NotFound(format!("no report has id {id}")))?;
            let changed = sqlx::query(CLOSE_REPORT)
                .bind(id.0)
                .bind(status.as_str())
                .bind(now)
                .bind(actor.id)
                .bind(note)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                return Err(ModerationError::Conflict(format!(
                    "report {id} is {}, not open: it was closed already",
                    before.status.as_str()
                )));
            }
            let mut entry = NewAuditEntry::new(actor, action, SubjectKind::Report, id.0)
                .service(before.service_id.0)
                .before(json!({"status": "open", "kind": before.kind.as_str(),
                    "message": before.message}))
                .after(json!({"status": status.as_str()}));
            entry.reason = note.map(str::to_owned);
            append_audit(&mut *tx, &entry).await?;
            let row: ReportRow = sqlx::query_as(SELECT_REPORT).bind(id.0).fetch_one(&mut *tx).await?;
            tx.commit().await?;
            Ok(Report::try_from(row)?)
        })
    }

    async fn edit_service(
        &self,
        id: ServiceId,
        data: &ServiceData,
        reason: Option<&str>,
        actor: &Actor,
    ) -> Result<Service, ModerationError> {
        let now = db_now();
        in_write_tx!(self, tx => {
            tx.lock_row(LOCK_SERVICE, id.0).await?;
            let live = read_service!(tx, id.0).ok_or_else(|| no_service(id))?;
            bind_fields!(sqlx::query(UPDATE_CONTENT.as_str()).bind(id.0), data)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            write_lists!(tx, id.0, data);
            let service = read_service!(tx, id.0).ok_or_else(|| no_service(id))?;
            let mut entry = NewAuditEntry::new(actor, "service.edit", SubjectKind::Service, id.0)
                .service(id.0)
                .before(service_snapshot(&live))
                .after(service_snapshot(&service));
            entry.reason = reason.map(str::to_owned);
            append_audit(&mut *tx, &entry).await?;
            tx.commit().await?;
            Ok(service)
        })
    }

    async fn moderate_status(
        &self,
        id: ServiceId,
        status: Status,
        reason: Option<&str>,
        actor: &Actor,
    ) -> Result<Service, ModerationError> {
        let (action, from) = match status {
            Status::Unpublished => ("service.unpublish", Status::Published),
            Status::Published => ("service.republish", Status::Unpublished),
            other => {
                return Err(ModerationError::Conflict(format!(
                    "a listing cannot be set to {} here",
                    other.as_str()
                )));
            }
        };
        self.transition(id, from, status, action, reason, actor)
            .await
    }

    async fn decide_pending_service(
        &self,
        id: ServiceId,
        approve: bool,
        reason: Option<&str>,
        actor: &Actor,
    ) -> Result<Service, ModerationError> {
        let (action, to) = if approve {
            ("service.approve", Status::Published)
        } else {
            ("service.reject", Status::Rejected)
        };
        self.transition(id, Status::Pending, to, action, reason, actor)
            .await
    }

    async fn verify_service(
        &self,
        id: ServiceId,
        actor: &Actor,
    ) -> Result<Service, ModerationError> {
        let now = db_now();
        in_write_tx!(self, tx => {
            tx.lock_row(LOCK_SERVICE, id.0).await?;
            let live = read_service!(tx, id.0).ok_or_else(|| no_service(id))?;
            sqlx::query(UPDATE_VERIFIED).bind(id.0).bind(now).execute(&mut *tx).await?;
            let service = read_service!(tx, id.0).ok_or_else(|| no_service(id))?;
            let entry = NewAuditEntry::new(actor, "service.verify", SubjectKind::Service, id.0)
                .service(id.0)
                .before(json!({"verified_at": live.verified_at}))
                .after(json!({"verified_at": service.verified_at}));
            append_audit(&mut *tx, &entry).await?;
            tx.commit().await?;
            Ok(service)
        })
    }
}

impl SqlStore {
    /// Moves a listing from `from` to `to` in one transaction with its audit entry;
    /// Conflict when it is not `from` at that moment.
    async fn transition(
        &self,
        id: ServiceId,
        from: Status,
        status: Status,
        action: &str,
        reason: Option<&str>,
        actor: &Actor,
    ) -> Result<Service, ModerationError> {
        let now = db_now();
        in_write_tx!(self, tx => {
            tx.lock_row(LOCK_SERVICE, id.0).await?;
            let live = read_service!(tx, id.0).ok_or_else(|| no_service(id))?;
            if live.status != from {
                return Err(ModerationError::Conflict(format!(
                    "listing {id} is {}, not {}",
                    live.status.as_str(),
                    from.as_str()
                )));
            }
            sqlx::query(SET_STATUS)
                .bind(id.0)
                .bind(status.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let service = read_service!(tx, id.0).ok_or_else(|| no_service(id))?;
            let mut entry = NewAuditEntry::new(actor, action, SubjectKind::Service, id.0)
                .service(id.0)
                .before(json!({"status": live.status.as_str()}))
                .after(json!({"status": service.status.as_str()}));
            entry.reason = reason.map(str::to_owned);
            append_audit(&mut *tx, &entry).await?;
            tx.commit().await?;
            Ok(service)
        })
    }
}
