//! A published service as the index keeps it: compact, because a directory may hold a
//! million of them, and in one allocation, because a list answer reads ten of them from
//! all over memory.
//!
//! The fixed fields and all text share one reference-counted allocation: the header,
//! then the text fields back to back, address, name and organisation first (what a
//! summary shows, so a summary reads a few adjacent cache lines). Words are searched in
//! the index's text index, not here. Categories and target groups are taxonomy bits, and
//! the opening hours are shared with every service that has the same schedule.

use crate::domain::service::limits;
use crate::domain::text::is_plain;
use crate::domain::{Coordinates, Hours, Service, ServiceId, Taxonomy, Wheelchair};
use chrono::{DateTime, Utc};
use triomphe::ThinArc;

/// The text fields, in the order they are packed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub enum Field {
    /// Address.
    Address,
    /// Name (never empty).
    Name,
    /// Organisation.
    Organisation,
    /// Description in Italian.
    DescriptionIt,
    /// Description in English.
    DescriptionEn,
    /// Phone.
    Phone,
    /// Email.
    Email,
    /// Website.
    Website,
    /// Accessibility note in Italian.
    AccessibilityNoteIt,
    /// Accessibility note in English.
    AccessibilityNoteEn,
    /// Languages spoken at the desk: ISO 639-1 codes, comma-separated (see
    /// [`Listing::languages`]).
    Languages,
}

const FIELDS: usize = 11;
const NO_CATEGORY: u8 = u8::MAX;

/// A published service, ready to be filtered and rendered. Cloning it shares it.
#[derive(Clone)]
pub struct Listing(ThinArc<Header, u8>);

/// Everything but the text.
struct Header {
    id: ServiceId,
    point: Coordinates,
    /// Category bits in the service's own order (the first is its main category).
    categories: [u8; limits::CATEGORIES],
    wheelchair: Wheelchair,
    demo: bool,
    targets: u32,
    hours: Option<Hours>,
    updated_at: DateTime<Utc>,
    verified_at: Option<DateTime<Utc>>,
    /// `ends[i]` is where text field `i` ends; the folded text, if any, follows the last.
    ends: [u32; FIELDS],
    /// Bit `i` is set when text field `i` is [plain](crate::domain::text::is_plain), for the fields a summary
    /// shows (address, name, organisation).
    plain: u8,
}

/// The fields whose plainness the header records: those a summary shows.
const PLAIN_FIELDS: [Field; 3] = [Field::Address, Field::Name, Field::Organisation];

impl std::fmt::Debug for Listing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listing")
            .field("id", &self.id())
            .field("name", &self.name())
            .finish_non_exhaustive()
    }
}

impl Listing {
    /// Packs a service. Slugs missing from `taxonomy` are dropped.
    pub fn new(s: Service, taxonomy: &Taxonomy) -> Self {
        let d = s.data;
        let mut categories = [NO_CATEGORY; limits::CATEGORIES];
        for (slot, bit) in categories
            .iter_mut()
            .zip(d.categories.iter().filter_map(|c| taxonomy.category_bit(c)))
        {
            *slot = bit as u8;
        }
        let languages = d.languages.join(",");
        // In the order of `Field`.
        let fields: [Option<&str>; FIELDS] = [
            d.address.as_deref(),
            Some(d.name.as_str()),
            d.organisation.as_deref(),
            d.description_it.as_deref(),
            d.description_en.as_deref(),
            d.phone.as_deref(),
            d.email.as_deref(),
            d.website.as_deref(),
            d.accessibility.note_it.as_deref(),
            d.accessibility.note_en.as_deref(),
            Some(languages.as_str()),
        ];
        let mut text = String::with_capacity(fields.iter().flatten().map(|f| f.len()).sum());
        let mut ends = [0u32; FIELDS];
        for (end, field) in ends.iter_mut().zip(fields) {
            text.push_str(field.unwrap_or(""));
            *end = text.len() as u32;
        }
        let plain = PLAIN_FIELDS
            .iter()
            .filter(|f| is_plain(&text[range(&ends, **f)]))
            .fold(0u8, |bits, f| bits | 1 << *f as usize);
        let header = Header {
            id: s.id,
            point: d.point,
            categories,
            wheelchair: d.accessibility.wheelchair,
            demo: d.demo,
            targets: taxonomy.target_mask(&d.target_groups),
            hours: d.opening_hours,
            updated_at: s.updated_at,
            verified_at: s.verified_at,
            ends,
            plain,
        };
        Self(ThinArc::from_header_and_slice(header, text.as_bytes()))
    }

    fn header(&self) -> &Header {
        &self.0.header.header
    }

    /// Whether two listings are the same allocation (one version of one service).
    pub fn same(&self, other: &Listing) -> bool {
        std::ptr::eq(self.header(), other.header())
    }

    /// All the text: the fields back to back.
    fn text(&self) -> &str {
        // SAFETY: the slice is only ever written in `Listing::new`, from the bytes of a
        // `String`, and never changed after; checking it again on every read of a field
        // made rendering a summary 10 % slower (BENCHMARKS.md, stop 10).
        unsafe { std::str::from_utf8_unchecked(&self.0.slice) }
    }

    /// Identifier.
    pub fn id(&self) -> ServiceId {
        self.header().id
    }

    /// Location.
    pub fn point(&self) -> Coordinates {
        self.header().point
    }

