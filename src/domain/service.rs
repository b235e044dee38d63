//! A social service: what the directory lists.

use super::text::{ForbiddenChar, Layout, checked_text};
use super::{BoundingBox, Coordinates, Email, Hours, Taxonomy};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
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

/// How a text field's value must look, besides its length and characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFormat {
    /// Any text (within its length).
    Free,
    /// A phone number: digits, spaces and `+ - . / ( )`.
    Phone,
    /// An email address.
    Email,
    /// An `http(s)://` address.
    Url,
}

/// One optional text field of a listing, described once: every place that handles a
/// whole listing (the store's columns, binds and row reading on both databases, the
/// submission reader, imports, validation, the OpenAPI limits) walks [`TEXT_FIELDS`]
/// instead of naming the fields itself.
#[derive(Debug, Clone, Copy)]
pub struct TextField {
    /// The name in a Feature's properties and in errors (`accessibility.note_it`).
    pub key: &'static str,
    /// The column of `services`.
    pub column: &'static str,
    /// One line or paragraphs.
    pub layout: Layout,
    /// The most characters.
    pub max: usize,
    /// What the value must look like.
    pub format: TextFormat,
    /// The field in a listing.
    pub get: fn(&ServiceData) -> &Option<String>,
    /// The field in a listing, to fill it.
    pub get_mut: fn(&mut ServiceData) -> &mut Option<String>,
    /// The field in a draft.
    pub draft: fn(&mut ServiceDraft) -> &mut Option<String>,
}

/// Every optional text field of a listing, in the order they are checked.
///
/// The name (required), opening hours (parsed), point, wheelchair access and the lists
/// (categories, target groups, languages) are typed fields of [`ServiceData`]; a new
/// plain text field is one line here and one in each of the two structs below.
pub const TEXT_FIELDS: [TextField; 9] = [
    TextField {
        key: "organisation",
        column: "organisation",
        layout: Layout::Line,
        max: limits::SHORT_TEXT,
        format: TextFormat::Free,
        get: |d| &d.organisation,
        get_mut: |d| &mut d.organisation,
        draft: |d| &mut d.organisation,
    },
    TextField {
        key: "address",
        column: "address",
        layout: Layout::Line,
        max: limits::SHORT_TEXT,
        format: TextFormat::Free,
        get: |d| &d.address,
        get_mut: |d| &mut d.address,
        draft: |d| &mut d.address,
    },
    TextField {
        key: "description_it",
        column: "description_it",
        layout: Layout::Paragraphs,
        max: limits::LONG_TEXT,
        format: TextFormat::Free,
        get: |d| &d.description_it,
        get_mut: |d| &mut d.description_it,
        draft: |d| &mut d.description_it,
    },
    TextField {
        key: "description_en",
        column: "description_en",
        layout: Layout::Paragraphs,
        max: limits::LONG_TEXT,
        format: TextFormat::Free,
        get: |d| &d.description_en,
        get_mut: |d| &mut d.description_en,
        draft: |d| &mut d.description_en,
    },
    TextField {
        key: "accessibility.note_it",
        column: "accessibility_note_it",
        layout: Layout::Paragraphs,
        max: limits::LONG_TEXT,
        format: TextFormat::Free,
        get: |d| &d.accessibility.note_it,
        get_mut: |d| &mut d.accessibility.note_it,
        draft: |d| &mut d.accessibility.get_or_insert_default().note_it,
    },
    TextField {
        key: "accessibility.note_en",
        column: "accessibility_note_en",
        layout: Layout::Paragraphs,
        max: limits::LONG_TEXT,
        format: TextFormat::Free,
        get: |d| &d.accessibility.note_en,
        get_mut: |d| &mut d.accessibility.note_en,
        draft: |d| &mut d.accessibility.get_or_insert_default().note_en,
    },
    TextField {
        key: "phone",
        column: "phone",
        layout: Layout::Line,
        max: limits::PHONE,
        format: TextFormat::Phone,
        get: |d| &d.phone,
        get_mut: |d| &mut d.phone,
        draft: |d| &mut d.phone,
    },
    TextField {
        key: "email",
        column: "email",
        layout: Layout::Line,
        max: limits::EMAIL,
        format: TextFormat::Email,
        get: |d| &d.email,
        get_mut: |d| &mut d.email,
        draft: |d| &mut d.email,
    },
    TextField {
        key: "website",
        column: "website",
        layout: Layout::Line,
        max: limits::URL,
        format: TextFormat::Url,
        get: |d| &d.website,
        get_mut: |d| &mut d.website,
        draft: |d| &mut d.website,
    },
];

/// The text field named `key` in a Feature's properties (`accessibility.note_it`).
pub fn text_field(key: &str) -> Option<&'static TextField> {
    TEXT_FIELDS.iter().find(|f| f.key == key)
}

