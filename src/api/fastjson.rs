//! The list answers' JSON written by hand: the nearest and bounding-box endpoints are the
//! hot path, and serde's derived serialiser spends most of its time there on the field
//! machinery (escaping each key, one call per piece). This writes the same bytes as
//! `serde_json::to_vec` of the same values — a test compares the two on every kind of
//! text — and leaves schema and meaning to the derived types in `model`.

#[cfg(doc)]
use super::model::ServiceCollection;
use super::model::{
    COORDINATE_DECIMALS, DISTANCE_DECIMALS, ServiceFeature, Slugs, SummaryFeature, round_to,
};
use crate::domain::{QuotedSlugs, Taxonomy, Wheelchair};
use crate::index::{Field, Listing, prefetch_summaries};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Appends `value` as serde_json would.
fn serde<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    // Writing into a Vec cannot fail, and these values have no map keys that could.
    serde_json::to_writer(&mut *out, value).expect("serialising into memory");
}

/// Appends a JSON string; text with nothing to escape (almost all) is copied as it is.
fn string(out: &mut Vec<u8>, s: &str) {
    known_string(out, s, !needs_escape(s.as_bytes()));
}

/// Whether JSON needs an escape for any of `bytes`: a control character, `"` or `\`.
/// This runs on every string of every answer, and those are short (a name, an address),
/// so it tests eight bytes at a time in a machine word rather than leaving a byte-by-byte
/// tail after a vector loop. The tail is read as the last eight bytes, overlapping the
/// last whole word (testing a byte twice changes nothing), and a string shorter than a
/// word is put together in a register: copying either into a padded buffer on the stack
/// and reading it back as a word stalled on the copy's narrow stores, and was a third of
/// writing a whole answer (BENCHMARKS.md, stop 10).
fn needs_escape(bytes: &[u8]) -> bool {
    let word = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("eight bytes"));
    if bytes.len() < 8 {
        // Padded with a letter, which needs no escape.
        let mut w = u64::from_le_bytes([b'a'; 8]);
        for (i, b) in bytes.iter().enumerate() {
            w = (w & !(0xff << (8 * i))) | (u64::from(*b) << (8 * i));
        }
        return word_needs_escape(w);
    }
    let mut words = bytes.chunks_exact(8);
    let mut any = false;
    for w in &mut words {
        any |= word_needs_escape(word(w));
    }
    if !words.remainder().is_empty() {
        any |= word_needs_escape(word(&bytes[bytes.len() - 8..]));
    }
    any
}

/// Whether any byte of `w` is below 0x20, `"` or `\`. Subtracting n from every byte flags a
/// byte's top bit only if that byte, or a lower one that borrowed, is below n; so the
/// lowest flag is always a true one and each test is exact for "any" (Anderson's bit
/// hacks, "determine if a word has a byte less than n").
fn word_needs_escape(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const TOPS: u64 = 0x8080_8080_8080_8080;
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & TOPS;
    (below(w, 0x20)
        | below(w ^ (ONES * u64::from(b'"')), 1)
        | below(w ^ (ONES * u64::from(b'\\')), 1))
        != 0
}

