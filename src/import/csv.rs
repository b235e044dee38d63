//! CSV import, for registers as Italian public bodies publish them: `;`-separated, decimal
//! commas (`43,3206`), Italian headers (`denominazione`, `latitudine`, …), sometimes saved
//! as Windows-1252 by a spreadsheet, with placeholders and typos in real rows.
//!
//! A CSV file does not say what kind of service its rows are, so categories come from the
//! options. Every row becomes a service or a [`Skipped`] entry with its line number.

use super::{
    Context, ImportError, ImportOptions, LineTally, Parsed, Place, QuoteProblem, SeenIds, Warning,
    check_point, check_slugs, column_name, normalise_website, shorten,
};
use crate::domain::Coordinates;
use crate::domain::service::{ServiceDraft, split_codes};
use crate::domain::text::fold;
use crate::domain::{BoundingBox, Taxonomy};
use crate::import::Format;
use crate::store::NewService;
use ::csv::{ReaderBuilder, StringRecord};
use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use std::borrow::Cow;

/// Parses CSV bytes: see the [module documentation](self).
///
/// Every line of the file is accounted for in [`Parsed::lines`]. A quote that is never
/// closed, or a quoted value whose line breaks swallow what must be other rows, makes
/// the whole file an error: its rows cannot be told apart, so none is imported.
pub fn parse(
    bytes: &[u8],
    opts: &ImportOptions,
    taxonomy: &Taxonomy,
    area: &BoundingBox,
) -> Result<Parsed, ImportError> {
    if opts.categories.is_empty() {
        return Err(ImportError::NoCategory);
    }
    check_slugs(opts, taxonomy)?;
    let (text, warnings) = decode(bytes)?;
    let delimiter = opts.delimiter.unwrap_or_else(|| sniff_delimiter(&text));
    let lines = LineIndex::new(&text);
    let mut reader = Records {
        csv: ReaderBuilder::new()
            .delimiter(delimiter)
            // Rows of the wrong width are the row's problem, reported as a skip, not the
            // file's.
            .flexible(true)
            // The header is read as a record like the others, so that its lines are
            // counted and its quotes checked the same way.
            .has_headers(false)
            .from_reader(text.as_bytes()),
        text: text.as_bytes(),
        lines: &lines,
        delimiter,
    };
    let mut record = StringRecord::new();
    let empty =
        || ImportError::Csv("the file is empty: its first line must name the columns".into());
    let header = reader.next(&mut record)?.ok_or_else(empty)?;
    if let Some(quote) = header.unclosed {
        // Its "name" is the rest of the file: name the column by number only.
        return Err(ImportError::UnclosedQuote {
            line: quote.line,
            last: lines.total(),
            column: column_name(quote.field, &[]),
        });
    }
    let headers: Vec<String> = record.iter().map(|h| h.trim().to_string()).collect();
    if headers.iter().all(String::is_empty) {
        return Err(empty());
    }
    let rows = RowReader {
        columns: Columns::resolve(&headers, opts)?,
        width: headers.len(),
        delimiter,
        ctx: Context {
            opts,
            taxonomy,
            area,
        },
    };
    let mut tally = LineTally {
        total: lines.total(),
        header: header.lines(),
        blank: header.first - 1,
        ..LineTally::default()
    };
    let mut last_line = header.last;
    let mut parsed = Parsed::empty(Format::Csv, bytes, warnings);
    let mut seen = SeenIds::default();
    while let Some(span) = reader.next(&mut record)? {
        rows.check_quotes(&span, &record, &headers, &lines)?;
        // csv skips empty lines while it looks for the next record.
        tally.blank += span.first.saturating_sub(last_line + 1);
        last_line = span.last;
        if record.iter().all(|f| f.trim().is_empty()) {
            // Spreadsheets leave `;;;;` lines at the end: nothing to import or report.
            tally.blank += span.lines();
            continue;
        }
        if span.lines() > 1 {
            tally.multiline_rows += 1;
        }
        let at = span.place();
        if parsed.push(at, rows.read(&record, at, &mut seen)) {
            tally.in_records += span.lines();
        } else {
            tally.in_skipped += span.lines();
        }
    }
    tally.blank += lines.total().saturating_sub(last_line);
    if !tally.adds_up() {
        // Cannot happen while csv reads records back to back; refuse rather than report
        // figures that do not add up.
        return Err(ImportError::Csv(format!(
            "its lines cannot be accounted for ({tally:?}): please report this file"
        )));
    }
    parsed.lines = Some(tally);
    Ok(parsed)
}

fn csv_error(e: ::csv::Error) -> ImportError {
    ImportError::Csv(e.to_string())
}

/// The records of the file with the lines each one spans.
struct Records<'a> {
    csv: ::csv::Reader<&'a [u8]>,
    text: &'a [u8],
    lines: &'a LineIndex,
    delimiter: u8,
}

impl Records<'_> {
    /// Reads the next record into `record`; where it is, or `None` at the end.
    fn next(&mut self, record: &mut StringRecord) -> Result<Option<Span>, ImportError> {
        let start = self.csv.position().byte() as usize;
        if !self.csv.read_record(record).map_err(csv_error)? {
            return Ok(None);
        }
        let end = self.csv.position().byte() as usize;
        // What csv consumed before the record are the empty lines it skipped.
        let skipped = self.text[start..end]
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        let start = start + skipped;
        let raw = &self.text[start..end];
        let scan = scan_quotes(raw, self.delimiter);
        let at_line = |offset: usize| self.lines.line_of(start + offset);
        Ok(Some(Span {
            first: self.lines.line_of(start),
            // The terminator, if any, is on the record's last line.
            last: self.lines.line_of(end.saturating_sub(1).max(start)),
            unclosed: scan.unclosed.map(|q| QuoteAt {
                field: q.field,
                line: at_line(q.offset),
            }),
            multiline: scan
                .multiline
                .iter()
                .map(|q| QuoteAt {
                    field: q.field,
                    line: at_line(q.offset),
                })
                .collect(),
        }))
    }
}

/// Where a record lies in the file, and its quoted values that span lines.
#[derive(Debug)]
struct Span {
    /// First line.
    first: usize,
    /// Last line.
    last: usize,
    /// A quoted value that is still open at the end of the file.
    unclosed: Option<QuoteAt>,
    /// Quoted values that hold line breaks.
    multiline: Vec<QuoteAt>,
}

