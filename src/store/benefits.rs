//! Bonuses and contributions: [`BenefitStore`], implemented for [`SqlStore`] on both
//! databases. Every write is one transaction with its audit entry (`benefit.create`,
//! `benefit.update`, `benefit.delete`); the services a benefit links to are checked
//! inside that transaction, so a link to a service that does not exist is never stored.

use super::StoreError;
use super::audit::{Actor, NewAuditEntry, SubjectKind, append_audit, db_now};
use super::sql::{AnyPool, LockRows, SqlStore, in_write_tx, on_pool};
use crate::domain::{Benefit, BenefitData, BenefitId, ServiceId};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

/// A benefit to load from a file, under its stable key (the demo set's `key`).
#[derive(Debug, Clone)]
pub struct KeyedBenefit {
    /// The stable key: a benefit already stored under it is left as it is.
    pub key: String,
    /// Content.
    pub data: BenefitData,
}

/// The persistent store of benefits.
#[async_trait]
pub trait BenefitStore: Send + Sync {
    /// Every benefit, by id.
    async fn benefits(&self) -> Result<Vec<Benefit>, StoreError>;

    /// One benefit.
    async fn benefit(&self, id: BenefitId) -> Result<Option<Benefit>, StoreError>;

    /// Stores a new benefit, audited as `benefit.create` by `actor`.
    /// [`StoreError::UnknownService`] names the first linked service that does not exist.
    async fn create_benefit(
        &self,
        data: &BenefitData,
        actor: &Actor,
    ) -> Result<Benefit, StoreError>;

    /// Replaces a benefit's content, audited as `benefit.update` with before and after.
    /// `None` when there is no such benefit; [`StoreError::UnknownService`] as above.
    async fn update_benefit(
        &self,
        id: BenefitId,
        data: &BenefitData,
        actor: &Actor,
    ) -> Result<Option<Benefit>, StoreError>;

    /// Deletes a benefit (its links go with it), audited as `benefit.delete` with what
    /// it was. Returns what was deleted; `None` when there is no such benefit.
    async fn delete_benefit(
        &self,
        id: BenefitId,
        actor: &Actor,
    ) -> Result<Option<Benefit>, StoreError>;

    /// Stores, in one transaction, the benefits whose key is not stored yet, each audited
    /// as `benefit.create` by `actor`; returns the ids of those added. Loading the same
    /// file twice adds nothing the second time.
    async fn load_benefits(
        &self,
        records: &[KeyedBenefit],
        actor: &Actor,
    ) -> Result<Vec<BenefitId>, StoreError>;

    /// The id of the service stored under an external id (a data set's stable key).
    async fn service_by_external_id(&self, key: &str) -> Result<Option<ServiceId>, StoreError>;
}

macro_rules! select_benefits {
    ($tail:literal) => {
        concat!(
            "SELECT b.id, b.name_it, b.name_en, b.description_it, b.description_en, ",
            "b.gives_it, b.gives_en, b.isee_max_eur, b.residence_it, b.residence_en, ",
            "b.how_to_apply_it, b.how_to_apply_en, b.opens_on, b.closes_on, b.period_it, ",
            "b.period_en, b.official_url, b.demo, b.updated_at, ",
            "(SELECT string_agg(category, ',' ORDER BY position) FROM benefit_categories ",
            "WHERE benefit_id = b.id) AS categories, ",
            "(SELECT string_agg(target_group, ',' ORDER BY position) ",
            "FROM benefit_target_groups WHERE benefit_id = b.id) AS target_groups, ",
            "(SELECT string_agg(CAST(service_id AS TEXT), ',' ORDER BY position) ",
            "FROM benefit_services WHERE benefit_id = b.id) AS services ",
            "FROM benefits b ",
            $tail
        )
    };
}

