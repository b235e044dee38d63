//! Accounts and sessions: [`AccountStore`], implemented for [`SqlStore`] on both
//! databases. Every change to an account is audited in its own
//! transaction; disabling an account or setting its password ends its sessions in the
//! same transaction.

use super::StoreError;
use super::audit::{
    Actor, AuditEntry, AuditFilter, NewAuditEntry, SubjectKind, append_audit, db_now,
};
use super::sql::{AnyPool, LockRows, SqlStore, in_write_tx, on_pool, on_writer};
use crate::domain::Role;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::json;

/// A moderator's or admin's account, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct User {
    /// Account id.
    pub id: i64,
    /// Username (unique whatever the case).
    pub username: String,
    /// Role.
    pub role: Role,
    /// Whether the account may log in.
    pub enabled: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When its password was last set.
    pub password_changed_at: DateTime<Utc>,
}

impl User {
    /// What the audit log records of an account: never the password or its hash.
    pub fn audit_view(&self) -> serde_json::Value {
        json!({"username": self.username, "role": self.role.as_str(), "enabled": self.enabled})
    }
}

/// An account to create; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Checked with [`crate::auth::check_username`].
    pub username: String,
    /// Role.
    pub role: Role,
    /// argon2id PHC string.
    pub password_hash: String,
}

/// A session to store.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 (hex) of the cookie's token.
    pub token_hash: String,
    /// Whose.
    pub user_id: i64,
    /// The CSRF token that state-changing requests must echo.
    pub csrf_token: String,
    /// Now.
    pub created_at: DateTime<Utc>,
    /// The absolute end.
    pub expires_at: DateTime<Utc>,
}

/// A stored session with its account.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    /// The account (possibly disabled: the caller checks).
    pub user: User,
    /// The CSRF token.
    pub csrf_token: String,
    /// When the session began.
    pub created_at: DateTime<Utc>,
    /// The last request seen (to about a minute).
    pub last_seen_at: DateTime<Utc>,
    /// The absolute end.
    pub expires_at: DateTime<Utc>,
}

/// Accounts, sessions and the audit log's reading side.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates an account, audited as `user.add` by `actor`. `None` when the username
    /// is taken (whatever its case).
    async fn create_user(&self, new: &NewUser, actor: &Actor) -> Result<Option<User>, StoreError>;

    /// Every account, by username.
    async fn users(&self) -> Result<Vec<User>, StoreError>;

    /// One account by id.
    async fn user(&self, id: i64) -> Result<Option<User>, StoreError>;

    /// One account by username, whatever its case.
    async fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError>;

    /// An account and its password hash, for a login.
    async fn credentials(&self, username: &str) -> Result<Option<(User, String)>, StoreError>;

    /// Enables or disables an account, audited as `user.enable` / `user.disable`;
    /// disabling ends its sessions. `None` when there is no such account. Setting the
    /// state it already has changes and audits nothing.
    async fn set_user_enabled(
        &self,
        id: i64,
        enabled: bool,
        actor: &Actor,
    ) -> Result<Option<User>, StoreError>;

    /// Sets an account's password hash, audited as `user.reset_password`, and ends its
    /// sessions. `None` when there is no such account.
    async fn set_password(
        &self,
        id: i64,
        password_hash: &str,
        actor: &Actor,
    ) -> Result<Option<User>, StoreError>;

    /// Stores a new session.
    async fn create_session(&self, session: &NewSession) -> Result<(), StoreError>;

    /// The session with this token hash, with its account, whatever its age.
    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError>;

    /// Records activity on a session.
    async fn touch_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<(), StoreError>;

    /// Ends a session.
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;

    /// Removes sessions that ended (absolute end before `now`, or idle since before
    /// `idle_before`).
    async fn purge_sessions(
        &self,
        now: DateTime<Utc>,
        idle_before: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Audit entries matching `filter`, newest first.
    async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError>;
}

const INSERT_USER: &str = "INSERT INTO users (username, role, password_hash, enabled, \
    created_at, password_changed_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id";
const SELECT_USERS: &str = "SELECT id, username, role, enabled, created_at, \
    password_changed_at FROM users ORDER BY lower(username)";
const SELECT_USER: &str = "SELECT id, username, role, enabled, created_at, \
    password_changed_at FROM users WHERE id = $1";
