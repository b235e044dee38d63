//! CSRF: every state-changing request carries the session's token in `X-CSRF-Token`.
//!
//! The cookie is `SameSite=Strict` already; the token is the second, independent guard
//! (older browsers, same-site sub-domains). A cross-site page cannot read the token
//! (it is only in the login/me JSON answers, which the same-origin policy hides) and
//! cannot set a custom header without a CORS preflight, which this server never grants.

use axum::http::Method;
use subtle::ConstantTimeEq;

/// Whether requests with this method must carry the token: all but the safe methods.
pub(crate) fn requires_token(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Compares the expected and the given token in time independent of where they differ
/// (`subtle`, which also keeps the optimiser from turning the comparison into an early
/// exit). Only the length may leak, and every token has the same length.
pub(crate) fn matches(expected: &str, given: &str) -> bool {
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_methods() {
        assert!(matches("abc", "abc"));
        assert!(!matches("abc", "abd"));
        assert!(!matches("abc", "ab"));
        assert!(!matches("", ""));
        assert!(!requires_token(&Method::GET));
        assert!(requires_token(&Method::POST));
        assert!(requires_token(&Method::DELETE));
    }
}
