//! The store: the persistent source of truth, in SQLite (embedded default) or PostgreSQL.
//!
//! Both backends implement [`Store`] with the same SQL (sqlx binds `$1`-style parameters
//! on SQLite too); only the schema DDL differs, in `migrations/sqlite` and
//! `migrations/postgres`. The backend is chosen from the database URL's scheme.

mod accounts;
mod audit;
mod benefits;
pub mod feed;
mod login;
mod moderation;
mod sql;
mod sqlite_scan;
mod vocabulary;

use crate::domain::{
    Report, ReportDraft, ReportStatus, Service, ServiceData, ServiceId, Status, Taxonomy,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

pub use accounts::{AccountStore, NewSession, NewUser, SessionRecord, User};
pub use audit::{
    Actor, AuditEntry, AuditFilter, ImportAudit, MAX_AUDIT_PAGE, NewAuditEntry, SubjectKind,
};
pub use benefits::{BenefitStore, KeyedBenefit};
// For the other store files, which write audit entries in their own transactions.
#[allow(unused_imports)]
pub(crate) use audit::{AuditConn, append_audit, append_audit_import, db_now};
pub use login::{LoginAttempts, LoginStore, ThrottleRecord, TrustedDevice};
pub use moderation::{Decision, ModerationError, ModerationStore, service_snapshot};
pub use sql::SqlStore;
pub use vocabulary::{NeedPhraseRecord, NewNeedPhrase, VocabularyStore};

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    /// Embedded SQLite, one file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

impl StoreKind {
    /// `sqlite` or `postgres`.
    pub fn as_str(self) -> &'static str {
        match self {
            StoreKind::Sqlite => "sqlite",
            StoreKind::Postgres => "postgres",
        }
    }
}

/// Errors of the store layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL's scheme is neither SQLite nor PostgreSQL.
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    /// The database answered with an error or could not be reached.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The bulk reader of the SQLite file failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Migrations could not be applied.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored report does not hold valid data (written by something else than MappaTU).
    #[error("stored report {id} is invalid: {reason}")]
    CorruptReport {
        /// Row id.
        id: i64,
        /// What is wrong.
        reason: String,
    },
    /// A report names a service that does not exist or is not published.
    #[error("no published service has id {0}")]
    UnknownService(ServiceId),
    /// A stored row does not hold valid data (written by something else than MappaTU).
    #[error("stored service {id} is invalid: {reason}")]
    Corrupt {
        /// Row id.
        id: i64,
        /// What is wrong.
        reason: String,
    },
}

/// A service to insert or, when its external id is already stored, to update.
#[derive(Debug, Clone)]
pub struct NewService {
    /// Stable identifier from the source data set.
    pub external_id: Option<String>,
    /// Status for a new row; an existing row only moves from `pending` to this.
    pub status: Status,
    /// Content.
    pub data: ServiceData,
}

/// What an upsert did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpsertOutcome {
    /// Ids of rows inserted.
    pub inserted: Vec<ServiceId>,
    /// Ids of rows updated (matched by external id).
    pub updated: Vec<ServiceId>,
}

/// What an audited import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    /// The services inserted and updated.
    pub written: UpsertOutcome,
    /// The id of the import's audit entry (also its subject id).
    pub audit_id: i64,
}

/// Called with the number of records written so far.
pub type Progress<'a> = &'a (dyn Fn(u64) + Send + Sync);

/// The persistent store of services. Every write is one transaction; a method returns
/// only after it committed.
#[async_trait]
pub trait Store:
    AccountStore + LoginStore + ModerationStore + VocabularyStore + BenefitStore + Send + Sync + 'static
{
    /// Which backend this is.
    fn kind(&self) -> StoreKind;

    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Adds the taxonomy's entries that the store lacks (labels of existing slugs are kept,
    /// so that admins' edits survive) and returns the stored taxonomy in display order.
    async fn sync_taxonomy(&self, defaults: &Taxonomy) -> Result<Taxonomy, StoreError>;

    /// Counts services, all or with one status.
    async fn count(&self, status: Option<Status>) -> Result<u64, StoreError>;

    /// Hands every published service to `sink`, in batches, so that the index can be
    /// loaded without all services being in memory at once. Batches come in no set order
    /// and possibly from several threads at once. It blocks: call it from a blocking
    /// thread (`tokio::task::spawn_blocking`).
    fn scan_published(&self, sink: &(dyn Fn(Vec<Service>) + Sync)) -> Result<(), StoreError>;

    /// The ids and creation times of the services with one status, in no set order: what
    /// the moderators' queue sorts (with the other kinds of item) and pages by, without
    /// reading thousands of whole services (a file imported with `--pending`) to show fifty.
    async fn service_keys_with_status(
        &self,
        status: Status,
    ) -> Result<Vec<(ServiceId, DateTime<Utc>)>, StoreError>;

    /// One service, whatever its status.
    async fn get(&self, id: ServiceId) -> Result<Option<Service>, StoreError>;

    /// Inserts or updates services in one transaction: all are written or none.
    async fn upsert(
        &self,
        records: Vec<NewService>,
        progress: Progress<'_>,
    ) -> Result<UpsertOutcome, StoreError>;

    /// Imports services as [`upsert`](Self::upsert) writes them, and appends the import's
    /// audit entry in the same transaction: the data and its record commit together, or
    /// neither does. With no records, only the entry is written (an import that found
    /// nothing to import is still an import).
    async fn import(
        &self,
        records: Vec<NewService>,
        audit: ImportAudit<'_>,
        progress: Progress<'_>,
    ) -> Result<ImportOutcome, StoreError>;

    /// Changes a service's status; returns it as stored after the commit.
    async fn set_status(
        &self,
        id: ServiceId,
        status: Status,
    ) -> Result<Option<Service>, StoreError>;

    /// Stores a citizen's report on a published service, in one transaction, and returns
    /// it as committed (status `open`). [`StoreError::UnknownService`] when the service
    /// does not exist or is not published at that moment.
    async fn add_report(&self, draft: ReportDraft) -> Result<Report, StoreError>;

    /// Reports, all or with one status, oldest first.
    async fn reports(&self, status: Option<ReportStatus>) -> Result<Vec<Report>, StoreError>;

    /// Closes the connection pool.
    async fn close(&self);
}

/// Opens the store named by a database URL (`sqlite://…` or `postgres://…`), creating
/// the SQLite file if needed, and applies the migrations.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqlStore::open_sqlite(url).await?))
    } else if is_postgres_url(url) {
        Ok(Arc::new(SqlStore::open_postgres(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(redact_url(url)))
    }
}

/// Whether a database URL names a PostgreSQL database.
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The URL with any password replaced by `***`, fit for logs and error messages.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}{tail}")
            } else {
                format!("{scheme}://{user}@{host}{tail}")
            }
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db.example:5432/mappatu"),
            "postgres://app:***@db.example:5432/mappatu"
        );
        assert_eq!(
            redact_url("postgres://app@db/mappatu"),
            "postgres://app@db/mappatu"
        );
        assert_eq!(redact_url("sqlite://var/x.db"), "sqlite://var/x.db");
    }
}