impl Span {
    fn lines(&self) -> usize {
        self.last + 1 - self.first
    }

    fn place(&self) -> Place {
        Place::Lines {
            first: self.first,
            last: self.last,
        }
    }
}

/// A quoted value: its field and the line where its quote opens.
#[derive(Debug, Clone, Copy)]
struct QuoteAt {
    field: usize,
    line: usize,
}

/// A quoted value found by [`scan_quotes`]: its field and the offset of its opening quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Quote {
    field: usize,
    offset: usize,
}

/// What [`scan_quotes`] found in one record.
#[derive(Debug, Default, PartialEq, Eq)]
struct QuoteScan {
    /// Quoted values that hold a line break.
    multiline: Vec<Quote>,
    /// A quoted value still open where the record (the file) ends.
    unclosed: Option<Quote>,
}

/// Finds the quoted values of one record's raw text that hold line breaks or are never
/// closed. It reads quotes as the csv crate does with its defaults (`"` opens a value only
/// at the start of a field, `""` inside one is a quote, a quote closes it), since that is
/// how the values were split; csv itself does not say where a value started.
fn scan_quotes(raw: &[u8], delimiter: u8) -> QuoteScan {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        /// A quote inside a quoted value: it closes the value, or starts `""`.
        QuoteInQuoted,
    }
    let mut scan = QuoteScan::default();
    let mut state = State::FieldStart;
    let mut field = 0;
    let mut open = Quote {
        field: 0,
        offset: 0,
    };
    for (offset, &b) in raw.iter().enumerate() {
        let line_break = matches!(b, b'\r' | b'\n');
        state = match state {
            State::Quoted if b == b'"' => State::QuoteInQuoted,
            State::Quoted => {
                if line_break && scan.multiline.last() != Some(&open) {
                    scan.multiline.push(open);
                }
                State::Quoted
            }
            State::QuoteInQuoted if b == b'"' => State::Quoted,
            _ if line_break => break,
            _ if b == delimiter => {
                field += 1;
                State::FieldStart
            }
            State::FieldStart if b == b'"' => {
                open = Quote { field, offset };
                State::Quoted
            }
            _ => State::Unquoted,
        };
    }
    if state == State::Quoted {
        scan.unclosed = Some(open);
    }
    scan
}

/// The line of each byte of a text. Lines end with `\n`, `\r\n` or a lone `\r`, as the
/// csv crate ends records (and as old spreadsheets on the Mac end lines).
struct LineIndex {
    /// Byte offset where each line starts.
    starts: Vec<usize>,
    /// Lines in the text.
    total: usize,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            let ends_line = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends_line {
                starts.push(i + 1);
            }
        }
        // A break at the very end ends the last line; it does not start another.
        let total = if starts.last() == Some(&bytes.len()) {
            starts.len() - 1
        } else {
            starts.len()
        };
        Self { starts, total }
    }

    /// The 1-based line of a byte.
    fn line_of(&self, byte: usize) -> usize {
        self.starts.partition_point(|&s| s <= byte)
    }

    /// Lines in the text.
    fn total(&self) -> usize {
        self.total
    }
}

/// Decodes the file to text: UTF-8 with or without byte-order mark, UTF-16 with one, and
/// otherwise Windows-1252, which is what Italian spreadsheets on Windows save as "CSV".
/// A file with NUL bytes is not text at all: refused, rather than read as garbage whose
/// "header" would then be shown to the operator.
fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, Vec<Warning>), ImportError> {
    if let Some((encoding, _)) = Encoding::for_bom(bytes)
        && encoding != UTF_8
    {
        // Spreadsheets save "Unicode text" as UTF-16 with a byte-order mark.
        let (text, _, had_errors) = encoding.decode(bytes);
        if let Some(nul) = text.find('\0') {
            return Err(binary(text.as_bytes(), nul));
        }
        let warnings = had_errors
            .then(|| {
                Warning::file(format!(
                    "the file has bytes that are not valid {}: they were replaced with \u{FFFD}",
                    encoding.name()
                ))
            })
            .into_iter()
            .collect();
        return Ok((text, warnings));
    }
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        return Err(binary(bytes, nul));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok((Cow::Borrowed(text), Vec::new())),
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
            let message = format!(
                "the file is not valid UTF-8 (first bad byte on line {line}): read it as \
                 Windows-1252; check that accented letters look right"
            );
            Ok((text, vec![Warning::file(message)]))
        }
    }
}

/// The error for a file with a NUL byte at `nul`, saying what it looks like when its first
/// bytes tell.
fn binary(bytes: &[u8], nul: usize) -> ImportError {
    let line = 1 + bytes[..nul].iter().filter(|&&b| b == b'\n').count();
    let kind = if bytes.starts_with(b"PK\x03\x04") {
        Some("it is a ZIP archive, as .xlsx and .ods spreadsheets are")
    } else if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        Some("it is an old Office document, as .xls spreadsheets are")
    } else if bytes.starts_with(b"%PDF") {
        Some("it is a PDF document")
    } else if bytes.len() >= 4 && bytes[1] == 0 && bytes[3] == 0 && bytes[0] != 0 {
        Some("it looks like UTF-16 text without a byte-order mark: save it as UTF-8")
    } else {
        None
    };
    ImportError::Binary { line, kind }
}

/// Guesses the delimiter from the header line (the first that is not empty, as csv reads
/// it): the most frequent of `;`, tab and `,` outside quotes. Ties go to `;` and then tab,
/// since a `,` is more likely inside a header name.
pub fn sniff_delimiter(text: &str) -> u8 {
    const CANDIDATES: [u8; 3] = [b';', b'\t', b','];
    let mut counts = [0usize; 3];
    let mut quoted = false;
    let text = text.trim_start_matches(['\r', '\n']);
    for b in text.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let best = (0..CANDIDATES.len())
        .rev()
        .max_by_key(|&i| counts[i])
        .unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        CANDIDATES[best]
    }
}

/// A header reduced to what identifies it: `Codice ISTAT Comune`, `codice_istat_comune`
/// and `codice-istat-comune` are all `codiceistatcomune`.
fn key(header: &str) -> String {
    fold(header)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// A field of a service that can come from a column: how the user names it and which
/// headers (as [`key`]s, in order of preference) are taken for it.
struct Field {
    what: &'static str,
    flag: &'static str,
    headers: &'static [&'static str],
}

