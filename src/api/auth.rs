//! Logging in and out: `POST /api/auth/login`, `POST /api/auth/logout`, `GET /api/auth/me`.
//!
//! Passwords are never logged; the username of a failed attempt only at debug level.

use super::json::{JsonBody, MAX_BODY_BYTES, limit_bodies};
use super::ratelimit::ClientIp;
use super::session::AuthSession;
use super::{AppError, AppState, ErrorBody};
use crate::auth::session::{
    self, clear_cookie, device_cookie, device_token_from_headers, session_cookie,
    token_from_headers, token_hash,
};
use crate::auth::throttle::{FORGET_AFTER, MAX_DEVICE_FAILURES, RECENT, wait_after};
use crate::auth::{CurrentUser, MAX_PASSWORD, MAX_USERNAME, Role, password};
use crate::store::db_now;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::TimeDelta;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};
use utoipa::ToSchema;

/// The auth routes (under `/api`).
pub fn router() -> Router<AppState> {
    let routes = Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me));
    limit_bodies(routes, MAX_BODY_BYTES)
}

/// Credentials. (No `Debug`: the password must not end up in a log line.)
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Username (any case).
    #[schema(example = "anna.rossi")]
    username: String,
    /// Password.
    #[schema(example = "correct horse battery staple", format = Password)]
    password: String,
}

/// The logged-in account and the token that state-changing requests must carry in the
/// `X-CSRF-Token` header.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    /// Account id.
    pub id: i64,
    /// Username.
    #[schema(example = "anna.rossi")]
    pub username: String,
    /// Role.
    pub role: Role,
    /// Send it as `X-CSRF-Token` on every POST.
    pub csrf_token: String,
}

/// Log in. Sets the `mappatu_session` cookie (`HttpOnly; SameSite=Strict; Path=/`, and
/// `Secure` when the server's public URL is https) and answers the CSRF token; a browser
/// logging in to the account for the first time also gets the `mappatu_device` cookie
/// (`Path=/api/auth`, 180 days). After 3 failed attempts (per username and per client
/// address) each attempt must wait a growing delay of at most a minute: 429 with
/// `Retry-After`. A username's delay does not apply to browsers that logged in to it
/// before nor to the addresses it logged in from lately, so strangers' guesses cannot
/// keep its moderator out; there is no lockout.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth",
    request_body(content = LoginRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Logged in; the session cookie is set (and, for a browser new to the account, the device cookie)", body = SessionInfo,
            headers(("Set-Cookie" = String, description = "mappatu_session=…; HttpOnly; SameSite=Strict; Path=/ and mappatu_device=…; HttpOnly; SameSite=Strict; Path=/api/auth"))),
        (status = 400, description = "A field is missing, empty or too long; `parameter` names it", body = ErrorBody),
        (status = 401, description = "Wrong username or password (one answer for both)", body = ErrorBody),
        (status = 413, description = "The body is larger than 16 KiB", body = ErrorBody),
        (status = 415, description = "The body is not `application/json`", body = ErrorBody),
        (status = 429, description = "Too many failed attempts; see `Retry-After` (at most 60)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait, 1 to 60"))),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    JsonBody(req): JsonBody<LoginRequest>,
) -> Result<Response, AppError> {
    let done = try_login(&state, client, &headers, req).await?;
    let settings = &state.auth.settings;
    let mut res = Json(done.info).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(&done.session_token, settings),
    );
    if let Some(device) = &done.device_token {
        res.headers_mut()
            .append(header::SET_COOKIE, device_cookie(device, settings));
    }
    Ok(res)
}

fn too_many_attempts(wait: Duration) -> AppError {
    AppError::too_many_requests("too_many_attempts", wait, |secs| {
        format!("too many failed logins; try again in {secs} second(s)")
    })
}

/// A login that succeeded: what the answer carries and the cookies it sets.
struct LoggedIn {
    info: SessionInfo,
    session_token: String,
    /// A new trusted-browser token, when the browser had none for this account.
    device_token: Option<String>,
}

