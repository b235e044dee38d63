//! Submissions: an association asks to be listed (a new listing) or proposes changes to
//! its published listing (a change proposal), and a moderator decides.
//!
//! A submission's body is a GeoJSON Feature shaped like the one `GET /api/services/{id}`
//! returns (what you read is what you write): the server-owned fields (`id`, `status`,
//! timestamps, `verified_at`, `demo`, `open_now`, `distance_m`, `benefits`) are ignored, and the
//! service fields are checked by [`ServiceDraft::validate`], so the rules are the ones
//! imports follow. A submission adds `properties.contact` (private), `properties.consent`
//! (must be `true`), `properties.lang` (`it`|`en`, the language to write back in) and the
//! honeypot `properties.website_url` (must be empty). Every problem is collected, each
//! named by a JSON-pointer-like path (`properties.name`, `geometry.coordinates`,
//! `properties.contact.email`, …).

use super::service::{
    FieldCode, FieldError, ServiceDraft, email_error, is_phone, limits, text_field,
};
use super::text::{Layout, checked_text};
use super::{
    Accessibility, BoundingBox, Coordinates, Email, Lang, ServiceData, ServiceId, Taxonomy,
};
use chrono::{DateTime, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;
use utoipa::ToSchema;

/// The longest opening-hours string, in characters.
pub const MAX_OPENING_HOURS: usize = limits::OPENING_HOURS;
/// The most target groups a listing can name.
pub const MAX_TARGET_GROUPS: usize = limits::TARGET_GROUPS;
/// The longest contact name, in characters.
pub const MAX_CONTACT_NAME: usize = 200;
/// The longest moderator's reason or message, in characters.
pub const MAX_REASON: usize = 2000;
/// The longest taxonomy slug a client may send (longer ones are refused unread).
const MAX_SLUG: usize = 64;

/// A submission's numeric identifier, assigned by the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SubmissionId(pub i64);

impl fmt::Display for SubmissionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What a submission asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionKind {
    /// A listing that is not on the map yet.
    New,
    /// Changes to a published listing, sent through its edit link.
    Change,
}

impl SubmissionKind {
    /// The name stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionKind::New => "new",
            SubmissionKind::Change => "change",
        }
    }
}

impl FromStr for SubmissionKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "new" => Ok(SubmissionKind::New),
            "change" => Ok(SubmissionKind::Change),
            other => Err(format!("unknown submission kind {other:?}")),
        }
    }
}

/// Where a submission is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionStatus {
    /// Waiting for a moderator.
    Pending,
    /// Approved: the listing (or the change) is public.
    Published,
    /// Refused; the moderator's reason says why.
    Rejected,
    /// The moderator asks the submitter to change something (see the message) and send
    /// it again.
    ChangesRequested,
    /// The listing already existed: the submission was merged into it.
    Merged,
}

impl SubmissionStatus {
    /// The name stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionStatus::Pending => "pending",
            SubmissionStatus::Published => "published",
            SubmissionStatus::Rejected => "rejected",
            SubmissionStatus::ChangesRequested => "changes_requested",
            SubmissionStatus::Merged => "merged",
        }
    }
}

impl FromStr for SubmissionStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "pending" => SubmissionStatus::Pending,
            "published" => SubmissionStatus::Published,
            "rejected" => SubmissionStatus::Rejected,
            "changes_requested" => SubmissionStatus::ChangesRequested,
            "merged" => SubmissionStatus::Merged,
            other => return Err(format!("unknown submission status {other:?}")),
        })
    }
}

/// The characters of a tracking code: digits and capitals without `0`, `1`, `I` and `O`,
/// which are easy to misread or mistype (32 symbols, 5 bits each).
const CODE_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Characters in a tracking code: 50 random bits.
pub const CODE_LEN: usize = 10;

/// A submission's tracking code: random, ten characters a person can read out and type.
/// It lets whoever holds it read the submission's status, nothing more.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrackingCode(String);

impl TrackingCode {
    /// A new random code.
    pub fn generate() -> Self {
        let mut rng = rand::rng();
        Self(
            (0..CODE_LEN)
                .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
                .collect(),
        )
    }

    /// Reads a code as a person may type it: any case, with spaces or dashes.
    pub fn parse(s: &str) -> Option<Self> {
        let code: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        (code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b)))
            .then_some(Self(code))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A listing's secret edit token: 256 random bits, URL-safe base64. Only its SHA-256
/// ([`EditToken::hash`]) is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct EditToken(String);