/// The public, validated content of a service.
///
/// Serialised, it is the `properties` of the Feature that submissions are stored in,
/// proposals are shown in and the moderators' diff compares (see
/// [`feature_json`](super::submission::feature_json)): the point travels in the Feature's
/// geometry and `demo` is the server's, so neither is written here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceData {
    /// Name, 1–200 characters.
    pub name: String,
    /// The organisation that runs it.
    #[serde(default)]
    pub organisation: Option<String>,
    /// Description in Italian.
    #[serde(default)]
    pub description_it: Option<String>,
    /// Description in English.
    #[serde(default)]
    pub description_en: Option<String>,
    /// Category slugs, at least one, all in the taxonomy.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Target-group slugs, all in the taxonomy; empty means everyone.
    #[serde(default)]
    pub target_groups: Vec<String>,
    /// Street address, free text.
    #[serde(default)]
    pub address: Option<String>,
    /// Location of the entrance (the Feature's geometry).
    #[serde(skip, default = "unplaced")]
    pub point: Coordinates,
    /// Public phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// Public email address.
    #[serde(default)]
    pub email: Option<String>,
    /// Public website, `http(s)://`.
    #[serde(default)]
    pub website: Option<String>,
    /// Opening hours.
    #[serde(default, with = "hours_text")]
    pub opening_hours: Option<Hours>,
    /// Accessibility.
    #[serde(default)]
    pub accessibility: Accessibility,
    /// Languages spoken at the desk: lowercase ISO 639-1 codes, in the order given,
    /// without duplicates, at most [`limits::LANGUAGES`].
    #[serde(default)]
    pub languages: Vec<String>,
    /// Demonstration data, not a real listing.
    #[serde(skip)]
    pub demo: bool,
}

/// A placeholder point for a listing read without its geometry, which the reader sets.
fn unplaced() -> Coordinates {
    Coordinates::new(0.0, 0.0).expect("the origin is a valid point")
}

/// Opening hours as their `opening_hours` text.
mod hours_text {
    use super::Hours;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(h: &Option<Hours>, s: S) -> Result<S::Ok, S::Error> {
        match h {
            Some(h) => s.serialize_str(h.raw()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Hours>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|raw| Hours::parse(&raw).map_err(serde::de::Error::custom))
            .transpose()
    }
}

impl ServiceData {
    /// A listing with a name and a point and nothing else, to be filled in.
    pub fn new(name: String, point: Coordinates) -> Self {
        Self {
            name,
            organisation: None,
            description_it: None,
            description_en: None,
            categories: Vec::new(),
            target_groups: Vec::new(),
            address: None,
            point,
            phone: None,
            email: None,
            website: None,
            opening_hours: None,
            accessibility: Accessibility::default(),
            languages: Vec::new(),
            demo: false,
        }
    }
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

/// What is wrong with a field, for machines: the web app translates `err.code.<code>`
/// with the error's `params` as variables, instead of reading the English `message`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldCode {
    /// Missing or empty.
    Required,
    /// Longer than `max` characters.
    TooLong,
    /// More than `max` items.
    TooMany,
    /// Not a known category, target group, language or value (`value`).
    UnknownValue,
    /// Not an email address.
    InvalidEmail,
    /// Not a phone number.
    InvalidPhone,
    /// Not a web address.
    InvalidUrl,
    /// The contact needs an email address or a phone number.
    EmailOrPhone,
    /// An invisible or control character `cp` (`U+200B`) at character `at` (from 1).
    ForbiddenCharacter,
    /// The point is outside the directory's area.
    OutsideArea,
    /// Consent was not given.
    ConsentRequired,
    /// Not one of the `allowed` values.
    InvalidChoice,
    /// The opening hours do not parse (`detail`).
    InvalidHours,
    /// The geometry is wrong (`detail`).
    InvalidCoordinates,
    /// Anything else: the message says what.
    Invalid,
}

/// One problem with one field of a draft: `{field, code, message, params?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field, e.g. `properties.email`.
    pub field: String,
    /// What is wrong, for machines.
    pub code: FieldCode,
    /// What is wrong with it, in English.
    pub message: String,
    /// The values the code's text needs (`max`, `value`, `cp`, `at`, `allowed`, `detail`).
    #[serde(skip_serializing_if = "Map::is_empty")]
    #[schema(value_type = Object)]
    pub params: Map<String, Value>,
}