const SELECT_ALL: &str = select_benefits!("ORDER BY b.id");
const SELECT_ONE: &str = select_benefits!("WHERE b.id = $1");
const LOCK_BENEFIT: &str = "SELECT 1 FROM benefits WHERE id = $1 FOR UPDATE";
const SERVICE_EXISTS: &str = "SELECT id FROM services WHERE id = $1";
const FIND_SERVICE_KEY: &str = "SELECT id FROM services WHERE external_id = $1";
const FIND_KEY: &str = "SELECT id FROM benefits WHERE external_id = $1";
const INSERT_BENEFIT: &str = "INSERT INTO benefits (external_id, name_it, name_en, \
    description_it, description_en, gives_it, gives_en, isee_max_eur, residence_it, \
    residence_en, how_to_apply_it, how_to_apply_en, opens_on, closes_on, period_it, \
    period_en, official_url, demo, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, \
    $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19) RETURNING id";
const UPDATE_BENEFIT: &str = "UPDATE benefits SET name_it = $2, name_en = $3, \
    description_it = $4, description_en = $5, gives_it = $6, gives_en = $7, \
    isee_max_eur = $8, residence_it = $9, residence_en = $10, how_to_apply_it = $11, \
    how_to_apply_en = $12, opens_on = $13, closes_on = $14, period_it = $15, \
    period_en = $16, official_url = $17, demo = $18, updated_at = $19 WHERE id = $1";
const DELETE_BENEFIT: &str = "DELETE FROM benefits WHERE id = $1";
const DELETE_CATEGORIES: &str = "DELETE FROM benefit_categories WHERE benefit_id = $1";
const DELETE_TARGETS: &str = "DELETE FROM benefit_target_groups WHERE benefit_id = $1";
const DELETE_SERVICES: &str = "DELETE FROM benefit_services WHERE benefit_id = $1";
const INSERT_CATEGORY: &str =
    "INSERT INTO benefit_categories (benefit_id, category, position) VALUES ($1, $2, $3)";
const INSERT_TARGET: &str =
    "INSERT INTO benefit_target_groups (benefit_id, target_group, position) VALUES ($1, $2, $3)";
const INSERT_SERVICE: &str =
    "INSERT INTO benefit_services (benefit_id, service_id, position) VALUES ($1, $2, $3)";

/// Binds a benefit's seventeen content columns, `name_it` to `demo`, in column order.
macro_rules! bind_benefit {
    ($q:expr, $d:expr) => {
        $q.bind(&$d.name_it)
            .bind(&$d.name_en)
            .bind(&$d.description_it)
            .bind(&$d.description_en)
            .bind(&$d.gives_it)
            .bind(&$d.gives_en)
            .bind($d.isee_max_eur.map(i64::from))
            .bind(&$d.residence_it)
            .bind(&$d.residence_en)
            .bind(&$d.how_to_apply_it)
            .bind(&$d.how_to_apply_en)
            .bind($d.opens_on)
            .bind($d.closes_on)
            .bind(&$d.period_it)
            .bind(&$d.period_en)
            .bind(&$d.official_url)
            .bind($d.demo)
    };
}

/// Checks that every linked service exists, then writes the benefit's three lists
/// (after any old rows were deleted), inside the transaction `$tx`.
macro_rules! write_links {
    ($tx:expr, $id:expr, $d:expr) => {
        for service in &$d.service_ids {
            let found: Option<i64> = sqlx::query_scalar(SERVICE_EXISTS)
                .bind(service.0)
                .fetch_optional(&mut *$tx)
                .await?;
            if found.is_none() {
                return Err(StoreError::UnknownService(*service));
            }
        }
        for (sql, values) in [
            (INSERT_CATEGORY, &$d.categories),
            (INSERT_TARGET, &$d.target_groups),
        ] {
            for (position, slug) in values.iter().enumerate() {
                sqlx::query(sql)
                    .bind($id)
                    .bind(slug)
                    .bind(position as i32)
                    .execute(&mut *$tx)
                    .await?;
            }
        }
        for (position, service) in $d.service_ids.iter().enumerate() {
            sqlx::query(INSERT_SERVICE)
                .bind($id)
                .bind(service.0)
                .bind(position as i32)
                .execute(&mut *$tx)
                .await?;
        }
    };
}