impl fmt::Debug for EditToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EditToken(***)")
    }
}

impl EditToken {
    /// A new random token.
    pub fn generate() -> Self {
        use base64::Engine;
        let bytes: [u8; 32] = rand::rng().random();
        Self(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The token as the submitter holds it.
    pub fn secret(&self) -> &str {
        &self.0
    }

    /// The stored form: lowercase hex SHA-256 of the token.
    pub fn hash(&self) -> String {
        hash_token(&self.0)
    }
}

/// The stored form of a token as a client sent it (any string: an unknown one simply
/// matches nothing).
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.trim().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The submitter's private contact: moderators only ever see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Contact {
    /// Name of the person to contact.
    pub name: String,
    /// Email address (where decisions are sent).
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
}

impl Contact {
    /// The email address masked for logs: `m***@example.org`.
    pub fn masked_email(&self) -> Option<String> {
        self.email.as_deref().map(mask_email)
    }
}

/// An email address masked for logs: its first character and its domain only.
pub fn mask_email(email: &str) -> String {
    match email.rsplit_once('@') {
        Some((user, host)) => {
            let first: String = user.chars().take(1).collect();
            format!("{first}***@{host}")
        }
        None => "***".into(),
    }
}

/// A stored submission.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    /// Identifier.
    pub id: SubmissionId,
    /// New listing or change proposal.
    pub kind: SubmissionKind,
    /// The listing concerned (a change's target; a new listing's once published or merged).
    pub service_id: Option<ServiceId>,
    /// The proposed content.
    pub data: ServiceData,
    /// The submitter's private contact.
    pub contact: Contact,
    /// The language to write to the submitter in.
    pub lang: Lang,
    /// The tracking code.
    pub tracking_code: TrackingCode,
    /// Where it is.
    pub status: SubmissionStatus,
    /// The moderator's reason (rejected) or message (changes requested).
    pub reason: Option<String>,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
    /// When a moderator decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// Who decided (user id).
    pub decided_by: Option<i64>,
}

/// A checked submission, ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSubmission {
    /// New listing or change proposal.
    pub kind: SubmissionKind,
    /// For a change: the listing to change.
    pub service_id: Option<ServiceId>,
    /// The proposed content.
    pub data: ServiceData,
    /// The submitter's private contact.
    pub contact: Contact,
    /// The language to write back in.
    pub lang: Lang,
}

/// A submission as read from a client, checked: either its content or every problem.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedSubmission {
    /// The content and contact.
    pub submission: NewSubmission,
    /// The honeypot field was filled: a bot. Answer as if accepted, store nothing.
    pub honeypot: bool,
}

/// What a Feature body may hold besides the listing's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A submitter's form: contact, consent, lang and the honeypot.
    Submitter,
    /// A moderator's edit: the listing's fields only.
    Moderator,
}

/// Properties that the server owns: accepted (so a Feature read from the API can be sent
/// back as it is) and ignored.
const SERVER_OWNED: &[&str] = &[
    "id",
    "status",
    "open_now",
    "verified_at",
    "updated_at",
    "created_at",
    "demo",
    "distance_m",
    // The bonuses asked for at the service: edited on their own (`/api/admin/benefits`).
    "benefits",
];

/// Checks a submitter's Feature (new listing or change proposal) and collects every
/// problem. `service_id` is the listing a change proposal is for.
pub fn check_submission(
    body: &Value,
    kind: SubmissionKind,
    service_id: Option<ServiceId>,
    taxonomy: &Taxonomy,
    area: &BoundingBox,
) -> Result<CheckedSubmission, Vec<FieldError>> {
    let mut r = Reader::default();
    let parsed = r.feature(body, Mode::Submitter);
    let contact = r.contact(parsed.contact.as_ref());
    match parsed.consent {
        Some(Value::Bool(true)) => {}
        _ => r.push(FieldError::new(
            "properties.consent",
            FieldCode::ConsentRequired,
            "must be true: consent to the processing of personal data (see the privacy notice)",
        )),
    }
    let lang = match parsed.lang.as_ref() {
        None | Some(Value::Null) => Lang::It,
        Some(Value::String(s)) => s.parse().unwrap_or_else(|e: String| {
            r.push(lang_choice(e));
            Lang::It
        }),
        Some(_) => {
            r.push(lang_choice("must be it or en".into()));
            Lang::It
        }
    };
    let honeypot = match parsed.honeypot.as_ref() {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(_) => true,
    };
    let data = r.finish(parsed, taxonomy, area)?;
    Ok(CheckedSubmission {
        submission: NewSubmission {
            kind,
            service_id,
            data,
            contact: contact.expect("no error means a contact"),
            lang,
        },
        honeypot,
    })
}

