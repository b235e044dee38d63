//! [`Store`] over sqlx, for SQLite and PostgreSQL.
//!
//! The SQL is shared: both databases accept `$n` parameters, `RETURNING`,
//! `ON CONFLICT` and `string_agg(… ORDER BY …)`. The [`on_pool!`] macro expands each
//! method body once per backend, so the compiler checks it against both drivers without
//! a wall of generic bounds.

use super::{
    ImportAudit, ImportOutcome, NewService, Progress, Store, StoreError, StoreKind, UpsertOutcome,
    append_audit_import,
};
use crate::domain::service::TEXT_FIELDS;
use crate::domain::{
    Category, Coordinates, Hours, Report, ReportDraft, ReportId, ReportStatus, Service,
    ServiceData, ServiceId, Status, Taxonomy,
};
use async_trait::async_trait;
use chrono::{DateTime, Timelike, Utc};
use futures_util::TryStreamExt;
use sqlx::postgres::{PgPoolOptions, Postgres};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Sqlite};
use std::collections::HashMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::LazyLock;
use std::time::Duration;

pub(super) enum AnyPool {
    Sqlite(SqlitePools),
    Postgres(Pool<Postgres>),
}

/// An SQLite file's connections: readers in a pool, and every write through one
/// connection of its own.
///
/// SQLite lets one writer in at a time. A transaction begun with a plain (deferred)
/// `BEGIN` reads first and asks for the write lock only at its first write; if another
/// connection committed in between, SQLite answers `SQLITE_BUSY_SNAPSHOT` (517) at once,
/// or `SQLITE_BUSY` (5) when two such upgrades meet, without waiting out the busy timeout:
/// two moderators at once got "database is locked". So writes queue here, in order, on
/// the one writing connection, and each begins with `BEGIN IMMEDIATE`, which takes the
/// write lock before reading anything; the busy timeout then only has to wait for
/// another process (a `mappatu import` into the same file).
pub(super) struct SqlitePools {
    /// Read-only connections: a write sent here by mistake fails loudly.
    pub(super) read: Pool<Sqlite>,
    /// One read-write connection; the pool's queue is the writers' queue.
    pub(super) write: Pool<Sqlite>,
}

/// A store on an sqlx connection pool.
pub struct SqlStore {
    pub(super) pool: AnyPool,
    /// The SQLite file, read directly by [`Store::scan_published`].
    sqlite_file: Option<PathBuf>,
}

/// Runs `$body` with `$pool` bound to the concrete pool of either backend, for reads.
macro_rules! on_pool {
    ($self:expr, $pool:ident => $body:expr) => {
        match &$self.pool {
            AnyPool::Sqlite(pools) => {
                let $pool = &pools.read;
                $body
            }
            AnyPool::Postgres($pool) => $body,
        }
    };
}
// The other store files (accounts, audit, moderation) implement their traits the same way.
pub(super) use on_pool;

/// Runs `$body` with `$pool` bound to the pool that writes: a single statement that
/// writes, outside a transaction of several.
macro_rules! on_writer {
    ($self:expr, $pool:ident => $body:expr) => {
        match &$self.pool {
            AnyPool::Sqlite(pools) => {
                let $pool = &pools.write;
                $body
            }
            AnyPool::Postgres($pool) => $body,
        }
    };
}
pub(super) use on_writer;

/// Runs `$body` with `$tx` bound to a new write transaction of either backend (SQLite:
/// `BEGIN IMMEDIATE` on the writing connection, see [`SqlitePools`]). `$body` commits;
/// leaving it any other way rolls back.
macro_rules! in_write_tx {
    ($self:expr, $tx:ident => $body:expr) => {
        match &$self.pool {
            AnyPool::Sqlite(pools) => {
                let mut $tx = pools.write.begin_with("BEGIN IMMEDIATE").await?;
                $body
            }
            AnyPool::Postgres(pool) => {
                let mut $tx = pool.begin().await?;
                $body
            }
        }
    };
}
pub(super) use in_write_tx;