const LAT: Field = Field {
    what: "latitude",
    flag: "--lat-col",
    headers: &["latitudine", "latitude", "lat", "y", "wgs84lat"],
};
const LON: Field = Field {
    what: "longitude",
    flag: "--lon-col",
    headers: &[
        "longitudine",
        "longitude",
        "lon",
        "lng",
        "long",
        "x",
        "wgs84lon",
    ],
};
const NAME: Field = Field {
    what: "name",
    flag: "--name-col",
    headers: &[
        "denominazione",
        "nome",
        "name",
        "ragionesociale",
        "titolo",
        "struttura",
    ],
};
/// Never guessed: a wrong guess would merge unrelated services on re-import.
const ID: Field = Field {
    what: "id",
    flag: "--id-col",
    headers: &[],
};
const ADDRESS: Field = Field {
    what: "address",
    flag: "--address-col",
    headers: &["indirizzo", "address", "via"],
};
const CITY: Field = Field {
    what: "city",
    flag: "--city-col",
    headers: &["comune", "citta", "city", "localita"],
};
const POSTCODE: Field = Field {
    what: "postcode",
    flag: "--postcode-col",
    headers: &["cap", "postcode", "postalcode", "zip"],
};
const PHONE: Field = Field {
    what: "phone",
    flag: "--phone-col",
    headers: &["telefono", "tel", "phone"],
};
const EMAIL: Field = Field {
    what: "email",
    flag: "--email-col",
    headers: &["email", "mail", "postaelettronica"],
};
const WEBSITE: Field = Field {
    what: "website",
    flag: "--website-col",
    headers: &["url", "sitoweb", "sito", "website", "web"],
};
const ORGANISATION: Field = Field {
    what: "organisation",
    flag: "--organisation-col",
    headers: &[
        "ente",
        "organizzazione",
        "organisation",
        "organization",
        "gestore",
        "titolare",
    ],
};
const DESCRIPTION: Field = Field {
    what: "description",
    flag: "--description-col",
    headers: &["descrizione", "description"],
};
const OPENING_HOURS: Field = Field {
    what: "opening hours",
    flag: "--opening-hours-col",
    headers: &["openinghours", "orari", "orario"],
};

/// Languages spoken at the desk: ISO 639-1 codes separated by `;` or `,` (`it;en`). Found
/// by its header only.
const LANGUAGES: Field = Field {
    what: "languages",
    flag: "",
    headers: &["languages", "lingue", "languagesspoken", "lingueparlate"],
};

/// The column index of each field in this file.
struct Columns {
    lat: usize,
    lon: usize,
    name: usize,
    id: Option<usize>,
    address: Option<usize>,
    city: Option<usize>,
    postcode: Option<usize>,
    phone: Option<usize>,
    email: Option<usize>,
    website: Option<usize>,
    organisation: Option<usize>,
    description: Option<usize>,
    opening_hours: Option<usize>,
    languages: Option<usize>,
}

impl Columns {
    /// Finds every field's column: the one named in the options, else the first usual header.
    fn resolve(headers: &[String], opts: &ImportOptions) -> Result<Self, ImportError> {
        let keys: Vec<String> = headers.iter().map(|h| key(h)).collect();
        let find = |field: &Field, explicit: &Option<String>| match explicit {
            Some(name) => keys
                .iter()
                .position(|k| *k == key(name))
                .map(Some)
                .ok_or_else(|| ImportError::UnknownColumn {
                    flag: field.flag,
                    column: name.clone(),
                    headers: headers.to_vec(),
                }),
            None => Ok(field
                .headers
                .iter()
                .find_map(|wanted| keys.iter().position(|k| k == wanted))),
        };
        let required = |field: &Field, explicit: &Option<String>| {
            find(field, explicit)?.ok_or_else(|| ImportError::MissingColumn {
                what: field.what,
                flag: field.flag,
                headers: headers.to_vec(),
            })
        };
        let c = &opts.columns;
        Ok(Self {
            lat: required(&LAT, &c.lat)?,
            lon: required(&LON, &c.lon)?,
            name: required(&NAME, &c.name)?,
            id: find(&ID, &c.id)?,
            address: find(&ADDRESS, &c.address)?,
            city: find(&CITY, &c.city)?,
            postcode: find(&POSTCODE, &c.postcode)?,
            phone: find(&PHONE, &c.phone)?,
            email: find(&EMAIL, &c.email)?,
            website: find(&WEBSITE, &c.website)?,
            organisation: find(&ORGANISATION, &c.organisation)?,
            description: find(&DESCRIPTION, &c.description)?,
            opening_hours: find(&OPENING_HOURS, &c.opening_hours)?,
            languages: find(&LANGUAGES, &None)?,
        })
    }
}

impl Columns {
    /// Whether a column is read as one line of text: a line break in it can only be a
    /// quote's mistake. The description keeps its line breaks, and columns that are not
    /// read may hold anything.
    fn single_line(&self, index: usize) -> bool {
        let optional = [
            self.id,
            self.address,
            self.city,
            self.postcode,
            self.phone,
            self.email,
            self.website,
            self.organisation,
            self.opening_hours,
            self.languages,
        ];
        [self.lat, self.lon, self.name].contains(&index) || optional.contains(&Some(index))
    }
}

/// Turns records of one file into services.
struct RowReader<'a> {
    columns: Columns,
    /// Number of header fields; a row of another width is misaligned.
    width: usize,
    delimiter: u8,
    ctx: Context<'a>,
}