/// Checks a moderator's Feature (an edited listing): the listing's fields only.
pub fn check_listing(
    body: &Value,
    taxonomy: &Taxonomy,
    area: &BoundingBox,
) -> Result<ServiceData, Vec<FieldError>> {
    let mut r = Reader::default();
    let parsed = r.feature(body, Mode::Moderator);
    r.finish(parsed, taxonomy, area)
}

/// A listing's public content as a GeoJSON Feature without server-owned fields: the
/// shape submissions are stored in and proposals are shown in. The properties are
/// [`ServiceData`]'s serialisation, so a new field appears here by itself.
pub fn feature_json(d: &ServiceData) -> Value {
    json!({
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": d.point.to_lon_lat()},
        "properties": d,
    })
}

/// Reads back what [`feature_json`] wrote (stored by MappaTU, so checked when it was
/// written; the taxonomy is checked again when it is published).
pub fn data_from_stored(v: &Value) -> Result<ServiceData, String> {
    let c = &v["geometry"]["coordinates"];
    let point = match (c[0].as_f64(), c[1].as_f64()) {
        (Some(lon), Some(lat)) => Coordinates::from_lon_lat(lon, lat).map_err(|e| e.to_string())?,
        _ => return Err("no coordinates".into()),
    };
    let mut data = ServiceData::deserialize(&v["properties"]).map_err(|e| e.to_string())?;
    data.point = point;
    Ok(data)
}

/// The fields of a Feature, read leniently, with their problems collected in the reader.
#[derive(Default)]
struct Parsed {
    draft: ServiceDraft,
    point: Option<Coordinates>,
    contact: Option<Value>,
    consent: Option<Value>,
    lang: Option<Value>,
    honeypot: Option<Value>,
}

#[derive(Default)]
struct Reader {
    errors: Vec<FieldError>,
}

impl Reader {
    /// A problem the message alone describes.
    fn err(&mut self, field: &str, message: &str) {
        self.errors.push(FieldError::invalid(field, message));
    }

    /// A problem with the geometry.
    fn geo(&mut self, field: &str, message: &str) {
        self.errors.push(
            FieldError::new(field, FieldCode::InvalidCoordinates, message).with("detail", message),
        );
    }

    fn push(&mut self, e: FieldError) {
        self.errors.push(e);
    }

    fn feature(&mut self, body: &Value, mode: Mode) -> Parsed {
        let mut out = Parsed::default();
        let Some(obj) = body.as_object() else {
            self.err("body", "must be a GeoJSON Feature (a JSON object)");
            return out;
        };
        let mut properties = None;
        let mut geometry = None;
        for (k, v) in obj {
            match k.as_str() {
                "type" => {
                    if v.as_str() != Some("Feature") {
                        self.err("type", "must be \"Feature\"");
                    }
                }
                "geometry" => geometry = Some(v),
                "properties" => properties = Some(v),
                "id" | "bbox" => {}
                other => self.err(other, "is not a field of a listing Feature"),
            }
        }
        if obj.get("type").is_none() {
            self.err("type", "is required and must be \"Feature\"");
        }
        out.point = self.geometry(geometry);
        match properties {
            Some(Value::Object(p)) => self.properties(p, mode, &mut out),
            Some(_) => self.err("properties", "must be an object"),
            None => self.err("properties", "is required"),
        }
        out
    }

    fn geometry(&mut self, g: Option<&Value>) -> Option<Coordinates> {
        let Some(g) = g else {
            self.push(FieldError::new(
                "geometry",
                FieldCode::Required,
                "is required: a GeoJSON Point",
            ));
            return None;
        };
        let Some(g) = g.as_object() else {
            self.geo("geometry", "must be a GeoJSON Point");
            return None;
        };
        if g.get("type").and_then(Value::as_str) != Some("Point") {
            self.geo("geometry.type", "must be \"Point\"");
        }
        for k in g.keys() {
            if k != "type" && k != "coordinates" {
                self.geo(
                    &format!("geometry.{k}"),
                    "is not a field of a GeoJSON Point",
                );
            }
        }
        let c = g.get("coordinates").and_then(Value::as_array);
        let pos: Option<Vec<f64>> = c.map(|c| c.iter().filter_map(Value::as_f64).collect());
        match (c, pos) {
            (Some(c), Some(p)) if c.len() == 2 && p.len() == 2 => {
                match Coordinates::from_lon_lat(p[0], p[1]) {
                    Ok(point) => Some(point),
                    Err(e) => {
                        self.geo("geometry.coordinates", &e.to_string());
                        None
                    }
                }
            }
            _ => {
                self.geo(
                    "geometry.coordinates",
                    "must be [longitude, latitude]: two numbers",
                );
                None
            }
        }
    }

