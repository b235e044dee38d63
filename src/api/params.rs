//! Query-string parsing with errors that name the parameter.
//!
//! Handlers take the raw pairs and pull typed values out of them, so every mistake —
//! a missing, repeated, malformed, out-of-range or unknown parameter — gets its own
//! 400 answer naming the parameter, instead of a generic deserialisation message.

use super::AppError;
use crate::domain::text::{MAX_QUERY_CHARS, TextQuery, clip};
use crate::domain::{BoundingBox, Coordinates, Taxonomy, Wheelchair};
use crate::index::Filter;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use std::ops::Range;

/// The most services a nearest query returns.
pub const MAX_K: usize = 100;
/// The default number of services a nearest query returns.
pub const DEFAULT_K: usize = 10;
/// The most services one page of a bounding-box query holds.
pub const MAX_LIMIT: usize = 500;
/// The default page size of a bounding-box query.
pub const DEFAULT_LIMIT: usize = 100;
/// The most services one map-points answer holds.
pub const MAX_POINTS: usize = 50_000;
/// The largest `max_distance_m`: about the length of Italy.
pub const MAX_DISTANCE_M: f64 = 2_000_000.0;
/// The most values a list parameter (`category`, `target`) takes.
const MAX_LIST: usize = 64;

/// More parameters than any endpoint takes. A longer query string cannot be valid, and
/// below this, scanning a short list beats hashing each name.
const MAX_PARAMS: usize = 32;

/// The query string as name → value, each name at most once.
#[derive(Debug, Default)]
pub struct Params {
    /// The decoded names and values, back to back: one allocation for the whole query
    /// rather than two per parameter (the nearest endpoint answers tens of thousands of
    /// these a second).
    text: String,
    /// Where each parameter's name and value lie in `text`.
    pairs: Vec<(Range<usize>, Range<usize>)>,
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Params::parse(parts.uri.query().unwrap_or(""))
    }
}

impl Params {
    /// Parses a raw query string (`a=1&b=2`, `+` for a space).
    pub fn parse(query: &str) -> Result<Self, AppError> {
        let mut p = Self {
            text: String::with_capacity(query.len()),
            pairs: Vec::new(),
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode_into(&mut p.text, name)
                .ok_or_else(|| AppError::invalid("query", "has invalid percent-encoding"))?;
            let named = &p.text[name.clone()];
            if p.pairs.iter().any(|(n, _)| p.text[n.clone()] == *named) {
                return Err(AppError::invalid(named, "is given more than once"));
            }
            if p.pairs.len() == MAX_PARAMS {
                return Err(AppError::invalid(
                    named,
                    format!("is one parameter too many: no endpoint takes more than {MAX_PARAMS}"),
                ));
            }
            let value = decode_into(&mut p.text, value).ok_or_else(|| {
                AppError::invalid(
                    &clip(&p.text[name.clone()]),
                    "has invalid percent-encoding or is not UTF-8",
                )
            })?;
            p.pairs.push((name, value));
        }
        Ok(p)
    }

    /// Whether the parameter was given (it is not taken).
    pub fn has(&self, name: &str) -> bool {
        self.pairs
            .iter()
            .any(|(n, _)| self.text[n.clone()] == *name)
    }

    /// Takes a parameter's value, so that [`finish`](Self::finish) does not call it unknown.
    pub fn take(&mut self, name: &str) -> Option<&str> {
        let at = self
            .pairs
            .iter()
            .position(|(n, _)| self.text[n.clone()] == *name)?;
        let (_, value) = self.pairs.swap_remove(at);
        Some(&self.text[value])
    }

    /// Fails on the first parameter no one asked for (a typo, most likely).
    pub fn finish(self, known: &[&str]) -> Result<(), AppError> {
        let mut unknown: Vec<&str> = self
            .pairs
            .iter()
            .map(|(n, _)| &self.text[n.clone()])
            .collect();
        unknown.sort();
        match unknown.first() {
            None => Ok(()),
            Some(name) => Err(AppError::BadParameter {
                code: "unknown_parameter",
                parameter: name.to_string(),
                message: format!(
                    "is not a parameter of this endpoint (known: {})",
                    known.join(", ")
                ),
            }),
        }
    }

    /// An optional text value, as given (decoded, not trimmed).
    pub fn opt_text(&mut self, name: &str) -> Option<String> {
        self.take(name).map(str::to_owned)
    }

