//! Server-side sessions: a random 256-bit token in the `mappatu_session` cookie; the
//! store keeps only its SHA-256, with the account, the CSRF token and the times. A
//! session ends on logout, after [`IDLE_TIMEOUT`] without a request, [`ABSOLUTE_LIFETIME`]
//! after login, or when its account is disabled or its password reset.

use super::throttle::{DEVICE_COOKIE, DEVICE_LIFETIME, RECENT};
use super::{AuthSettings, SESSION_COOKIE};
use crate::store::{NewSession, SessionRecord, Store, StoreError, db_now};
use axum::http::{HeaderMap, HeaderValue, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use cookie::{Cookie, SameSite};
use sha2::{Digest, Sha256};

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT: TimeDelta = TimeDelta::hours(8);
/// A session ends this long after login, however active.
pub const ABSOLUTE_LIFETIME: TimeDelta = TimeDelta::days(7);
/// Activity is written at most this often per session (reads stay reads).
const TOUCH_EVERY: TimeDelta = TimeDelta::minutes(1);
/// Length of an encoded token: 32 bytes in unpadded base64url.
const TOKEN_LEN: usize = 43;

/// A fresh random 256-bit token, base64url.
pub fn new_token() -> String {
    // rand's thread RNG is a CSPRNG seeded from the operating system.
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// What the store keeps of a session token: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The session token in the request's cookies, if it has the right shape.
pub fn token_from_headers(headers: &HeaderMap) -> Option<&str> {
    cookie_token(headers, SESSION_COOKIE)
}

/// The trusted-browser token in the request's cookies, if it has the right shape.
pub fn device_token_from_headers(headers: &HeaderMap) -> Option<&str> {
    cookie_token(headers, DEVICE_COOKIE)
}

/// A token (see [`new_token`]) in the cookie `cookie`, if it has the right shape.
fn cookie_token<'h>(headers: &'h HeaderMap, cookie: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == cookie)
        // A value may be quoted (RFC 6265 4.1.1); `value_raw` keeps the headers' lifetime.
        .and_then(|c| c.value_raw())
        .map(|v| {
            v.strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v)
        })
        .filter(|t| {
            t.len() == TOKEN_LEN
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Strict`, `Secure` when the server is
/// reached over https, for `path`, kept `max_age` seconds (0 removes it).
fn set_cookie(
    name: &'static str,
    value: &str,
    path: &'static str,
    max_age: i64,
    settings: &AuthSettings,
) -> HeaderValue {
    let cookie = Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(settings.secure_cookie)
        .path(path)
        .max_age(cookie::time::Duration::seconds(max_age));
    HeaderValue::from_str(&cookie.to_string()).expect("tokens are base64url")
}

/// The `Set-Cookie` value that stores a session token in the browser.
pub fn session_cookie(token: &str, settings: &AuthSettings) -> HeaderValue {
    set_cookie(
        SESSION_COOKIE,
        token,
        "/",
        ABSOLUTE_LIFETIME.num_seconds(),
        settings,
    )
}

/// The `Set-Cookie` value that marks this browser as one that logged in to an account.
/// It goes only to the login endpoint, where it matters.
pub fn device_cookie(token: &str, settings: &AuthSettings) -> HeaderValue {
    let lifetime = i64::try_from(DEVICE_LIFETIME.as_secs()).expect("180 days fit");
    set_cookie(DEVICE_COOKIE, token, "/api/auth", lifetime, settings)
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(settings: &AuthSettings) -> HeaderValue {
    set_cookie(SESSION_COOKIE, "", "/", 0, settings)
}

/// A session just started: the cookie token (only ever sent to the browser) and the
/// CSRF token.
pub struct Started {
    /// The cookie's token.
    pub token: String,
    /// The CSRF token.
    pub csrf_token: String,
}

/// Starts a session for an account.
pub async fn start(store: &dyn Store, user_id: i64) -> Result<Started, StoreError> {
    let token = new_token();
    let csrf_token = new_token();
    let now = db_now();
    store
        .create_session(&NewSession {
            token_hash: token_hash(&token),
            user_id,
            csrf_token: csrf_token.clone(),
            created_at: now,
            expires_at: now + ABSOLUTE_LIFETIME,
        })
        .await?;
    Ok(Started { token, csrf_token })
}

/// Whether a stored session is still valid at `now`.
pub fn is_live(s: &SessionRecord, now: DateTime<Utc>) -> bool {
    s.user.enabled && now < s.expires_at && now - s.last_seen_at < IDLE_TIMEOUT
}

/// The live session of a token, its activity recorded; an ended one is deleted.
pub async fn resume(
    store: &dyn Store,
    token_hash: &str,
) -> Result<Option<SessionRecord>, StoreError> {
    let Some(session) = store.session(token_hash).await? else {
        return Ok(None);
    };
    let now = db_now();
    if !is_live(&session, now) {
        store.delete_session(token_hash).await?;
        return Ok(None);
    }
    if now - session.last_seen_at >= TOUCH_EVERY {
        store.touch_session(token_hash, now).await?;
    }
    Ok(Some(session))
}

/// Removes ended sessions, throttle records older than what admins see, and browsers
/// not used for [`DEVICE_LIFETIME`] (called now and then, at login).
pub async fn purge(store: &dyn Store) -> Result<(), StoreError> {
    let now = db_now();
    store.purge_sessions(now, now - IDLE_TIMEOUT).await?;
    let recent = TimeDelta::from_std(RECENT).unwrap_or(TimeDelta::days(1));
    let lifetime = TimeDelta::from_std(DEVICE_LIFETIME).unwrap_or(TimeDelta::days(180));
    store.purge_login_state(now - recent, now - lifetime).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_cookies() {
        let t = new_token();
        assert_eq!(t.len(), TOKEN_LEN);
        assert_ne!(t, new_token());
        assert_eq!(token_hash("abc").len(), 64);
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("a=b; {SESSION_COOKIE}={t}; c=d")).unwrap(),
        );
        assert_eq!(token_from_headers(&h), Some(t.as_str()));
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("mappatu_session=short"),
        );
        assert_eq!(token_from_headers(&h), None);
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("{SESSION_COOKIE}=\"{t}\"")).unwrap(),
        );
        assert_eq!(token_from_headers(&h), Some(t.as_str()));
        let c = session_cookie(&t, &AuthSettings::default());
        let c = c.to_str().unwrap();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && !c.contains("Secure"));
        let secure = AuthSettings {
            secure_cookie: true,
        };
        // The cookie crate writes `Secure` before `Path` and `Max-Age` (the order of
        // attributes means nothing, RFC 6265 5.2).
        let c = session_cookie(&t, &secure);
        let c = Cookie::parse(c.to_str().unwrap()).unwrap();
        assert_eq!(c.secure(), Some(true));
        assert_eq!(c.path(), Some("/"));
        assert_eq!(c.max_age(), Some(cookie::time::Duration::days(7)));
        let cleared = clear_cookie(&secure);
        assert!(cleared.to_str().unwrap().contains("Max-Age=0"));
    }
}