    fn properties(&mut self, p: &Map<String, Value>, mode: Mode, out: &mut Parsed) {
        let d = &mut out.draft;
        for (k, v) in p {
            let field = format!("properties.{k}");
            // Nested fields (`accessibility.note_it`) are read with their object.
            if let Some(f) = text_field(k).filter(|f| !f.key.contains('.')) {
                *(f.draft)(d) = self.text(&field, v);
                continue;
            }
            match k.as_str() {
                "name" => d.name = self.text(&field, v),
                "opening_hours" => {
                    d.opening_hours = self.text(&field, v);
                    if d.opening_hours
                        .as_ref()
                        .is_some_and(|h| h.chars().count() > MAX_OPENING_HOURS)
                    {
                        self.push(FieldError::too_long(&field, MAX_OPENING_HOURS));
                        d.opening_hours = None;
                    }
                }
                "categories" => d.categories = self.slugs(&field, v, limits::CATEGORIES),
                "target_groups" => d.target_groups = self.slugs(&field, v, MAX_TARGET_GROUPS),
                "languages" => d.languages = self.slugs(&field, v, limits::LANGUAGES),
                "accessibility" => d.accessibility = self.accessibility(v),
                "contact" if mode == Mode::Submitter => out.contact = Some(v.clone()),
                "consent" if mode == Mode::Submitter => out.consent = Some(v.clone()),
                "lang" if mode == Mode::Submitter => out.lang = Some(v.clone()),
                "website_url" if mode == Mode::Submitter => out.honeypot = Some(v.clone()),
                k if SERVER_OWNED.contains(&k) => {}
                _ => self.err(&field, "is not a field of a listing"),
            }
        }
    }

    fn text(&mut self, field: &str, v: &Value) -> Option<String> {
        match v {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            _ => {
                self.err(field, "must be a string or null");
                None
            }
        }
    }

    fn slugs(&mut self, field: &str, v: &Value, max: usize) -> Vec<String> {
        match v {
            Value::Null => Vec::new(),
            Value::Array(items) => {
                if items.len() > max {
                    self.push(
                        FieldError::new(
                            field,
                            FieldCode::TooMany,
                            format!("at most {max} entries"),
                        )
                        .with("max", max),
                    );
                    return Vec::new();
                }
                let mut out = Vec::new();
                for item in items {
                    match item.as_str() {
                        Some(s) if s.len() <= MAX_SLUG => out.push(s.to_string()),
                        Some(s) => self.push(
                            FieldError::new(
                                field,
                                FieldCode::UnknownValue,
                                "holds an unknown entry",
                            )
                            .with("value", crate::domain::text::clip(s)),
                        ),
                        None => self.err(field, "must be a list of strings"),
                    }
                }
                out
            }
            _ => {
                self.err(field, "must be a list of strings");
                Vec::new()
            }
        }
    }

    fn accessibility(&mut self, v: &Value) -> Option<Accessibility> {
        let Some(a) = v.as_object() else {
            if !v.is_null() {
                self.err(
                    "properties.accessibility",
                    "must be an object {wheelchair, note_it, note_en}",
                );
            }
            return None;
        };
        let mut out = Accessibility::default();
        for (k, v) in a {
            let field = format!("properties.accessibility.{k}");
            match k.as_str() {
                "wheelchair" => match v {
                    Value::Null => {}
                    Value::String(s) => match s.parse() {
                        Ok(w) => out.wheelchair = w,
                        Err(_) => self.push(wheelchair_choice(&field)),
                    },
                    _ => self.push(wheelchair_choice(&field)),
                },
                "note_it" => out.note_it = self.text(&field, v),
                "note_en" => out.note_en = self.text(&field, v),
                _ => self.err(&field, "is not a field of accessibility"),
            }
        }
        Some(out)
    }

