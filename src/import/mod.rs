//! Import of services from files: CSV as Italian public bodies publish their registers, and
//! GeoJSON shaped like MappaTU's own API output.
//!
//! This module only *parses*: [`parse_bytes`] and [`parse_file`] turn a file into validated
//! [`NewService`] records plus an exact report of the rows that were skipped and why, and of
//! the fields that were dropped. Writing the records (all in one transaction, with the audit
//! entry that records the import) or only showing the report (a dry run) is the caller's
//! choice.
//!
//! Nothing of the file is lost in silence: every CSV line is the header, part of a row that
//! becomes a service, part of a skipped row (named by its lines, with the reason), or blank
//! ([`LineTally`]); every GeoJSON feature is a service or a skipped feature. A file whose
//! structure cannot be trusted (a quote that is never closed, a binary file, a JSON key
//! given twice) is refused whole. Text from the file is [escaped](escape) in every report
//! and error.

pub mod csv;
pub mod demo;
pub mod escape;
pub mod geojson;
/// Synthetic services for benchmarks; unit tests always have them.
#[cfg(any(test, feature = "synthetic"))]
pub mod synthetic;

use crate::domain::service::{FieldError, ServiceDraft};
use crate::domain::{BoundingBox, Coordinates, ServiceData, Status, Taxonomy};
use crate::store::{NewService, UpsertOutcome};
use escape::escape;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The format of an import file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Delimited text with a header line (`;`, `,` or tab).
    Csv,
    /// A GeoJSON FeatureCollection or single Feature of Points.
    GeoJson,
}

impl Format {
    /// The format's name as the command line spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::GeoJson => "geojson",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses `csv` (also `tsv`, `txt`) or `geojson` (also `json`), in any case.
impl FromStr for Format {
    type Err = ImportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" | "tsv" | "txt" => Ok(Format::Csv),
            "geojson" | "json" => Ok(Format::GeoJson),
            _ => Err(ImportError::UnknownFormat(format!("{s:?}"))),
        }
    }
}

/// Explicit column names (CSV headers, or GeoJSON property names for `id`); `None` means
/// auto-detect from the usual Italian and English headers (never for `id`, which must be named).
///
/// Names are matched ignoring case, accents and punctuation, so `Codice ISIL` names the
/// column `codice-isil`.
#[derive(Debug, Clone, Default)]
pub struct ColumnMap {
    /// Latitude column (`--lat-col`).
    pub lat: Option<String>,
    /// Longitude column (`--lon-col`).
    pub lon: Option<String>,
    /// Name column (`--name-col`).
    pub name: Option<String>,
    /// Stable identifier column, used to update instead of duplicate on re-import (`--id-col`).
    pub id: Option<String>,
    /// Street address column (`--address-col`).
    pub address: Option<String>,
    /// Town column, appended to the address (`--city-col`).
    pub city: Option<String>,
    /// Postcode column, appended to the address (`--postcode-col`).
    pub postcode: Option<String>,
    /// Phone column (`--phone-col`).
    pub phone: Option<String>,
    /// Email column (`--email-col`).
    pub email: Option<String>,
    /// Website column (`--website-col`).
    pub website: Option<String>,
    /// Organisation column (`--organisation-col`).
    pub organisation: Option<String>,
    /// Description column, read as the Italian description (`--description-col`).
    pub description: Option<String>,
    /// Opening-hours column, OpenStreetMap syntax (`--opening-hours-col`).
    pub opening_hours: Option<String>,
}

/// How to read a file and what to give the services it holds.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The file's format; `None` means from the file name, else from its first byte.
    pub format: Option<Format>,
    /// Status of new services.
    pub status: Status,
    /// Category slugs: of every CSV row, and of GeoJSON features that have none.
    pub categories: Vec<String>,
    /// Target-group slugs: of every CSV row, and of GeoJSON features that have none.
    pub target_groups: Vec<String>,
    /// Explicit column names.
    pub columns: ColumnMap,
    /// CSV delimiter; `None` means sniffed from the header line.
    pub delimiter: Option<u8>,
    /// Marks every service as demonstration data.
    pub demo: bool,
}

/// Where a row or feature is in its file, as the user finds it there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// CSV lines, 1-based as an editor numbers them (the header is usually line 1): a row
    /// spans several when a quoted value holds line breaks.
    Lines {
        /// The row's first line.
        first: usize,
        /// Its last line (`first` for a row on one line).
        last: usize,
    },
    /// A GeoJSON feature, 1-based in the order of the file.
    Feature(usize),
}

