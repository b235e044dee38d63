//! Account management for admins: `GET/POST /api/admin/users`,
//! `POST /api/admin/users/{id}/{disable|enable|reset-password}`. Every change is written
//! to the audit log in the same transaction; disabling an account or resetting its
//! password ends its sessions.

use super::json::{JsonBody, MAX_BODY_BYTES, limit_bodies};
use super::path::Path;
use super::session::Admin;
use super::{AppError, AppState, ErrorBody};
use crate::auth::{Role, check_password, check_username, password};
use crate::store::{LoginAttempts, NewUser, User};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The admin routes (under `/api`).
pub fn router() -> Router<AppState> {
    let routes = Router::new()
        .route("/admin/users", get(list_users).post(create_user))
        .route("/admin/users/{id}/disable", post(disable_user))
        .route("/admin/users/{id}/enable", post(enable_user))
        .route("/admin/users/{id}/reset-password", post(reset_password))
        .route("/admin/login-attempts", get(login_attempts));
    limit_bodies(routes, MAX_BODY_BYTES)
}

/// The accounts.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    /// Every account, by username.
    pub items: Vec<User>,
}

/// Failed logins of the last 24 hours, per username tried.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginAttemptList {
    /// Latest failure first; at most [`MAX_LOGIN_ATTEMPTS`] usernames.
    pub items: Vec<LoginAttempts>,
}

/// The most usernames the failed-login list holds.
pub const MAX_LOGIN_ATTEMPTS: u32 = 200;

/// A new account. (No `Debug`: it holds a password.)
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    /// 1–64 ASCII letters, digits, `.`, `_`, `-`; unique whatever the case.
    #[schema(example = "anna.rossi")]
    username: String,
    /// `moderator` or `admin`.
    #[schema(value_type = Role)]
    role: String,
    /// At least 12 characters, not one character repeated.
    #[schema(format = Password)]
    password: String,
}

/// A new password. (No `Debug`.)
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordRequest {
    /// At least 12 characters, not one character repeated.
    #[schema(format = Password)]
    password: String,
}

fn username_taken(username: &str) -> AppError {
    AppError::Conflict {
        parameter: Some("username".into()),
        message: format!("username: {username:?} is taken"),
    }
}

fn user_id(id: &str) -> Result<i64, AppError> {
    super::params::positive_id("id", id)
}

/// Hashing cannot fail short of a bug or a panicked worker; it is logged and answered
/// like any other server-side failure, without details.
fn hash_failed(e: password::HashError) -> AppError {
    AppError::Internal(e.to_string())
}

fn no_such_user(id: i64) -> AppError {
    AppError::NotFound(format!("no account has id {id}"))
}

/// List the accounts (admins only).
#[utoipa::path(get, path = "/api/admin/users", tag = "admin",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "Every account", body = UserList),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn list_users(
    Admin(_admin): Admin,
    State(state): State<AppState>,
) -> Result<Json<UserList>, AppError> {
    let items = state.directory.store().users().await?;
    Ok(Json(UserList { items }))
}

/// Failed logins of the last 24 hours, per username tried (known or not), latest first
/// (admins only): how many, since when, the delay they put on attempts from browsers and
/// addresses the account was never used from, the attempts refused during that delay,
/// and the latest success. Client addresses are never stored, so none is shown.
#[utoipa::path(get, path = "/api/admin/login-attempts", tag = "admin",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "Failed logins per username", body = LoginAttemptList),
        (status = 400, description = "A query parameter was given (there are none)", body = ErrorBody),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn login_attempts(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    params: super::params::Params,
) -> Result<Json<LoginAttemptList>, AppError> {
    params.finish(&[])?;
    let recent = chrono::TimeDelta::from_std(crate::auth::throttle::RECENT)
        .unwrap_or(chrono::TimeDelta::days(1));
    let since = crate::store::db_now() - recent;
    let mut items = state
        .directory
        .store()
        .login_attempts(since, MAX_LOGIN_ATTEMPTS)
        .await?;
    let now = std::time::Instant::now();
    for item in &mut items {
        item.refused_while_delayed = state.auth.refused.count(&item.username, now);
    }
    Ok(Json(LoginAttemptList { items }))
}