    /// A required finite number.
    pub fn f64(&mut self, name: &str) -> Result<f64, AppError> {
        self.opt_f64(name)?.ok_or_else(|| AppError::missing(name))
    }

    /// An optional finite number.
    pub fn opt_f64(&mut self, name: &str) -> Result<Option<f64>, AppError> {
        self.take(name)
            .map(|v| {
                v.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .ok_or_else(|| {
                        AppError::invalid(name, format!("{:?} is not a number", clip(v)))
                    })
            })
            .transpose()
    }

    /// An optional whole number within `min..=max`.
    pub fn opt_usize(
        &mut self,
        name: &str,
        min: usize,
        max: usize,
    ) -> Result<Option<usize>, AppError> {
        let Some(v) = self.take(name) else {
            return Ok(None);
        };
        let out_of_range = || {
            AppError::invalid(
                name,
                format!(
                    "must be a whole number from {min} to {max}, got {:?}",
                    clip(v)
                ),
            )
        };
        let n: i128 = v.trim().parse().map_err(|_| out_of_range())?;
        if n < min as i128 || n > max as i128 {
            return Err(out_of_range());
        }
        Ok(Some(n as usize))
    }

    /// An optional `true`/`false`.
    pub fn opt_bool(&mut self, name: &str) -> Result<Option<bool>, AppError> {
        self.take(name)
            .map(|v| match v.trim() {
                "true" | "1" => Ok(true),
                "false" | "0" => Ok(false),
                other => Err(AppError::invalid(
                    name,
                    format!("must be true or false, got {:?}", clip(other)),
                )),
            })
            .transpose()
    }

    /// The point given by `lat` and `lon`.
    pub fn point(&mut self) -> Result<Coordinates, AppError> {
        let lat = self.f64("lat")?;
        let lon = self.f64("lon")?;
        Coordinates::new(lat, lon).map_err(|e| match e {
            crate::domain::GeoError::Longitude(_) => AppError::invalid("lon", e.to_string()),
            _ => AppError::invalid("lat", e.to_string()),
        })
    }

    /// An optional `bbox=minLon,minLat,maxLon,maxLat`.
    pub fn opt_bbox(&mut self, name: &str) -> Result<Option<BoundingBox>, AppError> {
        self.take(name)
            .map(|v| {
                v.parse::<BoundingBox>()
                    .map_err(|e| AppError::invalid(name, e.to_string()))
            })
            .transpose()
    }

    /// An optional RFC 3339 instant (`at`), used instead of the request time.
    pub fn opt_instant(&mut self, name: &str) -> Result<Option<DateTime<Utc>>, AppError> {
        self.take(name)
            .map(|v| {
                DateTime::parse_from_rfc3339(v.trim())
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| {
                        AppError::invalid(
                            name,
                            format!(
                                "must be an RFC 3339 time like 2026-11-23T10:30:00+01:00, got {:?}",
                                clip(v)
                            ),
                        )
                    })
            })
            .transpose()
    }

    /// The filters shared by the list endpoints: `category`, `target`, `open_now` (at
    /// `now`) and, when `with_text`, `q`.
    pub fn filter(
        &mut self,
        taxonomy: &Taxonomy,
        now: DateTime<Utc>,
        with_text: bool,
    ) -> Result<Filter, AppError> {
        let categories = self.slugs(
            "category",
            |s| taxonomy.category_bit(s).map(u64::from),
            "category",
        )?;
        let targets = self.slugs(
            "target",
            |s| taxonomy.target_bit(s).map(u64::from),
            "target group",
        )?;
        let open_at = self.opt_bool("open_now")?.unwrap_or(false).then_some(now);
        let text = if with_text {
            match self.take("q") {
                Some(q) if q.chars().count() > MAX_QUERY_CHARS => {
                    return Err(AppError::invalid(
                        "q",
                        format!("is longer than {MAX_QUERY_CHARS} characters"),
                    ));
                }
                Some(q) => TextQuery::new(q),
                None => None,
            }
        } else {
            None
        };
        let wheelchair = self
            .take("wheelchair")
            .map(|v| match v.trim() {
                "yes" => Ok(Wheelchair::Yes),
                "limited" => Ok(Wheelchair::Limited),
                other => Err(AppError::invalid(
                    "wheelchair",
                    format!(
                        "must be yes (full access) or limited (full or partial access), got {:?}",
                        clip(other)
                    ),
                )),
            })
            .transpose()?;
        let languages = match self.take("lang_spoken") {
            None => Vec::new(),
            Some(v) => crate::domain::service::language_list(v).map_err(|bad| {
                AppError::invalid(
                    "lang_spoken",
                    format!(
                        "must be ISO 639-1 language codes like en or it,en, got {:?}",
                        clip(&bad)
                    ),
                )
            })?,
        };
        Ok(Filter {
            categories,
            targets: targets as u32,
            open_at,
            text,
            wheelchair,
            languages,
        })
    }

    /// A comma-separated list of slugs turned into a bit set.
    fn slugs(
        &mut self,
        name: &str,
        bit: impl Fn(&str) -> Option<u64>,
        what: &str,
    ) -> Result<u64, AppError> {
        let Some(v) = self.take(name) else {
            return Ok(0);
        };
        let parts: Vec<&str> = v
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if parts.len() > MAX_LIST {
            return Err(AppError::invalid(
                name,
                format!("lists more than {MAX_LIST} values"),
            ));
        }
        let mut mask = 0u64;
        for slug in parts {
            match bit(slug) {
                Some(b) => mask |= 1 << b,
                None => {
                    return Err(AppError::BadParameter {
                        code: "unknown_slug",
                        parameter: name.to_string(),
                        message: format!("unknown {what} {:?}", clip(slug)),
                    });
                }
            }
        }
        Ok(mask)
    }

    /// `detail`: whether list features carry every public field (`full`) or the short
    /// form (`summary`, the default).
    pub fn detail(&mut self) -> Result<bool, AppError> {
        match self.take("detail").map(str::trim) {
            None | Some("summary") => Ok(false),
            Some("full") => Ok(true),
            Some(other) => Err(AppError::invalid(
                "detail",
                format!("must be summary or full, got {:?}", clip(other)),
            )),
        }
    }

    /// An optional opaque page cursor.
    pub fn opt_cursor(&mut self, name: &str) -> Result<Option<i64>, AppError> {
        self.take(name)
            .map(|v| {
                v.trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| AppError::invalid(name, "is not a cursor this server gave out"))
            })
            .transpose()
    }
}

