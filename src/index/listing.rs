//! A published service as the index keeps it: compact, because a directory may hold a
//! million of them.
//!
//! All text fields share one allocation, categories and target groups are taxonomy bits,
//! and the opening hours are shared with every service that has the same schedule.

use crate::domain::service::limits;
use crate::domain::text::fold;
use crate::domain::{Coordinates, Hours, Service, ServiceId, Taxonomy, Wheelchair};
use chrono::{DateTime, Utc};

/// The text fields, in the order they are packed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub enum Field {
    /// Name (never empty).
    Name,
    /// Organisation.
    Organisation,
    /// Description in Italian.
    DescriptionIt,
    /// Description in English.
    DescriptionEn,
    /// Address.
    Address,
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
}

const FIELDS: usize = 10;
const NO_CATEGORY: u8 = u8::MAX;

/// A published service, ready to be filtered and rendered.
#[derive(Debug)]
pub struct Listing {
    id: ServiceId,
    point: Coordinates,
    /// Category bits in the service's own order (the first is its main category).
    categories: [u8; limits::CATEGORIES],
    targets: u32,
    wheelchair: Wheelchair,
    demo: bool,
    hours: Option<Hours>,
    updated_at: DateTime<Utc>,
    verified_at: Option<DateTime<Utc>>,
    /// The text fields, back to back; `ends[i]` is where field `i` ends.
    text: Box<str>,
    ends: [u32; FIELDS],
    /// Name, organisation and descriptions folded for search, when folding changes them
    /// beyond ASCII lowercase (most text needs no copy).
    folded: Option<Box<str>>,
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
        let fields: [Option<&str>; FIELDS] = [
            Some(d.name.as_str()),
            d.organisation.as_deref(),
            d.description_it.as_deref(),
            d.description_en.as_deref(),
            d.address.as_deref(),
            d.phone.as_deref(),
            d.email.as_deref(),
            d.website.as_deref(),
            d.accessibility.note_it.as_deref(),
            d.accessibility.note_en.as_deref(),
        ];
        let mut text = String::with_capacity(fields.iter().flatten().map(|f| f.len()).sum());
        let mut ends = [0u32; FIELDS];
        for (end, field) in ends.iter_mut().zip(fields) {
            text.push_str(field.unwrap_or(""));
            *end = text.len() as u32;
        }
        let searchable = &text[..ends[Field::DescriptionEn as usize] as usize];
        let folded = (!searchable.is_ascii()).then(|| fold(searchable).into_boxed_str());
        Self {
            id: s.id,
            point: d.point,
            categories,
            targets: taxonomy.target_mask(&d.target_groups),
            wheelchair: d.accessibility.wheelchair,
            demo: d.demo,
            hours: d.opening_hours,
            updated_at: s.updated_at,
            verified_at: s.verified_at,
            text: text.into_boxed_str(),
            ends,
            folded,
        }
    }

    /// Identifier.
    pub fn id(&self) -> ServiceId {
        self.id
    }

    /// Location.
    pub fn point(&self) -> Coordinates {
        self.point
    }

    /// A text field; `None` when it is empty.
    pub fn field(&self, f: Field) -> Option<&str> {
        let i = f as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        let s = &self.text[start..self.ends[i] as usize];
        (!s.is_empty()).then_some(s)
    }

    /// Starts loading the text a summary shows (name, organisation, address) into cache.
    fn prefetch_summary_text(&self) {
        let text = self.text.as_bytes();
        let name_and_organisation = ..self.ends[Field::Organisation as usize] as usize;
        let address = self.ends[Field::Address as usize - 1] as usize
            ..self.ends[Field::Address as usize] as usize;
        super::prefetch::slice(&text[name_and_organisation]);
        super::prefetch::slice(&text[address]);
    }

    /// Name.
    pub fn name(&self) -> &str {
        self.field(Field::Name).unwrap_or_default()
    }

    /// Category bits, main category first.
    pub fn category_bits(&self) -> impl Iterator<Item = u32> + '_ {
        self.categories
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
        self.targets
    }

    /// Wheelchair access.
    pub fn wheelchair(&self) -> Wheelchair {
        self.wheelchair
    }

    /// Demonstration data.
    pub fn demo(&self) -> bool {
        self.demo
    }

    /// Opening hours.
    pub fn hours(&self) -> Option<&Hours> {
        self.hours.as_ref()
    }

    /// Whether the service is open at `at` (false when its hours are unknown).
    pub fn is_open_at(&self, at: DateTime<Utc>) -> bool {
        self.hours.as_ref().is_some_and(|h| h.is_open_at(at))
    }

    /// When the listing last changed.
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }

    /// When a person last confirmed it.
    pub fn verified_at(&self) -> Option<DateTime<Utc>> {
        self.verified_at
    }

    /// Whether every folded word occurs in name, organisation or descriptions.
    pub fn matches(&self, query: &crate::domain::text::TextQuery) -> bool {
        match &self.folded {
            Some(folded) => query.matches(folded),
            None => query.matches_ascii_ignoring_case(
                &self.text[..self.ends[Field::DescriptionEn as usize] as usize],
            ),
        }
    }
}

/// Starts loading what summaries of `listings` read: the listings first, then their text.
/// Listings lie scattered over the index's memory, so rendering them one after another
/// waits for a miss per listing and another per text; asked for all at once, those misses
/// overlap.
pub fn prefetch_summaries<'a>(listings: impl Iterator<Item = &'a Listing> + Clone) {
    for l in listings.clone() {
        super::prefetch::value(l);
    }
    for l in listings {
        l.prefetch_summary_text();
    }
}
