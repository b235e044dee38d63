//! Bonuses and contributions (*bonus e contributi*): what a benefit gives, who can ask,
//! how and where to apply (the services where it is asked for), its period and its
//! official page.
//!
//! [`BenefitDraft::validate`] is the one gate: text passes the same character check as a
//! listing's ([`checked_text`]), slugs are checked against the taxonomy, and the official
//! link must be a web address. A [`BenefitData`] that exists is valid and can be stored.
//! Whether the linked services exist is the store's to check, inside the write's
//! transaction.

use super::service::{FieldCode, FieldError, ServiceId, limits};
use super::taxonomy::Taxonomy;
use super::text::{Layout, checked_text};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A benefit's identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BenefitId(pub i64);

impl fmt::Display for BenefitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Field limits of a benefit, in characters or items.
pub mod benefit_limits {
    /// Short one-line texts: what it gives, residence, period.
    pub const LINE: usize = 300;
    /// Linked services.
    pub const SERVICES: usize = 50;
    /// Target groups.
    pub const TARGET_GROUPS: usize = 20;
    /// The highest ISEE threshold accepted, in euros: far above any real threshold, so a
    /// mistyped extra digit or two is still caught.
    pub const ISEE_MAX_EUR: u32 = 1_000_000;
}

/// The checked content of a benefit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BenefitData {
    /// Name in Italian (required).
    pub name_it: String,
    /// Name in English.
    pub name_en: Option<String>,
    /// Description in Italian.
    pub description_it: Option<String>,
    /// Description in English.
    pub description_en: Option<String>,
    /// What it gives, in Italian ("Buoni spesa per generi alimentari").
    pub gives_it: Option<String>,
    /// What it gives, in English.
    pub gives_en: Option<String>,
    /// Category slugs of the taxonomy, main one first.
    pub categories: Vec<String>,
    /// Target-group slugs: who can ask; empty means no group is singled out.
    pub target_groups: Vec<String>,
    /// The ISEE threshold in euros, where one applies.
    pub isee_max_eur: Option<u32>,
    /// The residence requirement, in Italian.
    pub residence_it: Option<String>,
    /// The residence requirement, in English.
    pub residence_en: Option<String>,
    /// How to apply, in Italian.
    pub how_to_apply_it: Option<String>,
    /// How to apply, in English.
    pub how_to_apply_en: Option<String>,
    /// The services where it is asked for, in display order.
    pub service_ids: Vec<ServiceId>,
    /// When applications open.
    pub opens_on: Option<NaiveDate>,
    /// When applications close (on or after `opens_on`).
    pub closes_on: Option<NaiveDate>,
    /// The period in words, in Italian ("tutto l'anno", "domande entro il 31 marzo").
    pub period_it: Option<String>,
    /// The period in words, in English.
    pub period_en: Option<String>,
    /// The official page (http or https).
    pub official_url: Option<String>,
    /// Demonstration data, not a real benefit.
    pub demo: bool,
}

/// A stored benefit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Benefit {
    /// Identifier.
    pub id: BenefitId,
    /// Content.
    pub data: BenefitData,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl Benefit {
    /// The name in `lang` (`en` falls back to Italian when there is no English name).
    pub fn name(&self, lang: &str) -> &str {
        match (lang, &self.data.name_en) {
            ("en", Some(en)) => en,
            _ => &self.data.name_it,
        }
    }

    /// Whether it is asked for at the service `id`.
    pub fn is_asked_at(&self, id: ServiceId) -> bool {
        self.data.service_ids.contains(&id)
    }
}

/// Unchecked benefit content, as admins and the demo file send it. Every field may be
/// missing; [`validate`](Self::validate) says which are required.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BenefitDraft {
    /// See [`BenefitData::name_it`].
    pub name_it: Option<String>,
    /// See [`BenefitData::name_en`].
    pub name_en: Option<String>,
    /// See [`BenefitData::description_it`].
    pub description_it: Option<String>,
    /// See [`BenefitData::description_en`].
    pub description_en: Option<String>,
    /// See [`BenefitData::gives_it`].
    pub gives_it: Option<String>,
    /// See [`BenefitData::gives_en`].
    pub gives_en: Option<String>,
    /// See [`BenefitData::categories`].
    pub categories: Vec<String>,
    /// See [`BenefitData::target_groups`].
    pub target_groups: Vec<String>,
    /// See [`BenefitData::isee_max_eur`].
    pub isee_max_eur: Option<u32>,
    /// See [`BenefitData::residence_it`].
    pub residence_it: Option<String>,
    /// See [`BenefitData::residence_en`].
    pub residence_en: Option<String>,
    /// See [`BenefitData::how_to_apply_it`].
    pub how_to_apply_it: Option<String>,
    /// See [`BenefitData::how_to_apply_en`].
    pub how_to_apply_en: Option<String>,
    /// Service ids (see [`BenefitData::service_ids`]); positive, existence checked by the
    /// store.
    pub service_ids: Vec<i64>,
    /// `YYYY-MM-DD`; see [`BenefitData::opens_on`].
    pub opens_on: Option<String>,
    /// `YYYY-MM-DD`; see [`BenefitData::closes_on`].
    pub closes_on: Option<String>,
    /// See [`BenefitData::period_it`].
    pub period_it: Option<String>,
    /// See [`BenefitData::period_en`].
    pub period_en: Option<String>,
    /// See [`BenefitData::official_url`].
    pub official_url: Option<String>,
    /// See [`BenefitData::demo`].
    pub demo: Option<bool>,
}