/// Row locks inside a write transaction, so that a decision reads the state it changes
/// and no concurrent decision can change it in between.
pub(super) trait LockRows {
    /// Locks the row that `lock_sql` (a `SELECT … WHERE id = $1 FOR UPDATE`) selects.
    fn lock_row(
        &mut self,
        lock_sql: &'static str,
        id: i64,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
}

impl LockRows for sqlx::Transaction<'static, Sqlite> {
    async fn lock_row(&mut self, _: &'static str, _: i64) -> Result<(), sqlx::Error> {
        // `BEGIN IMMEDIATE` holds the database's only write lock already: no other
        // writer runs until this transaction ends.
        Ok(())
    }
}

impl LockRows for sqlx::Transaction<'static, Postgres> {
    async fn lock_row(&mut self, lock_sql: &'static str, id: i64) -> Result<(), sqlx::Error> {
        sqlx::query(lock_sql).bind(id).execute(&mut **self).await?;
        Ok(())
    }
}

/// Locks a listing's row until the transaction ends (PostgreSQL).
pub(super) const LOCK_SERVICE: &str = "SELECT 1 FROM services WHERE id = $1 FOR UPDATE";

/// Binds the status, the [content columns](CONTENT_COLUMNS) and `demo`, as INSERT and
/// UPDATE of an import take them.
macro_rules! bind_content {
    ($q:expr, $status:expr, $d:expr) => {
        bind_fields!($q.bind($status.as_str()), $d).bind($d.demo)
    };
}

/// Binds a listing's editable fields in the order of [`content_columns`].
macro_rules! bind_fields {
    ($q:expr, $d:expr) => {{
        let d: &ServiceData = &$d;
        let mut q = $q
            .bind(&d.name)
            .bind(d.point.lat())
            .bind(d.point.lon())
            .bind(d.opening_hours.as_ref().map(|h| h.raw()))
            .bind(d.accessibility.wheelchair.as_str())
            .bind(d.languages.join(","));
        for f in &TEXT_FIELDS {
            q = q.bind((f.get)(d).as_deref());
        }
        q
    }};
}
pub(super) use bind_fields;

/// The columns of `services` that hold a listing's editable fields, in bind order: the
/// typed ones, then every [text field](TEXT_FIELDS). A new text field needs no change here.
pub(super) fn content_columns() -> impl Iterator<Item = &'static str> {
    [
        "name",
        "lat",
        "lon",
        "opening_hours",
        "wheelchair",
        "languages",
    ]
    .into_iter()
    .chain(TEXT_FIELDS.iter().map(|f| f.column))
}

/// [`content_columns`], comma-separated.
pub(super) static CONTENT_COLUMNS: LazyLock<String> =
    LazyLock::new(|| content_columns().collect::<Vec<_>>().join(", "));

