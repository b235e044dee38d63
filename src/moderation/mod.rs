//! Moderation: the queue of new listings, change proposals and citizens' reports, and
//! the moderators' actions on them and on published listings.
//!
//! Every action writes to the store first (one transaction with its audit entry) and only
//! then brings the index in step ([`Directory::refresh`]), so the public API and the map
//! show a decision as soon as it is committed, and never before.

pub mod diff;
pub mod duplicates;
pub mod queue;

use crate::directory::Directory;
use crate::domain::service::FieldError;
use crate::domain::submission::{
    SubmissionId, SubmissionKind, SubmissionStatus, check_listing, feature_json,
};
use crate::domain::{ReportId, ReportStatus, Service, ServiceData, ServiceId, Status};
use crate::store::{Actor, Decision, ModerationError, StoreError};
use serde_json::Value;

/// Why an action was not taken.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// No such submission, report or listing.
    #[error("{0}")]
    NotFound(String),
    /// The subject is not in a state that allows the action.
    #[error("{0}")]
    Conflict(String),
    /// The (edited) listing is not valid: every problem, per field.
    #[error("the listing is not valid")]
    Invalid(Vec<FieldError>),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ModerationError> for ActionError {
    fn from(e: ModerationError) -> Self {
        match e {
            ModerationError::NotFound(m) => ActionError::NotFound(m),
            ModerationError::Conflict(m) => ActionError::Conflict(m),
            ModerationError::Store(e) => ActionError::Store(e),
        }
    }
}

/// Checks a listing's content against the directory's current taxonomy and area.
fn check(dir: &Directory, feature: &Value) -> Result<ServiceData, ActionError> {
    check_listing(feature, &dir.taxonomy(), dir.area()).map_err(ActionError::Invalid)
}

/// After a commit: the index takes the listing's committed state.
async fn sync_index(dir: &Directory, service: &Service) {
    if let Err(e) = dir.refresh(service.id).await {
        // The write is committed; the copy the transaction read back is as good.
        tracing::warn!(
            service = service.id.0,
            "index refresh re-read failed ({e}); using the committed copy"
        );
        dir.index().upsert(service.clone());
    }
}

async fn pending_submission(
    dir: &Directory,
    id: SubmissionId,
) -> Result<crate::domain::submission::Submission, ActionError> {
    let sub = dir
        .store()
        .submission(id)
        .await?
        .ok_or_else(|| ActionError::NotFound(format!("no submission has id {id}")))?;
    if sub.status != SubmissionStatus::Pending {
        return Err(ActionError::Conflict(format!(
            "submission {id} is {}, not pending: it was decided already",
            sub.status.as_str()
        )));
    }
    Ok(sub)
}

/// Approves a pending submission, publishing it at once: a new listing appears, a change
/// is applied to the live listing. `edited` is the moderator's edited Feature, if any
/// (checked like a submission); otherwise the proposal is checked again against the
/// current taxonomy.
pub async fn approve(
    dir: &Directory,
    id: SubmissionId,
    edited: Option<&Value>,
    actor: &Actor,
) -> Result<Decision, ActionError> {
    let sub = pending_submission(dir, id).await?;
    let data = match edited {
        Some(v) => check(dir, v)?,
        None => check(dir, &feature_json(&sub.data))?,
    };
    if sub.kind == SubmissionKind::Change
        && let Some(sid) = sub.service_id
        && dir.store().get(sid).await?.is_none()
    {
        return Err(ActionError::Conflict(format!(
            "listing {sid} no longer exists"
        )));
    }
    let decision = dir.store().approve_submission(id, &data, actor).await?;
    if let Some(s) = &decision.service {
        sync_index(dir, s).await;
    }
    Ok(decision)
}

/// Rejects a pending submission with a reason the submitter sees.
pub async fn reject(
    dir: &Directory,
    id: SubmissionId,
    reason: &str,
    actor: &Actor,
) -> Result<Decision, ActionError> {
    Ok(dir
        .store()
        .close_submission(id, SubmissionStatus::Rejected, reason, actor)
        .await?)
}

/// Asks the submitter of a pending submission for changes.
pub async fn request_changes(
    dir: &Directory,
    id: SubmissionId,
    message: &str,
    actor: &Actor,
) -> Result<Decision, ActionError> {
    Ok(dir
        .store()
        .close_submission(id, SubmissionStatus::ChangesRequested, message, actor)
        .await?)
}

/// Merges a pending submission into the published listing `into` (its duplicate): the
/// listing takes what it lacked from the submission (see [`diff::merge`]).
pub async fn merge(
    dir: &Directory,
    id: SubmissionId,
    into: ServiceId,
    actor: &Actor,
) -> Result<Decision, ActionError> {
    let sub = pending_submission(dir, id).await?;
    if sub.kind == SubmissionKind::Change && sub.service_id == Some(into) {
        return Err(ActionError::Conflict(
            "a change proposal cannot be merged into its own listing: approve it".into(),
        ));
    }
    let live = dir
        .store()
        .get(into)
        .await?
        .ok_or_else(|| ActionError::NotFound(format!("no listing has id {into}")))?;
    let merged = diff::merge(&live.data, &sub.data);
    // Checked like any edit, so a merge cannot store what an edit could not.
    let merged = check(dir, &feature_json(&merged))?;
    let decision = dir
        .store()
        .merge_submission(id, into, &merged, actor)
        .await?;
    if let Some(s) = &decision.service {
        sync_index(dir, s).await;
    }
    Ok(decision)
}

/// Resolves (acted on) or dismisses (nothing to do) an open report.
pub async fn close_report(
    dir: &Directory,
    id: ReportId,
    status: ReportStatus,
    note: Option<&str>,
    actor: &Actor,
) -> Result<crate::domain::Report, ActionError> {
    Ok(dir.store().close_report(id, status, note, actor).await?)
}

/// Edits a listing (published or not) with a moderator's Feature.
pub async fn edit_service(
    dir: &Directory,
    id: ServiceId,
    feature: &Value,
    actor: &Actor,
) -> Result<Service, ActionError> {
    // The demo flag is not a moderator's field: the store leaves it as it is.
    let data = check(dir, feature)?;
    let service = dir.store().edit_service(id, &data, None, actor).await?;
    sync_index(dir, &service).await;
    Ok(service)
}

/// Unpublishes a published listing or republishes an unpublished one.
pub async fn set_published(
    dir: &Directory,
    id: ServiceId,
    published: bool,
    reason: Option<&str>,
    actor: &Actor,
) -> Result<Service, ActionError> {
    let status = if published {
        Status::Published
    } else {
        Status::Unpublished
    };
    let service = dir
        .store()
        .moderate_status(id, status, reason, actor)
        .await?;
    sync_index(dir, &service).await;
    Ok(service)
}

/// Decides a listing imported as pending (queue item `p-N`): approving publishes it (the
/// store first, then the index), rejecting (with a reason) keeps it off the map for good.
pub async fn decide_import(
    dir: &Directory,
    id: ServiceId,
    approve: bool,
    reason: Option<&str>,
    actor: &Actor,
) -> Result<Service, ActionError> {
    let service = dir
        .store()
        .decide_pending_service(id, approve, reason, actor)
        .await?;
    sync_index(dir, &service).await;
    Ok(service)
}

/// Marks a listing's data as confirmed by a person now.
pub async fn verify(dir: &Directory, id: ServiceId, actor: &Actor) -> Result<Service, ActionError> {
    let service = dir.store().verify_service(id, actor).await?;
    sync_index(dir, &service).await;
    Ok(service)
}