fn opt_string(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// [`string`] for text already known to be [plain](crate::domain::text::is_plain) or
/// not, which skips the check.
fn known_string(out: &mut Vec<u8>, s: &str, plain: bool) {
    if plain {
        debug_assert!(!needs_escape(s.as_bytes()));
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        serde(out, s);
    }
}

fn opt_known_string(out: &mut Vec<u8>, s: Option<&str>, plain: bool) {
    match s {
        Some(s) => known_string(out, s, plain),
        None => out.extend_from_slice(b"null"),
    }
}

fn integer(out: &mut Vec<u8>, n: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// A number as serde_json writes an `f64`: the shortest digits that read back as the same
/// number, by the same formatter (zmij); `null` when not finite.
fn float(out: &mut Vec<u8>, x: f64) {
    if x.is_finite() {
        out.extend_from_slice(zmij::Buffer::new().format_finite(x).as_bytes());
    } else {
        out.extend_from_slice(b"null");
    }
}

/// `x` rounded to `DECIMALS` decimals (by [`round_to`], as the models round), written as [`float`] would write the rounded number, from its integer digits.
///
/// The rounded number is the double nearest to a decimal of at most `DECIMALS` decimals,
/// and with fewer than 16 significant digits that decimal is also its shortest
/// round-trip form; so the digits are those of the scaled integer, trailing zeros
/// dropped, with `.0` for a whole number, which is how zmij writes numbers from 1 up.
/// Below 1 (where zmij may choose an exponent) and from 10^(15 - DECIMALS) (more than 15
/// significant digits, where a shorter decimal may read back as the same double) the
/// formatter itself writes it: neither happens to a coordinate or a distance on Earth.
fn rounded<const DECIMALS: u32>(out: &mut Vec<u8>, x: f64) {
    let scale = 10_u64.pow(DECIMALS);
    // round_to's numerator: the rounded number is this over `scale`, and these are its
    // digits (scaling the rounded number back would give the same whole number).
    let y = x * scale as f64;
    // Zero, and so the formatter, also where `y` is not a number.
    let digits = if y.abs() < 1e15 {
        round_half_away(y)
    } else {
        0
    };
    if !(scale..1_000_000_000_000_000).contains(&digits.unsigned_abs()) {
        return float(out, round_to(x, DECIMALS));
    }
    // Written right to left into one buffer and copied out once: a copy per part (sign,
    // whole part, point, zeros, fraction) made a whole answer 4 % slower to write
    // (BENCHMARKS.md, stop 13).
    let negative = digits < 0;
    let digits = digits.unsigned_abs();
    let (mut whole, mut fraction) = (digits / scale, digits % scale);
    // At most 15 digits, a sign and a point.
    let mut buf = [0_u8; 17];
    let mut at = buf.len();
    if fraction == 0 {
        at -= 1;
        buf[at] = b'0';
    } else {
        let mut width = DECIMALS;
        while fraction.is_multiple_of(10) {
            fraction /= 10;
            width -= 1;
        }
        for _ in 0..width {
            at -= 1;
            buf[at] = b'0' + (fraction % 10) as u8;
            fraction /= 10;
        }
    }
    at -= 1;
    buf[at] = b'.';
    loop {
        at -= 1;
        buf[at] = b'0' + (whole % 10) as u8;
        whole /= 10;
        if whole == 0 {
            break;
        }
    }
    if negative {
        at -= 1;
        buf[at] = b'-';
    }
    out.extend_from_slice(&buf[at..]);
}

/// `y.round()` as a whole number, for |y| < 10^15, without the library call `round` is
/// on a processor without SSE4.1 (the baseline x86-64 target): below 2^52 the cast
/// truncates exactly and the fraction it drops is exact, so comparing that with one half
/// rounds half away from zero as `round` does.
fn round_half_away(y: f64) -> i64 {
    debug_assert!(y.abs() < 1e15);
    let whole = y as i64;
    let fraction = y - whole as f64;
    if fraction >= 0.5 {
        whole + 1
    } else if fraction <= -0.5 {
        whole - 1
    } else {
        whole
    }
}

/// Appends `slugs` as a JSON list, each copied already quoted from `quoted` (by its bit).
fn slugs<'q>(out: &mut Vec<u8>, slugs: &Slugs<'_>, quoted: impl Fn(usize) -> Option<&'q [u8]>) {
    out.push(b'[');
    for (i, slug) in slugs.positions().filter_map(quoted).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(slug);
    }
    out.push(b']');
}

/// Room for everything of a summary but its free text: keys, numbers, slugs, flags.
const SUMMARY_FIXED: usize = 512;

