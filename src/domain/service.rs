//! A social service: what the directory lists.

use super::text::{Layout, checked_text};
use super::{BoundingBox, Coordinates, Email, Hours, Taxonomy};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use utoipa::ToSchema;

/// A service's numeric identifier, assigned by the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ServiceId(pub i64);

impl fmt::Display for ServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Where a service is in its life cycle. Only `published` ones are public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Waiting for a moderator.
    Pending,
    /// Public: in the index, the API and the map.
    Published,
    /// Refused by a moderator.
    Rejected,
    /// Was public, taken off by a moderator.
    Unpublished,
}

impl Status {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Published => "published",
            Status::Rejected => "rejected",
            Status::Unpublished => "unpublished",
        }
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "pending" => Status::Pending,
            "published" => Status::Published,
            "rejected" => Status::Rejected,
            "unpublished" => Status::Unpublished,
            other => return Err(format!("unknown status {other:?}")),
        })
    }
}

/// Wheelchair access, with OpenStreetMap's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Wheelchair {
    /// Step-free entrance and accessible rooms.
    Yes,
    /// Accessible with help or in part.
    Limited,
    /// Not accessible.
    No,
    /// Nobody has checked.
    #[default]
    Unknown,
}

impl Wheelchair {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Wheelchair::Yes => "yes",
            Wheelchair::Limited => "limited",
            Wheelchair::No => "no",
            Wheelchair::Unknown => "unknown",
        }
    }
}

impl FromStr for Wheelchair {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "yes" => Wheelchair::Yes,
            "limited" => Wheelchair::Limited,
            "no" => Wheelchair::No,
            "unknown" | "" => Wheelchair::Unknown,
            other => return Err(format!("unknown wheelchair value {other:?}")),
        })
    }
}

/// Accessibility information.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema)]
pub struct Accessibility {
    /// Wheelchair access.
    #[serde(default)]
    pub wheelchair: Wheelchair,
    /// Notes in Italian (entrance, lift, hearing loop, …).
    #[serde(default)]
    pub note_it: Option<String>,
    /// Notes in English.
    #[serde(default)]
    pub note_en: Option<String>,
}

/// The public, validated content of a service.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceData {
    /// Name, 1–200 characters.
    pub name: String,
    /// The organisation that runs it.
    pub organisation: Option<String>,
    /// Description in Italian.
    pub description_it: Option<String>,
    /// Description in English.
    pub description_en: Option<String>,
    /// Category slugs, at least one, all in the taxonomy.
    pub categories: Vec<String>,
    /// Target-group slugs, all in the taxonomy; empty means everyone.
    pub target_groups: Vec<String>,
    /// Street address, free text.
    pub address: Option<String>,
    /// Location of the entrance.
    pub point: Coordinates,
    /// Public phone number.
    pub phone: Option<String>,
    /// Public email address.
    pub email: Option<String>,
    /// Public website, `http(s)://`.
    pub website: Option<String>,
    /// Opening hours.
    pub opening_hours: Option<Hours>,
    /// Accessibility.
    pub accessibility: Accessibility,
    /// Demonstration data, not a real listing.
    pub demo: bool,
}

/// A stored service.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// Identifier.
    pub id: ServiceId,
    /// Stable identifier in the data set it was imported from, if any.
    pub external_id: Option<String>,
    /// Life-cycle status.
    pub status: Status,
    /// Content.
    pub data: ServiceData,
    /// When it was first stored.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When a person last confirmed its data.
    pub verified_at: Option<DateTime<Utc>>,
}

/// One problem with one field of a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field, e.g. `properties.email`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Unchecked service content as clients and files send it (the properties of a Feature).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ServiceDraft {
    /// See [`ServiceData::name`].
    pub name: Option<String>,
    /// See [`ServiceData::organisation`].
    pub organisation: Option<String>,
    /// See [`ServiceData::description_it`].
    pub description_it: Option<String>,
    /// See [`ServiceData::description_en`].
    pub description_en: Option<String>,
    /// See [`ServiceData::categories`].
    pub categories: Vec<String>,
    /// See [`ServiceData::target_groups`].
    pub target_groups: Vec<String>,
    /// See [`ServiceData::address`].
    pub address: Option<String>,
    /// See [`ServiceData::phone`].
    pub phone: Option<String>,
    /// See [`ServiceData::email`].
    pub email: Option<String>,
    /// See [`ServiceData::website`].
    pub website: Option<String>,
    /// See [`ServiceData::opening_hours`].
    pub opening_hours: Option<String>,
    /// See [`ServiceData::accessibility`].
    pub accessibility: Option<Accessibility>,
    /// See [`ServiceData::demo`].
    pub demo: Option<bool>,
}