/// Inserts one benefit and its lists, and audits it, inside the transaction `$tx`;
/// evaluates to its id.
macro_rules! insert_benefit {
    ($tx:expr, $key:expr, $d:expr, $actor:expr, $now:expr) => {{
        let id: i64 = bind_benefit!(sqlx::query_scalar(INSERT_BENEFIT).bind($key), $d)
            .bind($now)
            .fetch_one(&mut *$tx)
            .await?;
        write_links!($tx, id, $d);
        let entry = NewAuditEntry::new($actor, "benefit.create", SubjectKind::Benefit, id)
            .after(audit_view($d));
        append_audit(&mut *$tx, &entry).await?;
        id
    }};
}

/// What the audit log records of a benefit: its whole content.
fn audit_view(d: &BenefitData) -> serde_json::Value {
    serde_json::to_value(d).unwrap_or(serde_json::Value::Null)
}

/// One row of [`select_benefits!`], decoded the same way on both backends.
#[derive(sqlx::FromRow)]
struct BenefitRow {
    id: i64,
    name_it: String,
    name_en: Option<String>,
    description_it: Option<String>,
    description_en: Option<String>,
    gives_it: Option<String>,
    gives_en: Option<String>,
    isee_max_eur: Option<i64>,
    residence_it: Option<String>,
    residence_en: Option<String>,
    how_to_apply_it: Option<String>,
    how_to_apply_en: Option<String>,
    opens_on: Option<NaiveDate>,
    closes_on: Option<NaiveDate>,
    period_it: Option<String>,
    period_en: Option<String>,
    official_url: Option<String>,
    demo: bool,
    updated_at: DateTime<Utc>,
    categories: Option<String>,
    target_groups: Option<String>,
    services: Option<String>,
}

impl TryFrom<BenefitRow> for Benefit {
    type Error = StoreError;
    fn try_from(r: BenefitRow) -> Result<Self, StoreError> {
        let corrupt = |reason: String| StoreError::Corrupt {
            id: r.id,
            reason: format!("benefit: {reason}"),
        };
        let split = |s: Option<String>| -> Vec<String> {
            s.map(|s| s.split(',').map(str::to_owned).collect())
                .unwrap_or_default()
        };
        let service_ids = split(r.services)
            .iter()
            .map(|s| s.parse().map(ServiceId))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| corrupt(format!("service id: {e}")))?;
        let isee_max_eur = r
            .isee_max_eur
            .map(u32::try_from)
            .transpose()
            .map_err(|e| corrupt(format!("isee_max_eur: {e}")))?;
        Ok(Benefit {
            id: BenefitId(r.id),
            data: BenefitData {
                name_it: r.name_it,
                name_en: r.name_en,
                description_it: r.description_it,
                description_en: r.description_en,
                gives_it: r.gives_it,
                gives_en: r.gives_en,
                categories: split(r.categories),
                target_groups: split(r.target_groups),
                isee_max_eur,
                residence_it: r.residence_it,
                residence_en: r.residence_en,
                how_to_apply_it: r.how_to_apply_it,
                how_to_apply_en: r.how_to_apply_en,
                service_ids,
                opens_on: r.opens_on,
                closes_on: r.closes_on,
                period_it: r.period_it,
                period_en: r.period_en,
                official_url: r.official_url,
                demo: r.demo,
            },
            updated_at: r.updated_at,
        })
    }
}

#[async_trait]
impl BenefitStore for SqlStore {
    async fn benefits(&self) -> Result<Vec<Benefit>, StoreError> {
        let rows: Vec<BenefitRow> =
            on_pool!(self, pool => sqlx::query_as(SELECT_ALL).fetch_all(pool).await?);
        rows.into_iter().map(Benefit::try_from).collect()
    }