impl Place {
    /// One CSV line.
    pub fn line(n: usize) -> Self {
        Place::Lines { first: n, last: n }
    }

    /// The first line or the feature's number: where to look first.
    pub fn start(self) -> usize {
        match self {
            Place::Lines { first, .. } => first,
            Place::Feature(n) => n,
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Place::Lines { first, last } if first == last => write!(f, "line {first}"),
            Place::Lines { first, last } => write!(f, "lines {first} to {last}"),
            Place::Feature(n) => write!(f, "feature {n}"),
        }
    }
}

/// A row or feature that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Where it is.
    pub at: Place,
    /// Why it was skipped; text from the file in it is [escaped](escape).
    pub reason: String,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.reason)
    }
}

/// Something imported differently from what the file says (a dropped field, a guessed
/// encoding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The row or feature; `None` for the whole file.
    pub at: Option<Place>,
    /// What happened; text from the file in it is [escaped](escape).
    pub message: String,
}

impl Warning {
    /// A warning on the whole file.
    fn file(message: String) -> Self {
        Warning {
            at: None,
            message: escape(&message).into_owned(),
        }
    }

    /// A warning on one row or feature.
    fn at(at: Place, message: String) -> Self {
        Warning {
            at: Some(at),
            message: escape(&message).into_owned(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            None => f.write_str(&self.message),
            Some(at) => write!(f, "{at}: {}", self.message),
        }
    }
}

/// What each line of a CSV file was: the figures add up to [`total`](Self::total).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LineTally {
    /// Lines in the file (a last line without a line break counts).
    pub total: usize,
    /// Lines of the header (one, unless a quoted header name holds a line break).
    pub header: usize,
    /// Lines of the rows that became services.
    pub in_records: usize,
    /// Lines of the rows that were skipped.
    pub in_skipped: usize,
    /// Empty lines, and lines of nothing but separators (`;;;`), as spreadsheets leave.
    pub blank: usize,
    /// Rows (imported or skipped) that span more than one line, because a quoted value
    /// holds line breaks.
    pub multiline_rows: usize,
}

impl LineTally {
    /// Whether every line is counted once.
    pub fn adds_up(&self) -> bool {
        self.header + self.in_records + self.in_skipped + self.blank == self.total
    }
}

/// The SHA-256 digest of a file, shown and stored as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Sha256Digest(pub [u8; 32]);

impl Sha256Digest {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Sha256Digest(Sha256::digest(bytes).into())
    }
}

impl fmt::Display for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for Sha256Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The result of parsing a file: what to store and what to tell the user.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The format it was read as.
    pub format: Format,
    /// The file's size in bytes.
    pub size: u64,
    /// The file's SHA-256 digest, to tell later which file exactly was imported.
    pub sha256: Sha256Digest,
    /// Valid services, in file order.
    pub records: Vec<NewService>,
    /// Rows that were not imported.
    pub skipped: Vec<Skipped>,
    /// Rows imported with changes, and notes on the whole file.
    pub warnings: Vec<Warning>,
    /// Data rows (CSV, blank lines excluded) or features (GeoJSON) read: always
    /// `records.len() + skipped.len()`.
    pub rows: usize,
    /// What each line was (CSV only: a GeoJSON file is accounted for by feature).
    pub lines: Option<LineTally>,
}

impl Parsed {
    fn empty(format: Format, bytes: &[u8], warnings: Vec<Warning>) -> Self {
        Self {
            format,
            size: bytes.len() as u64,
            sha256: Sha256Digest::of(bytes),
            records: Vec::new(),
            skipped: Vec::new(),
            warnings,
            rows: 0,
            lines: None,
        }
    }

    /// Records one row's outcome; whether it became a service.
    fn push(&mut self, at: Place, outcome: Result<(NewService, Vec<Warning>), String>) -> bool {
        self.rows += 1;
        match outcome {
            Ok((record, warnings)) => {
                self.records.push(record);
                self.warnings.extend(warnings);
                true
            }
            Err(reason) => {
                let reason = escape(&reason).into_owned();
                self.skipped.push(Skipped { at, reason });
                false
            }
        }
    }

    /// What the import did, for the operator and the audit log: `written` is what the
    /// store did with the records (`None` for a dry run).
    pub fn summary(&self, written: Option<&UpsertOutcome>) -> Summary {
        Summary {
            format: self.format,
            size: self.size,
            sha256: self.sha256,
            read: self.rows,
            inserted: written.map(|w| w.inserted.len()),
            updated: written.map(|w| w.updated.len()),
            valid: self.records.len(),
            skipped: self.skipped.len(),
            warnings: self.warnings.len(),
            lines: self.lines,
        }
    }
}

