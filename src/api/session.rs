//! The extractors that guard the moderation and admin endpoints: [`AuthSession`],
//! [`CurrentUser`], [`Moderator`], [`Admin`]. They are the HTTP face of [`crate::auth`]
//! (sessions, CSRF tokens, roles), which knows nothing of HTTP answers.
//!
//! Handlers take [`Moderator`] or [`Admin`] (or [`CurrentUser`], which is the same as
//! `Moderator`) as their FIRST argument, before any body extractor, so that an
//! unauthenticated request is refused before its body is read:
//!
//! - no valid session of an enabled account: 401 `{"error":"unauthenticated"}`;
//! - a method other than GET/HEAD/OPTIONS without the session's `X-CSRF-Token`:
//!   403 `{"error":"csrf"}`;
//! - [`Admin`] for a moderator: 403 `{"error":"forbidden"}`.

use super::{AppError, AppState};
use crate::auth::session::{resume, token_from_headers, token_hash};
use crate::auth::{CSRF_HEADER, CurrentUser, Role, csrf};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

fn not_logged_in() -> AppError {
    AppError::unauthenticated("log in first: no valid session")
}

/// A request's live session: its account and CSRF token. Checks no CSRF token by itself
/// (use [`CurrentUser`], [`Moderator`] or [`Admin`] for that).
#[derive(Debug, Clone)]
pub struct AuthSession {
    /// The account.
    pub user: CurrentUser,
    /// The session's CSRF token.
    pub csrf_token: String,
    /// The SHA-256 of the session's token, to end it.
    pub token_hash: String,
}

impl FromRequestParts<AppState> for AuthSession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        // Looked up once per request, however many extractors ask.
        if let Some(s) = parts.extensions.get::<AuthSession>() {
            return Ok(s.clone());
        }
        let hash = token_from_headers(&parts.headers)
            .map(token_hash)
            .ok_or_else(not_logged_in)?;
        let record = resume(&**state.directory.store(), &hash)
            .await?
            .ok_or_else(not_logged_in)?;
        let session = AuthSession {
            user: CurrentUser {
                id: record.user.id,
                username: record.user.username,
                role: record.user.role,
            },
            csrf_token: record.csrf_token,
            token_hash: hash,
        };
        parts.extensions.insert(session.clone());
        Ok(session)
    }
}

impl AuthSession {
    /// Refuses a state-changing request whose `X-CSRF-Token` is not this session's.
    pub fn check_csrf(&self, parts: &Parts) -> Result<(), AppError> {
        if !csrf::requires_token(&parts.method) {
            return Ok(());
        }
        let given = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if csrf::matches(&self.csrf_token, given) {
            Ok(())
        } else {
            tracing::info!(
                user = self.user.id,
                "request refused: CSRF token missing or wrong"
            );
            Err(AppError::Csrf)
        }
    }
}

/// Any logged-in account (moderator or admin), with the CSRF token checked on
/// state-changing methods. The same as [`Moderator`].
impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let session = AuthSession::from_request_parts(parts, state).await?;
        session.check_csrf(parts)?;
        Ok(session.user)
    }
}

/// A moderator or an admin, CSRF-checked on state-changing methods; else 401/403.
#[derive(Debug, Clone)]
pub struct Moderator(pub CurrentUser);

impl FromRequestParts<AppState> for Moderator {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        match user.role {
            Role::Moderator | Role::Admin => Ok(Moderator(user)),
        }
    }
}

/// An admin, CSRF-checked on state-changing methods; 401 without a session, 403 for a
/// moderator.
#[derive(Debug, Clone)]
pub struct Admin(pub CurrentUser);

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let session = AuthSession::from_request_parts(parts, state).await?;
        // The role first: a moderator learns "forbidden", whatever the token.
        if session.user.role != Role::Admin {
            return Err(AppError::Forbidden(
                "this action needs the admin role".into(),
            ));
        }
        session.check_csrf(parts)?;
        Ok(Admin(session.user))
    }
}