const SELECT_USER_BY_NAME: &str = "SELECT id, username, role, enabled, created_at, \
    password_changed_at FROM users WHERE lower(username) = lower($1)";
const SELECT_CREDENTIALS: &str = "SELECT id, username, role, enabled, created_at, \
    password_changed_at, password_hash FROM users WHERE lower(username) = lower($1)";
const SET_ENABLED: &str = "UPDATE users SET enabled = $2 WHERE id = $1";
const SET_PASSWORD: &str =
    "UPDATE users SET password_hash = $2, password_changed_at = $3 WHERE id = $1";
const DELETE_USER_SESSIONS: &str = "DELETE FROM sessions WHERE user_id = $1";
// A new password or a disabled account also forgets the browsers it was used from.
const DELETE_USER_DEVICES: &str = "DELETE FROM trusted_devices WHERE user_id = $1";
const INSERT_SESSION: &str = "INSERT INTO sessions (token_hash, user_id, csrf_token, \
    created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)";
const SELECT_SESSION: &str = "SELECT u.id, u.username, u.role, u.enabled, u.created_at, \
    u.password_changed_at, s.csrf_token, s.created_at AS session_created_at, \
    s.last_seen_at, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
    WHERE s.token_hash = $1";
const TOUCH_SESSION: &str = "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1";
const DELETE_SESSION: &str = "DELETE FROM sessions WHERE token_hash = $1";
const DELETE_ENDED_SESSIONS: &str =
    "DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2";
