//! Moderators' and admins' accounts: passwords (argon2id), server-side sessions in an
//! `HttpOnly; SameSite=Strict` cookie, CSRF tokens and the login throttle. Nothing here
//! answers HTTP requests: the extractors that guard the moderation and admin endpoints
//! with these are the HTTP layer's (`api::session`), which imports this module and never
//! the other way round.

pub(crate) mod csrf;
pub mod password;
pub mod session;
pub mod throttle;

/// Roles are a domain value (the store records them); re-exported where accounts live.
pub use crate::domain::Role;

use serde::Serialize;
use std::sync::Arc;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "mappatu_session";
/// The request header carrying the CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The account behind a request's session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CurrentUser {
    /// Account id (`users.id`).
    pub id: i64,
    /// Username.
    pub username: String,
    /// Role.
    pub role: Role,
}

impl CurrentUser {
    /// The actor to record in the audit log.
    pub fn actor(&self) -> crate::store::Actor {
        crate::store::Actor::user(self.id, &self.username)
    }
}

/// How the server is reached, as far as cookies care.
#[derive(Debug, Clone, Default)]
pub struct AuthSettings {
    /// Mark the session cookie `Secure` (the public URL is `https://`).
    pub secure_cookie: bool,
}

impl AuthSettings {
    /// From the public URL the server is reached at: `Secure` cookies when it is https.
    pub fn for_public_url(url: &str) -> Self {
        AuthSettings {
            secure_cookie: url
                .get(..8)
                .is_some_and(|s| s.eq_ignore_ascii_case("https://")),
        }
    }
}

/// What authentication keeps between requests: the settings, the per-address login
/// throttle and the accounts' known addresses (memory only), and a bound on concurrent
/// password checks.
pub struct AuthState {
    /// Cookie settings.
    pub settings: AuthSettings,
    /// Failed logins per client address.
    pub ip_throttle: throttle::MemoryThrottle,
    /// The addresses each account logged in from lately.
    pub known_addresses: throttle::KnownAddresses,
    /// Attempts refused because their username was delayed.
    pub refused: throttle::RefusedTally,
    /// argon2id costs 19 MiB and tens of milliseconds a check: a flood of logins waits
    /// here instead of exhausting memory.
    pub hashing: tokio::sync::Semaphore,
}

impl AuthState {
    /// Fresh state with these settings.
    pub fn new(settings: AuthSettings) -> Arc<Self> {
        if tokio::runtime::Handle::try_current().is_ok() {
            password::warm_up();
        }
        Arc::new(AuthState {
            settings,
            ip_throttle: throttle::MemoryThrottle::default(),
            known_addresses: throttle::KnownAddresses::default(),
            refused: throttle::RefusedTally::default(),
            hashing: tokio::sync::Semaphore::new(4),
        })
    }
}

impl Default for AuthState {
    fn default() -> Self {
        AuthState {
            settings: AuthSettings::default(),
            ip_throttle: throttle::MemoryThrottle::default(),
            known_addresses: throttle::KnownAddresses::default(),
            refused: throttle::RefusedTally::default(),
            hashing: tokio::sync::Semaphore::new(4),
        }
    }
}

/// The longest username.
pub const MAX_USERNAME: usize = 64;
/// The shortest password, in characters.
pub const MIN_PASSWORD: usize = 12;
/// The longest password, in bytes: hashing cost grows with the input.
pub const MAX_PASSWORD: usize = 1024;

/// Checks a new username: 1 to 64 ASCII letters, digits, `.`, `_`, `-`, starting with a
/// letter or digit.
pub fn check_username(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("must not be empty".into());
    }
    if name.len() > MAX_USERNAME {
        return Err(format!("must be at most {MAX_USERNAME} characters"));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err("must start with a letter or a digit".into());
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err("may hold only ASCII letters, digits, '.', '_' and '-'".into());
    }
    // 'cli' names the command line in the audit log.
    if name.eq_ignore_ascii_case("cli") {
        return Err("\"cli\" is reserved".into());
    }
    Ok(())
}

/// Checks a new password: at least 12 characters, at most 1024 bytes, not one character
/// repeated.
pub fn check_password(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(format!("must be at least {MIN_PASSWORD} characters long"));
    }
    if password.len() > MAX_PASSWORD {
        return Err(format!("must be at most {MAX_PASSWORD} bytes long"));
    }
    let mut chars = password.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) {
        return Err("must not be one character repeated".into());
    }
    if password.chars().any(|c| c.is_control()) {
        return Err("must not contain control characters".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert!(check_username("anna.rossi-2").is_ok());
        for bad in ["", "-anna", "anna rossi", "annà", "CLI", &"a".repeat(65)] {
            assert!(check_username(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords() {
        assert!(check_password("correct horse battery").is_ok());
        for bad in [
            "short",
            "aaaaaaaaaaaaaaaa",
            "tab\there-password",
            &"ab".repeat(600),
        ] {
            assert!(check_password(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn secure_cookie_follows_the_public_url() {
        assert!(!AuthSettings::for_public_url("http://127.0.0.1:8080").secure_cookie);
        assert!(AuthSettings::for_public_url("https://mappatu.example").secure_cookie);
        assert!(AuthSettings::for_public_url("HTTPS://mappatu.example").secure_cookie);
    }
}