/// Field size limits, in characters.
pub mod limits {
    /// Name.
    pub const NAME: usize = 200;
    /// Organisation, address.
    pub const SHORT_TEXT: usize = 300;
    /// Descriptions and notes.
    pub const LONG_TEXT: usize = 4000;
    /// Phone.
    pub const PHONE: usize = 40;
    /// Email.
    pub const EMAIL: usize = crate::domain::email::MAX_EMAIL;
    /// Website.
    pub const URL: usize = 500;
    /// Categories per service.
    pub const CATEGORIES: usize = 6;
}

impl ServiceDraft {
    /// Checks every field and returns the valid content, or every problem found.
    ///
    /// `prefix` is put before field names in errors (`properties.` for GeoJSON).
    pub fn validate(
        self,
        point: Coordinates,
        taxonomy: &Taxonomy,
        area: &BoundingBox,
        prefix: &str,
    ) -> Result<ServiceData, Vec<FieldError>> {
        let mut errors = Vec::new();
        // Every text field passes the one character check first.
        let mut text = |field: &str, value: Option<String>, layout: Layout| match checked_text(
            value.as_deref()?,
            layout,
        ) {
            Ok(text) => text,
            Err(bad) => {
                errors.push(FieldError {
                    field: format!("{prefix}{field}"),
                    message: bad.to_string(),
                });
                None
            }
        };

        let name = text("name", self.name, Layout::Line);
        let organisation = text("organisation", self.organisation, Layout::Line);
        let address = text("address", self.address, Layout::Line);
        let description_it = text("description_it", self.description_it, Layout::Paragraphs);
        let description_en = text("description_en", self.description_en, Layout::Paragraphs);
        let mut accessibility = self.accessibility.unwrap_or_default();
        accessibility.note_it = text(
            "accessibility.note_it",
            accessibility.note_it,
            Layout::Paragraphs,
        );
        accessibility.note_en = text(
            "accessibility.note_en",
            accessibility.note_en,
            Layout::Paragraphs,
        );
        let phone = text("phone", self.phone, Layout::Line);
        let email = text("email", self.email, Layout::Line);
        let website = text("website", self.website, Layout::Line);
        let opening_hours = text("opening_hours", self.opening_hours, Layout::Line);

        // A name refused for a character is not missing as well.
        let name_refused = errors.iter().any(|e| e.field == format!("{prefix}name"));
        let mut err = |field: &str, message: String| {
            errors.push(FieldError {
                field: format!("{prefix}{field}"),
                message,
            })
        };
        let name = name.unwrap_or_default();
        if name.is_empty() {
            if !name_refused {
                err("name", "is required".into());
            }
        } else if name.chars().count() > limits::NAME {
            err(
                "name",
                format!("is longer than {} characters", limits::NAME),
            );
        }
        for (f, v) in [("organisation", &organisation), ("address", &address)] {
            if v.as_ref()
                .is_some_and(|v| v.chars().count() > limits::SHORT_TEXT)
            {
                err(
                    f,
                    format!("is longer than {} characters", limits::SHORT_TEXT),
                );
            }
        }
        for (f, v) in [
            ("description_it", &description_it),
            ("description_en", &description_en),
            ("accessibility.note_it", &accessibility.note_it),
            ("accessibility.note_en", &accessibility.note_en),
        ] {
            if v.as_ref()
                .is_some_and(|v| v.chars().count() > limits::LONG_TEXT)
            {
                err(
                    f,
                    format!("is longer than {} characters", limits::LONG_TEXT),
                );
            }
        }

        let mut categories = Vec::new();
        for slug in self.categories.iter().map(|s| s.trim()) {
            if taxonomy.category_bit(slug).is_none() {
                err("categories", format!("unknown category {slug:?}"));
            } else if !categories.iter().any(|c| c == slug) {
                categories.push(slug.to_string());
            }
        }
        if self.categories.is_empty() {
            err("categories", "at least one category is required".into());
        } else if categories.len() > limits::CATEGORIES {
            err(
                "categories",
                format!("at most {} categories", limits::CATEGORIES),
            );
        }
        let mut target_groups = Vec::new();
        for slug in self.target_groups.iter().map(|s| s.trim()) {
            if taxonomy.target_bit(slug).is_none() {
                err("target_groups", format!("unknown target group {slug:?}"));
            } else if !target_groups.iter().any(|c| c == slug) {
                target_groups.push(slug.to_string());
            }
        }

        if let Some(p) = &phone {
            let ok = p.chars().count() <= limits::PHONE
                && p.chars().filter(|c| c.is_ascii_digit()).count() >= 5
                && p.chars()
                    .all(|c| c.is_ascii_digit() || " +-./()".contains(c));
            if !ok {
                err(
                    "phone",
                    "must be a phone number: digits, spaces and + - . / ( ) only".into(),
                );
            }
        }
        if let Some(e) = &email
            && let Err(e) = Email::parse(e)
        {
            err("email", e.to_string());
        }
        if let Some(w) = &website {
            let ok = w.len() <= limits::URL
                && (w.starts_with("https://") || w.starts_with("http://"))
                && w.len() > "https://".len()
                && !w.contains(char::is_whitespace);
            if !ok {
                err(
                    "website",
                    "must be a web address starting with https:// or http://".into(),
                );
            }
        }
        let opening_hours = match opening_hours {
            None => None,
            Some(raw) => match Hours::parse(&raw) {
                Ok(h) => Some(h),
                Err(e) => {
                    err("opening_hours", e.to_string());
                    None
                }
            },
        };
        if !area.contains(point) {
            errors.push(FieldError {
                field: "geometry".into(),
                message: format!(
                    "{point} is outside the directory's area (minLon,minLat,maxLon,maxLat {area})"
                ),
            });
        }

        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ServiceData {
            name,
            organisation,
            description_it,
            description_en,
            categories,
            target_groups,
            address,
            point,
            phone,
            email,
            website,
            opening_hours,
            accessibility,
            demo: self.demo.unwrap_or(false),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> ServiceDraft {
        ServiceDraft {
            name: Some("  Sportello Famiglia ".into()),
            categories: vec!["economic-support".into()],
            opening_hours: Some("Mo,We 10:00-13:00; Tu 15:00-18:00".into()),
            ..Default::default()
        }
    }

    fn siena() -> Coordinates {
        Coordinates::new(43.3183, 11.3317).unwrap()
    }

    #[test]
    fn a_valid_draft_is_trimmed_and_accepted() {
        let t = Taxonomy::default_set();
        let d = draft()
            .validate(siena(), &t, &BoundingBox::siena_province(), "")
            .unwrap();
        assert_eq!(d.name, "Sportello Famiglia");
        assert!(!d.demo);
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let t = Taxonomy::default_set();
        let bad = ServiceDraft {
            name: Some(" ".into()),
            categories: vec!["nope".into()],
            email: Some("not an email".into()),
            website: Some("javascript:alert(1)".into()),
            opening_hours: Some("whenever".into()),
            ..Default::default()
        };
        let rome = Coordinates::new(41.9, 12.5).unwrap();
        let errs = bad
            .validate(rome, &t, &BoundingBox::siena_province(), "properties.")
            .unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "properties.name",
                "properties.categories",
                "properties.email",
                "properties.website",
                "properties.opening_hours",
                "geometry"
            ]
        );
    }