#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    username: String,
    role: String,
    enabled: bool,
    created_at: DateTime<Utc>,
    password_changed_at: DateTime<Utc>,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<Self, StoreError> {
        let role = r.role.parse().map_err(|reason| StoreError::Corrupt {
            id: r.id,
            reason: format!("user role: {reason}"),
        })?;
        Ok(User {
            id: r.id,
            username: r.username,
            role,
            enabled: r.enabled,
            created_at: r.created_at,
            password_changed_at: r.password_changed_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct CredentialsRow {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: String,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: UserRow,
    csrf_token: String,
    session_created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

/// Locks an account's row until the transaction ends (PostgreSQL), so that two admins'
/// changes to one account are decided one after the other.
const LOCK_USER: &str = "SELECT 1 FROM users WHERE id = $1 FOR UPDATE";

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

#[async_trait]
impl AccountStore for SqlStore {
    async fn create_user(&self, new: &NewUser, actor: &Actor) -> Result<Option<User>, StoreError> {
        let now = db_now();
        in_write_tx!(self, tx => {
            let inserted: Result<i64, sqlx::Error> = sqlx::query_scalar(INSERT_USER)
                .bind(&new.username)
                .bind(new.role.as_str())
                .bind(&new.password_hash)
                .bind(true)
                .bind(now)
                .fetch_one(&mut *tx)
                .await;
            let id = match inserted {
                Ok(id) => id,
                Err(e) if is_unique_violation(&e) => return Ok(None),
                Err(e) => return Err(e.into()),
            };
            let user = User {
                id,
                username: new.username.clone(),
                role: new.role,
                enabled: true,
                created_at: now,
                password_changed_at: now,
            };
            let entry = NewAuditEntry::new(actor, "user.add", SubjectKind::User, id)
                .after(user.audit_view());
            append_audit(&mut *tx, &entry).await?;
            tx.commit().await?;
            Ok(Some(user))
        })
    }

    async fn users(&self) -> Result<Vec<User>, StoreError> {
        let rows: Vec<UserRow> =
            on_pool!(self, pool => sqlx::query_as(SELECT_USERS).fetch_all(pool).await?);
        rows.into_iter().map(User::try_from).collect()
    }

    async fn user(&self, id: i64) -> Result<Option<User>, StoreError> {
        let row: Option<UserRow> = on_pool!(self, pool => {
            sqlx::query_as(SELECT_USER).bind(id).fetch_optional(pool).await?
        });
        row.map(User::try_from).transpose()
    }

    async fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError> {
        let row: Option<UserRow> = on_pool!(self, pool => {
            sqlx::query_as(SELECT_USER_BY_NAME).bind(username).fetch_optional(pool).await?
        });
        row.map(User::try_from).transpose()
    }

    async fn credentials(&self, username: &str) -> Result<Option<(User, String)>, StoreError> {
        let row: Option<CredentialsRow> = on_pool!(self, pool => {
            sqlx::query_as(SELECT_CREDENTIALS).bind(username).fetch_optional(pool).await?
        });
        row.map(|r| Ok((User::try_from(r.user)?, r.password_hash)))
            .transpose()
    }

    async fn set_user_enabled(
        &self,
        id: i64,
        enabled: bool,
        actor: &Actor,
    ) -> Result<Option<User>, StoreError> {
        in_write_tx!(self, tx => {
            tx.lock_row(LOCK_USER, id).await?;
            let row: Option<UserRow> =
                sqlx::query_as(SELECT_USER).bind(id).fetch_optional(&mut *tx).await?;
            let Some(before) = row.map(User::try_from).transpose()? else {
                return Ok(None);
            };
            if before.enabled == enabled {
                return Ok(Some(before));
            }
            sqlx::query(SET_ENABLED).bind(id).bind(enabled).execute(&mut *tx).await?;
            if !enabled {
                sqlx::query(DELETE_USER_SESSIONS).bind(id).execute(&mut *tx).await?;
                sqlx::query(DELETE_USER_DEVICES).bind(id).execute(&mut *tx).await?;
            }
            let after = User { enabled, ..before.clone() };
            let action = if enabled { "user.enable" } else { "user.disable" };
            let entry = NewAuditEntry::new(actor, action, SubjectKind::User, id)
                .before(before.audit_view())
                .after(after.audit_view());
            append_audit(&mut *tx, &entry).await?;
            tx.commit().await?;
            Ok(Some(after))
        })
    }

    async fn set_password(
        &self,
        id: i64,
        password_hash: &str,
        actor: &Actor,
    ) -> Result<Option<User>, StoreError> {
        let now = db_now();
        in_write_tx!(self, tx => {
            tx.lock_row(LOCK_USER, id).await?;
            let row: Option<UserRow> =
                sqlx::query_as(SELECT_USER).bind(id).fetch_optional(&mut *tx).await?;
            let Some(before) = row.map(User::try_from).transpose()? else {
                return Ok(None);
            };
            sqlx::query(SET_PASSWORD)
                .bind(id)
                .bind(password_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query(DELETE_USER_SESSIONS).bind(id).execute(&mut *tx).await?;
            sqlx::query(DELETE_USER_DEVICES).bind(id).execute(&mut *tx).await?;
            // Which account and when; the password is in neither before nor after.
            let entry = NewAuditEntry::new(actor, "user.reset_password", SubjectKind::User, id)
                .before(json!({"username": before.username,
                    "password_changed_at": before.password_changed_at}))
                .after(json!({"username": before.username, "password_changed_at": now}));
            append_audit(&mut *tx, &entry).await?;
            tx.commit().await?;
            Ok(Some(User { password_changed_at: now, ..before }))
        })
    }

    async fn create_session(&self, s: &NewSession) -> Result<(), StoreError> {
        on_writer!(self, pool => {
            sqlx::query(INSERT_SESSION)
                .bind(&s.token_hash)
                .bind(s.user_id)
                .bind(&s.csrf_token)
                .bind(s.created_at)
                .bind(s.expires_at)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        let row: Option<SessionRow> = on_pool!(self, pool => {
            sqlx::query_as(SELECT_SESSION).bind(token_hash).fetch_optional(pool).await?
        });
        row.map(|r| {
            Ok(SessionRecord {
                user: User::try_from(r.user)?,
                csrf_token: r.csrf_token,
                created_at: r.session_created_at,
                last_seen_at: r.last_seen_at,
                expires_at: r.expires_at,
            })
        })
        .transpose()
    }

    async fn touch_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        on_writer!(self, pool => {
            sqlx::query(TOUCH_SESSION).bind(token_hash).bind(at).execute(pool).await?;
        });
        Ok(())
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        on_writer!(self, pool => {
            sqlx::query(DELETE_SESSION).bind(token_hash).execute(pool).await?;
        });
        Ok(())
    }

    async fn purge_sessions(
        &self,
        now: DateTime<Utc>,
        idle_before: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_writer!(self, pool => {
            sqlx::query(DELETE_ENDED_SESSIONS)
                .bind(now)
                .bind(idle_before)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        self.list_audit(filter).await
    }
}