async fn try_login(
    state: &AppState,
    client: Option<std::net::IpAddr>,
    headers: &HeaderMap,
    req: LoginRequest,
) -> Result<LoggedIn, AppError> {
    if req.username.trim().is_empty() {
        return Err(AppError::invalid("username", "must not be empty"));
    }
    if req.username.len() > MAX_USERNAME {
        return Err(AppError::invalid(
            "username",
            format!("must be at most {MAX_USERNAME} characters"),
        ));
    }
    if req.password.is_empty() {
        return Err(AppError::invalid("password", "must not be empty"));
    }
    if req.password.len() > MAX_PASSWORD {
        return Err(AppError::invalid(
            "password",
            format!("must be at most {MAX_PASSWORD} bytes"),
        ));
    }
    let store = state.directory.store();
    let auth = &state.auth;
    let key = req.username.to_lowercase();
    let started = Instant::now();
    let now = db_now();
    // A browser that logged in to this account before skips every delay; an address it
    // logged in from lately skips the username's (not its own address's).
    let device = match device_token_from_headers(headers) {
        Some(token) => {
            let hash = token_hash(token);
            store
                .trusted_device(&hash)
                .await?
                .filter(|d| d.username == key)
                .map(|_| hash)
        }
        None => None,
    };
    let known_address = auth.known_addresses.knows(&key, client, started);
    // Waiting: refused before the password is looked at, so that guessing in parallel
    // gains nothing.
    if device.is_none() {
        auth.ip_throttle
            .check(client, started)
            .map_err(too_many_attempts)?;
    }
    if device.is_none()
        && !known_address
        && let Some(until) = store
            .login_throttle(&key)
            .await?
            .and_then(|t| t.delayed_until)
        && until > now
    {
        auth.refused.add(&key, started);
        return Err(too_many_attempts(
            (until - now).to_std().unwrap_or(Duration::from_secs(1)),
        ));
    }

    // The semaphore is never closed; without a permit the check still runs.
    let permit = auth.hashing.acquire().await.ok();
    let found = store.credentials(&req.username).await?;
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    // An unknown name is checked against a dummy hash: it takes as long as a real one.
    let password_ok = password::verify(hash, req.password).await;
    drop(permit);
    let user = match user {
        Some(u) if password_ok && u.enabled => u,
        _ => {
            let ip_wait = auth.ip_throttle.fail(client, Instant::now());
            let now = db_now();
            let forget = TimeDelta::from_std(FORGET_AFTER).unwrap_or(TimeDelta::minutes(15));
            let recent = TimeDelta::from_std(RECENT).unwrap_or(TimeDelta::days(1));
            let failures = store
                .record_login_failure(&key, now, now - forget, now - recent)
                .await?;
            let user_wait = wait_after(failures);
            if let Some(wait) = user_wait {
                let wait = TimeDelta::from_std(wait).unwrap_or(TimeDelta::minutes(1));
                store.delay_login(&key, now + wait).await?;
            }
            let device_revoked = match &device {
                Some(hash) => store.device_failed(hash, MAX_DEVICE_FAILURES).await?,
                None => false,
            };
            tracing::info!(
                failures,
                throttled = ip_wait.or(user_wait).is_some(),
                trusted_device = device.is_some(),
                device_revoked,
                "login failed"
            );
            tracing::debug!(username = %req.username.escape_debug(), "login failed for this username");
            // One answer for an unknown username, a wrong password and a disabled
            // account: the answer does not tell which accounts exist.
            return Err(AppError::Unauthorized {
                code: "invalid_credentials",
                message: "wrong username or password".into(),
            });
        }
    };
    store.record_login_success(&key, now).await?;
    auth.known_addresses.remember(&key, client, Instant::now());
    let new_device = match &device {
        Some(hash) => {
            store.device_succeeded(hash, now).await?;
            None
        }
        None => {
            let token = session::new_token();
            store
                .trust_device(&token_hash(&token), user.id, now)
                .await?;
            Some(token)
        }
    };
    // A session cookie the browser already had is ended: a new login never reuses one
    // (no session fixation).
    if let Some(old) = token_from_headers(headers) {
        store.delete_session(&token_hash(old)).await?;
    }
    if let Err(e) = session::purge(&**store).await {
        tracing::warn!("could not purge ended sessions: {e}");
    }
    let started = session::start(&**store, user.id).await?;
    tracing::info!(user = user.id, role = user.role.as_str(), "logged in");
    Ok(LoggedIn {
        info: SessionInfo {
            id: user.id,
            username: user.username,
            role: user.role,
            csrf_token: started.csrf_token,
        },
        session_token: started.token,
        device_token: new_device,
    })
}

/// Log out: ends the session and removes the cookie. Needs `X-CSRF-Token`.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    security(("session_cookie" = [], "csrf_token" = [])),
    responses(
        (status = 204, description = "Logged out; the cookie is removed",
            headers(("Set-Cookie" = String, description = "mappatu_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"))),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 403, description = "`X-CSRF-Token` missing or wrong", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn logout(
    State(state): State<AppState>,
    session: AuthSession,
    user: CurrentUser,
) -> Result<Response, AppError> {
    state
        .directory
        .store()
        .delete_session(&session.token_hash)
        .await?;
    tracing::info!(user = user.id, "logged out");
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, clear_cookie(&state.auth.settings));
    Ok(res)
}

/// The logged-in account and its CSRF token (a reloaded page gets its token here).
#[utoipa::path(get, path = "/api/auth/me", tag = "auth",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The session's account", body = SessionInfo),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 503, description = "The database is not available", body = ErrorBody),
    ))]
pub async fn me(session: AuthSession) -> Json<SessionInfo> {
    Json(SessionInfo {
        id: session.user.id,
        username: session.user.username,
        role: session.user.role,
        csrf_token: session.csrf_token,
    })
}