/// Who asked for an import and what it read, for the import's audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file as the operator named it (or the built-in data set's name).
    pub file: String,
    /// The operating-system account that ran the command, as its environment says
    /// (`SUDO_USER`, else `USER`); `None` when unknown or not a person (the demo data).
    pub os_user: Option<String>,
}

impl Parsed {
    /// The `after` document of the import's audit entry: the file (name, size, SHA-256,
    /// format), how it was read (`--pending`, the id column, categories and target
    /// groups given), who ran it, and its figures once `written`: rows or features read,
    /// inserted, updated, skipped, warnings, and for CSV what each line was.
    pub fn audit_document(
        &self,
        origin: &Origin,
        opts: &ImportOptions,
        written: &UpsertOutcome,
    ) -> serde_json::Value {
        let s = self.summary(Some(written));
        serde_json::json!({
            "file": origin.file,
            "format": s.format,
            "size": s.size,
            "sha256": s.sha256,
            "pending": opts.status == Status::Pending,
            "id_column": opts.columns.id,
            "categories": opts.categories,
            "target_groups": opts.target_groups,
            "read": s.read,
            "inserted": s.inserted,
            "updated": s.updated,
            "skipped": s.skipped,
            "warnings": s.warnings,
            "lines": s.lines,
            "os_user": origin.os_user,
        })
    }
}

/// The figures of one import: every row or feature read is inserted, updated or skipped
/// (or, in a dry run, valid or skipped); for CSV, every line is in [`LineTally`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// The format the file was read as.
    pub format: Format,
    /// The file's size in bytes.
    pub size: u64,
    /// The file's SHA-256 digest.
    pub sha256: Sha256Digest,
    /// Rows (CSV) or features (GeoJSON) read.
    pub read: usize,
    /// Services added; `None` when nothing was written.
    pub inserted: Option<usize>,
    /// Services updated (matched by their id); `None` when nothing was written.
    pub updated: Option<usize>,
    /// Rows or features that became services (inserted + updated, once written).
    pub valid: usize,
    /// Rows or features skipped.
    pub skipped: usize,
    /// Warnings (fields dropped, encoding guessed).
    pub warnings: usize,
    /// What each line was (CSV only).
    pub lines: Option<LineTally>,
}

impl Summary {
    /// `rows` or `features`: what [`read`](Self::read) counts.
    pub fn unit(&self) -> &'static str {
        match self.format {
            Format::Csv => "rows",
            Format::GeoJson => "features",
        }
    }
}

/// The summary as the command line prints it: one line of rows or features, and for CSV
/// one line of lines, each adding up to the whole.
impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = self.unit();
        match (self.inserted, self.updated) {
            (Some(inserted), Some(updated)) => write!(
                f,
                "{} {unit} read, {inserted} imported, {updated} updated, {} skipped, {} warnings",
                self.read, self.skipped, self.warnings
            )?,
            _ => write!(
                f,
                "{} {unit} read, {} to import, {} skipped, {} warnings (dry run: nothing written)",
                self.read, self.valid, self.skipped, self.warnings
            )?,
        }
        if let Some(l) = &self.lines {
            let kept = if self.inserted.is_some() {
                "in imported or updated rows"
            } else {
                "in rows to import"
            };
            write!(
                f,
                "\n{} lines: {} header, {} {kept}, {} in skipped rows, {} blank",
                l.total, l.header, l.in_records, l.in_skipped, l.blank
            )?;
            if l.multiline_rows > 0 {
                write!(
                    f,
                    " ({} rows span several lines: a quoted value holds line breaks)",
                    l.multiline_rows
                )?;
            }
        }
        Ok(())
    }
}

