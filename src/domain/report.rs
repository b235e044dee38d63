//! A citizen's report of a problem with a listing ("wrong address", "closed", …), queued
//! for the moderators.
//!
//! Nothing that identifies the reporter is part of a report: no IP address, no email, no
//! account. A report says what is wrong, never who said it.

use super::ServiceId;
use super::text::{Forbidden, ForbiddenChar, Layout, clip, first_forbidden};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use utoipa::ToSchema;

/// The longest report message, in characters (Unicode scalar values).
pub const MAX_MESSAGE_CHARS: usize = 2000;

/// A report's numeric identifier, assigned by the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ReportId(pub i64);

impl fmt::Display for ReportId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What is wrong with a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// The address or the pin is wrong.
    WrongAddress,
    /// The service has closed down.
    Closed,
    /// The opening hours are wrong.
    WrongHours,
    /// Something else, told in the message (required then).
    Other,
}

impl ReportKind {
    /// Every kind, in the order a form lists them.
    pub const ALL: [ReportKind; 4] = [
        ReportKind::WrongAddress,
        ReportKind::Closed,
        ReportKind::WrongHours,
        ReportKind::Other,
    ];

    /// The name stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::WrongAddress => "wrong_address",
            ReportKind::Closed => "closed",
            ReportKind::WrongHours => "wrong_hours",
            ReportKind::Other => "other",
        }
    }

    /// The label in Italian.
    pub fn label_it(self) -> &'static str {
        match self {
            ReportKind::WrongAddress => "Indirizzo sbagliato",
            ReportKind::Closed => "Il servizio ha chiuso",
            ReportKind::WrongHours => "Orari sbagliati",
            ReportKind::Other => "Altro",
        }
    }

    /// The label in English.
    pub fn label_en(self) -> &'static str {
        match self {
            ReportKind::WrongAddress => "Wrong address",
            ReportKind::Closed => "The service has closed",
            ReportKind::WrongHours => "Wrong opening hours",
            ReportKind::Other => "Other",
        }
    }

    /// The label in a language.
    pub fn label(self, lang: Lang) -> &'static str {
        match lang {
            Lang::It => self.label_it(),
            Lang::En => self.label_en(),
        }
    }
}

impl fmt::Display for ReportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReportKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ReportKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "must be one of wrong_address, closed, wrong_hours, other, got {:?}",
                    clip(s)
                )
            })
    }
}

/// The language a report was written in (the UI language at the time), so a moderator
/// knows how to read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Italian, the default.
    #[default]
    It,
    /// English.
    En,
}

impl Lang {
    /// `it` or `en`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::It => "it",
            Lang::En => "en",
        }
    }
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "it" => Ok(Lang::It),
            "en" => Ok(Lang::En),
            other => Err(format!("must be it or en, got {:?}", clip(other))),
        }
    }
}

/// Where a report is in the moderators' queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportStatus {
    /// Waiting for a moderator.
    Open,
    /// A moderator acted on it (fixed the listing, or confirmed it was right).
    Resolved,
    /// A moderator discarded it (spam, not actionable).
    Dismissed,
}

impl ReportStatus {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Open => "open",
            ReportStatus::Resolved => "resolved",
            ReportStatus::Dismissed => "dismissed",
        }
    }
}

impl fmt::Display for ReportStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReportStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "open" => Ok(ReportStatus::Open),
            "resolved" => Ok(ReportStatus::Resolved),
            "dismissed" => Ok(ReportStatus::Dismissed),
            other => Err(format!(
                "must be open, resolved or dismissed, got {:?}",
                clip(other)
            )),
        }
    }
}

/// A stored report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Identifier.
    pub id: ReportId,
    /// The service it is about.
    pub service_id: ServiceId,
    /// What is wrong.
    pub kind: ReportKind,
    /// The citizen's words, if any: plain text, never HTML.
    pub message: Option<String>,
    /// The language of the UI the report came from.
    pub lang: Lang,
    /// Where it is in the queue.
    pub status: ReportStatus,
    /// When it was received.
    pub created_at: DateTime<Utc>,
    /// When a moderator resolved or dismissed it.
    pub resolved_at: Option<DateTime<Utc>>,
    /// The moderator who did (a user id, once there are users).
    pub resolved_by: Option<i64>,
    /// The moderator's note on the outcome.
    pub resolution_note: Option<String>,
}

use super::service::FieldCode;
/// One thing wrong with a field of a draft: the one field problem of every form.
pub use super::service::FieldError;

/// Every problem found in a draft, in field order (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportErrors(pub Vec<FieldError>);

impl fmt::Display for ReportErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ReportErrors {}

/// A valid report not yet stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportDraft {
    service_id: ServiceId,
    kind: ReportKind,
    message: Option<String>,
    lang: Lang,
}