impl RowReader<'_> {
    /// Refuses a record whose quotes cannot be right: one never closed (the rest of the
    /// file is in it), or one whose line breaks make a row of the wrong width or fall in a
    /// one-line column. Either way other rows were swallowed, and which cannot be told.
    fn check_quotes(
        &self,
        span: &Span,
        record: &StringRecord,
        headers: &[String],
        lines: &LineIndex,
    ) -> Result<(), ImportError> {
        if let Some(quote) = span.unclosed {
            return Err(ImportError::UnclosedQuote {
                line: quote.line,
                last: lines.total(),
                column: column_name(quote.field, headers),
            });
        }
        for quote in &span.multiline {
            let problem = if record.len() != self.width {
                QuoteProblem::WrongWidth {
                    fields: record.len(),
                    width: self.width,
                }
            } else if self.columns.single_line(quote.field) {
                QuoteProblem::SingleLineColumn
            } else {
                continue;
            };
            return Err(ImportError::QuotedLineBreak {
                first: span.first,
                last: span.last,
                opened: quote.line,
                column: column_name(quote.field, headers),
                problem,
            });
        }
        Ok(())
    }

    /// One record: a service and its warnings, or why it was skipped.
    fn read(
        &self,
        record: &StringRecord,
        row: Place,
        seen: &mut SeenIds,
    ) -> Result<(NewService, Vec<Warning>), String> {
        if record.len() != self.width {
            return Err(format!(
                "has {} fields but the header has {}: a value may hold an unquoted {:?}",
                record.len(),
                self.width,
                char::from(self.delimiter)
            ));
        }
        let external_id = cell(record, self.columns.id);
        if let Some(id) = &external_id {
            seen.check(id, row)?;
        }
        let point = self.point(record)?;
        let name = cell(record, Some(self.columns.name)).ok_or("the name is empty")?;
        let (draft, mut warnings) = self.draft(record, name, row);
        let (data, dropped) = super::validate(draft, point, &self.ctx, "", row)?;
        warnings.extend(dropped);
        let record = NewService {
            external_id,
            status: self.ctx.opts.status,
            data,
        };
        Ok((record, warnings))
    }

    /// The row's point, checked against the directory's area.
    fn point(&self, record: &StringRecord) -> Result<Coordinates, String> {
        let lat = cell(record, Some(self.columns.lat));
        let lon = cell(record, Some(self.columns.lon));
        let (Some(lat), Some(lon)) = (lat, lon) else {
            return Err("no coordinates".into());
        };
        check_point(
            degrees(&lat, "latitude")?,
            degrees(&lon, "longitude")?,
            self.ctx.area,
        )
    }

    /// The row's content as a draft to validate, with a warning if a cell was trimmed down.
    fn draft(
        &self,
        record: &StringRecord,
        name: String,
        row: Place,
    ) -> (ServiceDraft, Vec<Warning>) {
        let c = &self.columns;
        let opts = self.ctx.opts;
        let mut warnings = Vec::new();
        let mut email = cell(record, c.email);
        if let Some(first) = email.as_deref().and_then(first_of_several_emails) {
            warnings.push(Warning::at(
                row,
                format!(
                    "email: kept {first:?}, the first of several addresses (was {:?})",
                    shorten(email.as_deref().unwrap_or_default())
                ),
            ));
            email = Some(first.to_string());
        }
        if let Some(tidy) = email.as_deref().and_then(tidied_email) {
            warnings.push(Warning::at(
                row,
                format!(
                    "email: kept {tidy:?}, without the punctuation or mailto: around it (was {:?})",
                    shorten(email.as_deref().unwrap_or_default())
                ),
            ));
            email = Some(tidy.to_string());
        }
        let draft = ServiceDraft {
            name: Some(name),
            organisation: cell(record, c.organisation),
            // Descriptions keep their line breaks; validation trims them.
            description_it: c
                .description
                .and_then(|i| record.get(i))
                .map(str::to_string),
            categories: opts.categories.clone(),
            target_groups: opts.target_groups.clone(),
            address: compose_address(
                cell(record, c.address),
                cell(record, c.postcode),
                cell(record, c.city),
            ),
            phone: cell(record, c.phone),
            email,
            website: cell(record, c.website).map(normalise_website),
            opening_hours: cell(record, c.opening_hours),
            languages: cell(record, c.languages)
                .map(|codes| split_codes(&codes))
                .unwrap_or_default(),
            demo: Some(opts.demo),
            ..Default::default()
        };
        (draft, warnings)
    }
}

/// A cell's text with runs of whitespace (tabs, no-break spaces, as pasted from web pages)
/// made one space; `None` when empty or when the column is absent.
fn cell(record: &StringRecord, column: Option<usize>) -> Option<String> {
    let raw = record.get(column?)?;
    let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

/// Parses a coordinate written with a decimal point or an Italian decimal comma.
fn degrees(raw: &str, what: &str) -> Result<f64, String> {
    let text = raw.trim();
    let number = if text.contains(',') && !text.contains('.') {
        Cow::Owned(text.replacen(',', ".", 1))
    } else {
        Cow::Borrowed(text)
    };
    number
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("{what} {text:?} is not a number"))
}

