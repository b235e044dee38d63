//! Password hashing: argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), PHC
//! strings. Hashing and checking run on the blocking pool, never on the async workers.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

/// OWASP Password Storage Cheat Sheet, argon2id: m=19 MiB, t=2, p=1.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Why a password could not be hashed (never expected in practice).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Hashes a password into an argon2id PHC string, blocking the thread for tens of ms.
pub fn hash_blocking(password: &str) -> Result<String, HashError> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
        .map_err(|e| HashError(e.to_string()))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// Hashes a password on the blocking pool.
pub async fn hash(password: String) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| HashError(e.to_string()))?
}

/// A hash of a random password with the same parameters, checked when the username is
/// unknown so that the answer takes as long as for a real account.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let random: [u8; 24] = rand::random();
        hash_blocking(&format!("{random:?}")).expect("hash a random password")
    })
}

/// Checks a password against a stored hash (or, for an unknown user, against a dummy
/// hash, always failing) on the blocking pool. A malformed stored hash fails.
pub async fn verify(stored: Option<String>, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        let (hash, real) = match &stored {
            Some(h) => (h.as_str(), true),
            None => (dummy_hash(), false),
        };
        let Ok(parsed) = PasswordHash::new(hash) else {
            tracing::error!("a stored password hash is malformed");
            return false;
        };
        // Checked with the parameters in the PHC string, whatever they are.
        let ok = argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        ok && real
    })
    .await
    .unwrap_or(false)
}

/// Computes the dummy hash in the background, so that the first login with an unknown
/// name does not take longer than one with a known name. Needs a Tokio runtime.
pub fn warm_up() {
    tokio::task::spawn_blocking(|| {
        dummy_hash();
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify(Some(h.clone()), "correct horse battery".into()).await);
        assert!(!verify(Some(h), "correct horse batterY".into()).await);
        assert!(!verify(None, "anything at all".into()).await);
        assert!(!verify(Some("not a hash".into()), "x".into()).await);
    }
}