impl ReportDraft {
    /// Checks a report as a citizen sent it and reports every field in error, not just
    /// the first, so a form can mark them all at once.
    ///
    /// - `kind`: required, one of [`ReportKind`]'s names.
    /// - `message`: trimmed; blank means none. Required for `other`. At most
    ///   [`MAX_MESSAGE_CHARS`] characters. Windows line ends become `\n`; other control
    ///   characters than newline and tab are refused (they have no place in a note, and
    ///   some would garble a moderator's terminal), and so are invisible characters and
    ///   text-direction controls ([`first_forbidden`]): a moderator must read what was sent.
    /// - `lang`: `it` (default) or `en`.
    pub fn new(
        service_id: ServiceId,
        kind: Option<&str>,
        message: Option<&str>,
        lang: Option<&str>,
    ) -> Result<Self, ReportErrors> {
        let mut errors = Vec::new();
        let mut fail = |e: FieldError| errors.push(e);
        let choice = |field: &str, message: String, allowed: &str| {
            FieldError::new(field, FieldCode::InvalidChoice, message).with("allowed", allowed)
        };
        let kind = match kind.map(str::trim) {
            None | Some("") => {
                fail(FieldError::required("kind"));
                None
            }
            Some(k) => k
                .parse::<ReportKind>()
                .map_err(|e| {
                    fail(choice(
                        "kind",
                        e,
                        "wrong_address, closed, wrong_hours, other",
                    ))
                })
                .ok(),
        };
        let message = message
            .map(|m| m.replace("\r\n", "\n"))
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty());
        if let Some(m) = &message {
            let chars = m.chars().count();
            if chars > MAX_MESSAGE_CHARS {
                fail(
                    FieldError::new(
                        "message",
                        FieldCode::TooLong,
                        format!(
                            "is {chars} characters long; at most {MAX_MESSAGE_CHARS} are allowed"
                        ),
                    )
                    .with("max", MAX_MESSAGE_CHARS),
                );
            } else if let Some(bad) = first_forbidden(m, Layout::Paragraphs) {
                fail(FieldError::forbidden("message", &bad));
            } else if let Some(at) = m.chars().position(|c| c == '\r') {
                // A lone carriage return, which `first_forbidden` lets through for fields
                // that turn it into a line break.
                let bad = ForbiddenChar {
                    ch: '\r',
                    position: at + 1,
                    kind: Forbidden::Control,
                };
                fail(FieldError::forbidden("message", &bad));
            }
        } else if kind == Some(ReportKind::Other) {
            fail(FieldError::new(
                "message",
                FieldCode::Required,
                "is required when kind is other",
            ));
        }
        let lang = match lang.map(str::trim) {
            None | Some("") => Some(Lang::default()),
            Some(l) => l
                .parse::<Lang>()
                .map_err(|e| fail(choice("lang", e, "it, en")))
                .ok(),
        };
        match (kind, lang) {
            (Some(kind), Some(lang)) if errors.is_empty() => Ok(Self {
                service_id,
                kind,
                message,
                lang,
            }),
            _ => Err(ReportErrors(errors)),
        }
    }

    /// The service it is about.
    pub fn service_id(&self) -> ServiceId {
        self.service_id
    }

    /// What is wrong.
    pub fn kind(&self) -> ReportKind {
        self.kind
    }

    /// The citizen's words, trimmed, if any.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The language of the UI it came from.
    pub fn lang(&self) -> Lang {
        self.lang
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: ServiceId = ServiceId(7);

    fn fields(e: ReportErrors) -> Vec<String> {
        e.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_good_draft_is_trimmed_and_defaults_to_italian() {
        let d = ReportDraft::new(
            ID,
            Some("closed"),
            Some("  \r\nChiuso da marzo.\r\n "),
            None,
        )
        .unwrap();
        assert_eq!(d.kind(), ReportKind::Closed);
        assert_eq!(d.message(), Some("Chiuso da marzo."));
        assert_eq!(d.lang(), Lang::It);
        let d = ReportDraft::new(ID, Some("wrong_hours"), Some("   "), Some("en")).unwrap();
        assert_eq!(d.message(), None);
        assert_eq!(d.lang(), Lang::En);
        let d = ReportDraft::new(ID, Some("other"), Some("riga 1\n\triga 2"), None).unwrap();
        assert_eq!(d.message(), Some("riga 1\n\triga 2"));
    }

    #[test]
    fn every_field_error_is_reported() {
        let e =
            ReportDraft::new(ID, Some("bogus"), Some(&"x".repeat(2001)), Some("fr")).unwrap_err();
        assert_eq!(fields(e), ["kind", "message", "lang"]);
        let e = ReportDraft::new(ID, None, None, None).unwrap_err();
        assert_eq!(e.to_string(), "kind: is required");
        let e = ReportDraft::new(ID, Some("other"), Some(" \n "), None).unwrap_err();
        assert_eq!(e.to_string(), "message: is required when kind is other");
        let e = ReportDraft::new(ID, Some("closed"), Some("a\u{1b}[2Jb"), None).unwrap_err();
        assert!(e.to_string().contains("U+001B"), "{e}");
        assert!(ReportDraft::new(ID, Some("closed"), Some("a\rb"), None).is_err());
        let e =
            ReportDraft::new(ID, Some("closed"), Some("Chiuso\u{202E}oizivreS"), None).unwrap_err();
        assert!(
            e.to_string().contains("U+202E RIGHT-TO-LEFT OVERRIDE"),
            "{e}"
        );
    }

    #[test]
    fn the_length_limit_counts_characters_not_bytes() {
        let ok = "è".repeat(MAX_MESSAGE_CHARS);
        assert!(ReportDraft::new(ID, Some("other"), Some(&ok), None).is_ok());
    }

    #[test]
    fn kinds_round_trip_and_have_labels() {
        for k in ReportKind::ALL {
            assert_eq!(k.as_str().parse::<ReportKind>().unwrap(), k);
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
            assert!(!k.label_it().is_empty() && !k.label_en().is_empty());
        }
        for s in ["open", "resolved", "dismissed"] {
            assert_eq!(s.parse::<ReportStatus>().unwrap().as_str(), s);
        }
    }
}