    #[test]
    fn invisible_characters_and_markup_in_emails_are_refused_by_field() {
        let t = Taxonomy::default_set();
        let area = BoundingBox::siena_province();
        let bad = ServiceDraft {
            name: Some("Sportello\u{200B}Famiglia".into()),
            organisation: Some("\u{202E}anueS id enumoC".into()),
            address: Some("Via Roma 1\r\nSiena".into()),
            description_it: Some("Riga 1\r\nRiga 2".into()),
            email: Some("a<img/src=x/onerror=alert(1)>@x.it".into()),
            accessibility: Some(Accessibility {
                note_en: Some("Ramp\u{2060}".into()),
                ..Default::default()
            }),
            ..draft()
        };
        let errs = bad
            .clone()
            .validate(siena(), &t, &area, "properties.")
            .unwrap_err();
        let got: Vec<(&str, &str)> = errs
            .iter()
            .map(|e| (e.field.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(got[0].0, "properties.name");
        assert!(
            got[0]
                .1
                .starts_with("contains U+200B ZERO WIDTH SPACE at character 10")
        );
        assert_eq!(got[1].0, "properties.organisation");
        assert!(got[1].1.contains("U+202E RIGHT-TO-LEFT OVERRIDE"));
        assert_eq!(
            got[2],
            (
                "properties.email",
                "must be an email address like name@example.org"
            )
        );
        // The word joiner at the end of the note is trimmed; line breaks follow the field.
        let good = ServiceDraft {
            name: Some("Sportello Famiglia".into()),
            organisation: None,
            email: Some("sportello@comune.siena.it".into()),
            ..bad
        };
        let d = good.validate(siena(), &t, &area, "").unwrap();
        assert_eq!(d.address.as_deref(), Some("Via Roma 1 Siena"));
        assert_eq!(d.description_it.as_deref(), Some("Riga 1\nRiga 2"));
        assert_eq!(d.accessibility.note_en.as_deref(), Some("Ramp"));
    }
}