/// Why a file cannot be imported at all. Problems with single rows are not errors: they are
/// reported in [`Parsed::skipped`]. Text from the file is [escaped](escape) in the messages.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}", path = escape::path(.path))]
    Io {
        /// The file.
        path: PathBuf,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// The CSV file cannot be parsed at all.
    #[error("the CSV file cannot be read: {}", escape(.0))]
    Csv(String),
    /// A quoted CSV value is never closed: read as the csv crate reads it, the rest of the
    /// file would become part of that one value, and its rows would be lost.
    #[error(
        "line {line}: the value of {column} opens with a quote that is never closed, so {rest}; \
         add the closing quote, or remove the opening one (a quote inside a quoted value is \
         written twice: \"\")",
        rest = swallowed(*.line, *.last)
    )]
    UnclosedQuote {
        /// The line where the quote opens.
        line: usize,
        /// The file's last line: everything up to it is swallowed.
        last: usize,
        /// The column, as [`column_name`] shows it.
        column: String,
    },
    /// A quoted CSV value holds line breaks where no value can, or makes a row of the wrong
    /// width: a quote is missing or stray, and the lines it spans cannot be told apart into
    /// rows.
    #[error(
        "lines {first} to {last} were read as {problem}, because a quoted value of {column} \
         opened on line {opened} holds line breaks: a quote is probably missing or stray there"
    )]
    QuotedLineBreak {
        /// The row's first line.
        first: usize,
        /// The row's last line.
        last: usize,
        /// The line where the quote opens.
        opened: usize,
        /// The column, as [`column_name`] shows it.
        column: String,
        /// What makes the row impossible.
        problem: QuoteProblem,
    },
    /// The file holds NUL bytes: it is not text.
    #[error(
        "this is a binary file, not text: line {line} holds a NUL byte{kind}; save the data as \
         CSV (UTF-8) and import that",
        kind = .kind.map(|k| format!(" ({k})")).unwrap_or_default()
    )]
    Binary {
        /// The first line with a NUL byte.
        line: usize,
        /// What the file looks like, when its first bytes tell.
        kind: Option<&'static str>,
    },
    /// Not JSON, or not a GeoJSON Feature or FeatureCollection.
    #[error("the GeoJSON file cannot be read: {}", escape(.0))]
    GeoJson(String),
    /// A mandatory column was not named and none of the usual headers was found.
    #[error("no {what} column found among [{list}]; name it with {flag}", list = header_list(.headers))]
    MissingColumn {
        /// `latitude`, `longitude` or `name`.
        what: &'static str,
        /// The command-line flag that names it, e.g. `--lat-col`.
        flag: &'static str,
        /// The file's headers.
        headers: Vec<String>,
    },
    /// An explicitly named column is not in the file.
    #[error("{flag} {column:?} is not a column of the file; its columns are [{list}]", list = header_list(.headers))]
    UnknownColumn {
        /// The command-line flag that named it, e.g. `--lat-col`.
        flag: &'static str,
        /// The name given.
        column: String,
        /// The file's headers.
        headers: Vec<String>,
    },
    /// A category slug given for the import is not in the taxonomy.
    #[error("unknown category {slug:?}; the categories are: {known}")]
    UnknownCategory {
        /// The slug given.
        slug: String,
        /// The taxonomy's category slugs, comma-separated.
        known: String,
    },
    /// A target-group slug given for the import is not in the taxonomy.
    #[error("unknown target group {slug:?}; the target groups are: {known}")]
    UnknownTargetGroup {
        /// The slug given.
        slug: String,
        /// The taxonomy's target-group slugs, comma-separated.
        known: String,
    },
    /// A CSV file was given no category: its rows cannot say which one they are.
    #[error(
        "CSV import needs --category SLUG: a CSV file does not say what kind of service its rows are"
    )]
    NoCategory,
    /// The format cannot be told or is not supported.
    #[error("unknown format {}: MappaTU imports CSV and GeoJSON", escape(.0))]
    UnknownFormat(String),
}

/// Why a quoted value that spans lines cannot be part of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteProblem {
    /// The row it makes has another number of fields than the header.
    WrongWidth {
        /// Fields of the row.
        fields: usize,
        /// Fields of the header.
        width: usize,
    },
    /// It is in a column read as one line of text (a name, a coordinate, a phone…): only
    /// a description can hold line breaks.
    SingleLineColumn,
}

impl fmt::Display for QuoteProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuoteProblem::WrongWidth { fields, width } => {
                write!(f, "one row of {fields} fields (the header has {width})")
            }
            QuoteProblem::SingleLineColumn => f.write_str(
                "one row whose value spans lines in a column that holds one line (only a \
                 description can span lines)",
            ),
        }
    }
}

/// What an unclosed quote on `line` takes, up to the file's last line.
fn swallowed(line: usize, last: usize) -> String {
    match last.saturating_sub(line) {
        0 => "the value runs to the end of the file (the file's last line)".into(),
        1 => format!("the next line ({last}, the file's last) would be read as part of it"),
        n => format!(
            "the other {n} lines to the end of the file (lines {} to {last}) would be read as \
             part of it",
            line + 1
        ),
    }
}