/// `Via Mazzini 185, 92100 Agrigento`: the street, then postcode and town when given.
fn compose_address(
    street: Option<String>,
    postcode: Option<String>,
    city: Option<String>,
) -> Option<String> {
    let place = [postcode, city].into_iter().flatten().collect::<Vec<_>>();
    let place = (!place.is_empty()).then(|| place.join(" "));
    let parts = [street, place].into_iter().flatten().collect::<Vec<_>>();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Registers often put several addresses in one cell (`a@x.it; b@y.it`, `a@x.it / b@y.it`):
/// the first one, when there are at least two. The service is reachable at it, and the
/// whole cell would not be a valid address.
fn first_of_several_emails(raw: &str) -> Option<&str> {
    let mut addresses = raw
        .split(|c: char| c.is_whitespace() || ";,/".contains(c))
        .filter(|part| part.contains('@'));
    let first = addresses.next()?;
    addresses.next().is_some().then_some(first)
}

/// The address without what registers often leave around it (a `mailto:` prefix, a
/// trailing `;`, `.` or `,`), when there was any: `info@biblioteca.it.` is a typo for
/// `info@biblioteca.it`, not a reason to drop the address.
fn tidied_email(raw: &str) -> Option<&str> {
    let tidy = raw.trim();
    let tidy = tidy
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("mailto:"))
        .map_or(tidy, |_| &tidy[7..]);
    let tidy = tidy.trim_end_matches([';', '.', ',']).trim();
    (tidy != raw && tidy.contains('@')).then_some(tidy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Status;

    #[test]
    fn emails_lose_the_punctuation_around_them() {
        assert_eq!(tidied_email("info@biblio.it."), Some("info@biblio.it"));
        assert_eq!(tidied_email("info@biblio.it;"), Some("info@biblio.it"));
        assert_eq!(
            tidied_email("MAILTO:info@biblio.it"),
            Some("info@biblio.it")
        );
        assert_eq!(tidied_email("info@biblio.it"), None);
        assert_eq!(tidied_email("nobody."), None);
    }
    use crate::import::{ColumnMap, Format, parse_bytes};

    fn opts() -> ImportOptions {
        ImportOptions {
            format: Some(Format::Csv),
            status: Status::Published,
            categories: vec!["education-culture".into()],
            target_groups: Vec::new(),
            columns: ColumnMap::default(),
            delimiter: None,
            demo: false,
        }
    }

    fn parse_with(text: &[u8], opts: &ImportOptions) -> Result<Parsed, ImportError> {
        parse_bytes(
            text,
            Format::Csv,
            opts,
            &Taxonomy::default_set(),
            &BoundingBox::siena_province(),
        )
    }

    /// The options with `column` as the id column.
    fn with_id(column: &str) -> ImportOptions {
        ImportOptions {
            columns: ColumnMap {
                id: Some(column.into()),
                ..Default::default()
            },
            ..opts()
        }
    }

    fn parse_ok(text: &str) -> Parsed {
        parse_with(text.as_bytes(), &opts()).unwrap()
    }

    fn reasons(p: &Parsed) -> Vec<(usize, &str)> {
        p.skipped
            .iter()
            .map(|s| (s.at.start(), s.reason.as_str()))
            .collect()
    }

    const ITALIAN: &str = "\
codice;denominazione;indirizzo;cap;comune;latitudine;longitudine;telefono;email;url
SI-1;Biblioteca di quartiere;Via dei Termini 12;53100;Siena;43,3206;11,3305;+39 0577 123456;info@esempio.it;www.esempio.it
SI-2; Sportello Famiglia ;Piazza del Campo 1;;Siena; 43.3183 ; 11.3317 ;;;
";

    #[test]
    fn semicolons_decimal_commas_and_italian_headers() {
        let p = parse_ok(ITALIAN);
        assert_eq!((p.rows, p.records.len()), (2, 2), "{:?}", p.skipped);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let first = &p.records[0];
        assert_eq!(first.status, Status::Published);
        assert_eq!(first.external_id, None, "the id column is never guessed");
        let d = &first.data;
        assert_eq!(d.name, "Biblioteca di quartiere");
        assert_eq!((d.point.lat(), d.point.lon()), (43.3206, 11.3305));
        assert_eq!(
            d.address.as_deref(),
            Some("Via dei Termini 12, 53100 Siena")
        );
        assert_eq!(d.phone.as_deref(), Some("+39 0577 123456"));
        assert_eq!(d.email.as_deref(), Some("info@esempio.it"));
        assert_eq!(d.website.as_deref(), Some("http://www.esempio.it"));
        assert_eq!(d.categories, ["education-culture"]);
        assert!(!d.demo);
        let second = &p.records[1].data;
        assert_eq!(second.name, "Sportello Famiglia");
        assert_eq!(second.address.as_deref(), Some("Piazza del Campo 1, Siena"));
        assert_eq!(second.email, None);
    }

    #[test]
    fn commas_points_and_english_headers() {
        let text = "Name,Latitude,Longitude,Address,City,Postcode,Opening_Hours,Organization\n\
                    \"Food bank, Siena\",43.31,11.33,\"Via Roma 1\",Siena,53100,\"Mo-Fr 09:00-12:00\",Caritas\n";
        let p = parse_ok(text);
        assert_eq!(p.records.len(), 1, "{:?}", p.skipped);
        let d = &p.records[0].data;
        assert_eq!(d.name, "Food bank, Siena");
        assert_eq!(d.address.as_deref(), Some("Via Roma 1, 53100 Siena"));
        assert_eq!(d.organisation.as_deref(), Some("Caritas"));
        assert_eq!(
            d.opening_hours.as_ref().map(|h| h.raw()),
            Some("Mo-Fr 09:00-12:00")
        );
    }

    #[test]
    fn tabs_are_sniffed_and_an_explicit_delimiter_wins() {
        let tsv = "nome\tlat\tlon\nCentro\t43.3\t11.3\n";
        assert_eq!(parse_ok(tsv).records.len(), 1);
        // `|` is never sniffed: only the option can name it.
        let piped = "nome|lat|lon\nCentro|43.3|11.3\n";
        let o = ImportOptions {
            delimiter: Some(b'|'),
            ..opts()
        };
        assert_eq!(parse_with(piped.as_bytes(), &o).unwrap().records.len(), 1);
    }

    #[test]
    fn sniffing_counts_the_header_line_outside_quotes() {
        assert_eq!(sniff_delimiter("a;b;c\n1,2,3,4,5,6"), b';');
        assert_eq!(sniff_delimiter("\"a;b;c\",d,e\n"), b',');
        assert_eq!(sniff_delimiter("a\tb,c\td\n"), b'\t');
        assert_eq!(sniff_delimiter("a,b;c\n"), b';', "ties go to ';'");
        assert_eq!(sniff_delimiter("single\n"), b',');
        assert_eq!(sniff_delimiter("\r\n\na;b\n"), b';', "empty lines first");
    }

    #[test]
    fn explicit_columns_win_over_guesses_and_name_the_id() {
        let text = "Codice ISIL;Nome;Titolo;Lat WGS84;Lon WGS84;Lat\n\
                    IT-SI0001;Biblioteca;Ignored;43.32;11.33;0\n\
                    IT-SI0002;Ludoteca;Ignored;43.33;11.34;0\n";
        let o = ImportOptions {
            columns: ColumnMap {
                id: Some("codice-isil".into()),
                lat: Some("LAT_WGS84".into()),
                lon: Some("lon wgs84".into()),
                ..Default::default()
            },
            ..opts()
        };
        let p = parse_with(text.as_bytes(), &o).unwrap();
        assert_eq!(p.records.len(), 2, "{:?}", p.skipped);
        assert_eq!(p.records[0].external_id.as_deref(), Some("IT-SI0001"));
        assert_eq!(p.records[0].data.name, "Biblioteca");
        assert_eq!(p.records[1].data.point.lat(), 43.33);
    }

    #[test]
    fn an_explicit_column_that_is_not_a_header_is_an_error() {
        let o = ImportOptions {
            columns: ColumnMap {
                id: Some("isil".into()),
                ..Default::default()
            },
            ..opts()
        };
        let err = parse_with(ITALIAN.as_bytes(), &o).unwrap_err();
        assert!(matches!(
            err,
            ImportError::UnknownColumn {
                flag: "--id-col",
                ..
            }
        ));
        assert!(err.to_string().contains("\"isil\""), "{err}");
        assert!(err.to_string().contains("denominazione"), "{err}");
    }

    #[test]
    fn a_missing_latitude_column_names_the_headers_and_the_flag() {
        let err = parse_with(b"nome;lon\nX;11.3\n", &opts()).unwrap_err();
        assert!(matches!(
            err,
            ImportError::MissingColumn {
                what: "latitude",
                ..
            }
        ));
        assert_eq!(
            err.to_string(),
            "no latitude column found among [nome, lon]; name it with --lat-col"
        );
        let err = parse_with(b"lat;lon\n43.3;11.3\n", &opts()).unwrap_err();
        assert!(err.to_string().contains("--name-col"), "{err}");
        let err = parse_with(b"", &opts()).unwrap_err();
        assert!(matches!(err, ImportError::Csv(_)), "{err}");
    }

    #[test]
    fn categories_are_required_and_checked_before_any_row() {
        let none = ImportOptions {
            categories: Vec::new(),
            ..opts()
        };
        assert!(matches!(
            parse_with(ITALIAN.as_bytes(), &none),
            Err(ImportError::NoCategory)
        ));
        let typo = ImportOptions {
            categories: vec!["education".into()],
            ..opts()
        };
        let err = parse_with(ITALIAN.as_bytes(), &typo).unwrap_err();
        assert!(matches!(err, ImportError::UnknownCategory { .. }));
        assert!(err.to_string().contains("education-culture"), "{err}");
        let group = ImportOptions {
            target_groups: vec!["aliens".into()],
            ..opts()
        };
        assert!(matches!(
            parse_with(ITALIAN.as_bytes(), &group),
            Err(ImportError::UnknownTargetGroup { .. })
        ));
    }

    #[test]
    fn target_groups_and_demo_come_from_the_options() {
        let o = ImportOptions {
            target_groups: vec!["elderly".into()],
            demo: true,
            status: Status::Pending,
            ..opts()
        };
        let p = parse_with(ITALIAN.as_bytes(), &o).unwrap();
        assert_eq!(p.records[0].data.target_groups, ["elderly"]);
        assert!(p.records[0].data.demo);
        assert_eq!(p.records[0].status, Status::Pending);
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_header() {
        let text = "\u{FEFF}latitudine;longitudine;denominazione\n43,3;11,3;Centro\n";
        let p = parse_ok(text);
        assert_eq!(p.records.len(), 1);
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn windows_1252_is_decoded_with_one_warning() {
        // "Città" and "Carità" as a Windows spreadsheet saves them: 0xE0 is "à".
        let bytes = b"nome;citta;lat;lon\nCarit\xe0;Citt\xe0 della Pieve;43.3;11.3\nAltro;Siena;43.3;11.3\n";
        let p = parse_with(bytes, &opts()).unwrap();
        assert_eq!(p.records.len(), 2);
        assert_eq!(p.records[0].data.name, "Carità");
        assert_eq!(
            p.records[0].data.address.as_deref(),
            Some("Città della Pieve")
        );
        assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
        assert_eq!(p.warnings[0].at, None);
        assert!(p.warnings[0].message.contains("Windows-1252"));
        assert!(p.warnings[0].message.contains("line 2"));
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_read() {
        let text = "nome\tlat\tlon\nCentro\t43.3\t11.3\n";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let p = parse_with(&bytes, &opts()).unwrap();
        assert_eq!(p.records.len(), 1, "{:?}", p.skipped);
    }

    #[test]
    fn every_skip_reason_names_its_line() {
        let text = "\
nome;lat;lon
Nessuna coordinata;;
Lettere;abc;11.3
Segnaposto;0;0
Fuori scala;95;11.3
Roma;41,9;12,5
Invertite;11.33;43.32

;;
;43.3;11.3
Troppi campi;43.3;11.3;extra
Buona;43.3;11.3
";
        let p = parse_ok(text);
        assert_eq!(p.rows, 9, "blank lines are not rows");
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.records[0].data.name, "Buona");
        let r = reasons(&p);
        assert_eq!(r[0], (2, "no coordinates"));
        assert_eq!(r[1], (3, "latitude \"abc\" is not a number"));
        assert_eq!(r[2], (4, "coordinates 0,0 are a placeholder, not a place"));
        assert_eq!(
            r[3],
            (5, "latitude must be a number between -90 and 90, got 95")
        );
        assert_eq!(r[4].0, 6);
        assert!(
            r[4].1
                .starts_with("lat 41.900000, lon 12.500000 is outside the directory's area"),
            "{}",
            r[4].1
        );
        assert!(!r[4].1.contains("swapped"));
        assert_eq!(r[5].0, 7);
        assert!(r[5].1.ends_with("(are latitude and longitude swapped?)"));
        assert_eq!(r[6], (10, "the name is empty"));
        assert_eq!(r[7].0, 11);
        assert!(r[7].1.starts_with("has 4 fields but the header has 3"));
        assert_eq!(r.len(), 8);
    }

    fn tally(p: &Parsed) -> LineTally {
        let t = p.lines.expect("a CSV file has a line tally");
        assert!(t.adds_up(), "{t:?}");
        t
    }

    #[test]
    fn an_unclosed_quote_refuses_the_file_naming_its_line_and_what_it_swallows() {
        // The issue's file: two data rows, the first opens a quote it never closes.
        let text = "nome;lat;lon\n\"Centro d'ascolto;43.3;11.3\nBiblioteca;43.31;11.31\n";
        let err = parse_with(text.as_bytes(), &opts()).unwrap_err();
        assert!(
            matches!(
                &err,
                ImportError::UnclosedQuote { line: 2, last: 3, column } if column == "column 1 (\"nome\")"
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "line 2: the value of column 1 (\"nome\") opens with a quote that is never closed, \
             so the next line (3, the file's last) would be read as part of it; add the closing \
             quote, or remove the opening one (a quote inside a quoted value is written twice: \"\")"
        );
        // Further up a longer file, without a final line break.
        let text = "nome;lat;lon;note\nA;43.3;11.3;ok\nB;43.3;11.3;\"aperta\nC;43.3;11.3;x\nD;43.3;11.3;y\nE;43.3;11.3;z";
        let err = parse_with(text.as_bytes(), &opts()).unwrap_err();
        assert!(
            matches!(&err, ImportError::UnclosedQuote { line: 3, last: 6, column } if column == "column 4 (\"note\")"),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .contains("the other 3 lines to the end of the file (lines 4 to 6)"),
            "{err}"
        );
        // On the last line itself.
        let err = parse_with(b"nome;lat;lon\nA;43.3;\"11.3\n", &opts()).unwrap_err();
        assert!(
            matches!(
                err,
                ImportError::UnclosedQuote {
                    line: 2,
                    last: 2,
                    ..
                }
            ),
            "{err:?}"
        );
        // In the header: its columns cannot even be named.
        let err = parse_with(b"nome;\"lat;lon\nA;43.3;11.3\n", &opts()).unwrap_err();
        assert!(
            matches!(&err, ImportError::UnclosedQuote { line: 1, last: 2, column } if column == "column 2"),
            "{err:?}"
        );
    }

    #[test]
    fn a_quote_closed_rows_later_refuses_the_file() {
        // A stray quote closes a value opened lines before: the row has the wrong width.
        let text = "nome;lat;lon\n\"Centro;43.3;11.3\nAltro\";43.4;11.4;x\nBuona;43.3;11.3\n";
        let err = parse_with(text.as_bytes(), &opts()).unwrap_err();
        assert!(
            matches!(
                &err,
                ImportError::QuotedLineBreak {
                    first: 2,
                    last: 3,
                    opened: 2,
                    problem: QuoteProblem::WrongWidth {
                        fields: 4,
                        width: 3
                    },
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "lines 2 to 3 were read as one row of 4 fields (the header has 3), because a quoted \
             value of column 1 (\"nome\") opened on line 2 holds line breaks: a quote is \
             probably missing or stray there"
        );
        // The next quoted name closes it, and by chance the width is right: a name cannot
        // hold line breaks, so the rows it swallowed are not imported as one odd name.
        let text = "nome;lat;lon\n\"Centro;43.3;11.3\nAltro;43.4;11.4\n\"Biblio\";43.31;11.31\n";
        let err = parse_with(text.as_bytes(), &opts()).unwrap_err();
        assert!(
            matches!(
                &err,
                ImportError::QuotedLineBreak {
                    first: 2,
                    last: 4,
                    opened: 2,
                    problem: QuoteProblem::SingleLineColumn,
                    ..
                }
            ),
            "{err:?}"
        );
        // The same in a coordinate column opened on the row's second line.
        let text = "nome;lat;lon;descrizione\nA;43.3;11.3;\"due\nrighe\";\n";
        assert!(matches!(
            parse_with(text.as_bytes(), &opts()).unwrap_err(),
            ImportError::QuotedLineBreak {
                problem: QuoteProblem::WrongWidth { .. },
                ..
            }
        ));
    }

    #[test]
    fn descriptions_may_span_lines_and_every_line_is_counted() {
        let text = "\r\n\
nome;lat;lon;descrizione;note\r\n\
Uno;43.3;11.3;\"Prima riga\r\nseconda riga\";\"note\r\nlibere\r\nsu tre\"\r\n\
\r\n\
Due;abc;11.3;\"Anche\nqui\";\r\n\
;;;;\r\n\
Tre;43.3;11.3;;\r\n\
\r\n";
        let p = parse_ok(text);
        assert_eq!((p.rows, p.records.len()), (3, 2), "{:?}", p.skipped);
        assert_eq!(
            p.records[0].data.description_it.as_deref(),
            Some("Prima riga\nseconda riga")
        );
        assert_eq!(
            p.skipped[0].to_string(),
            "lines 8 to 9: latitude \"abc\" is not a number"
        );
        assert_eq!(
            tally(&p),
            LineTally {
                total: 12,
                header: 1,
                // Lines 3 to 6, and 11.
                in_records: 5,
                in_skipped: 2,
                // Lines 1 and 7, `;;;;` on line 10, line 12.
                blank: 4,
                multiline_rows: 2,
            }
        );
    }

    #[test]
    fn lines_add_up_whatever_ends_them() {
        let cases: [(&str, usize, usize); 6] = [
            ("nome;lat;lon\nA;43.3;11.3\nB;43.3;11.3\n", 3, 0),
            ("nome;lat;lon\nA;43.3;11.3\nB;43.3;11.3", 3, 0),
            ("nome;lat;lon\r\nA;43.3;11.3\r\nB;43.3;11.3\r\n", 3, 0),
            // Old Mac spreadsheets end lines with a lone CR.
            ("nome;lat;lon\rA;43.3;11.3\rB;43.3;11.3\r", 3, 0),
            ("\n\nnome;lat;lon\n\nA;43.3;11.3\n\n\nB;43.3;11.3\n\n", 9, 6),
            ("nome;lat;lon\nA;43.3;11.3\r\n\rB;43.3;11.3\n", 4, 1),
        ];
        for (text, total, blank) in cases {
            let p = parse_ok(text);
            assert_eq!(p.records.len(), 2, "{text:?}");
            let t = tally(&p);
            assert_eq!(
                (t.total, t.blank, t.in_records),
                (total, blank, 2),
                "{text:?}"
            );
        }
    }

    #[test]
    fn quotes_are_read_as_the_csv_crate_reads_them() {
        let scan = |raw: &str| scan_quotes(raw.as_bytes(), b';');
        let q = |field, offset| Quote { field, offset };
        assert_eq!(scan("a;\"b\"\"c\";d\n"), QuoteScan::default());
        // A quote inside an unquoted value is a character like any other.
        assert_eq!(scan("a;b\"c;d\n"), QuoteScan::default());
        assert_eq!(
            scan("a;\"b\nc\";\"d\ne\"\n"),
            QuoteScan {
                multiline: vec![q(1, 2), q(2, 8)],
                unclosed: None
            }
        );
        assert_eq!(
            scan("a;\"b\"x;\"c\nd"),
            QuoteScan {
                multiline: vec![q(2, 7)],
                unclosed: Some(q(2, 7))
            }
        );
        // `""` at the start of a value is an empty quoted value, then text.
        assert_eq!(scan("\"\"x;y\n"), QuoteScan::default());
    }

    #[test]
    fn a_binary_file_is_refused_without_showing_its_bytes() {
        let err = parse_with(b"PK\x03\x04\x14\0\x06\0\x1b[2J", &opts()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "this is a binary file, not text: line 1 holds a NUL byte (it is a ZIP archive, as \
             .xlsx and .ods spreadsheets are); save the data as CSV (UTF-8) and import that"
        );
        let err = parse_with(b"nome;lat;lon\nA;43.3;11.3\n\x7fELF\0", &opts()).unwrap_err();
        assert!(
            matches!(
                err,
                ImportError::Binary {
                    line: 3,
                    kind: None
                }
            ),
            "{err:?}"
        );
        let utf16 = "nome;lat\n".encode_utf16().flat_map(u16::to_le_bytes);
        let err = parse_with(&utf16.collect::<Vec<_>>(), &opts()).unwrap_err();
        assert!(err.to_string().contains("UTF-16"), "{err}");
    }

    #[test]
    fn text_from_the_file_is_escaped_in_errors_and_reasons() {
        let err = parse_with(b"\x1b[31mnome;a;b\n", &opts()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no latitude column found among [\\u{1b}[31mnome, a, b]; name it with --lat-col"
        );
        let text = "id;nome;lat;lon\n\u{1b}]0;x\u{7};A;43.3;11.3\nB\u{9b}2J;B;43.3;11.3\nB\u{9b}2J;C;43.3;11.3\n";
        let o = with_id("id");
        let p = parse_with(text.as_bytes(), &o).unwrap();
        let shown: Vec<String> = p.skipped.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "line 2: has 5 fields but the header has 4: a value may hold an unquoted ';'",
                "line 4: duplicate id B\\u{9b}2J, first seen on line 3"
            ]
        );
    }

    #[test]
    fn duplicate_ids_are_skipped_with_the_first_row() {
        let text = "id;nome;lat;lon\nA;Uno;43.3;11.3\nB;Due;43.3;11.3\n A ;Tre;43.3;11.3\n;Quattro;43.3;11.3\n;Cinque;43.3;11.3\n";
        let o = with_id("id");
        let p = parse_with(text.as_bytes(), &o).unwrap();
        assert_eq!(reasons(&p), [(4, "duplicate id A, first seen on line 2")]);
        let ids: Vec<_> = p.records.iter().map(|r| r.external_id.as_deref()).collect();
        assert_eq!(ids, [Some("A"), Some("B"), None, None]);
    }

    #[test]
    fn bad_contacts_are_dropped_with_a_warning_and_the_row_kept() {
        let text = "nome;lat;lon;email;telefono;sito;orari\n\
                    Centro;43.3;11.3;non è una mail;0577 int. 5;ftp://x.it;quando capita\n\
                    Ufficio;43.3;11.3;\"a@x.it; b@y.it\";0577 123456;HTTPS://Esempio.it;Mo 09:00-12:00\n";
        let p = parse_ok(text);
        assert!(p.skipped.is_empty(), "{:?}", p.skipped);
        let first = &p.records[0].data;
        assert_eq!(
            (
                &first.email,
                &first.phone,
                &first.website,
                first.opening_hours.is_some()
            ),
            (&None, &None, &None, false)
        );
        let row2: Vec<&str> = p
            .warnings
            .iter()
            .filter(|w| w.at == Some(Place::line(2)))
            .map(|w| w.message.as_str())
            .collect();
        assert_eq!(row2.len(), 4, "{row2:?}");
        assert!(row2[0].starts_with("phone dropped: must be a phone number"));
        assert!(row2[1].starts_with("email dropped: must be an email address"));
        assert!(row2[1].ends_with("(was \"non è una mail\")"));
        assert!(row2[2].starts_with("website dropped"));
        assert!(row2[3].starts_with("opening_hours dropped"));
        assert_eq!(
            p.warnings[0].to_string(),
            format!("line 2: {}", row2[0]),
            "Display puts the row first"
        );
        let second = &p.records[1].data;
        assert_eq!(second.email.as_deref(), Some("a@x.it"));
        assert_eq!(second.website.as_deref(), Some("https://Esempio.it"));
        let row3: Vec<_> = p
            .warnings
            .iter()
            .filter(|w| w.at == Some(Place::line(3)))
            .collect();
        assert_eq!(row3.len(), 1);
        assert!(row3[0].message.starts_with("email: kept \"a@x.it\""));
    }

    #[test]
    fn other_validation_failures_skip_the_row() {
        let long = "N".repeat(201);
        let text = format!("nome;lat;lon;email\n{long};43.3;11.3;bad\n");
        let p = parse_ok(&text);
        assert!(p.records.is_empty());
        assert_eq!(
            p.skipped[0].reason,
            "name: is longer than 200 characters; email: must be an email address like name@example.org"
        );
    }

    #[test]
    fn whitespace_inside_cells_is_collapsed() {
        let text =
            "nome;lat;lon;telefono\nCentro\u{a0} d'ascolto;43.3;11.3;+39\u{a0}0577\t123456\n";
        let p = parse_ok(text);
        assert_eq!(p.records[0].data.name, "Centro d'ascolto");
        assert_eq!(p.records[0].data.phone.as_deref(), Some("+39 0577 123456"));
    }

    #[test]
    fn header_keys_ignore_case_accents_and_punctuation() {
        assert_eq!(key("Codice ISTAT comune"), "codiceistatcomune");
        assert_eq!(key("Località"), "localita");
        assert_eq!(key("opening_hours"), "openinghours");
        assert_eq!(key("Posta elettronica"), "postaelettronica");
    }

    #[test]
    fn numbers_take_a_decimal_comma_or_point() {
        assert_eq!(degrees(" 43,3206 ", "latitude"), Ok(43.3206));
        assert_eq!(degrees("-11.5", "longitude"), Ok(-11.5));
        assert!(degrees("43,32,06", "latitude").is_err());
        assert!(degrees("1.000,5", "latitude").is_err());
        assert!(degrees("NaN", "latitude").is_err());
    }

    #[test]
    fn addresses_are_composed_from_what_is_there() {
        let s = |v: &str| Some(v.to_string());
        assert_eq!(
            compose_address(s("Via Mazzini 185"), s("92100"), s("Agrigento")),
            s("Via Mazzini 185, 92100 Agrigento")
        );
        assert_eq!(compose_address(None, None, s("Siena")), s("Siena"));
        assert_eq!(
            compose_address(s("Via Roma 1"), None, None),
            s("Via Roma 1")
        );
        assert_eq!(compose_address(None, None, None), None);
    }
}
