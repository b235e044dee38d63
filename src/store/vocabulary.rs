//! The phrases admins add to the vocabulary of needs ([`crate::search::needs`]):
//! [`VocabularyStore`], implemented for [`SqlStore`] on both databases. Every change is
//! audited (`vocabulary.add`, `vocabulary.delete`) in its own transaction.

use super::StoreError;
use super::audit::{Actor, NewAuditEntry, SubjectKind, append_audit, db_now};
use super::sql::{AnyPool, LockRows, SqlStore, in_write_tx, on_pool};
use crate::domain::Lang;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

/// A phrase an admin added to the vocabulary of needs, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct NeedPhraseRecord {
    /// Its id.
    pub id: i64,
    /// Its language.
    pub lang: Lang,
    /// The phrase as the admin wrote it.
    #[schema(example = "ribollita solidale")]
    pub phrase: String,
    /// Category slugs it points to.
    #[schema(example = json!(["food-aid"]))]
    pub categories: Vec<String>,
    /// Target-group slugs it points to.
    #[schema(example = json!(["low-income"]))]
    pub target_groups: Vec<String>,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// Who added it (the username), `null` for the command line.
    pub created_by: Option<String>,
}

impl NeedPhraseRecord {
    /// What the audit log records of a phrase.
    pub fn audit_view(&self) -> serde_json::Value {
        json!({
            "lang": self.lang.as_str(),
            "phrase": self.phrase,
            "categories": self.categories,
            "target_groups": self.target_groups,
        })
    }
}

/// A phrase to add, already checked by the caller.
#[derive(Debug, Clone)]
pub struct NewNeedPhrase {
    /// Its language.
    pub lang: Lang,
    /// As written, trimmed.
    pub phrase: String,
    /// Its stems joined by spaces ([`crate::search::needs::match_key`]): one phrase per
    /// language and key.
    pub match_key: String,
    /// Category slugs of the taxonomy.
    pub categories: Vec<String>,
    /// Target-group slugs of the taxonomy.
    pub target_groups: Vec<String>,
}

/// The admin-added phrases of the vocabulary of needs.
#[async_trait]
pub trait VocabularyStore {
    /// Every added phrase, oldest first.
    async fn need_phrases(&self) -> Result<Vec<NeedPhraseRecord>, StoreError>;

    /// Adds a phrase and its audit entry in one transaction; `None` when a phrase of the
    /// same language and match key is already stored.
    async fn add_need_phrase(
        &self,
        new: &NewNeedPhrase,
        actor: &Actor,
    ) -> Result<Option<NeedPhraseRecord>, StoreError>;

    /// Deletes a phrase and audits it in one transaction; returns it as it was, or `None`
    /// when there is no such phrase.
    async fn delete_need_phrase(
        &self,
        id: i64,
        actor: &Actor,
    ) -> Result<Option<NeedPhraseRecord>, StoreError>;
}

macro_rules! select_phrases {
    ($tail:literal) => {
        concat!(
            "SELECT p.id, p.lang, p.phrase, p.categories, p.target_groups, p.created_at, ",
            "u.username AS created_by FROM need_phrases p ",
            "LEFT JOIN users u ON u.id = p.created_by ",
            $tail
        )
    };
}

const SELECT_ALL: &str = select_phrases!("ORDER BY p.id");
const SELECT_ONE: &str = select_phrases!("WHERE p.id = $1");
const INSERT_PHRASE: &str = "INSERT INTO need_phrases (lang, phrase, match_key, categories, \
    target_groups, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
const DELETE_PHRASE: &str = "DELETE FROM need_phrases WHERE id = $1";
const LOCK_PHRASE: &str = "SELECT 1 FROM need_phrases WHERE id = $1 FOR UPDATE";

#[derive(sqlx::FromRow)]
struct PhraseRow {
    id: i64,
    lang: String,
    phrase: String,
    categories: String,
    target_groups: String,
    created_at: DateTime<Utc>,
    created_by: Option<String>,
}

fn slugs(list: &str) -> Vec<String> {
    list.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl TryFrom<PhraseRow> for NeedPhraseRecord {
    type Error = StoreError;

    fn try_from(r: PhraseRow) -> Result<Self, StoreError> {
        let lang = r.lang.parse().map_err(|reason| StoreError::Corrupt {
            id: r.id,
            reason: format!("need phrase language: {reason}"),
        })?;
        Ok(NeedPhraseRecord {
            id: r.id,
            lang,
            phrase: r.phrase,
            categories: slugs(&r.categories),
            target_groups: slugs(&r.target_groups),
            created_at: r.created_at,
            created_by: r.created_by,
        })
    }
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

#[async_trait]
impl VocabularyStore for SqlStore {
    async fn need_phrases(&self) -> Result<Vec<NeedPhraseRecord>, StoreError> {
        let rows: Vec<PhraseRow> =
            on_pool!(self, pool => sqlx::query_as(SELECT_ALL).fetch_all(pool).await?);
        rows.into_iter().map(NeedPhraseRecord::try_from).collect()
    }

    async fn add_need_phrase(
        &self,
        new: &NewNeedPhrase,
        actor: &Actor,
    ) -> Result<Option<NeedPhraseRecord>, StoreError> {
        let now = db_now();
        in_write_tx!(self, tx => {
            let inserted: Result<i64, sqlx::Error> = sqlx::query_scalar(INSERT_PHRASE)
                .bind(new.lang.as_str())
                .bind(&new.phrase)
                .bind(&new.match_key)
                .bind(new.categories.join(","))
                .bind(new.target_groups.join(","))
                .bind(now)
                .bind(actor.id)
                .fetch_one(&mut *tx)
                .await;
            let id = match inserted {
                Ok(id) => id,
                Err(e) if is_unique_violation(&e) => return Ok(None),
                Err(e) => return Err(e.into()),
            };
            let record = NeedPhraseRecord {
                id,
                lang: new.lang,
                phrase: new.phrase.clone(),
                categories: new.categories.clone(),
                target_groups: new.target_groups.clone(),
                created_at: now,
                created_by: actor.id.map(|_| actor.name.clone()),
            };
            let entry = NewAuditEntry::new(actor, "vocabulary.add", SubjectKind::Vocabulary, id)
                .after(record.audit_view());
            append_audit(&mut *tx, &entry).await?;
            tx.commit().await?;
            Ok(Some(record))
        })
    }

    async fn delete_need_phrase(
        &self,
        id: i64,
        actor: &Actor,
    ) -> Result<Option<NeedPhraseRecord>, StoreError> {
        in_write_tx!(self, tx => {
            tx.lock_row(LOCK_PHRASE, id).await?;
            let row: Option<PhraseRow> = sqlx::query_as(SELECT_ONE)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(before) = row.map(NeedPhraseRecord::try_from).transpose()? else {
                return Ok(None);
            };
            sqlx::query(DELETE_PHRASE).bind(id).execute(&mut *tx).await?;
            let entry =
                NewAuditEntry::new(actor, "vocabulary.delete", SubjectKind::Vocabulary, id)
                    .before(before.audit_view());
            append_audit(&mut *tx, &entry).await?;
            tx.commit().await?;
            Ok(Some(before))
        })
    }
}
