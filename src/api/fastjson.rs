//! The list answers' JSON written by hand: the nearest and bounding-box endpoints are the
//! hot path, and serde's derived serialiser spends most of its time there on the field
//! machinery (escaping each key, one call per piece). This writes the same bytes as
//! `serde_json::to_vec` of the same values — a test compares the two on every kind of
//! text — and leaves schema and meaning to the derived types in `model`.

use super::model::{ListFeature, PointGeometry, ServiceCollection, ServiceSummary, SummaryFeature};
use serde::Serialize;

/// Appends `value` as serde_json would.
fn serde<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    // Writing into a Vec cannot fail, and these values have no map keys that could.
    serde_json::to_writer(&mut *out, value).expect("serialising into memory");
}

/// Appends a JSON string; text with nothing to escape (almost all) is copied as it is.
fn string(out: &mut Vec<u8>, s: &str) {
    if s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        serde(out, s);
    } else {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

fn opt_string(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

fn integer(out: &mut Vec<u8>, n: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

fn boolean(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

impl PointGeometry {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"type\":");
        string(out, self.kind);
        out.extend_from_slice(b",\"coordinates\":");
        serde(out, &self.rounded());
        out.push(b'}');
    }
}

impl ServiceSummary<'_> {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"id\":");
        integer(out, self.id);
        out.extend_from_slice(b",\"name\":");
        string(out, self.name);
        out.extend_from_slice(b",\"organisation\":");
        opt_string(out, self.organisation);
        out.extend_from_slice(b",\"categories\":");
        serde(out, &self.categories);
        out.extend_from_slice(b",\"target_groups\":");
        serde(out, &self.target_groups);
        out.extend_from_slice(b",\"address\":");
        opt_string(out, self.address);
        out.extend_from_slice(b",\"opening_hours\":");
        opt_string(out, self.opening_hours);
        out.extend_from_slice(b",\"open_now\":");
        match self.open_now {
            Some(b) => boolean(out, b),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"wheelchair\":");
        serde(out, &self.wheelchair);
        out.extend_from_slice(b",\"demo\":");
        boolean(out, self.demo);
        if let Some(d) = self.distance_m {
            out.extend_from_slice(b",\"distance_m\":");
            serde(out, &d);
        }
        out.push(b'}');
    }
}

impl SummaryFeature<'_> {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"type\":");
        string(out, self.kind);
        out.extend_from_slice(b",\"id\":");
        integer(out, self.id);
        out.extend_from_slice(b",\"geometry\":");
        self.geometry.write_json(out);
        out.extend_from_slice(b",\"properties\":");
        self.properties.write_json(out);
        out.push(b'}');
    }
}

impl ServiceCollection<'_> {
    /// The collection as JSON: the bytes `serde_json::to_vec(self)` gives, sooner.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(512 + 512 * self.features.len());
        out.extend_from_slice(b"{\"type\":");
        string(&mut out, self.kind);
        out.extend_from_slice(b",\"features\":[");
        for (i, f) in self.features.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            match f {
                ListFeature::Summary(s) => s.write_json(&mut out),
                ListFeature::Full(f) => serde(&mut out, f),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{BoundingBox, Taxonomy};
    use crate::index::Listing;
    use chrono::{TimeZone, Utc};

    #[test]
    fn writes_exactly_what_serde_writes() {
        let taxonomy = Taxonomy::default_set();
        let area = BoundingBox::siena_province();
        let mut services = crate::synthetic::published(240, 7, &taxonomy, &area);
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
        }
        let listings: Vec<Listing> = services
            .into_iter()
            .map(|s| Listing::new(s, &taxonomy))
            .collect();
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
        let pages = [
            (false, None, None),
            (false, Some(240), Some(None)),
            (false, Some(5), Some(Some("17".to_string()))),
            (true, Some(3), Some(None)),
        ];
        for (full, total, next_cursor) in pages {
            let features = listings
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let d = (i % 2 == 0).then_some(i as f64 * 12.345 + 0.05);
                    ListFeature::new(full, l, &taxonomy, now, d)
                })
                .collect();
            let c = ServiceCollection {
                kind: "FeatureCollection",
                features,
                total,
                next_cursor,
            };
            let ours = String::from_utf8(c.to_json()).unwrap();
            assert_eq!(ours, serde_json::to_string(&c).unwrap());
        }
        let empty = ServiceCollection {
            kind: "FeatureCollection",
            features: Vec::new(),
            total: None,
            next_cursor: None,
        };
        assert_eq!(
            empty.to_json(),
            br#"{"type":"FeatureCollection","features":[]}"#
        );
    }
}