impl FieldError {
    /// A problem without parameters.
    pub fn new(field: impl Into<String>, code: FieldCode, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
            params: Map::new(),
        }
    }

    /// The same problem with one more parameter.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.params.insert(key.to_string(), value.into());
        self
    }

    /// The same problem, of field `field`.
    pub fn at(self, field: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            ..self
        }
    }

    /// `is required`.
    pub fn required(field: impl Into<String>) -> Self {
        Self::new(field, FieldCode::Required, "is required")
    }

    /// `is longer than {max} characters`.
    pub fn too_long(field: impl Into<String>, max: usize) -> Self {
        Self::new(
            field,
            FieldCode::TooLong,
            format!("is longer than {max} characters"),
        )
        .with("max", max)
    }

    /// A character no text field takes.
    pub fn forbidden(field: impl Into<String>, bad: &ForbiddenChar) -> Self {
        Self::new(field, FieldCode::ForbiddenCharacter, bad.to_string())
            .with("cp", format!("U+{:04X}", bad.ch as u32))
            .with("at", bad.position)
    }

    /// Anything else, the message saying what (and `detail` repeating it).
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(field, FieldCode::Invalid, message.clone()).with("detail", message)
    }
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
    /// See [`ServiceData::languages`]. A list, or one string of codes separated by `;`
    /// or `,` (as spreadsheets write them).
    #[serde(deserialize_with = "list_or_codes")]
    pub languages: Vec<String>,
    /// See [`ServiceData::demo`].
    pub demo: Option<bool>,
}

/// Codes written in one string, separated by `;` or `,` (`it; en`).
pub fn split_codes(s: &str) -> Vec<String> {
    s.split([';', ','])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A list of strings, or one string of codes (see [`split_codes`]); null is empty.
fn list_or_codes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Codes {
        List(Vec<String>),
        Text(String),
        None(()),
    }
    Ok(match Codes::deserialize(d)? {
        Codes::List(l) => l,
        Codes::Text(t) => split_codes(&t),
        Codes::None(()) => Vec::new(),
    })
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
    /// Target groups per service.
    pub const TARGET_GROUPS: usize = 20;
    /// Languages spoken at the desk.
    pub const LANGUAGES: usize = 12;
    /// Opening hours.
    pub const OPENING_HOURS: usize = 1000;
}

impl ServiceDraft {
    /// Checks every field and returns the valid content, or every problem found.
    ///
    /// `prefix` is put before field names in errors (`properties.` for GeoJSON).
    pub fn validate(
        mut self,
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
                errors.push(FieldError::forbidden(format!("{prefix}{field}"), &bad));
                None
            }
        };
        let name = text("name", self.name.take(), Layout::Line);
        let mut texts: [Option<String>; TEXT_FIELDS.len()] = Default::default();
        for (slot, f) in texts.iter_mut().zip(&TEXT_FIELDS) {
            *slot = text(f.key, (f.draft)(&mut self).take(), f.layout);
        }
        let opening_hours = text("opening_hours", self.opening_hours.take(), Layout::Line);

        // A name refused for a character is not missing as well.
        let name_refused = errors.iter().any(|e| e.field == format!("{prefix}name"));
        let mut err = |e: FieldError| {
            errors.push(FieldError {
                field: format!("{prefix}{}", e.field),
                ..e
            })
        };
        let name = name.unwrap_or_default();
        if name.is_empty() {
            if !name_refused {
                err(FieldError::required("name"));
            }
        } else if name.chars().count() > limits::NAME {
            err(FieldError::too_long("name", limits::NAME));
        }
        for (f, v) in TEXT_FIELDS.iter().zip(&texts) {
            if f.format == TextFormat::Free && v.as_ref().is_some_and(|v| v.chars().count() > f.max)
            {
                err(FieldError::too_long(f.key, f.max));
            }
        }

        let mut categories = Vec::new();
        for slug in self.categories.iter().map(|s| s.trim()) {
            if taxonomy.category_bit(slug).is_none() {
                err(unknown(
                    "categories",
                    format!("unknown category {slug:?}"),
                    slug,
                ));
            } else if !categories.iter().any(|c| c == slug) {
                categories.push(slug.to_string());
            }
        }
        if self.categories.is_empty() {
            err(FieldError::new(
                "categories",
                FieldCode::Required,
                "at least one category is required",
            ));
        } else if categories.len() > limits::CATEGORIES {
            err(too_many(
                "categories",
                format!("at most {} categories", limits::CATEGORIES),
                limits::CATEGORIES,
            ));
        }
        let mut target_groups = Vec::new();
        for slug in self.target_groups.iter().map(|s| s.trim()) {
            if taxonomy.target_bit(slug).is_none() {
                err(unknown(
                    "target_groups",
                    format!("unknown target group {slug:?}"),
                    slug,
                ));
            } else if !target_groups.iter().any(|c| c == slug) {
                target_groups.push(slug.to_string());
            }
        }
        let mut languages: Vec<String> = Vec::new();
        for code in self.languages.iter().map(|s| s.trim().to_ascii_lowercase()) {
            if !is_language(&code) {
                err(unknown(
                    "languages",
                    format!("unknown language {code:?}: use ISO 639-1 codes like it, en, fr"),
                    &code,
                ));
            } else if !languages.contains(&code) {
                languages.push(code);
            }
        }
        if languages.len() > limits::LANGUAGES {
            err(too_many(
                "languages",
                format!("at most {} languages", limits::LANGUAGES),
                limits::LANGUAGES,
            ));
        }

        for (f, v) in TEXT_FIELDS.iter().zip(&texts) {
            let Some(v) = v else { continue };
            match f.format {
                TextFormat::Free => {}
                TextFormat::Phone if !is_phone(v) => err(FieldError::new(
                    f.key,
                    FieldCode::InvalidPhone,
                    "must be a phone number: digits, spaces and + - . / ( ) only",
                )),
                TextFormat::Email => {
                    if let Err(e) = Email::parse(v) {
                        err(email_error(f.key, e));
                    }
                }
                TextFormat::Url if !is_web_address(v) => err(FieldError::new(
                    f.key,
                    FieldCode::InvalidUrl,
                    "must be a web address starting with https:// or http://",
                )),
                TextFormat::Phone | TextFormat::Url => {}
            }
        }
        let opening_hours = match opening_hours {
            None => None,
            Some(raw) => match Hours::parse(&raw) {
                Ok(h) => Some(h),
                Err(e) => {
                    err(
                        FieldError::new("opening_hours", FieldCode::InvalidHours, e.to_string())
                            .with("detail", e.to_string()),
                    );
                    None
                }
            },
        };
        if !area.contains(point) {
            errors.push(FieldError::new(
                "geometry",
                FieldCode::OutsideArea,
                format!(
                    "{point} is outside the directory's area (minLon,minLat,maxLon,maxLat {area})"
                ),
            ));
        }

        if !errors.is_empty() {
            return Err(errors);
        }
        let mut data = ServiceData::new(name, point);
        for (f, v) in TEXT_FIELDS.iter().zip(texts) {
            *(f.get_mut)(&mut data) = v;
        }
        data.accessibility.wheelchair =
            self.accessibility.map(|a| a.wheelchair).unwrap_or_default();
        data.categories = categories;
        data.target_groups = target_groups;
        data.languages = languages;
        data.opening_hours = opening_hours;
        data.demo = self.demo.unwrap_or(false);
        Ok(data)
    }
}