/// Parameters `$first, $first+1, …` for the content columns.
pub(super) fn content_params(first: usize) -> String {
    (first..first + content_columns().count())
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `column = $n, …` for the content columns, from `$first`.
pub(super) fn content_assignments(first: usize) -> String {
    content_columns()
        .zip(first..)
        .map(|(c, n)| format!("{c} = ${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The number of content columns.
pub(super) fn content_count() -> usize {
    content_columns().count()
}

/// Writes a service's category and target-group lists (after any old rows were
/// deleted) inside the transaction `$tx`.
macro_rules! insert_lists {
    ($tx:expr, $id:expr, $d:expr) => {
        for (sql, slugs) in [
            (INSERT_CATEGORY, &$d.categories),
            (INSERT_TARGET, &$d.target_groups),
        ] {
            for (position, slug) in slugs.iter().enumerate() {
                sqlx::query(sql)
                    .bind($id)
                    .bind(slug)
                    .bind(position as i32)
                    .execute(&mut *$tx)
                    .await?;
            }
        }
    };
}
pub(super) use insert_lists;

/// `SELECT` of whole services, with their lists comma-joined, followed by `tail`.
fn select_services(tail: &str) -> String {
    format!(
        "SELECT s.id, s.external_id, s.status, {}, s.demo, s.created_at, s.updated_at, \
         s.verified_at, \
         (SELECT string_agg(category, ',' ORDER BY position) FROM service_categories \
         WHERE service_id = s.id) AS categories, \
         (SELECT string_agg(target_group, ',' ORDER BY position) FROM service_target_groups \
         WHERE service_id = s.id) AS target_groups \
         FROM services s {tail}",
        content_columns()
            .map(|c| format!("s.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

static SELECT_PUBLISHED: LazyLock<String> =
    LazyLock::new(|| select_services("WHERE s.status = 'published' ORDER BY s.id"));
pub(super) static SELECT_ONE: LazyLock<String> =
    LazyLock::new(|| select_services("WHERE s.id = $1"));
const KEYS_WITH_STATUS: &str = "SELECT id, created_at FROM services WHERE status = $1";
const FIND_EXTERNAL: &str = "SELECT id FROM services WHERE external_id = $1";
static INSERT_SERVICE: LazyLock<String> = LazyLock::new(|| {
    let n = content_count();
    format!(
        "INSERT INTO services (external_id, status, {}, demo, created_at, updated_at) \
         VALUES ($1, $2, {}, ${}, ${}, ${}) RETURNING id",
        *CONTENT_COLUMNS,
        content_params(3),
        n + 3,
        n + 4,
        n + 4
    )
});
// An import never overrides a moderator: only a pending row takes the new status.
static UPDATE_SERVICE: LazyLock<String> = LazyLock::new(|| {
    let n = content_count();
    format!(
        "UPDATE services SET status = CASE WHEN status = 'pending' THEN $2 ELSE status END, \
         {}, demo = ${}, updated_at = ${} WHERE id = $1",
        content_assignments(3),
        n + 3,
        n + 4
    )
});
pub(super) const DELETE_CATEGORIES: &str = "DELETE FROM service_categories WHERE service_id = $1";
pub(super) const DELETE_TARGETS: &str = "DELETE FROM service_target_groups WHERE service_id = $1";
pub(super) const INSERT_CATEGORY: &str =
    "INSERT INTO service_categories (service_id, category, position) VALUES ($1, $2, $3)";
pub(super) const INSERT_TARGET: &str =
    "INSERT INTO service_target_groups (service_id, target_group, position) VALUES ($1, $2, $3)";
pub(super) const SET_STATUS: &str =
    "UPDATE services SET status = $2, updated_at = $3 WHERE id = $1";
const COUNT_ALL: &str = "SELECT COUNT(*) FROM services";
const COUNT_STATUS: &str = "SELECT COUNT(*) FROM services WHERE status = $1";
const INSERT_CATEGORY_DEF: &str = "INSERT INTO categories (slug, label_it, label_en, color, icon, \
    position) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (slug) DO NOTHING";
const INSERT_TARGET_DEF: &str = "INSERT INTO target_groups (slug, label_it, label_en, color, \
    icon, position) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (slug) DO NOTHING";
const SELECT_CATEGORY_DEFS: &str =
    "SELECT slug, label_it, label_en, color, icon FROM categories ORDER BY position, slug";
const SELECT_TARGET_DEFS: &str =
    "SELECT slug, label_it, label_en, color, icon FROM target_groups ORDER BY position, slug";

// The service must be published when the report commits: the check and the insert are
// one statement, so an unpublish in between cannot slip through.
const INSERT_REPORT: &str = "INSERT INTO reports (service_id, kind, message, lang, status, \
    created_at) SELECT $1, $2, $3, $4, 'open', $5 \
    WHERE EXISTS (SELECT 1 FROM services WHERE id = $1 AND status = 'published') RETURNING id";
const SELECT_REPORTS: &str = "SELECT id, service_id, kind, message, lang, status, created_at, \
    resolved_at, resolved_by, resolution_note FROM reports ORDER BY created_at, id";
const SELECT_REPORTS_STATUS: &str = "SELECT id, service_id, kind, message, lang, status, \
    created_at, resolved_at, resolved_by, resolution_note FROM reports WHERE status = $1 \
    ORDER BY created_at, id";

/// One row of `reports`.
#[derive(sqlx::FromRow)]
pub(super) struct ReportRow {
    id: i64,
    service_id: i64,
    kind: String,
    message: Option<String>,
    lang: String,
    status: String,
    created_at: DateTime<Utc>,
    resolved_at: Option<DateTime<Utc>>,
    resolved_by: Option<i64>,
    resolution_note: Option<String>,
}

impl TryFrom<ReportRow> for Report {
    type Error = StoreError;
    fn try_from(r: ReportRow) -> Result<Self, StoreError> {
        let corrupt = |reason: String| StoreError::CorruptReport { id: r.id, reason };
        Ok(Report {
            id: ReportId(r.id),
            service_id: ServiceId(r.service_id),
            kind: r.kind.parse().map_err(corrupt)?,
            message: r.message,
            lang: r.lang.parse().map_err(corrupt)?,
            status: r.status.parse().map_err(corrupt)?,
            created_at: r.created_at,
            resolved_at: r.resolved_at,
            resolved_by: r.resolved_by,
            resolution_note: r.resolution_note,
        })
    }
}

/// One row of [`select_services`], decoded the same way on both backends (and by the
/// SQLite scan, which reads the same columns by position).
pub(super) struct ServiceRow {
    pub(super) id: i64,
    pub(super) external_id: Option<String>,
    pub(super) status: String,
    pub(super) name: String,
    pub(super) lat: f64,
    pub(super) lon: f64,
    pub(super) opening_hours: Option<String>,
    pub(super) wheelchair: String,
    /// Comma-separated codes.
    pub(super) languages: String,
    /// The [text fields](TEXT_FIELDS), in their order.
    pub(super) texts: [Option<String>; TEXT_FIELDS.len()],
    pub(super) demo: bool,
    pub(super) created_at: DateTime<Utc>,
    pub(super) updated_at: DateTime<Utc>,
    pub(super) verified_at: Option<DateTime<Utc>>,
    pub(super) categories: Option<String>,
    pub(super) target_groups: Option<String>,
}

/// Reads a [`ServiceRow`] by column name from a row of either backend.
macro_rules! service_row_from {
    ($row:ty) => {
        impl<'r> sqlx::FromRow<'r, $row> for ServiceRow {
            fn from_row(r: &'r $row) -> Result<Self, sqlx::Error> {
                use sqlx::Row;
                let mut texts: [Option<String>; TEXT_FIELDS.len()] = Default::default();
                for (slot, f) in texts.iter_mut().zip(&TEXT_FIELDS) {
                    *slot = r.try_get(f.column)?;
                }
                Ok(ServiceRow {
                    id: r.try_get("id")?,
                    external_id: r.try_get("external_id")?,
                    status: r.try_get("status")?,
                    name: r.try_get("name")?,
                    lat: r.try_get("lat")?,
                    lon: r.try_get("lon")?,
                    opening_hours: r.try_get("opening_hours")?,
                    wheelchair: r.try_get("wheelchair")?,
                    languages: r.try_get("languages")?,
                    texts,
                    demo: r.try_get("demo")?,
                    created_at: r.try_get("created_at")?,
                    updated_at: r.try_get("updated_at")?,
                    verified_at: r.try_get("verified_at")?,
                    categories: r.try_get("categories")?,
                    target_groups: r.try_get("target_groups")?,
                })
            }
        }
    };
}
service_row_from!(sqlx::sqlite::SqliteRow);
service_row_from!(sqlx::postgres::PgRow);

#[derive(sqlx::FromRow)]
struct CategoryRow {
    slug: String,
    label_it: String,
    label_en: String,
    color: String,
    icon: String,
}

impl From<CategoryRow> for Category {
    fn from(r: CategoryRow) -> Self {
        Category {
            slug: r.slug,
            label_it: r.label_it,
            label_en: r.label_en,
            color: r.color,
            icon: r.icon,
        }
    }
}

/// Parsed opening hours by raw string: most services share a handful of schedules, and
/// parsing each once keeps start-up fast and memory small.
#[derive(Default)]
pub(super) struct HoursCache(HashMap<String, Option<Hours>>);

impl HoursCache {
    fn get(&mut self, id: i64, raw: String) -> Option<Hours> {
        if let Some(h) = self.0.get(&raw) {
            return h.clone();
        }
        let parsed = match Hours::parse(&raw) {
            Ok(h) => Some(h),
            Err(e) => {
                tracing::warn!(service = id, "stored opening hours ignored: {e}");
                None
            }
        };
        self.0.insert(raw, parsed.clone());
        parsed
    }
}

/// Streams the published services through sqlx, blocking on the caller's runtime.
fn scan_with_sqlx<DB: sqlx::Database>(
    pool: &Pool<DB>,
    sink: &(dyn Fn(Vec<Service>) + Sync),
    hours: &mut HoursCache,
) -> Result<(), StoreError>
where
    for<'c> &'c Pool<DB>: sqlx::Executor<'c, Database = DB>,
    <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    ServiceRow: for<'r> sqlx::FromRow<'r, DB::Row>,
{
    tokio::runtime::Handle::current().block_on(async {
        const BATCH: usize = 4096;
        let mut rows = sqlx::query_as::<DB, ServiceRow>(SELECT_PUBLISHED.as_str()).fetch(pool);
        let mut batch = Vec::with_capacity(BATCH);
        while let Some(row) = rows.try_next().await? {
            batch.push(row.into_service(hours)?);
            if batch.len() == BATCH {
                sink(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
            }
        }
        sink(batch);
        Ok(())
    })
}

impl ServiceRow {
    /// Builds the service, its category and target-group lists read from the row's
    /// comma-joined columns.
    pub(super) fn into_service(mut self, hours: &mut HoursCache) -> Result<Service, StoreError> {
        let split = |s: Option<String>| -> Vec<String> {
            s.map(|s| s.split(',').map(str::to_owned).collect())
                .unwrap_or_default()
        };
        let categories = split(self.categories.take());
        let target_groups = split(self.target_groups.take());
        self.into_service_with(categories, target_groups, hours)
    }

    /// Builds the service with its category and target-group lists read separately.
    pub(super) fn into_service_with(
        self,
        categories: Vec<String>,
        target_groups: Vec<String>,
        hours: &mut HoursCache,
    ) -> Result<Service, StoreError> {
        let corrupt = |reason: String| StoreError::Corrupt {
            id: self.id,
            reason,
        };
        let point = Coordinates::new(self.lat, self.lon).map_err(|e| corrupt(e.to_string()))?;
        let status = Status::from_str(&self.status).map_err(corrupt)?;
        let wheelchair = self.wheelchair.parse().map_err(corrupt)?;
        let mut data = ServiceData::new(self.name, point);
        for (f, text) in TEXT_FIELDS.iter().zip(self.texts) {
            *(f.get_mut)(&mut data) = text;
        }
        data.categories = categories;
        data.target_groups = target_groups;
        data.opening_hours = self.opening_hours.and_then(|raw| hours.get(self.id, raw));
        data.accessibility.wheelchair = wheelchair;
        data.languages = self
            .languages
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
        data.demo = self.demo;
        Ok(Service {
            id: ServiceId(self.id),
            external_id: self.external_id,
            status,
            data,
            created_at: self.created_at,
            updated_at: self.updated_at,
            verified_at: self.verified_at,
        })
    }
}

/// How long a write of this process waits for another process's write to the same
/// SQLite file.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a write waits for its turn on the writing connection before the request
/// fails (503): far longer than the queue of a busy municipality takes to drain.
const WRITE_QUEUE_TIMEOUT: Duration = Duration::from_secs(30);

impl SqlStore {
    /// Opens (creating if missing) an SQLite database file and migrates it.
    pub async fn open_sqlite(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit that was acknowledged survives a power cut, not only a crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // Writers of this process queue on the writing connection; this is how long
            // one waits for another process's write (an import) before giving up.
            .busy_timeout(SQLITE_BUSY_TIMEOUT);
        // An in-memory database is visible to its own connection only: one connection
        // then does everything.
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let sqlite_file = (!in_memory).then(|| options.get_filename().to_path_buf());
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            // A write waits its turn behind the others: patiently, since each is short.
            .acquire_timeout(WRITE_QUEUE_TIMEOUT)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&write).await?;
        let read = if in_memory {
            write.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options.create_if_missing(false).read_only(true))
                .await?
        };
        Ok(Self {
            pool: AnyPool::Sqlite(SqlitePools { read, write }),
            sqlite_file,
        })
    }

    /// Connects to a PostgreSQL database and migrates it.
    pub async fn open_postgres(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self {
            pool: AnyPool::Postgres(pool),
            sqlite_file: None,
        })
    }

    /// Inserts or updates services in one transaction and, when given, appends the
    /// import's audit entry in it; returns what was written and the entry's id.
    async fn write_services(
        &self,
        records: Vec<NewService>,
        audit: Option<&ImportAudit<'_>>,
        progress: Progress<'_>,
    ) -> Result<(UpsertOutcome, Option<i64>), StoreError> {
        let now = Utc::now();
        let mut outcome = UpsertOutcome::default();
        let audit_id = in_write_tx!(self, tx => {
            for (done, rec) in records.iter().enumerate() {
                let existing: Option<i64> = match &rec.external_id {
                    Some(ext) => sqlx::query_scalar(FIND_EXTERNAL)
                        .bind(ext)
                        .fetch_optional(&mut *tx)
                        .await?,
                    None => None,
                };
                let id = match existing {
                    Some(id) => {
                        bind_content!(sqlx::query(UPDATE_SERVICE.as_str()).bind(id), rec.status, rec.data)
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                        sqlx::query(DELETE_CATEGORIES).bind(id).execute(&mut *tx).await?;
                        sqlx::query(DELETE_TARGETS).bind(id).execute(&mut *tx).await?;
                        outcome.updated.push(ServiceId(id));
                        id
                    }
                    None => {
                        let id: i64 = bind_content!(
                            sqlx::query_scalar(INSERT_SERVICE.as_str()).bind(&rec.external_id),
                            rec.status,
                            rec.data
                        )
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await?;
                        outcome.inserted.push(ServiceId(id));
                        id
                    }
                };
                insert_lists!(tx, id, rec.data);
                if done % 1000 == 999 {
                    progress(done as u64 + 1);
                }
            }
            let audit_id = match audit {
                Some(a) => {
                    let after = (a.after)(&outcome);
                    Some(append_audit_import(&mut *tx, &a.actor, a.action, &after).await?)
                }
                None => None,
            };
            tx.commit().await?;
            audit_id
        });
        progress(records.len() as u64);
        Ok((outcome, audit_id))
    }
}

#[async_trait]
impl Store for SqlStore {
    fn kind(&self) -> StoreKind {
        match self.pool {
            AnyPool::Sqlite(_) => StoreKind::Sqlite,
            AnyPool::Postgres(_) => StoreKind::Postgres,
        }
    }

    async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    async fn sync_taxonomy(&self, defaults: &Taxonomy) -> Result<Taxonomy, StoreError> {
        in_write_tx!(self, tx => {
            for (sql, list) in [
                (INSERT_CATEGORY_DEF, &defaults.categories),
                (INSERT_TARGET_DEF, &defaults.target_groups),
            ] {
                for (position, c) in list.iter().enumerate() {
                    sqlx::query(sql)
                        .bind(&c.slug)
                        .bind(&c.label_it)
                        .bind(&c.label_en)
                        .bind(&c.color)
                        .bind(&c.icon)
                        .bind(position as i32)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
        });
        on_pool!(self, pool => {
            let categories: Vec<CategoryRow> =
                sqlx::query_as(SELECT_CATEGORY_DEFS).fetch_all(pool).await?;
            let target_groups: Vec<CategoryRow> =
                sqlx::query_as(SELECT_TARGET_DEFS).fetch_all(pool).await?;
            Ok(Taxonomy {
                categories: categories.into_iter().map(Category::from).collect(),
                target_groups: target_groups.into_iter().map(Category::from).collect(),
            })
        })
    }

    async fn count(&self, status: Option<Status>) -> Result<u64, StoreError> {
        let n: i64 = on_pool!(self, pool => match status {
            None => sqlx::query_scalar(COUNT_ALL).fetch_one(pool).await?,
            Some(s) => sqlx::query_scalar(COUNT_STATUS).bind(s.as_str()).fetch_one(pool).await?,
        });
        Ok(n as u64)
    }

    fn scan_published(&self, sink: &(dyn Fn(Vec<Service>) + Sync)) -> Result<(), StoreError> {
        let mut hours = HoursCache::default();
        match (&self.pool, &self.sqlite_file) {
            // sqlx's SQLite driver costs over 10 µs a row on wide rows; reading the same
            // file through rusqlite (the same libsqlite3) is several times faster.
            (AnyPool::Sqlite(_), Some(file)) => super::sqlite_scan::scan(file, sink),
            (AnyPool::Sqlite(pools), None) => scan_with_sqlx(&pools.read, sink, &mut hours),
            (AnyPool::Postgres(pool), _) => scan_with_sqlx(pool, sink, &mut hours),
        }
    }

    async fn service_keys_with_status(
        &self,
        status: Status,
    ) -> Result<Vec<(ServiceId, DateTime<Utc>)>, StoreError> {
        let rows: Vec<(i64, DateTime<Utc>)> = on_pool!(self, pool => {
            sqlx::query_as(KEYS_WITH_STATUS)
                .bind(status.as_str())
                .fetch_all(pool)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, at)| (ServiceId(id), at))
            .collect())
    }

    async fn get(&self, id: ServiceId) -> Result<Option<Service>, StoreError> {
        let row: Option<ServiceRow> = on_pool!(self, pool => {
            sqlx::query_as(SELECT_ONE.as_str()).bind(id.0).fetch_optional(pool).await?
        });
        row.map(|r| r.into_service(&mut HoursCache::default()))
            .transpose()
    }

    async fn upsert(
        &self,
        records: Vec<NewService>,
        progress: Progress<'_>,
    ) -> Result<UpsertOutcome, StoreError> {
        let (written, _) = self.write_services(records, None, progress).await?;
        Ok(written)
    }

    async fn import(
        &self,
        records: Vec<NewService>,
        audit: ImportAudit<'_>,
        progress: Progress<'_>,
    ) -> Result<ImportOutcome, StoreError> {
        match self.write_services(records, Some(&audit), progress).await? {
            (written, Some(audit_id)) => Ok(ImportOutcome { written, audit_id }),
            (_, None) => unreachable!("an audited write returns its entry's id"),
        }
    }

    async fn set_status(
        &self,
        id: ServiceId,
        status: Status,
    ) -> Result<Option<Service>, StoreError> {
        let changed = on_writer!(self, pool => {
            sqlx::query(SET_STATUS)
                .bind(id.0)
                .bind(status.as_str())
                .bind(Utc::now())
                .execute(pool)
                .await?
                .rows_affected()
        });
        if changed == 0 {
            return Ok(None);
        }
        self.get(id).await
    }

    async fn add_report(&self, draft: ReportDraft) -> Result<Report, StoreError> {
        // Stored at microsecond precision, as PostgreSQL keeps it, so that the answer
        // equals what a later read returns on both backends.
        let now = Utc::now();
        let now = now
            .with_nanosecond(now.nanosecond() / 1000 * 1000)
            .unwrap_or(now);
        let id: Option<i64> = in_write_tx!(self, tx => {
            let id = sqlx::query_scalar(INSERT_REPORT)
                .bind(draft.service_id().0)
                .bind(draft.kind().as_str())
                .bind(draft.message())
                .bind(draft.lang().as_str())
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
            tx.commit().await?;
            id
        });
        let id = id.ok_or(StoreError::UnknownService(draft.service_id()))?;
        Ok(Report {
            id: ReportId(id),
            service_id: draft.service_id(),
            kind: draft.kind(),
            message: draft.message().map(str::to_owned),
            lang: draft.lang(),
            status: ReportStatus::Open,
            created_at: now,
            resolved_at: None,
            resolved_by: None,
            resolution_note: None,
        })
    }

    async fn reports(&self, status: Option<ReportStatus>) -> Result<Vec<Report>, StoreError> {
        let rows: Vec<ReportRow> = on_pool!(self, pool => match status {
            None => sqlx::query_as(SELECT_REPORTS).fetch_all(pool).await?,
            Some(s) => sqlx::query_as(SELECT_REPORTS_STATUS)
                .bind(s.as_str())
                .fetch_all(pool)
                .await?,
        });
        rows.into_iter().map(Report::try_from).collect()
    }

    async fn close(&self) {
        match &self.pool {
            AnyPool::Sqlite(pools) => {
                pools.read.close().await;
                pools.write.close().await;
            }
            AnyPool::Postgres(pool) => pool.close().await,
        }
    }
}
