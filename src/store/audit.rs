//! The audit log: who did what, when, to which listing, with the state before and after
//! and the reason. Append-only: entries are written in the same transaction as the change
//! they record, through [`append_audit`], and never updated or deleted (the database's
//! triggers refuse it to anyone who tries).

use super::StoreError;
use super::sql::{AnyPool, SqlStore, on_pool};
use async_trait::async_trait;
use chrono::{DateTime, Timelike, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// What kind of thing an entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// A moderator's or admin's account.
    User,
    /// A new listing or a change proposal.
    Submission,
    /// A listing.
    Service,
    /// A citizen's report.
    Report,
    /// An import of a data file (or of the demo data): it has no row of its own, so its
    /// entry is its own subject, with `subject_id` the entry's id.
    Import,
    /// A phrase an admin added to the vocabulary of needs.
    Vocabulary,
    /// A bonus or contribution.
    Benefit,
}

impl SubjectKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::User => "user",
            SubjectKind::Submission => "submission",
            SubjectKind::Service => "service",
            SubjectKind::Report => "report",
            SubjectKind::Import => "import",
            SubjectKind::Vocabulary => "vocabulary",
            SubjectKind::Benefit => "benefit",
        }
    }
}

/// Who acts: an account, or the command line / the system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The account's id; `None` for the command line or the system.
    pub id: Option<i64>,
    /// The username at the time, or `cli`.
    pub name: String,
}

impl Actor {
    /// The `mappatu` command line (whoever can run it can read the database anyway).
    pub fn cli() -> Self {
        Actor {
            id: None,
            name: "cli".into(),
        }
    }

    /// MappaTU itself, acting on no one's command (the demo data loaded at first start).
    pub fn system() -> Self {
        Actor {
            id: None,
            name: "system".into(),
        }
    }

    /// A logged-in account.
    pub fn user(id: i64, username: &str) -> Self {
        Actor {
            id: Some(id),
            name: username.to_string(),
        }
    }
}

/// An entry to append. Build it with [`NewAuditEntry::new`] and the chained setters.
#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    /// Who.
    pub actor: Actor,
    /// What, e.g. `user.add`, `submission.approve`, `service.unpublish`.
    pub action: String,
    /// What kind of thing it was done to.
    pub subject_kind: SubjectKind,
    /// Which one.
    pub subject_id: i64,
    /// The listing concerned, if any.
    pub service_id: Option<i64>,
    /// The state before (JSON). Never a password or its hash.
    pub before: Option<serde_json::Value>,
    /// The state after (JSON). Never a password or its hash.
    pub after: Option<serde_json::Value>,
    /// Why (a rejection's reason, a note).
    pub reason: Option<String>,
}

impl NewAuditEntry {
    /// An entry with no listing, no before/after and no reason yet.
    pub fn new(
        actor: &Actor,
        action: impl Into<String>,
        subject_kind: SubjectKind,
        subject_id: i64,
    ) -> Self {
        NewAuditEntry {
            actor: actor.clone(),
            action: action.into(),
            subject_kind,
            subject_id,
            service_id: None,
            before: None,
            after: None,
            reason: None,
        }
    }

    /// Names the listing concerned.
    pub fn service(mut self, id: i64) -> Self {
        self.service_id = Some(id);
        self
    }

    /// The state before.
    pub fn before(mut self, v: serde_json::Value) -> Self {
        self.before = Some(v);
        self
    }

    /// The state after.
    pub fn after(mut self, v: serde_json::Value) -> Self {
        self.after = Some(v);
        self
    }

    /// Why.
    pub fn reason(mut self, r: impl Into<String>) -> Self {
        self.reason = Some(r.into());
        self
    }
}

/// The audit entry of an import, written in the import's transaction by
/// [`Store::import`](super::Store::import). Its subject is the import itself
/// ([`SubjectKind::Import`], `subject_id` the entry's own id).
pub struct ImportAudit<'a> {
    /// Who imports.
    pub actor: Actor,
    /// What, e.g. `import.file`, `import.demo`.
    pub action: &'a str,
    /// Builds the entry's `after` document from what the upsert did, inside the
    /// transaction: the counts recorded are those that commit.
    pub after: &'a (dyn Fn(&super::UpsertOutcome) -> serde_json::Value + Send + Sync),
}