/// Appends `s` to `text` decoded (`+` is a space) and says where it lies, or `None` if
/// its percent-encoding is broken or does not decode to UTF-8.
fn decode_into(text: &mut String, s: &str) -> Option<Range<usize>> {
    let start = text.len();
    if s.contains('%') {
        text.push_str(&percent_decode(s)?);
    } else if s.contains('+') {
        text.extend(s.chars().map(|c| if c == '+' { ' ' } else { c }));
    } else {
        text.push_str(s);
    }
    Some(start..text.len())
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// A path segment that must be a positive whole number (an id), or a 400 naming it.
pub fn positive_id(name: &str, raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| AppError::invalid(name, "must be a positive whole number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_refuses_repeats() {
        let mut p = Params::parse("q=carit%C3%A0+diocesana&k=5").unwrap();
        assert_eq!(p.take("q"), Some("carità diocesana"));
        let mut p = Params::parse("q=via+roma+1&%6B=5").unwrap();
        assert_eq!(p.take("q"), Some("via roma 1"));
        assert_eq!(p.take("k"), Some("5"));
        assert_eq!(p.take("k"), None);
        assert!(Params::parse("k=1&k=2").is_err());
        // Repeated once decoded: `%6B` is `k`.
        assert!(Params::parse("k=1&%6B=2").is_err());
        assert!(Params::parse("q=%ZZ").is_err());
        assert!(Params::parse("q=%FF").is_err());
    }

    #[test]
    fn a_flood_of_parameters_is_refused_naming_the_first_too_many() {
        let flood = |n: usize| {
            (0..n)
                .map(|i| format!("p{i}=1"))
                .collect::<Vec<_>>()
                .join("&")
        };
        let mut p = Params::parse(&flood(MAX_PARAMS)).unwrap();
        assert_eq!(p.take("p31"), Some("1"));
        let e = Params::parse(&flood(10_000)).unwrap_err().to_string();
        assert!(e.starts_with("p32: is one parameter too many"), "{e}");
    }

    #[test]
    fn ranges_are_checked_with_the_parameter_named() {
        let mut p = Params::parse("k=-1").unwrap();
        let e = p.opt_usize("k", 1, MAX_K).unwrap_err().to_string();
        assert!(
            e.starts_with("k: must be a whole number from 1 to 100"),
            "{e}"
        );
        let mut p = Params::parse("k=100000000000000000000000000").unwrap();
        assert!(p.opt_usize("k", 1, MAX_K).is_err());
    }
}