/// `code` is not one of the known values of `field`.
fn unknown(field: &str, message: String, value: &str) -> FieldError {
    FieldError::new(field, FieldCode::UnknownValue, message).with("value", value)
}

/// More than `max` items.
fn too_many(field: &str, message: String, max: usize) -> FieldError {
    FieldError::new(field, FieldCode::TooMany, message).with("max", max)
}

/// An email address refused, by character or by shape.
pub fn email_error(field: &str, e: super::email::EmailError) -> FieldError {
    match e {
        super::email::EmailError::Forbidden(c) => FieldError::forbidden(field, &c),
        e => FieldError::new(field, FieldCode::InvalidEmail, e.to_string()),
    }
}

/// Whether `p` is a phone number: digits, spaces and `+ - . / ( )`, five digits or more.
pub fn is_phone(p: &str) -> bool {
    p.chars().count() <= limits::PHONE
        && p.chars().filter(|c| c.is_ascii_digit()).count() >= 5
        && p.chars()
            .all(|c| c.is_ascii_digit() || " +-./()".contains(c))
}

fn is_web_address(w: &str) -> bool {
    w.len() <= limits::URL
        && (w.starts_with("https://") || w.starts_with("http://"))
        && w.len() > "https://".len()
        && !w.contains(char::is_whitespace)
}

/// The ISO 639-1 language codes (two letters each), in alphabetical order.
const ISO_639_1: &str = "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch \
    co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv \
    ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko \
    kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng \
    nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl \
    sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi \
    vo wa wo xh yi yo za zh zu";

/// A comma-separated list of language codes (`en`, `it,en`; any case), checked: the
/// codes, lowercase and without repeats, or the first one that is not ISO 639-1.
pub fn language_list(v: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for code in v.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let code = code.to_ascii_lowercase();
        if !is_language(&code) {
            return Err(code);
        }
        if !out.contains(&code) {
            out.push(code);
        }
    }
    Ok(out)
}

/// Whether `code` is a lowercase ISO 639-1 language code (`it`, `en`, `ar`, …).
pub fn is_language(code: &str) -> bool {
    code.len() == 2 && ISO_639_1.split_ascii_whitespace().any(|c| c == code)
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