    async fn benefit(&self, id: BenefitId) -> Result<Option<Benefit>, StoreError> {
        let row: Option<BenefitRow> = on_pool!(self, pool => {
            sqlx::query_as(SELECT_ONE).bind(id.0).fetch_optional(pool).await?
        });
        row.map(Benefit::try_from).transpose()
    }

    async fn create_benefit(
        &self,
        data: &BenefitData,
        actor: &Actor,
    ) -> Result<Benefit, StoreError> {
        let now = db_now();
        let id = in_write_tx!(self, tx => {
            let id = insert_benefit!(tx, None::<String>, data, actor, now);
            tx.commit().await?;
            id
        });
        Ok(Benefit {
            id: BenefitId(id),
            data: data.clone(),
            updated_at: now,
        })
    }

    async fn update_benefit(
        &self,
        id: BenefitId,
        data: &BenefitData,
        actor: &Actor,
    ) -> Result<Option<Benefit>, StoreError> {
        let now = db_now();
        in_write_tx!(self, tx => {
            tx.lock_row(LOCK_BENEFIT, id.0).await?;
            let row: Option<BenefitRow> =
                sqlx::query_as(SELECT_ONE).bind(id.0).fetch_optional(&mut *tx).await?;
            let Some(before) = row.map(Benefit::try_from).transpose()? else {
                return Ok(None);
            };
            bind_benefit!(sqlx::query(UPDATE_BENEFIT).bind(id.0), data)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            for sql in [DELETE_CATEGORIES, DELETE_TARGETS, DELETE_SERVICES] {
                sqlx::query(sql).bind(id.0).execute(&mut *tx).await?;
            }
            write_links!(tx, id.0, data);
            let entry = NewAuditEntry::new(actor, "benefit.update", SubjectKind::Benefit, id.0)
                .before(audit_view(&before.data))
                .after(audit_view(data));
            append_audit(&mut *tx, &entry).await?;
            tx.commit().await?;
        });
        Ok(Some(Benefit {
            id,
            data: data.clone(),
            updated_at: now,
        }))
    }

    async fn delete_benefit(
        &self,
        id: BenefitId,
        actor: &Actor,
    ) -> Result<Option<Benefit>, StoreError> {
        in_write_tx!(self, tx => {
            tx.lock_row(LOCK_BENEFIT, id.0).await?;
            let row: Option<BenefitRow> =
                sqlx::query_as(SELECT_ONE).bind(id.0).fetch_optional(&mut *tx).await?;
            let Some(before) = row.map(Benefit::try_from).transpose()? else {
                return Ok(None);
            };
            sqlx::query(DELETE_BENEFIT).bind(id.0).execute(&mut *tx).await?;
            let entry = NewAuditEntry::new(actor, "benefit.delete", SubjectKind::Benefit, id.0)
                .before(audit_view(&before.data));
            append_audit(&mut *tx, &entry).await?;
            tx.commit().await?;
            Ok(Some(before))
        })
    }

    async fn load_benefits(
        &self,
        records: &[KeyedBenefit],
        actor: &Actor,
    ) -> Result<Vec<BenefitId>, StoreError> {
        let now = db_now();
        let mut added = Vec::new();
        in_write_tx!(self, tx => {
            for rec in records {
                let stored: Option<i64> = sqlx::query_scalar(FIND_KEY)
                    .bind(&rec.key)
                    .fetch_optional(&mut *tx)
                    .await?;
                if stored.is_some() {
                    continue;
                }
                let id = insert_benefit!(tx, Some(rec.key.as_str()), &rec.data, actor, now);
                added.push(BenefitId(id));
            }
            tx.commit().await?;
        });
        Ok(added)
    }

    async fn service_by_external_id(&self, key: &str) -> Result<Option<ServiceId>, StoreError> {
        let id: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar(FIND_SERVICE_KEY).bind(key).fetch_optional(pool).await?
        });
        Ok(id.map(ServiceId))
    }
}