/// A list answer: a GeoJSON FeatureCollection written straight from the listings, the
/// bytes `serde_json::to_vec` gives for the [`ServiceCollection`] of the same features.
/// Each feature is written as soon as it is made, rather than first collected (376 bytes
/// each) into a vector of [`ListFeature`](super::model::ListFeature)s: with that gone, and
/// constants written in one piece, a nearest answer takes about 10 % less time to write
/// (BENCHMARKS.md, stop 11).
#[derive(Debug, Clone)]
pub struct ListAnswer<'a> {
    /// Every field (`detail=full`) rather than the summary.
    pub full: bool,
    /// The taxonomy the index was built with, for the slugs.
    pub taxonomy: &'a Taxonomy,
    /// The same taxonomy's slugs, quoted.
    pub slugs: &'a QuotedSlugs,
    /// The time `open_now` is answered for.
    pub now: DateTime<Utc>,
    /// How many match in all (bounding-box queries only).
    pub total: Option<usize>,
    /// The next page's cursor, or null on the last one (bounding-box queries only).
    pub next_cursor: Option<Option<String>>,
}

impl ListAnswer<'_> {
    /// The answer for `items`: listings with their distances when known, in order.
    pub fn to_json<'l>(
        &self,
        items: impl Iterator<Item = (&'l Listing, Option<f64>)> + Clone,
    ) -> Vec<u8> {
        // The listings lie all over memory: ask for all of them before reading any, so
        // that their cache misses overlap instead of following one another.
        prefetch_summaries(items.clone().map(|(l, _)| l));
        let mut out = Vec::with_capacity(512 + 512 * items.size_hint().0);
        out.extend_from_slice(b"{\"type\":\"FeatureCollection\",\"features\":[");
        for (i, (l, distance_m)) in items.enumerate() {
            if i > 0 {
                out.push(b',');
            }
            if self.full {
                serde(
                    &mut out,
                    &ServiceFeature::new(l, self.taxonomy, self.now, distance_m),
                );
            } else {
                SummaryFeature::new(l, self.taxonomy, self.now, distance_m).write_json(
                    &mut out,
                    Plain::of(l),
                    self.slugs,
                );
            }
        }
        out.push(b']');
        if let Some(total) = self.total {
            out.extend_from_slice(b",\"total\":");
            integer(&mut out, total);
        }
        if let Some(cursor) = &self.next_cursor {
            out.extend_from_slice(b",\"next_cursor\":");
            opt_string(&mut out, cursor.as_deref());
        }
        out.push(b'}');
        out
    }
}

/// Which of a summary's texts are known to be plain, recorded when the listing was built.
#[derive(Debug, Clone, Copy)]
struct Plain {
    name: bool,
    organisation: bool,
    address: bool,
    hours: bool,
}

impl Plain {
    fn of(l: &Listing) -> Self {
        Self {
            name: l.is_plain(Field::Name),
            organisation: l.is_plain(Field::Organisation),
            address: l.is_plain(Field::Address),
            hours: l.hours().is_some_and(|h| h.raw_is_plain()),
        }
    }
}