/// Add an account (admins only; audited as `user.add`).
#[utoipa::path(post, path = "/api/admin/users", tag = "admin",
    security(("session_cookie" = [], "csrf_token" = [])),
    request_body(content = NewUserRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = User),
        (status = 400, description = "The body is not a JSON object of this shape, or a field is invalid (username, role, password); `parameter` names it", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "Not an admin, or `X-CSRF-Token` missing or wrong", body = ErrorBody),
        (status = 409, description = "The username is taken", body = ErrorBody),
        (status = 413, description = "The body is larger than 16 KiB", body = ErrorBody),
        (status = 415, description = "The body is not `application/json`", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn create_user(
    Admin(admin): Admin,
    State(state): State<AppState>,
    JsonBody(req): JsonBody<NewUserRequest>,
) -> Result<Response, AppError> {
    check_username(&req.username).map_err(|e| AppError::invalid("username", e))?;
    let role: Role = req
        .role
        .parse()
        .map_err(|e: String| AppError::invalid("role", e))?;
    check_password(&req.password).map_err(|e| AppError::invalid("password", e))?;
    let store = state.directory.store();
    if store.user_by_name(&req.username).await?.is_some() {
        return Err(username_taken(&req.username));
    }
    let password_hash = password::hash(req.password).await.map_err(hash_failed)?;
    let new = NewUser {
        username: req.username.clone(),
        role,
        password_hash,
    };
    match store.create_user(&new, &admin.actor()).await? {
        Some(user) => {
            tracing::info!(admin = admin.id, user = user.id, "account added");
            Ok((StatusCode::CREATED, Json(user)).into_response())
        }
        None => Err(username_taken(&req.username)),
    }
}

/// Disable an account and end its sessions (admins only; audited as `user.disable`).
/// An admin cannot disable their own account.
#[utoipa::path(post, path = "/api/admin/users/{id}/disable", tag = "admin",
    security(("session_cookie" = [], "csrf_token" = [])),
    params(("id" = i64, Path, description = "Account id", minimum = 1, example = 1)),
    responses(
        (status = 200, description = "Disabled", body = User),
        (status = 400, description = "The id is not a positive whole number", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "Not an admin, or `X-CSRF-Token` missing or wrong", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody),
        (status = 409, description = "An admin's own account", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn disable_user(
    Admin(admin): Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = user_id(&id)?;
    // Otherwise the last admin could lock everyone out of account management.
    if id == admin.id {
        return Err(AppError::conflict("you cannot disable your own account"));
    }
    let user = state
        .directory
        .store()
        .set_user_enabled(id, false, &admin.actor())
        .await?
        .ok_or_else(|| no_such_user(id))?;
    tracing::info!(admin = admin.id, user = id, "account disabled");
    Ok(Json(user).into_response())
}

/// Enable a disabled account (admins only; audited as `user.enable`).
#[utoipa::path(post, path = "/api/admin/users/{id}/enable", tag = "admin",
    security(("session_cookie" = [], "csrf_token" = [])),
    params(("id" = i64, Path, description = "Account id", minimum = 1, example = 1)),
    responses(
        (status = 200, description = "Enabled", body = User),
        (status = 400, description = "The id is not a positive whole number", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "Not an admin, or `X-CSRF-Token` missing or wrong", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn enable_user(
    Admin(admin): Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<User>, AppError> {
    let id = user_id(&id)?;
    let user = state
        .directory
        .store()
        .set_user_enabled(id, true, &admin.actor())
        .await?
        .ok_or_else(|| no_such_user(id))?;
    tracing::info!(admin = admin.id, user = id, "account enabled");
    Ok(Json(user))
}

/// Set an account's password and end its sessions (admins only; audited as
/// `user.reset_password`, without the password).
#[utoipa::path(post, path = "/api/admin/users/{id}/reset-password", tag = "admin",
    security(("session_cookie" = [], "csrf_token" = [])),
    params(("id" = i64, Path, description = "Account id", minimum = 1, example = 1)),
    request_body(content = PasswordRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Password set; the account's sessions ended", body = User),
        (status = 400, description = "The id is not a positive whole number, the body is not a JSON object of this shape, or the password is too weak; `parameter` names it", body = ErrorBody),
        (status = 401, description = "Not logged in: no valid session", body = ErrorBody),
        (status = 403, description = "Not an admin, or `X-CSRF-Token` missing or wrong", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody),
        (status = 413, description = "The body is larger than 16 KiB", body = ErrorBody),
        (status = 415, description = "The body is not `application/json`", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn reset_password(
    Admin(admin): Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<PasswordRequest>,
) -> Result<Json<User>, AppError> {
    let id = user_id(&id)?;
    check_password(&req.password).map_err(|e| AppError::invalid("password", e))?;
    let store = state.directory.store();
    if store.user(id).await?.is_none() {
        return Err(no_such_user(id));
    }
    let hash = password::hash(req.password).await.map_err(hash_failed)?;
    let user = store
        .set_password(id, &hash, &admin.actor())
        .await?
        .ok_or_else(|| no_such_user(id))?;
    tracing::info!(admin = admin.id, user = id, "password reset");
    Ok(Json(user))
}
