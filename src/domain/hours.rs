//! Opening hours in OpenStreetMap `opening_hours` syntax, evaluated in Europe/Rome time.
//!
//! Parsing and evaluation are the `opening-hours` crate's; this module only fixes the
//! context (Italian public holidays, the directory's time zone).

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Rome;
use opening_hours::localization::Country;
use opening_hours::{Context, OpeningHours};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The longest opening-hours string we accept; real ones are well under 200 characters.
pub const MAX_HOURS_LEN: usize = 500;

/// Why an opening-hours string is not acceptable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HoursError {
    /// The string is not valid `opening_hours` syntax.
    #[error("is not valid OpenStreetMap opening_hours syntax ({0})")]
    Syntax(String),
    /// The string is longer than [`MAX_HOURS_LEN`].
    #[error("is longer than {MAX_HOURS_LEN} characters")]
    TooLong,
}

/// A parsed opening-hours expression together with its raw text. One pointer wide and
/// cheap to clone: services that share a schedule share one parsed copy.
#[derive(Clone)]
pub struct Hours(Arc<HoursInner>);

struct HoursInner {
    raw: String,
    /// Whether `raw` is plain text ([`is_plain`](crate::domain::text::is_plain)): a comment in quotes is not.
    plain: bool,
    parsed: OpeningHours,
    /// The last answer of `is_open_at`: `(minute since the epoch << 1) | open`. Schedules
    /// have minute resolution and many services share one, so a list of results asks the
    /// same question again and again within a minute.
    last: AtomicU64,
}

const NO_ANSWER: u64 = u64::MAX;

impl Hours {
    /// Parses an expression such as `Mo,We 10:00-13:00; Tu 15:00-18:00`.
    pub fn parse(raw: &str) -> Result<Self, HoursError> {
        let raw = raw.trim();
        if raw.len() > MAX_HOURS_LEN {
            return Err(HoursError::TooLong);
        }
        let parsed = raw
            .parse::<OpeningHours>()
            .map_err(|e| HoursError::Syntax(first_line(&e.to_string())))?
            .with_context(Context::default().with_holidays(Country::IT.holidays()));
        Ok(Self(Arc::new(HoursInner {
            raw: raw.to_string(),
            plain: crate::domain::text::is_plain(raw),
            parsed,
            last: AtomicU64::new(NO_ANSWER),
        })))
    }

    /// The expression as it was given (trimmed).
    pub fn raw(&self) -> &str {
        &self.0.raw
    }

    /// Whether [`raw`](Self::raw) is plain text: no control character, quote or backslash.
    pub fn raw_is_plain(&self) -> bool {
        self.0.plain
    }

    /// Whether the service is open at `at`, read on the wall clock of Europe/Rome.
    pub fn is_open_at(&self, at: DateTime<Utc>) -> bool {
        let minute = at.timestamp().div_euclid(60);
        let key = u64::try_from(minute)
            .ok()
            .filter(|m| *m < (1 << 62))
            .map(|m| m << 1);
        let last = self.0.last.load(Ordering::Relaxed);
        if let Some(key) = key
            && last != NO_ANSWER
            && last & !1 == key
        {
            return last & 1 == 1;
        }
        let local = at.with_timezone(&Rome).naive_local();
        let open = self.0.parsed.is_open(local);
        if let Some(key) = key {
            self.0.last.store(key | u64::from(open), Ordering::Relaxed);
        }
        open
    }
}

fn first_line(s: &str) -> String {
    s.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect()
}

impl fmt::Debug for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Hours").field(&self.0.raw).finish()
    }
}

impl PartialEq for Hours {
    fn eq(&self, other: &Self) -> bool {
        self.0.raw == other.0.raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn rome(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Rome.with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn sportello_famiglia_hours_follow_rome_wall_clock() {
        let h = Hours::parse("Mo,We 10:00-13:00; Tu 15:00-18:00").unwrap();
        // Monday 2026-11-23.
        assert!(h.is_open_at(rome(2026, 11, 23, 10, 30)));
        assert!(!h.is_open_at(rome(2026, 11, 23, 9, 59)));
        assert!(h.is_open_at(rome(2026, 11, 24, 17, 0)));
        assert!(!h.is_open_at(rome(2026, 11, 24, 11, 0)));
        assert!(!h.is_open_at(rome(2026, 11, 26, 11, 0)));
        // Summer time: 10:30 in Rome is 08:30 UTC.
        assert!(h.is_open_at(Utc.with_ymd_and_hms(2026, 7, 6, 8, 30, 0).unwrap()));
    }

    #[test]
    fn italian_public_holidays_are_known() {
        let h = Hours::parse("Mo-Fr 09:00-12:00; PH off").unwrap();
        // Tuesday 8 December 2026 is the Immacolata.
        assert!(!h.is_open_at(rome(2026, 12, 8, 10, 0)));
        assert!(h.is_open_at(rome(2026, 12, 9, 10, 0)));
    }

    #[test]
    fn bad_syntax_is_an_error() {
        assert!(matches!(
            Hours::parse("lunedì mattina"),
            Err(HoursError::Syntax(_))
        ));
        assert_eq!(Hours::parse(&"Mo ".repeat(300)), Err(HoursError::TooLong));
    }
}