    fn contact(&mut self, v: Option<&Value>) -> Option<Contact> {
        let Some(Value::Object(c)) = v else {
            self.push(FieldError::new(
                "properties.contact",
                FieldCode::Required,
                "is required: {name, email, phone}, seen by the moderators only",
            ));
            return None;
        };
        let mut name = None;
        let mut email = None;
        let mut phone = None;
        // Fields refused for a character are not reported missing as well.
        let mut refused = Vec::new();
        for (k, v) in c {
            let field = format!("properties.contact.{k}");
            let slot = match k.as_str() {
                "name" => &mut name,
                "email" => &mut email,
                "phone" => &mut phone,
                _ => {
                    self.err(&field, "is not a field of the contact");
                    continue;
                }
            };
            if let Some(raw) = self.text(&field, v) {
                match checked_text(&raw, Layout::Line) {
                    Ok(t) => *slot = t,
                    Err(bad) => {
                        self.push(FieldError::forbidden(&field, &bad));
                        refused.push(k.as_str());
                    }
                }
            }
        }
        let before = self.errors.len();
        match &name {
            None if refused.contains(&"name") => {}
            None => self.push(FieldError::required("properties.contact.name")),
            Some(n) if n.chars().count() > MAX_CONTACT_NAME => self.push(FieldError::too_long(
                "properties.contact.name",
                MAX_CONTACT_NAME,
            )),
            Some(_) => {}
        }
        if let Some(e) = &email
            && let Err(e) = Email::parse(e)
        {
            self.push(email_error("properties.contact.email", e));
        }
        if let Some(p) = &phone
            && !is_phone(p)
        {
            self.push(FieldError::new(
                "properties.contact.phone",
                FieldCode::InvalidPhone,
                "must be a phone number: digits, spaces and + - . / ( ) only",
            ));
        }
        if email.is_none() && phone.is_none() && !refused.iter().any(|f| *f != "name") {
            self.push(FieldError::new(
                "properties.contact.email",
                FieldCode::EmailOrPhone,
                "an email address or a phone number is required",
            ));
        }
        (self.errors.len() == before && refused.is_empty()).then(|| Contact {
            name: name.unwrap_or_default(),
            email,
            phone,
        })
    }

    fn finish(
        mut self,
        parsed: Parsed,
        taxonomy: &Taxonomy,
        area: &BoundingBox,
    ) -> Result<ServiceData, Vec<FieldError>> {
        // Without a valid point the draft's other fields are still checked (against the
        // area's centre, whose own check then passes), so that every problem is listed.
        let point = parsed.point.unwrap_or_else(|| area.centre());
        let mut draft = parsed.draft;
        draft.demo = None;
        match draft.validate(point, taxonomy, area, "properties.") {
            Ok(data) if self.errors.is_empty() => Ok(data),
            Ok(_) => Err(self.errors),
            Err(more) => {
                for mut e in more {
                    if e.field == "geometry" {
                        e.field = "geometry.coordinates".into();
                    }
                    self.errors.push(e);
                }
                Err(self.errors)
            }
        }
    }
}

/// A language to write back in that is not one of ours.
fn lang_choice(message: String) -> FieldError {
    FieldError::new("properties.lang", FieldCode::InvalidChoice, message).with("allowed", "it, en")
}

/// A wheelchair value that is not one of OpenStreetMap's.
fn wheelchair_choice(field: &str) -> FieldError {
    FieldError::new(
        field,
        FieldCode::InvalidChoice,
        "must be one of yes, limited, no, unknown",
    )
    .with("allowed", "yes, limited, no, unknown")
}