/// Whether `url` is a web address a citizen's browser can open: http or https only, so
/// that a `javascript:` link cannot be planted on a card.
pub fn is_web_address(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    url.len() <= limits::URL
        && rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !url.contains(char::is_whitespace)
}

impl BenefitDraft {
    /// Checks every field and returns the valid content, or every problem found, each
    /// naming its field.
    pub fn validate(self, taxonomy: &Taxonomy) -> Result<BenefitData, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut text =
            |field: &str, value: Option<String>, layout: Layout, max: usize| match checked_text(
                value.as_deref()?,
                layout,
            ) {
                Ok(Some(t)) if t.chars().count() > max => {
                    errors.push(FieldError::too_long(field, max));
                    None
                }
                Ok(t) => t,
                Err(bad) => {
                    errors.push(FieldError::forbidden(field, &bad));
                    None
                }
            };
        use Layout::{Line, Paragraphs};
        let (line, long) = (benefit_limits::LINE, limits::LONG_TEXT);
        let name_it = text("name_it", self.name_it, Line, limits::NAME);
        let name_en = text("name_en", self.name_en, Line, limits::NAME);
        let description_it = text("description_it", self.description_it, Paragraphs, long);
        let description_en = text("description_en", self.description_en, Paragraphs, long);
        let gives_it = text("gives_it", self.gives_it, Line, line);
        let gives_en = text("gives_en", self.gives_en, Line, line);
        let residence_it = text("residence_it", self.residence_it, Line, line);
        let residence_en = text("residence_en", self.residence_en, Line, line);
        let how_to_apply_it = text("how_to_apply_it", self.how_to_apply_it, Paragraphs, long);
        let how_to_apply_en = text("how_to_apply_en", self.how_to_apply_en, Paragraphs, long);
        let period_it = text("period_it", self.period_it, Line, line);
        let period_en = text("period_en", self.period_en, Line, line);
        let official_url = text("official_url", self.official_url, Line, limits::URL);