/// A stored entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    /// Entry id; ids grow with time.
    pub id: i64,
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// The acting account, `null` for the command line.
    pub actor_id: Option<i64>,
    /// The acting account's username at the time, `cli` (the command line) or `system`.
    pub actor_name: String,
    /// What was done, e.g. `user.disable`, `import.file`.
    pub action: String,
    /// `user`, `submission`, `service`, `report`, `import`, `vocabulary` or `benefit`.
    pub subject_kind: String,
    /// The subject's id.
    pub subject_id: i64,
    /// The listing concerned, if any.
    pub service_id: Option<i64>,
    /// The state before, as JSON.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The state after, as JSON.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    /// Why.
    pub reason: Option<String>,
}

/// Which entries to list; every field narrows the list. Newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// The acting username (exact) or `cli`.
    pub actor: Option<String>,
    /// The action (exact), e.g. `user.add`.
    pub action: Option<String>,
    /// The subject's kind.
    pub subject_kind: Option<SubjectKind>,
    /// The subject's id (with or without `subject_kind`).
    pub subject_id: Option<i64>,
    /// The listing concerned.
    pub service_id: Option<i64>,
    /// At or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Before this time.
    pub to: Option<DateTime<Utc>>,
    /// Only entries with an id below this (the previous page's last id).
    pub before_id: Option<i64>,
    /// At most this many (1..=500; 0 means 100).
    pub limit: u32,
}

/// The largest page of [`AuditFilter::limit`].
pub const MAX_AUDIT_PAGE: u32 = 500;

/// "Now" at the microsecond precision both databases keep, so that what a writer returns
/// equals what a later read gives.
pub(crate) fn db_now() -> DateTime<Utc> {
    let now = Utc::now();
    now.with_nanosecond(now.nanosecond() / 1000 * 1000)
        .unwrap_or(now)
}

const INSERT_AUDIT: &str = "INSERT INTO audit_log (at, actor_id, actor_name, action, \
    subject_kind, subject_id, service_id, before, after, reason) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";

// An import's entry is its own subject: the id is taken first, in the same statement, so
// that subject_id can be set to it (the log is append-only: no later UPDATE). On SQLite the
// writing transaction holds the database's only write lock, so MAX(id) + 1 is the id
// SQLite itself would give; PostgreSQL draws it from the column's identity sequence.
const INSERT_IMPORT_AUDIT_SQLITE: &str = "INSERT INTO audit_log (id, at, actor_id, \
    actor_name, action, subject_kind, subject_id, after) \
    SELECT n.id, $1, $2, $3, $4, 'import', n.id, $5 \
    FROM (SELECT COALESCE(MAX(id), 0) + 1 AS id FROM audit_log) AS n RETURNING id";
const INSERT_IMPORT_AUDIT_POSTGRES: &str = "WITH n AS (SELECT \
    nextval(pg_get_serial_sequence('audit_log', 'id')) AS id) \
    INSERT INTO audit_log (id, at, actor_id, actor_name, action, subject_kind, subject_id, \
    after) SELECT n.id, $1, $2, $3, $4, 'import', n.id, $5 FROM n RETURNING id";

// One statement for every filter: a NULL parameter leaves its condition out.
const SELECT_AUDIT: &str = "SELECT id, at, actor_id, actor_name, action, subject_kind, \
    subject_id, service_id, before, after, reason FROM audit_log \
    WHERE ($1 IS NULL OR actor_name = $1) AND ($2 IS NULL OR action = $2) \
    AND ($3 IS NULL OR subject_kind = $3) AND ($4 IS NULL OR subject_id = $4) \
    AND ($5 IS NULL OR service_id = $5) AND ($6 IS NULL OR at >= $6) \
    AND ($7 IS NULL OR at < $7) AND ($8 IS NULL OR id < $8) \
    ORDER BY id DESC LIMIT $9";

/// A connection (or a transaction, through `&mut *tx`) that audit entries can be written to.
#[async_trait]
pub(crate) trait AuditConn: Send {
    /// Appends one entry; returns its id.
    async fn append_audit_entry(&mut self, entry: &NewAuditEntry) -> Result<i64, StoreError>;

