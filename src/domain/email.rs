//! Email addresses: a listing's public one and a submitter's private one.
//!
//! [`Email::parse`] is the one check every address passes, wherever it enters (a
//! submission, a change proposal, a moderator's edit, an import). The grammar is RFC 5321
//! and 5322's, read by the `email_address` crate; on top of it, what mail to a person at an
//! organisation needs and nothing more: a bare `name@domain.tld` — no display name
//! (`Anna <a@x.it>`), no domain literal (`a@[10.0.0.1]`), no quoted local part
//! (`"a<b>"@x.it` is valid RFC 5322, and no office has one) — whose domain has a dot and
//! labels of letters, digits and hyphens (the crate lets `{`, `|`, `~`, … through there),
//! and no invisible character ([`first_forbidden`]). Non-ASCII letters are accepted
//! (`anna@università.it`, RFC 6531).

use super::text::{ForbiddenChar, Layout, first_forbidden};
use email_address::{EmailAddress, Options};
use std::fmt;

/// The longest address, in bytes (RFC 5321's path limit less the angle brackets).
pub const MAX_EMAIL: usize = 254;

/// A checked email address, as it was written (case is kept: the local part may mean it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

/// Why a text is not an email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailError {
    /// It holds an invisible or control character.
    Forbidden(ForbiddenChar),
    /// It is not an address of the accepted shape.
    Malformed,
}

impl fmt::Display for EmailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmailError::Forbidden(c) => c.fmt(f),
            EmailError::Malformed => f.write_str("must be an email address like name@example.org"),
        }
    }
}

impl std::error::Error for EmailError {}

impl Email {
    /// Checks an address (already trimmed).
    pub fn parse(s: &str) -> Result<Self, EmailError> {
        if let Some(c) = first_forbidden(s, Layout::Line) {
            return Err(EmailError::Forbidden(c));
        }
        let options = Options::default()
            .with_required_tld()
            .without_domain_literal()
            .without_display_text();
        let ok = s.len() <= MAX_EMAIL
            && !s.starts_with('"')
            && !s.contains(char::is_whitespace)
            && EmailAddress::parse_with_options(s, options).is_ok()
            && s.rsplit_once('@').is_some_and(|(_, domain)| {
                domain.split('.').all(|label| {
                    label
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '-' || is_mark(c))
                })
            });
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(EmailError::Malformed)
        }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Combining marks belong to letters in internationalised domain names (Devanagari vowel
/// signs, for one); `char::is_alphanumeric` does not count them.
fn is_mark(c: char) -> bool {
    use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};
    c.general_category_group() == GeneralCategoryGroup::Mark
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_addresses_pass() {
        for ok in [
            "anna@example.org",
            "anna.rossi+segnala@comune.siena.it",
            "o'brien@example.ie",
            "info@sub-domain.example.org",
            "anna@università.it",
            "Biblioteca.Vimercate@Cubinrete.IT",
        ] {
            assert_eq!(Email::parse(ok).map(Email::into_string).as_deref(), Ok(ok));
        }
    }

    #[test]
    fn markup_display_names_literals_and_odd_domains_are_refused() {
        for bad in [
            "a<img/src=x/onerror=alert(1)>@x.it",
            "\"a<img src=x onerror=alert(1)>\"@x.it",
            "\"anna\"@example.org",
            "Anna <anna@example.org>",
            "<anna@example.org>",
            "anna@[192.168.0.1]",
            "anna@localhost",
            "anna@x{y}z.it",
            "anna@x_y.it",
            "anna@-x.it",
            "anna@x..it",
            "anna..rossi@x.it",
            "anna rossi@x.it",
            "@example.org",
            "anna@",
            "anna",
            "javascript:alert(1)//@x.it",
            "",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Malformed), "{bad}");
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError::Malformed));
    }

    #[test]
    fn invisible_characters_are_named() {
        let e = Email::parse("anna\u{200B}@example.org").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("contains U+200B ZERO WIDTH SPACE at character 5"),
            "{e}"
        );
        assert!(matches!(
            Email::parse("anna@exam\u{202E}gro.elp"),
            Err(EmailError::Forbidden(_))
        ));
    }
}