        // A name refused for a character is not reported missing as well.
        if name_it.is_none() && !errors.iter().any(|e| e.field == "name_it") {
            errors.push(FieldError::required("name_it"));
        }
        let mut push = |e: FieldError| errors.push(e);
        if let Some(u) = &official_url
            && !is_web_address(u)
        {
            push(FieldError::new(
                "official_url",
                FieldCode::InvalidUrl,
                "must be a web address starting with https:// or http://",
            ));
        }
        // Every other problem is described by its message alone.
        macro_rules! err {
            ($field:expr, $message:expr $(,)?) => {
                push(FieldError::invalid($field, $message))
            };
        }
        let categories = slugs(
            &self.categories,
            |s| taxonomy.category_bit(s).is_some(),
            limits::CATEGORIES,
        )
        .unwrap_or_else(|e| {
            push(e.at("categories"));
            Vec::new()
        });
        let target_groups = slugs(
            &self.target_groups,
            |s| taxonomy.target_bit(s).is_some(),
            benefit_limits::TARGET_GROUPS,
        )
        .unwrap_or_else(|e| {
            push(e.at("target_groups"));
            Vec::new()
        });
        if let Some(v) = self.isee_max_eur
            && v > benefit_limits::ISEE_MAX_EUR
        {
            err!(
                "isee_max_eur",
                format!(
                    "must be at most {} (euros), got {v}",
                    benefit_limits::ISEE_MAX_EUR
                ),
            );
        }
        let mut service_ids = Vec::new();
        for &id in &self.service_ids {
            if id < 1 {
                err!(
                    "service_ids",
                    format!("{id} is not a service id (a positive whole number)"),
                );
            } else if !service_ids.contains(&ServiceId(id)) {
                service_ids.push(ServiceId(id));
            }
        }
        if service_ids.len() > benefit_limits::SERVICES {
            push(
                FieldError::new(
                    "service_ids",
                    FieldCode::TooMany,
                    format!("at most {} services", benefit_limits::SERVICES),
                )
                .with("max", benefit_limits::SERVICES),
            );
        }
        let mut date = |field: &str, v: Option<String>| {
            let v = v.filter(|v| !v.trim().is_empty())?;
            match NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    err!(
                        field,
                        format!(
                            "must be a date as YYYY-MM-DD, got {:?}",
                            super::text::clip(&v)
                        ),
                    );
                    None
                }
            }
        };
        let opens_on = date("opens_on", self.opens_on);
        let closes_on = date("closes_on", self.closes_on);
        if let (Some(o), Some(c)) = (opens_on, closes_on)
            && c < o
        {
            err!("closes_on", format!("{c} is before the opening date {o}"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(BenefitData {
            name_it: name_it.unwrap_or_default(),
            name_en,
            description_it,
            description_en,
            gives_it,
            gives_en,
            categories,
            target_groups,
            isee_max_eur: self.isee_max_eur,
            residence_it,
            residence_en,
            how_to_apply_it,
            how_to_apply_en,
            service_ids,
            opens_on,
            closes_on,
            period_it,
            period_en,
            official_url,
            demo: self.demo.unwrap_or(false),
        })
    }
}

/// The known, distinct slugs of `given` in order; an error naming the first unknown one.
fn slugs(
    given: &[String],
    known: impl Fn(&str) -> bool,
    max: usize,
) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = Vec::new();
    for slug in given.iter().map(|s| s.trim()) {
        if !known(slug) {
            let slug = super::text::clip(slug);
            return Err(FieldError::new(
                "",
                FieldCode::UnknownValue,
                format!("unknown slug {slug:?} (see /api/categories and /api/target-groups)"),
            )
            .with("value", slug));
        }
        if !out.iter().any(|s| s == slug) {
            out.push(slug.to_string());
        }
    }
    if out.len() > max {
        return Err(
            FieldError::new("", FieldCode::TooMany, format!("at most {max}")).with("max", max),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> BenefitDraft {
        BenefitDraft {
            name_it: Some("  Bonus utenze ".into()),
            categories: vec!["home-utilities".into()],
            target_groups: vec!["low-income".into()],
            service_ids: vec![1, 1, 2],
            official_url: Some("https://www.sienafamiglia.it".into()),
            opens_on: Some("2026-01-01".into()),
            closes_on: Some("2026-03-31".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_valid_draft_is_trimmed_and_deduplicated() {
        let d = draft().validate(&Taxonomy::default_set()).unwrap();
        assert_eq!(d.name_it, "Bonus utenze");
        assert_eq!(d.service_ids, [ServiceId(1), ServiceId(2)]);
        assert_eq!(d.closes_on, NaiveDate::from_ymd_opt(2026, 3, 31));
        assert!(!d.demo);
    }

    #[test]
    fn every_problem_names_its_field() {
        let bad = BenefitDraft {
            name_it: Some(" ".into()),
            name_en: Some("Bonus\u{202E}".into()),
            categories: vec!["nope".into()],
            target_groups: vec!["martians".into()],
            isee_max_eur: Some(5_000_000),
            service_ids: vec![0],
            opens_on: Some("31/03/2026".into()),
            official_url: Some("javascript:alert(1)".into()),
            ..Default::default()
        };
        let errs = bad.validate(&Taxonomy::default_set()).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name_en",
                "name_it",
                "official_url",
                "categories",
                "target_groups",
                "isee_max_eur",
                "service_ids",
                "opens_on"
            ]
        );
    }

    #[test]
    fn closing_before_opening_is_refused() {
        let bad = BenefitDraft {
            opens_on: Some("2026-04-01".into()),
            ..draft()
        };
        let errs = bad.validate(&Taxonomy::default_set()).unwrap_err();
        assert_eq!(errs[0].field, "closes_on");
    }

    #[test]
    fn only_web_addresses_are_links() {
        assert!(is_web_address("https://www.sienafamiglia.it"));
        assert!(is_web_address("http://example.org/a?b=c"));
        for bad in [
            "javascript:alert(1)",
            "https://",
            "https:///x",
            "ftp://x.it",
            "https://a b",
        ] {
            assert!(!is_web_address(bad), "{bad}");
        }
    }
}