/// Headers as a list for a message, escaped.
fn header_list(headers: &[String]) -> String {
    headers
        .iter()
        .map(|h| escape(h))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A column as messages name it: `column 2 ("nome")`, its header escaped and cut short.
pub fn column_name(index: usize, headers: &[String]) -> String {
    match headers.get(index).filter(|h| !h.is_empty()) {
        Some(h) => format!("column {} (\"{}\")", index + 1, shorten(&escape(h))),
        None => format!("column {}", index + 1),
    }
}

/// Parses a file's content in the given format.
///
/// Rows that cannot become valid services are skipped and reported, not fatal; an error
/// means nothing can be imported (unreadable file, missing mandatory column, bad options).
pub fn parse_bytes(
    bytes: &[u8],
    format: Format,
    opts: &ImportOptions,
    taxonomy: &Taxonomy,
    area: &BoundingBox,
) -> Result<Parsed, ImportError> {
    match format {
        Format::Csv => csv::parse(bytes, opts, taxonomy, area),
        Format::GeoJson => geojson::parse(bytes, opts, taxonomy, area),
    }
}

/// Reads and parses a file. The format is `opts.format`, else told by the extension
/// (`.csv`, `.tsv`, `.txt` → CSV; `.geojson`, `.json` → GeoJSON), else by the first
/// non-blank byte (`{` → GeoJSON, anything else → CSV).
pub fn parse_file(
    path: &Path,
    opts: &ImportOptions,
    taxonomy: &Taxonomy,
    area: &BoundingBox,
) -> Result<Parsed, ImportError> {
    let bytes = std::fs::read(path).map_err(|source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let format = match opts.format {
        Some(format) => format,
        None => detect_format(path, &bytes)?,
    };
    parse_bytes(&bytes, format, opts, taxonomy, area)
}

/// Tells a file's format from its extension, else from its content.
pub fn detect_format(path: &Path, bytes: &[u8]) -> Result<Format, ImportError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("csv" | "tsv" | "txt") => return Ok(Format::Csv),
        Some("geojson" | "json") => return Ok(Format::GeoJson),
        // Admins will try the spreadsheet itself first: say what to do instead.
        Some(ext @ ("xlsx" | "xls" | "ods")) => {
            return Err(ImportError::UnknownFormat(format!(
                "of a .{ext} spreadsheet: save it as CSV first"
            )));
        }
        _ => {}
    }
    sniff_format(bytes)
}

/// Tells GeoJSON from CSV by the first non-blank byte, after any UTF-8 byte-order mark.
fn sniff_format(bytes: &[u8]) -> Result<Format, ImportError> {
    if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(bytes)
        && encoding != encoding_rs::UTF_8
    {
        // UTF-16 is what spreadsheets write as "Unicode text": tab-separated values.
        return Ok(Format::Csv);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().take(4096).any(|&b| b == 0) {
        return Err(ImportError::UnknownFormat(
            "of a binary file (a spreadsheet?): save it as CSV".into(),
        ));
    }
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Ok(Format::GeoJson),
        _ => Ok(Format::Csv),
    }
}