impl SummaryFeature<'_> {
    /// Appends the feature as serde_json writes it. The `type`s are constants, written
    /// with the keys around them in one piece; texts that `plain` says need no escape
    /// are copied without checking them again.
    fn write_json(&self, out: &mut Vec<u8>, plain: Plain, quoted: &QuotedSlugs) {
        debug_assert_eq!((self.kind, self.geometry.kind), ("Feature", "Point"));
        let p = &self.properties;
        let text = |s: Option<&str>| s.map_or(0, str::len);
        out.reserve(
            SUMMARY_FIXED
                + p.name.len()
                + text(p.organisation)
                + text(p.address)
                + text(p.opening_hours),
        );
        // The id is written twice, formatted once.
        let mut id = itoa::Buffer::new();
        let id = id.format(self.id).as_bytes();
        debug_assert_eq!(self.id, p.id);
        out.extend_from_slice(b"{\"type\":\"Feature\",\"id\":");
        out.extend_from_slice(id);
        out.extend_from_slice(b",\"geometry\":{\"type\":\"Point\",\"coordinates\":[");
        let [lon, lat] = self.geometry.coordinates;
        rounded::<{ COORDINATE_DECIMALS }>(out, lon);
        out.push(b',');
        rounded::<{ COORDINATE_DECIMALS }>(out, lat);
        out.extend_from_slice(b"]},\"properties\":{\"id\":");
        out.extend_from_slice(id);
        out.extend_from_slice(b",\"name\":");
        known_string(out, p.name, plain.name);
        out.extend_from_slice(b",\"organisation\":");
        opt_known_string(out, p.organisation, plain.organisation);
        out.extend_from_slice(b",\"categories\":");
        slugs(out, &p.categories, |bit| quoted.category(bit));
        out.extend_from_slice(b",\"target_groups\":");
        slugs(out, &p.target_groups, |bit| quoted.target_group(bit));
        out.extend_from_slice(b",\"address\":");
        opt_known_string(out, p.address, plain.address);
        out.extend_from_slice(b",\"opening_hours\":");
        opt_known_string(out, p.opening_hours, plain.hours);
        out.extend_from_slice(match p.open_now {
            Some(true) => b",\"open_now\":true,\"wheelchair\":",
            Some(false) => b",\"open_now\":false,\"wheelchair\":",
            None => b",\"open_now\":null,\"wheelchair\":",
        });
        out.extend_from_slice(match p.wheelchair {
            Wheelchair::Yes => br#""yes""#,
            Wheelchair::Limited => br#""limited""#,
            Wheelchair::No => br#""no""#,
            Wheelchair::Unknown => br#""unknown""#,
        });
        out.extend_from_slice(if p.demo {
            b",\"demo\":true"
        } else {
            b",\"demo\":false"
        });
        if let Some(d) = p.distance_m {
            out.extend_from_slice(b",\"distance_m\":");
            // Already rounded; rounding again changes nothing and gives the digits.
            rounded::<{ DISTANCE_DECIMALS }>(out, d);
        }
        out.extend_from_slice(b"}}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::{ListFeature, ServiceCollection};
    use crate::domain::BoundingBox;
    use chrono::TimeZone;

    #[test]
    fn writes_exactly_what_serde_writes() {
        let taxonomy = Taxonomy::default_set();
        let area = BoundingBox::siena_province();
        let mut services = crate::import::synthetic::published(240, 7, &taxonomy, &area);
        let texts = [
            "quote \" and backslash \\",
            "tab\tnewline\ncontrol \u{1} delete \u{7f}",
            "carità àèìòù — «»",
            "</script><script>alert(1)</script>",
            "emoji 🧭 and a slash /",
            "",
        ];
        for (i, s) in services.iter_mut().enumerate() {
            let t = texts[i % texts.len()];
            if i % 3 == 0 {
                s.data.name = format!("{t} {i}");
            }
            if i % 4 == 1 {
                s.data.organisation = None;
                s.data.address = Some(t.to_string());
            }
            if i % 5 == 2 {
                s.data.opening_hours = None;
                s.data.organisation = Some(t.to_string());
            }
            if i % 7 == 3 {
                // A comment is quoted: the raw text needs escaping.
                s.data.opening_hours = Some(
                    crate::domain::Hours::parse(r#"Mo-Fr 09:00-12:00 "su appuntamento""#).unwrap(),
                );
            }
        }
        let listings: Vec<Listing> = services
            .into_iter()
            .map(|s| Listing::new(s, &taxonomy))
            .collect();
        // Slugs are written from their quoted copies: those must be escaped too, should a
        // taxonomy that was never checked hold a slug that needs it.
        let mut taxonomy = taxonomy;
        taxonomy.categories[0].slug = "quote \" and \u{1}".into();
        taxonomy.target_groups[1].slug = "back\\slash".into();
        let slugs = QuotedSlugs::of(&taxonomy);
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
        let pages = [
            (false, None, None),
            (false, Some(240), Some(None)),
            (false, Some(5), Some(Some("17".to_string()))),
            (true, Some(3), Some(None)),
        ];
        for (full, total, next_cursor) in pages {
            let items = listings
                .iter()
                .enumerate()
                .map(|(i, l)| (l, (i % 2 == 0).then_some(i as f64 * 12.345 + 0.05)));
            let features = items
                .clone()
                .map(|(l, d)| ListFeature::new(full, l, &taxonomy, now, d))
                .collect();
            let answer = ListAnswer {
                full,
                taxonomy: &taxonomy,
                slugs: &slugs,
                now,
                total,
                next_cursor: next_cursor.clone(),
            };
            let ours = String::from_utf8(answer.to_json(items)).unwrap();
            let model = ServiceCollection {
                kind: "FeatureCollection",
                features,
                total,
                next_cursor,
            };
            assert_eq!(ours, serde_json::to_string(&model).unwrap());
        }
        let answer = ListAnswer {
            full: false,
            taxonomy: &taxonomy,
            slugs: &slugs,
            now,
            total: None,
            next_cursor: None,
        };
        assert_eq!(
            answer.to_json(std::iter::empty()),
            br#"{"type":"FeatureCollection","features":[]}"#
        );
    }

    #[test]
    fn escape_check_finds_every_character_that_needs_one_wherever_it_is() {
        let naive = |b: &[u8]| b.iter().any(|&c| c < 0x20 || c == b'"' || c == b'\\');
        let fillers = ["a", "é", "\u{7f}", "🧭", "!", "#", "[", "]"];
        for len in 0..=26 {
            for filler in fillers {
                let base: String = filler.repeat(len);
                let bytes = base.as_bytes();
                assert_eq!(needs_escape(bytes), naive(bytes), "{base:?}");
                for at in 0..bytes.len() {
                    for special in [
                        b'"', b'\\', 0x00, 0x1f, b'\n', 0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7f, 0x80,
                        0xff,
                    ] {
                        let mut b = bytes.to_vec();
                        b[at] = special;
                        assert_eq!(needs_escape(&b), naive(&b), "{b:?}");
                    }
                }
            }
        }
    }

    /// What serde_json writes for `x` rounded as the models round it.
    fn serde_rounded(x: f64, decimals: u32) -> String {
        let scale = 10_u64.pow(decimals) as f64;
        serde_json::to_string(&((x * scale).round() / scale)).unwrap()
    }

    fn ours<const DECIMALS: u32>(x: f64) -> String {
        let mut out = Vec::new();
        rounded::<DECIMALS>(&mut out, x);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn rounded_numbers_have_serde_digits() {
        let mut edges = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            0.99999996,
            0.99999994,
            1.00000004,
            9.99999995,
            10.0,
            11.3310001,
            43.318,
            -43.3180000,
            180.0,
            -180.0,
            89.99999999,
            1e-8,
            -1e-8,
            4e-7,
            123456.78949999,
            0.05,
            0.04999,
            0.15,
            2.5e-5,
            1e14,
            99999999.99999999,
            1e8,
            123456789.5,
            999999999999999.9,
            1e15,
            1e16,
            1.7976931348623157e308,
            f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        // Seeded, so a failure names a value that can be tried again.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for i in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let unit = (state >> 11) as f64 / (1_u64 << 53) as f64;
            edges.push(match i % 4 {
                0 => unit * 360.0 - 180.0,
                1 => unit * 40_000_000.0,
                2 => (unit * 2000.0).round() / 10.0, // distances already rounded
                _ => unit * 2.0 - 1.0,
            });
        }
        // Halves, exact and nearly so once scaled, where the direction of rounding shows.
        for k in 0..2000 {
            let half = f64::from(k) + 0.5;
            edges.extend([
                half,
                -half,
                half / 10.0,
                -half / 10.0,
                half / 1e7,
                -half / 1e7,
            ]);
        }
        edges.extend([99999999.99999995, -99999999.99999995, 99999999999999.95]);
        for x in edges {
            assert_eq!(ours::<7>(x), serde_rounded(x, 7), "{x:e} at 7 decimals");
            assert_eq!(ours::<1>(x), serde_rounded(x, 1), "{x:e} at 1 decimal");
        }
    }
}