    /// A text field; `None` when it is empty.
    pub fn field(&self, f: Field) -> Option<&str> {
        let s = self.text().get(range(&self.header().ends, f))?;
        (!s.is_empty()).then_some(s)
    }

    /// Starts loading what a summary reads (the header, address, name and organisation)
    /// into cache, without waiting for any of it: they lie at the start of the
    /// allocation, and a line or two of text past the header covers them nearly always.
    fn prefetch_summary(&self) {
        const SUMMARY_BYTES: usize = 4 * 64;
        super::prefetch::bytes(std::ptr::from_ref(self.header()).cast(), SUMMARY_BYTES);
    }

    /// Whether text field `f` is known to be [plain](crate::domain::text::is_plain); false for the fields
    /// whose plainness is not recorded (all but address, name and organisation).
    pub fn is_plain(&self, f: Field) -> bool {
        PLAIN_FIELDS.contains(&f) && self.header().plain & (1 << f as usize) != 0
    }

    /// Name.
    pub fn name(&self) -> &str {
        self.field(Field::Name).unwrap_or_default()
    }

    /// The languages spoken at the desk, ISO 639-1 codes in the order given.
    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.field(Field::Languages)
            .unwrap_or_default()
            .split(',')
            .filter(|c| !c.is_empty())
    }

    /// Whether any of `codes` is spoken at the desk.
    pub fn speaks_any(&self, codes: &[String]) -> bool {
        self.languages().any(|l| codes.iter().any(|c| c == l))
    }

    /// Category bits, main category first.
    pub fn category_bits(&self) -> impl Iterator<Item = u32> + '_ {
        self.header()
            .categories
            .iter()
            .take_while(|b| **b != NO_CATEGORY)
            .map(|b| u32::from(*b))
    }

    /// Category bit set.
    pub fn category_mask(&self) -> u64 {
        self.category_bits().fold(0, |m, b| m | (1 << b))
    }

    /// Target-group bit set.
    pub fn target_mask(&self) -> u32 {
        self.header().targets
    }

    /// Wheelchair access.
    pub fn wheelchair(&self) -> Wheelchair {
        self.header().wheelchair
    }

    /// Demonstration data.
    pub fn demo(&self) -> bool {
        self.header().demo
    }

    /// Opening hours.
    pub fn hours(&self) -> Option<&Hours> {
        self.header().hours.as_ref()
    }

    /// Whether the service is open at `at` (false when its hours are unknown).
    pub fn is_open_at(&self, at: DateTime<Utc>) -> bool {
        self.hours().is_some_and(|h| h.is_open_at(at))
    }

    /// When the listing last changed.
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.header().updated_at
    }

    /// When a person last confirmed it.
    pub fn verified_at(&self) -> Option<DateTime<Utc>> {
        self.header().verified_at
    }
}

/// Where field `f` lies in the text.
fn range(ends: &[u32; FIELDS], f: Field) -> std::ops::Range<usize> {
    let i = f as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    start..ends[i] as usize
}

/// Starts loading what summaries of `listings` read. Listings lie scattered over the
/// index's memory, so rendering them one after another would wait for a miss per
/// listing; asked for all at once, those misses overlap.
pub fn prefetch_summaries<'a>(listings: impl Iterator<Item = &'a Listing>) {
    for l in listings {
        l.prefetch_summary();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{BoundingBox, Taxonomy};

    /// Every field reads back as it went in, empty ones as `None`, whatever the text.
    #[test]
    fn every_field_reads_back_as_packed() {
        let taxonomy = Taxonomy::default_set();
        let area = BoundingBox::siena_province();
        let mut s = crate::import::synthetic::published(1, 5, &taxonomy, &area).remove(0);
        s.data.name = "Caritas di Siena — mensa".into();
        s.data.organisation = None;
        s.data.description_it = Some("Pasti caldi, carità".into());
        s.data.description_en = Some("Hot meals".into());
        s.data.address = Some("Via del Refugio 4".into());
        s.data.phone = Some("+39 0577 123456".into());
        s.data.email = None;
        s.data.website = Some("https://example.org".into());
        s.data.accessibility.note_it = Some("Rampa".into());
        s.data.accessibility.note_en = Some("Ramp".into());
        s.data.languages = vec!["it".into(), "en".into()];
        let l = Listing::new(s.clone(), &taxonomy);
        assert_eq!(l.field(Field::Address), Some("Via del Refugio 4"));
        assert_eq!(l.name(), "Caritas di Siena — mensa");
        assert_eq!(l.field(Field::Organisation), None);
        assert_eq!(l.field(Field::DescriptionIt), Some("Pasti caldi, carità"));
        assert_eq!(l.field(Field::DescriptionEn), Some("Hot meals"));
        assert_eq!(l.field(Field::Phone), Some("+39 0577 123456"));
        assert_eq!(l.field(Field::Email), None);
        assert_eq!(l.field(Field::Website), Some("https://example.org"));
        assert_eq!(l.field(Field::AccessibilityNoteIt), Some("Rampa"));
        assert_eq!(l.field(Field::AccessibilityNoteEn), Some("Ramp"));
        assert_eq!(l.languages().collect::<Vec<_>>(), ["it", "en"]);
        assert!(l.speaks_any(&["ar".into(), "en".into()]));
        assert!(!l.speaks_any(&["ar".into()]));
        assert_eq!(l.id(), s.id);
    }
}