/// Checks that every slug given for the import is in the taxonomy, before any row is read:
/// a typo would otherwise skip every row with the same reason.
fn check_slugs(opts: &ImportOptions, taxonomy: &Taxonomy) -> Result<(), ImportError> {
    let known = |list: &[crate::domain::Category]| {
        list.iter()
            .map(|c| c.slug.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(slug) = opts
        .categories
        .iter()
        .find(|s| taxonomy.category_bit(s.trim()).is_none())
    {
        return Err(ImportError::UnknownCategory {
            slug: slug.clone(),
            known: known(&taxonomy.categories),
        });
    }
    if let Some(slug) = opts
        .target_groups
        .iter()
        .find(|s| taxonomy.target_bit(s.trim()).is_none())
    {
        return Err(ImportError::UnknownTargetGroup {
            slug: slug.clone(),
            known: known(&taxonomy.target_groups),
        });
    }
    Ok(())
}

/// Turns a latitude and a longitude into a point the directory can list, or says why not.
fn check_point(lat: f64, lon: f64, area: &BoundingBox) -> Result<Coordinates, String> {
    // Registers write 0,0 when nobody geocoded the place; it is a spot in the Gulf of Guinea.
    if lat == 0.0 && lon == 0.0 {
        return Err("coordinates 0,0 are a placeholder, not a place".into());
    }
    let point = Coordinates::new(lat, lon).map_err(|e| e.to_string())?;
    if !area.contains(point) {
        let swapped = Coordinates::new(lon, lat).is_ok_and(|p| area.contains(p));
        let hint = if swapped {
            " (are latitude and longitude swapped?)"
        } else {
            ""
        };
        return Err(format!(
            "{point} is outside the directory's area (minLon,minLat,maxLon,maxLat {area}){hint}"
        ));
    }
    Ok(point)
}

/// Where each external id was first seen, to refuse repeats: two rows with one id would
/// silently overwrite each other on upsert.
#[derive(Debug, Default)]
struct SeenIds(HashMap<String, Place>);

impl SeenIds {
    fn check(&mut self, id: &str, row: Place) -> Result<(), String> {
        match self.0.entry(id.to_string()) {
            Entry::Occupied(first) => {
                Err(format!("duplicate id {id}, first seen on {}", first.get()))
            }
            Entry::Vacant(slot) => {
                slot.insert(row);
                Ok(())
            }
        }
    }
}

/// Contact fields a service is still useful without: when only these are invalid, they are
/// dropped with a warning rather than losing the whole row.
const OPTIONAL_FIELDS: [&str; 4] = ["phone", "email", "website", "opening_hours"];

/// Validates a draft; if only optional contact fields fail, drops them, warns, and validates
/// again. Any other failure is the row's skip reason.
fn validate(
    draft: ServiceDraft,
    point: Coordinates,
    ctx: &Context<'_>,
    prefix: &str,
    row: Place,
) -> Result<(ServiceData, Vec<Warning>), String> {
    let errors = match draft
        .clone()
        .validate(point, ctx.taxonomy, ctx.area, prefix)
    {
        Ok(data) => return Ok((data, Vec::new())),
        Err(errors) => errors,
    };
    let optional = |e: &FieldError| {
        e.field
            .strip_prefix(prefix)
            .is_some_and(|f| OPTIONAL_FIELDS.contains(&f))
    };
    if !errors.iter().all(optional) {
        return Err(join(&errors));
    }
    let mut draft = draft;
    let mut warnings = Vec::new();
    for e in &errors {
        let name = e.field.strip_prefix(prefix).unwrap_or(&e.field);
        let value = optional_slot(&mut draft, name).and_then(Option::take);
        warnings.push(Warning::at(
            row,
            format!(
                "{} dropped: {} (was {:?})",
                e.field,
                e.message,
                shorten(value.as_deref().unwrap_or(""))
            ),
        ));
    }
    let data = draft
        .validate(point, ctx.taxonomy, ctx.area, prefix)
        .map_err(|errors| join(&errors))?;
    Ok((data, warnings))
}

/// The draft's slot for one of [`OPTIONAL_FIELDS`].
fn optional_slot<'d>(draft: &'d mut ServiceDraft, field: &str) -> Option<&'d mut Option<String>> {
    match field {
        "phone" => Some(&mut draft.phone),
        "email" => Some(&mut draft.email),
        "website" => Some(&mut draft.website),
        "opening_hours" => Some(&mut draft.opening_hours),
        _ => None,
    }
}

