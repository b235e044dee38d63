//! The axum extractors: [`AuthSession`], [`CurrentUser`], [`Moderator`], [`Admin`].

use super::session::{resume, token_from_headers, token_hash};
use super::{CSRF_HEADER, CurrentUser, Role, csrf};
use crate::api::{AppState, ErrorBody};
use crate::store::StoreError;
use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

/// Why a request was refused by an auth extractor.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No valid session (none, unknown, ended, or the account is disabled): 401.
    #[error("not logged in")]
    Unauthenticated,
    /// A state-changing request without the session's CSRF token: 403.
    #[error("missing or wrong CSRF token")]
    Csrf,
    /// Logged in, but the role does not allow it: 403.
    #[error("not allowed for this role")]
    Forbidden,
    /// The store failed: 503.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        let (status, error, message) = match self {
            AuthError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "log in first: no valid session".to_string(),
            ),
            AuthError::Csrf => (
                StatusCode::FORBIDDEN,
                "csrf",
                "X-CSRF-Token: missing or does not match the session's token".to_string(),
            ),
            AuthError::Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "this action needs the admin role".to_string(),
            ),
            AuthError::Store(e) => return crate::api::AppError::Store(e).into_response(),
        };
        let body = ErrorBody {
            error,
            message,
            parameter: (error == "csrf").then(|| "X-CSRF-Token".to_string()),
        };
        (status, Json(body)).into_response()
    }
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
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AuthError> {
        // Looked up once per request, however many extractors ask.
        if let Some(s) = parts.extensions.get::<AuthSession>() {
            return Ok(s.clone());
        }
        let hash = token_from_headers(&parts.headers)
            .map(token_hash)
            .ok_or(AuthError::Unauthenticated)?;
        let record = resume(&**state.directory.store(), &hash)
            .await?
            .ok_or(AuthError::Unauthenticated)?;
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
    pub fn check_csrf(&self, parts: &Parts) -> Result<(), AuthError> {
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
            Err(AuthError::Csrf)
        }
    }
}

/// Any logged-in account (moderator or admin), with the CSRF token checked on
/// state-changing methods. The same as [`Moderator`].
impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AuthError> {
        let session = AuthSession::from_request_parts(parts, state).await?;
        session.check_csrf(parts)?;
        Ok(session.user)
    }
}

/// A moderator or an admin, CSRF-checked on state-changing methods; else 401/403.
#[derive(Debug, Clone)]
pub struct Moderator(pub CurrentUser);

impl FromRequestParts<AppState> for Moderator {
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AuthError> {
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
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AuthError> {
        let session = AuthSession::from_request_parts(parts, state).await?;
        // The role first: a moderator learns "forbidden", whatever the token.
        if session.user.role != Role::Admin {
            return Err(AuthError::Forbidden);
        }
        session.check_csrf(parts)?;
        Ok(Admin(session.user))
    }
}
