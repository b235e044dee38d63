//! The login throttle's shared state: failed logins per username and the browsers that
//! logged in to an account ([`LoginStore`]), for every app instance on one database.

use super::StoreError;
use super::sql::{AnyPool, SqlStore, on_pool, on_writer};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Failed logins of one username, as the throttle reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleRecord {
    /// Failures in a row: since the last success or the last quiet spell.
    pub failures: u32,
    /// The latest failure.
    pub last_failure_at: DateTime<Utc>,
    /// Attempts from unknown browsers and addresses wait until then.
    pub delayed_until: Option<DateTime<Utc>>,
}

/// Failed logins of one username, as an admin sees them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct LoginAttempts {
    /// The username tried, in lower case.
    pub username: String,
    /// Whether an account has that name.
    pub account: bool,
    /// Failures since `first_failure_at`, successes in between included.
    pub recent_failures: u32,
    /// Attempts refused without a password check because the username was delayed,
    /// counted by the app instance that answers (kept in its memory only).
    pub refused_while_delayed: u32,
    /// Failures in a row, which set the current delay.
    pub failures_in_a_row: u32,
    /// The first of the recent failures.
    pub first_failure_at: DateTime<Utc>,
    /// The latest failure.
    pub last_failure_at: DateTime<Utc>,
    /// Attempts from browsers and addresses the account was never used from wait until
    /// then (at most a minute after the latest failure).
    pub delayed_until: Option<DateTime<Utc>>,
    /// The latest successful login after those failures began.
    pub last_success_at: Option<DateTime<Utc>>,
}

/// A browser that logged in to an account (its `mappatu_device` cookie).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedDevice {
    /// The account it logged in to.
    pub user_id: i64,
    /// That account's username, in lower case.
    pub username: String,
}

/// The login throttle's state in the store.
#[async_trait]
pub trait LoginStore: Send + Sync {
    /// The throttle record of a username (lower case).
    async fn login_throttle(&self, key: &str) -> Result<Option<ThrottleRecord>, StoreError>;

    /// Counts a failed login of a username (lower case) at `now`: the failures in a row
    /// start again from one when the last failure is before `reset_before`, the recent
    /// ones when it is before `recent_before`. Returns the failures in a row.
    async fn record_login_failure(
        &self,
        key: &str,
        now: DateTime<Utc>,
        reset_before: DateTime<Utc>,
        recent_before: DateTime<Utc>,
    ) -> Result<u32, StoreError>;

    /// Makes attempts on a username from unknown browsers and addresses wait until
    /// `until`.
    async fn delay_login(&self, key: &str, until: DateTime<Utc>) -> Result<(), StoreError>;

    /// A successful login: the failures in a row and the delay end; the recent failures
    /// stay for admins to see.
    async fn record_login_success(&self, key: &str, now: DateTime<Utc>) -> Result<(), StoreError>;