fn join(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(FieldError::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A value cut to a length that fits in a report line.
fn shorten(value: &str) -> String {
    const MAX: usize = 80;
    if value.chars().count() <= MAX {
        value.to_string()
    } else {
        value.chars().take(MAX).chain(['…']).collect()
    }
}

/// Adds `http://` to web addresses written without a scheme (`www.comune.siena.it`), as
/// registers usually do, and lowercases the scheme, so that they pass validation.
fn normalise_website(raw: String) -> String {
    let trimmed = raw.trim();
    for scheme in ["https://", "http://"] {
        let head = trimmed.get(..scheme.len());
        if head.is_some_and(|h| h.eq_ignore_ascii_case(scheme)) {
            return format!("{scheme}{}", &trimmed[scheme.len()..]);
        }
    }
    if trimmed.is_empty() || trimmed.contains("://") || trimmed.contains('@') {
        // Another scheme, or an email in the wrong column: let validation refuse it.
        return raw;
    }
    format!("http://{trimmed}")
}

/// What every row of one import is checked against.
struct Context<'a> {
    opts: &'a ImportOptions,
    taxonomy: &'a Taxonomy,
    area: &'a BoundingBox,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/import")
            .join(name)
    }

    fn opts(categories: &[&str]) -> ImportOptions {
        ImportOptions {
            format: None,
            status: Status::Pending,
            categories: categories.iter().map(|s| s.to_string()).collect(),
            target_groups: Vec::new(),
            columns: ColumnMap {
                id: Some("codice".into()),
                ..Default::default()
            },
            delimiter: None,
            demo: false,
        }
    }

    fn parse(name: &str, opts: &ImportOptions) -> Result<Parsed, ImportError> {
        parse_file(
            &fixture(name),
            opts,
            &Taxonomy::default_set(),
            &BoundingBox::siena_province(),
        )
    }

    #[test]
    fn a_csv_file_is_told_by_its_extension_and_parsed() {
        let p = parse("servizi-siena.csv", &opts(&["listening-guidance"])).unwrap();
        assert_eq!(p.rows, 5);
        let ids: Vec<_> = p
            .records
            .iter()
            .map(|r| r.external_id.as_deref().unwrap())
            .collect();
        assert_eq!(ids, ["SF-001", "SF-002", "SF-004"]);
        let first = &p.records[0].data;
        assert_eq!(
            first.website.as_deref(),
            Some("http://www.example.org/sportello")
        );
        assert_eq!(
            first.opening_hours.as_ref().map(|h| h.raw()),
            Some("Mo,We 10:00-13:00; Tu 15:00-18:00")
        );
        assert_eq!(
            p.records[1].data.address.as_deref(),
            Some("Via di Città 10, 53100 Siena")
        );
        let skipped: Vec<String> = p.skipped.iter().map(Skipped::to_string).collect();
        assert_eq!(
            skipped,
            [
                "line 4: no coordinates",
                "line 6: coordinates 0,0 are a placeholder, not a place"
            ]
        );
        assert_eq!(p.warnings.len(), 1);
        assert_eq!(p.warnings[0].at, Some(Place::line(3)));
        assert!(p.warnings[0].message.starts_with("email dropped"));
    }

    #[test]
    fn a_geojson_file_is_told_by_its_extension_and_parsed() {
        let mut o = opts(&["listening-guidance"]);
        o.columns.id = None;
        let p = parse("servizi-siena.geojson", &o).unwrap();
        assert_eq!((p.rows, p.records.len()), (3, 2));
        assert_eq!(p.records[0].external_id.as_deref(), Some("SF-001"));
        assert_eq!(
            p.records[0].data.categories,
            ["economic-support", "listening-guidance"]
        );
        assert_eq!(p.records[1].data.categories, ["listening-guidance"]);
        assert_eq!(
            p.skipped[0].to_string(),
            "feature 3: geometry is a LineString: only a Point can be listed"
        );
        assert_eq!(p.warnings.len(), 1);
        assert!(
            p.warnings[0]
                .to_string()
                .starts_with("feature 2: properties.email dropped")
        );
    }

    #[test]
    fn the_summary_adds_up_and_says_what_was_written() {
        let p = parse("servizi-siena.csv", &opts(&["listening-guidance"])).unwrap();
        assert_eq!(
            p.summary(None).to_string(),
            "5 rows read, 3 to import, 2 skipped, 1 warnings (dry run: nothing written)\n\
             6 lines: 1 header, 3 in rows to import, 2 in skipped rows, 0 blank"
        );
        let written = UpsertOutcome {
            inserted: vec![crate::domain::ServiceId(7), crate::domain::ServiceId(8)],
            updated: vec![crate::domain::ServiceId(1)],
        };
        assert_eq!(
            p.summary(Some(&written)).to_string(),
            "5 rows read, 2 imported, 1 updated, 2 skipped, 1 warnings\n\
             6 lines: 1 header, 3 in imported or updated rows, 2 in skipped rows, 0 blank"
        );
        let mut o = opts(&["listening-guidance"]);
        o.columns.id = None;
        let g = parse("servizi-siena.geojson", &o).unwrap();
        assert_eq!(
            g.summary(None).to_string(),
            "3 features read, 2 to import, 1 skipped, 1 warnings (dry run: nothing written)"
        );
    }

    #[test]
    fn the_audit_document_names_the_file_its_reading_and_its_figures() {
        let o = opts(&["listening-guidance"]);
        let p = parse("servizi-siena.csv", &o).unwrap();
        let bytes = std::fs::read(fixture("servizi-siena.csv")).unwrap();
        let origin = Origin {
            file: "/dati/servizi-siena.csv".into(),
            os_user: Some("mario".into()),
        };
        let written = UpsertOutcome {
            inserted: vec![crate::domain::ServiceId(7)],
            updated: vec![crate::domain::ServiceId(1), crate::domain::ServiceId(2)],
        };
        let doc = p.audit_document(&origin, &o, &written);
        assert_eq!(
            doc,
            serde_json::json!({
                "file": "/dati/servizi-siena.csv",
                "format": "csv",
                "size": bytes.len(),
                "sha256": Sha256Digest::of(&bytes).to_string(),
                "pending": true,
                "id_column": "codice",
                "categories": ["listening-guidance"],
                "target_groups": [],
                "read": 5,
                "inserted": 1,
                "updated": 2,
                "skipped": 2,
                "warnings": 1,
                "lines": {
                    "total": 6, "header": 1, "in_records": 3, "in_skipped": 2, "blank": 0,
                    "multiline_rows": 0
                },
                "os_user": "mario",
            })
        );
        assert_eq!(doc["sha256"].as_str().unwrap().len(), 64);
    }

    #[test]
    fn an_explicit_format_wins_over_the_extension() {
        let mut o = opts(&["listening-guidance"]);
        o.format = Some(Format::GeoJson);
        assert!(matches!(
            parse("servizi-siena.csv", &o),
            Err(ImportError::GeoJson(_))
        ));
    }

    #[test]
    fn a_missing_file_names_its_path() {
        let err = parse("nope.csv", &opts(&["health"])).unwrap_err();
        assert!(matches!(err, ImportError::Io { .. }));
        assert!(err.to_string().contains("nope.csv"), "{err}");
    }

    #[test]
    fn format_is_sniffed_when_the_extension_says_nothing() {
        let detect = |name: &str, bytes: &[u8]| detect_format(Path::new(name), bytes);
        assert_eq!(
            detect("export", b"  \n{\"type\":1}").unwrap(),
            Format::GeoJson
        );
        assert_eq!(
            detect("export", b"\xEF\xBB\xBF{}").unwrap(),
            Format::GeoJson
        );
        assert_eq!(
            detect("export.dat", b"nome;lat;lon\n").unwrap(),
            Format::Csv
        );
        assert_eq!(detect("export", b"").unwrap(), Format::Csv);
        assert_eq!(detect("export", b"\xFF\xFEn\0o\0").unwrap(), Format::Csv);
        assert_eq!(detect("DATI.CSV", b"{").unwrap(), Format::Csv);
        assert_eq!(detect("dati.json", b"nome").unwrap(), Format::GeoJson);
        assert!(matches!(
            detect("dati.xlsx", b"PK\x03\x04"),
            Err(ImportError::UnknownFormat(_))
        ));
        assert!(matches!(
            detect("dati", b"PK\x03\x04\0\0"),
            Err(ImportError::UnknownFormat(_))
        ));
    }

    #[test]
    fn formats_parse_from_their_names() {
        assert_eq!("CSV".parse::<Format>().unwrap(), Format::Csv);
        assert_eq!("geojson".parse::<Format>().unwrap(), Format::GeoJson);
        let err = "xml".parse::<Format>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown format \"xml\": MappaTU imports CSV and GeoJSON"
        );
        assert_eq!(Format::GeoJson.to_string(), "geojson");
    }

    #[test]
    fn websites_get_a_scheme_when_they_lack_one() {
        let n = |s: &str| normalise_website(s.to_string());
        assert_eq!(n("www.comune.siena.it"), "http://www.comune.siena.it");
        assert_eq!(n(" HTTPS://Example.org/A "), "https://Example.org/A");
        assert_eq!(n("http://x.it"), "http://x.it");
        assert_eq!(n("ftp://x.it"), "ftp://x.it");
        assert_eq!(n("info@x.it"), "info@x.it");
        assert_eq!(n("àèìòù"), "http://àèìòù");
    }

    #[test]
    fn points_are_checked_for_placeholders_range_and_area() {
        let area = BoundingBox::siena_province();
        assert!(check_point(43.32, 11.33, &area).is_ok());
        assert!(
            check_point(0.0, 0.0, &area)
                .unwrap_err()
                .contains("placeholder")
        );
        assert!(
            check_point(0.0, 11.33, &area)
                .unwrap_err()
                .contains("outside")
        );
        assert!(
            check_point(-91.0, 11.33, &area)
                .unwrap_err()
                .contains("latitude")
        );
        assert!(
            check_point(43.32, 181.0, &area)
                .unwrap_err()
                .contains("longitude")
        );
    }
}
