//! The category and target-group taxonomy, with Italian and English labels.
//!
//! The default taxonomy lives in `data/taxonomy.json`; the store keeps a copy so that
//! admins can extend it later, and the index gives each slug a bit in a bit set.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The most categories the index's bit set can hold.
pub const MAX_CATEGORIES: usize = 64;
/// The most target groups the index's bit set can hold.
pub const MAX_TARGET_GROUPS: usize = 32;

/// The taxonomy shipped with MappaTU.
pub const DEFAULT_TAXONOMY_JSON: &str = include_str!("../../data/taxonomy.json");

/// A category of service (food aid, health, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Category {
    /// Stable identifier used in URLs and filters, e.g. `food-aid`.
    #[schema(example = "food-aid")]
    pub slug: String,
    /// Italian label.
    #[schema(example = "Aiuti alimentari")]
    pub label_it: String,
    /// English label.
    #[schema(example = "Food aid")]
    pub label_en: String,
    /// Marker colour, `#rrggbb`, dark enough for white text (WCAG AA).
    #[schema(example = "#9a4a00")]
    pub color: String,
    /// Icon name, drawn by the frontend.
    #[schema(example = "basket")]
    pub icon: String,
}

/// A group of people a service is meant for (elderly, migrants, …).
pub type TargetGroup = Category;

/// Why a taxonomy cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TaxonomyError {
    /// The JSON does not have the expected shape.
    #[error("taxonomy is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A slug is empty, not lowercase ASCII with dashes, or repeated.
    #[error("taxonomy slug {0:?} is invalid or repeated")]
    Slug(String),
    /// A colour is not `#rrggbb`.
    #[error("colour {0:?} is not #rrggbb")]
    Color(String),
    /// More entries than the index's bit sets hold.
    #[error("too many {what}: {count} (at most {max})")]
    TooMany {
        /// `categories` or `target groups`.
        what: &'static str,
        /// How many were given.
        count: usize,
        /// The limit.
        max: usize,
    },
}

/// Categories and target groups, in display order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Taxonomy {
    /// Service categories.
    pub categories: Vec<Category>,
    /// Target groups.
    pub target_groups: Vec<TargetGroup>,
}

impl Taxonomy {
    /// The taxonomy in `data/taxonomy.json`.
    pub fn default_set() -> Self {
        Self::from_json(DEFAULT_TAXONOMY_JSON).expect("data/taxonomy.json is valid")
    }

    /// Parses and checks a taxonomy.
    pub fn from_json(json: &str) -> Result<Self, TaxonomyError> {
        let t: Taxonomy = serde_json::from_str(json)?;
        t.check()?;
        Ok(t)
    }

    /// Checks slugs, colours and sizes.
    pub fn check(&self) -> Result<(), TaxonomyError> {
        check_list(&self.categories, "categories", MAX_CATEGORIES)?;
        check_list(&self.target_groups, "target groups", MAX_TARGET_GROUPS)
    }

    /// The position of a category slug, which is its bit in the index.
    pub fn category_bit(&self, slug: &str) -> Option<u32> {
        self.categories
            .iter()
            .position(|c| c.slug == slug)
            .map(|i| i as u32)
    }

    /// The position of a target-group slug, which is its bit in the index.
    pub fn target_bit(&self, slug: &str) -> Option<u32> {
        self.target_groups
            .iter()
            .position(|c| c.slug == slug)
            .map(|i| i as u32)
    }

    /// The bit set of a list of category slugs; unknown slugs are ignored.
    pub fn category_mask<S: AsRef<str>>(&self, slugs: &[S]) -> u64 {
        slugs
            .iter()
            .filter_map(|s| self.category_bit(s.as_ref()))
            .fold(0, |m, b| m | (1u64 << b))
    }

    /// The bit set of a list of target-group slugs; unknown slugs are ignored.
    pub fn target_mask<S: AsRef<str>>(&self, slugs: &[S]) -> u32 {
        slugs
            .iter()
            .filter_map(|s| self.target_bit(s.as_ref()))
            .fold(0, |m, b| m | (1u32 << b))
    }
}

/// Every slug of a taxonomy written as a JSON string, quotes included, by position (its
/// bit): list answers copy these rather than check each slug of each feature for
/// characters to escape.
#[derive(Debug, Clone, Default)]
pub struct QuotedSlugs {
    categories: Vec<Box<[u8]>>,
    target_groups: Vec<Box<[u8]>>,
}

impl QuotedSlugs {
    /// The quoted slugs of `taxonomy`, escaped as serde_json escapes them (a checked
    /// taxonomy has nothing to escape, but these are right whatever the slugs hold).
    pub fn of(taxonomy: &Taxonomy) -> Self {
        let quote = |list: &[Category]| {
            list.iter()
                .map(|c| {
                    serde_json::to_vec(&c.slug)
                        .expect("a string serialises")
                        .into_boxed_slice()
                })
                .collect()
        };
        Self {
            categories: quote(&taxonomy.categories),
            target_groups: quote(&taxonomy.target_groups),
        }
    }

    /// The category at `bit`, quoted.
    pub fn category(&self, bit: usize) -> Option<&[u8]> {
        self.categories.get(bit).map(|b| &b[..])
    }

    /// The target group at `bit`, quoted.
    pub fn target_group(&self, bit: usize) -> Option<&[u8]> {
        self.target_groups.get(bit).map(|b| &b[..])
    }
}

fn check_list(list: &[Category], what: &'static str, max: usize) -> Result<(), TaxonomyError> {
    if list.len() > max {
        return Err(TaxonomyError::TooMany {
            what,
            count: list.len(),
            max,
        });
    }
    let mut seen = std::collections::HashSet::new();
    for c in list {
        if !is_slug(&c.slug) || !seen.insert(c.slug.as_str()) {
            return Err(TaxonomyError::Slug(c.slug.clone()));
        }
        let hex = c.color.strip_prefix('#').unwrap_or("");
        if hex.len() != 6 || !hex.chars().all(|ch| ch.is_ascii_hexdigit()) {
            return Err(TaxonomyError::Color(c.color.clone()));
        }
    }
    Ok(())
}

/// Whether `s` is a slug: 1–40 lowercase ASCII letters, digits and dashes.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_taxonomy_has_the_seed_categories_and_targets() {
        let t = Taxonomy::default_set();
        for slug in [
            "economic-support",
            "food-aid",
            "health",
            "home-utilities",
            "transport",
            "children-family",
            "elderly",
            "disability",
            "listening-guidance",
            "volunteering",
        ] {
            assert!(t.category_bit(slug).is_some(), "{slug}");
        }
        for slug in ["elderly", "minors-families", "disabilities", "migrants"] {
            assert!(t.target_bit(slug).is_some(), "{slug}");
        }
        assert_eq!(t.category_mask(&["food-aid", "nope"]), 1 << 1);
    }

    #[test]
    fn bad_taxonomies_are_refused() {
        let bad = r##"{"categories":[{"slug":"A b","label_it":"x","label_en":"x","color":"#000000","icon":"x"}],"target_groups":[]}"##;
        assert!(matches!(
            Taxonomy::from_json(bad),
            Err(TaxonomyError::Slug(_))
        ));
    }
}