    /// Failed logins since `since`, latest first, at most `limit`.
    async fn login_attempts(
        &self,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<LoginAttempts>, StoreError>;

    /// The browser whose device token has this hash, if it is trusted.
    async fn trusted_device(&self, token_hash: &str) -> Result<Option<TrustedDevice>, StoreError>;

    /// Trusts a browser that just logged in to `user_id`.
    async fn trust_device(
        &self,
        token_hash: &str,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// A trusted browser logged in again: its failures are forgotten.
    async fn device_succeeded(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// A trusted browser gave a wrong password; after `max_failures` in a row it is no
    /// longer trusted (a stolen cookie buys a few guesses, not a way around the
    /// throttle). Returns whether it was removed.
    async fn device_failed(&self, token_hash: &str, max_failures: u32) -> Result<bool, StoreError>;

    /// Forgets throttle records without a failure since `quiet_before` and browsers not
    /// used since `unused_before`.
    async fn purge_login_state(
        &self,
        quiet_before: DateTime<Utc>,
        unused_before: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}

const SELECT_THROTTLE: &str =
    "SELECT failures, last_failure_at, locked_until FROM login_throttle WHERE username = $1";
// One statement, so that two instances counting at once both count. Every SET reads the
// row as it was before the update.
const COUNT_FAILURE: &str = "INSERT INTO login_throttle (username, failures, last_failure_at, \
    recent_failures, first_failure_at) VALUES ($1, 1, $2, 1, $2) \
    ON CONFLICT (username) DO UPDATE SET \
    failures = CASE WHEN login_throttle.last_failure_at < $3 THEN 1 \
    ELSE login_throttle.failures + 1 END, \
    recent_failures = CASE WHEN login_throttle.last_failure_at < $4 THEN 1 \
    ELSE login_throttle.recent_failures + 1 END, \
    first_failure_at = CASE WHEN login_throttle.last_failure_at < $4 \
    OR login_throttle.first_failure_at IS NULL THEN $2 \
    ELSE login_throttle.first_failure_at END, \
    last_failure_at = $2 RETURNING failures";
const DELAY_LOGIN: &str = "UPDATE login_throttle SET locked_until = $2 WHERE username = $1";
const LOGIN_SUCCEEDED: &str = "UPDATE login_throttle SET failures = 0, locked_until = NULL, \
    last_success_at = $2 WHERE username = $1";
const SELECT_ATTEMPTS: &str = "SELECT t.username, \
    EXISTS (SELECT 1 FROM users u WHERE lower(u.username) = t.username) AS account, \
    t.recent_failures, t.failures, COALESCE(t.first_failure_at, t.last_failure_at) \
    AS first_failure_at, t.last_failure_at, t.locked_until, t.last_success_at \
    FROM login_throttle t WHERE t.last_failure_at >= $1 \
    ORDER BY t.last_failure_at DESC, t.username LIMIT $2";
const SELECT_DEVICE: &str = "SELECT d.user_id, lower(u.username) AS username \
    FROM trusted_devices d JOIN users u ON u.id = d.user_id WHERE d.token_hash = $1";
const INSERT_DEVICE: &str = "INSERT INTO trusted_devices (token_hash, user_id, created_at, \
    last_used_at) VALUES ($1, $2, $3, $3) ON CONFLICT (token_hash) DO NOTHING";
const DEVICE_SUCCEEDED: &str =
    "UPDATE trusted_devices SET failures = 0, last_used_at = $2 WHERE token_hash = $1";
const DEVICE_FAILED: &str = "UPDATE trusted_devices SET failures = failures + 1 \
    WHERE token_hash = $1 RETURNING failures";
const DELETE_DEVICE: &str = "DELETE FROM trusted_devices WHERE token_hash = $1";
const DELETE_QUIET_THROTTLES: &str = "DELETE FROM login_throttle WHERE last_failure_at < $1";
const DELETE_UNUSED_DEVICES: &str = "DELETE FROM trusted_devices WHERE last_used_at < $1";

#[derive(sqlx::FromRow)]
struct ThrottleRow {
    failures: i32,
    last_failure_at: DateTime<Utc>,
    locked_until: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct AttemptsRow {
    username: String,
    account: bool,
    recent_failures: i32,
    failures: i32,
    first_failure_at: DateTime<Utc>,
    last_failure_at: DateTime<Utc>,
    locked_until: Option<DateTime<Utc>>,
    last_success_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct DeviceRow {
    user_id: i64,
    username: String,
}

#[async_trait]
impl LoginStore for SqlStore {
    async fn login_throttle(&self, key: &str) -> Result<Option<ThrottleRecord>, StoreError> {
        let row: Option<ThrottleRow> = on_pool!(self, pool => {
            sqlx::query_as(SELECT_THROTTLE).bind(key).fetch_optional(pool).await?
        });
        Ok(row.map(|r| ThrottleRecord {
            failures: r.failures.max(0) as u32,
            last_failure_at: r.last_failure_at,
            delayed_until: r.locked_until,
        }))
    }

    async fn record_login_failure(
        &self,
        key: &str,
        now: DateTime<Utc>,
        reset_before: DateTime<Utc>,
        recent_before: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        let n: i32 = on_writer!(self, pool => {
            sqlx::query_scalar(COUNT_FAILURE)
                .bind(key)
                .bind(now)
                .bind(reset_before)
                .bind(recent_before)
                .fetch_one(pool)
                .await?
        });
        Ok(n.max(0) as u32)
    }

    async fn delay_login(&self, key: &str, until: DateTime<Utc>) -> Result<(), StoreError> {
        on_writer!(self, pool => {
            sqlx::query(DELAY_LOGIN).bind(key).bind(until).execute(pool).await?;
        });
        Ok(())
    }

    async fn record_login_success(&self, key: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        on_writer!(self, pool => {
            sqlx::query(LOGIN_SUCCEEDED).bind(key).bind(now).execute(pool).await?;
        });
        Ok(())
    }

    async fn login_attempts(
        &self,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<LoginAttempts>, StoreError> {
        let rows: Vec<AttemptsRow> = on_pool!(self, pool => {
            sqlx::query_as(SELECT_ATTEMPTS)
                .bind(since)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|r| LoginAttempts {
                username: r.username,
                account: r.account,
                recent_failures: r.recent_failures.max(0) as u32,
                refused_while_delayed: 0,
                failures_in_a_row: r.failures.max(0) as u32,
                first_failure_at: r.first_failure_at,
                last_failure_at: r.last_failure_at,
                delayed_until: r.locked_until,
                last_success_at: r.last_success_at,
            })
            .collect())
    }

    async fn trusted_device(&self, token_hash: &str) -> Result<Option<TrustedDevice>, StoreError> {
        let row: Option<DeviceRow> = on_pool!(self, pool => {
            sqlx::query_as(SELECT_DEVICE).bind(token_hash).fetch_optional(pool).await?
        });
        Ok(row.map(|r| TrustedDevice {
            user_id: r.user_id,
            username: r.username,
        }))
    }

    async fn trust_device(
        &self,
        token_hash: &str,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_writer!(self, pool => {
            sqlx::query(INSERT_DEVICE)
                .bind(token_hash)
                .bind(user_id)
                .bind(now)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    async fn device_succeeded(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_writer!(self, pool => {
            sqlx::query(DEVICE_SUCCEEDED).bind(token_hash).bind(now).execute(pool).await?;
        });
        Ok(())
    }

    async fn device_failed(&self, token_hash: &str, max_failures: u32) -> Result<bool, StoreError> {
        let failures: Option<i32> = on_writer!(self, pool => {
            sqlx::query_scalar(DEVICE_FAILED)
                .bind(token_hash)
                .fetch_optional(pool)
                .await?
        });
        if failures.is_some_and(|n| n.max(0) as u32 >= max_failures) {
            on_writer!(self, pool => {
                sqlx::query(DELETE_DEVICE).bind(token_hash).execute(pool).await?;
            });
            return Ok(true);
        }
        Ok(false)
    }

    async fn purge_login_state(
        &self,
        quiet_before: DateTime<Utc>,
        unused_before: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_writer!(self, pool => {
            sqlx::query(DELETE_QUIET_THROTTLES).bind(quiet_before).execute(pool).await?;
            sqlx::query(DELETE_UNUSED_DEVICES).bind(unused_before).execute(pool).await?;
        });
        Ok(())
    }
}