    /// Appends the entry of an import, its own subject; returns its id.
    async fn append_import_entry(
        &mut self,
        actor: &Actor,
        action: &str,
        after: &serde_json::Value,
    ) -> Result<i64, StoreError>;
}

macro_rules! impl_audit_conn {
    ($conn:ty, $insert_import:expr) => {
        #[async_trait]
        impl AuditConn for $conn {
            async fn append_audit_entry(&mut self, e: &NewAuditEntry) -> Result<i64, StoreError> {
                let id = sqlx::query_scalar(INSERT_AUDIT)
                    .bind(db_now())
                    .bind(e.actor.id)
                    .bind(&e.actor.name)
                    .bind(&e.action)
                    .bind(e.subject_kind.as_str())
                    .bind(e.subject_id)
                    .bind(e.service_id)
                    .bind(e.before.as_ref().map(|v| v.to_string()))
                    .bind(e.after.as_ref().map(|v| v.to_string()))
                    .bind(&e.reason)
                    .fetch_one(&mut *self)
                    .await?;
                Ok(id)
            }

            async fn append_import_entry(
                &mut self,
                actor: &Actor,
                action: &str,
                after: &serde_json::Value,
            ) -> Result<i64, StoreError> {
                let id = sqlx::query_scalar($insert_import)
                    .bind(db_now())
                    .bind(actor.id)
                    .bind(&actor.name)
                    .bind(action)
                    .bind(after.to_string())
                    .fetch_one(&mut *self)
                    .await?;
                Ok(id)
            }
        }
    };
}

impl_audit_conn!(sqlx::SqliteConnection, INSERT_IMPORT_AUDIT_SQLITE);
impl_audit_conn!(sqlx::PgConnection, INSERT_IMPORT_AUDIT_POSTGRES);

/// Appends an audit entry inside the caller's transaction (`append_audit(&mut *tx, &e)`),
/// so that the entry commits or rolls back with the change it records. Returns its id.
pub(crate) async fn append_audit<C: AuditConn + ?Sized>(
    conn: &mut C,
    entry: &NewAuditEntry,
) -> Result<i64, StoreError> {
    conn.append_audit_entry(entry).await
}

/// Appends an import's audit entry inside the caller's transaction; returns its id, which
/// is also its subject id.
pub(crate) async fn append_audit_import<C: AuditConn + ?Sized>(
    conn: &mut C,
    actor: &Actor,
    action: &str,
    after: &serde_json::Value,
) -> Result<i64, StoreError> {
    conn.append_import_entry(actor, action, after).await
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at: DateTime<Utc>,
    actor_id: Option<i64>,
    actor_name: String,
    action: String,
    subject_kind: String,
    subject_id: i64,
    service_id: Option<i64>,
    before: Option<String>,
    after: Option<String>,
    reason: Option<String>,
}

fn json_text(s: Option<String>) -> Option<serde_json::Value> {
    // Written by append_audit as JSON; anything else is shown as the text it is.
    s.map(|s| serde_json::from_str(&s).unwrap_or(serde_json::Value::String(s)))
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            id: r.id,
            at: r.at,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            action: r.action,
            subject_kind: r.subject_kind,
            subject_id: r.subject_id,
            service_id: r.service_id,
            before: json_text(r.before),
            after: json_text(r.after),
            reason: r.reason,
        }
    }
}

impl SqlStore {
    /// Audit entries matching `filter`, newest first.
    pub(super) async fn list_audit(
        &self,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let limit = match filter.limit {
            0 => 100,
            n => n.min(MAX_AUDIT_PAGE),
        };
        let rows: Vec<AuditRow> = on_pool!(self, pool => {
            sqlx::query_as(SELECT_AUDIT)
                .bind(&filter.actor)
                .bind(&filter.action)
                .bind(filter.subject_kind.map(SubjectKind::as_str))
                .bind(filter.subject_id)
                .bind(filter.service_id)
                .bind(filter.from)
                .bind(filter.to)
                .bind(filter.before_id)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(AuditEntry::from).collect())
    }
}