/// Checks a moderator's reason or message: required, plain text without invisible or
/// text-direction characters, at most [`MAX_REASON`] characters.
pub fn check_reason(field: &str, text: Option<&str>) -> Result<String, FieldError> {
    let refuse = std::convert::identity;
    // A moderator's words reach the submitter and the audit log: the same characters are
    // refused as in a listing (a text-direction override would reorder them on screen).
    let t = crate::domain::text::checked_text(
        text.unwrap_or(""),
        crate::domain::text::Layout::Paragraphs,
    )
    .map_err(|bad| refuse(FieldError::forbidden(field, &bad)))?
    .unwrap_or_default();
    if t.is_empty() {
        Err(refuse(FieldError::required(field)))
    } else if t.chars().count() > MAX_REASON {
        Err(refuse(FieldError::too_long(field, MAX_REASON)))
    } else {
        Ok(t)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn reasons_refuse_invisible_and_direction_characters() {
        assert_eq!(
            check_reason("reason", Some("  Indirizzo\nsbagliato \u{200b}")).unwrap(),
            "Indirizzo\nsbagliato"
        );
        let e = check_reason("reason", Some("ok \u{202e}gnitset")).unwrap_err();
        assert_eq!(e.field, "reason");
        assert!(e.message.contains("U+202E"), "{}", e.message);
        assert_eq!(
            check_reason("reason", Some(" \u{feff} "))
                .unwrap_err()
                .message,
            "is required"
        );
    }
    use super::*;

    fn body() -> Value {
        json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [11.3317, 43.3183]},
            "properties": {
                "name": "Banco alimentare di quartiere",
                "categories": ["food-aid"],
                "opening_hours": "Mo-Fr 09:00-12:00,15:00-18:00; Aug off",
                "contact": {"name": "Anna", "email": "anna@example.org"},
                "consent": true,
                "lang": "en",
            }
        })
    }

    fn check(v: &Value) -> Result<CheckedSubmission, Vec<FieldError>> {
        check_submission(
            v,
            SubmissionKind::New,
            None,
            &Taxonomy::default_set(),
            &BoundingBox::siena_province(),
        )
    }

    #[test]
    fn a_valid_submission_is_accepted() {
        let c = check(&body()).unwrap();
        assert!(!c.honeypot);
        assert_eq!(c.submission.lang, Lang::En);
        assert_eq!(c.submission.contact.name, "Anna");
        assert_eq!(c.submission.data.name, "Banco alimentare di quartiere");
        let back = data_from_stored(&feature_json(&c.submission.data)).unwrap();
        assert_eq!(back, c.submission.data);
    }

    #[test]
    fn every_problem_is_listed() {
        let v = json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [12.5, 41.9]},
            "properties": {
                "name": "",
                "categories": ["nope"],
                "email": "x",
                "phone": 3,
                "accessibility": {"wheelchair": "maybe"},
                "contact": {"email": "bad"},
                "colour": "red",
            }
        });
        let fields: Vec<String> = check(&v)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        for f in [
            "properties.name",
            "properties.categories",
            "properties.email",
            "properties.phone",
            "properties.accessibility.wheelchair",
            "properties.contact.name",
            "properties.contact.email",
            "properties.consent",
            "properties.colour",
            "geometry.coordinates",
        ] {
            assert!(fields.iter().any(|x| x == f), "{f} missing from {fields:?}");
        }
    }

    #[test]
    fn moderators_cannot_send_a_contact_and_server_fields_are_ignored() {
        let t = Taxonomy::default_set();
        let area = BoundingBox::siena_province();
        let mut v = body();
        v["properties"]["id"] = json!(7);
        v["properties"]["open_now"] = json!(true);
        let errs = check_listing(&v, &t, &area).unwrap_err();
        let mut fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(
            fields,
            [
                "properties.consent",
                "properties.contact",
                "properties.lang"
            ]
        );
        v["properties"]
            .as_object_mut()
            .unwrap()
            .retain(|k, _| !["contact", "consent", "lang"].contains(&k.as_str()));
        assert!(check_listing(&v, &t, &area).is_ok());
    }

    #[test]
    fn honeypot_and_codes() {
        let mut v = body();
        v["properties"]["website_url"] = json!("http://spam.example");
        assert!(check(&v).unwrap().honeypot);
        let code = TrackingCode::generate();
        assert_eq!(code.as_str().len(), CODE_LEN);
        let typed = code.as_str().to_lowercase();
        let typed = format!("{}-{}", &typed[..5], &typed[5..]);
        assert_eq!(TrackingCode::parse(&typed), Some(code));
        assert!(TrackingCode::parse("O0I1O0I1O0").is_none());
        let t = EditToken::generate();
        assert_eq!(t.hash(), hash_token(t.secret()));
        assert_eq!(t.hash().len(), 64);
        assert_ne!(EditToken::generate(), t);
        assert_eq!(mask_email("anna.rossi@example.org"), "a***@example.org");
    }

    #[test]
    fn the_private_contact_is_checked_like_the_listing() {
        let mut v = body();
        v["properties"]["contact"] = json!({
            "name": "Anna\u{200D}Rossi",
            "email": "\"a<script>\"@example.org",
        });
        let errs = check(&v).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["properties.contact.name", "properties.contact.email"],
            "{errs:?}"
        );
        assert!(
            errs[0].message.contains("U+200D ZERO WIDTH JOINER"),
            "{errs:?}"
        );
        v["properties"]["contact"] = json!({"name": "Anna", "phone": "0577\u{202E}123456"});
        let errs = check(&v).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].field, "properties.contact.phone");
        assert!(errs[0].message.contains("U+202E"), "{errs:?}");
    }
}
