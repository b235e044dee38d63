//! Field-by-field differences between two versions of a listing, and the merge of a
//! duplicate submission into an existing listing.

use crate::domain::service::{TEXT_FIELDS, limits};
use crate::domain::submission::feature_json;
use crate::domain::{ServiceData, Wheelchair};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// One field that differs.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FieldChange {
    /// The field, as in a submission's errors: `properties.name`, `geometry.coordinates`,
    /// `properties.accessibility.wheelchair`, …
    pub field: String,
    /// The live value (null when empty).
    #[schema(value_type = Object)]
    pub before: Value,
    /// The proposed value (null when empty).
    #[schema(value_type = Object)]
    pub after: Value,
}

/// Every public field whose value differs between `before` and `after`, in the Feature's
/// field order.
pub fn diff(before: &ServiceData, after: &ServiceData) -> Vec<FieldChange> {
    let (a, b) = (feature_json(before), feature_json(after));
    let mut out = Vec::new();
    walk("", &a, &b, &mut out);
    out
}

fn walk(path: &str, a: &Value, b: &Value, out: &mut Vec<FieldChange>) {
    match (a, b) {
        (Value::Object(ma), Value::Object(mb)) => {
            for (k, va) in ma {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(&p, va, mb.get(k).unwrap_or(&Value::Null), out);
            }
        }
        // Positions are published to 7 decimals (1 cm): a proposal made from the public
        // Feature must not show an unmoved pin as moved.
        (Value::Array(pa), Value::Array(pb))
            if path == "geometry.coordinates" && same_place(pa, pb) => {}
        _ if a != b => out.push(FieldChange {
            field: path.to_string(),
            before: a.clone(),
            after: b.clone(),
        }),
        _ => {}
    }
}

/// Two `[lon, lat]` positions within a centimetre (7 decimals of a degree) of each other.
fn same_place(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => (x - y).abs() < 1e-7,
                _ => x == y,
            })
}

/// What merging a duplicate submission into a listing gives: the listing keeps every
/// field it has (name, place, texts), and takes from the submission what it lacks —
/// empty texts, contacts, hours, accessibility, languages — plus the submission's categories and
/// target groups that it does not list yet (up to the category limit).
pub fn merge(live: &ServiceData, proposed: &ServiceData) -> ServiceData {
    let mut m = live.clone();
    let fill = |mine: &mut Option<String>, theirs: &Option<String>| {
        if mine.is_none() {
            mine.clone_from(theirs);
        }
    };
    for f in &TEXT_FIELDS {
        fill((f.get_mut)(&mut m), (f.get)(proposed));
    }
    if m.languages.is_empty() {
        m.languages.clone_from(&proposed.languages);
    }
    if m.opening_hours.is_none() {
        m.opening_hours.clone_from(&proposed.opening_hours);
    }
    if m.accessibility.wheelchair == Wheelchair::Unknown {
        m.accessibility.wheelchair = proposed.accessibility.wheelchair;
    }
    for c in &proposed.categories {
        if m.categories.len() < limits::CATEGORIES && !m.categories.contains(c) {
            m.categories.push(c.clone());
        }
    }
    for t in &proposed.target_groups {
        if !m.target_groups.contains(t) {
            m.target_groups.push(t.clone());
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Coordinates, Hours};

    fn data() -> ServiceData {
        ServiceData {
            description_it: Some("Pasti caldi".into()),
            categories: vec!["food-aid".into()],
            address: Some("Via Roma 1".into()),
            ..ServiceData::new("Mensa".into(), Coordinates::new(43.3183, 11.3317).unwrap())
        }
    }

    #[test]
    fn diff_lists_changed_fields_only() {
        let a = data();
        let mut b = data();
        assert!(diff(&a, &b).is_empty());
        b.name = "Mensa di San Francesco".into();
        // A centimetre is not a move (the public Feature rounds to 7 decimals)…
        let mut c = a.clone();
        c.point = Coordinates::new(43.318_300_04, 11.331_699_96).unwrap();
        assert!(diff(&a, &c).is_empty());
        b.point = Coordinates::new(43.32, 11.33).unwrap();
        b.opening_hours = Some(Hours::parse("Mo-Fr 12:00-14:00").unwrap());
        b.accessibility.wheelchair = Wheelchair::Yes;
        let d = diff(&a, &b);
        let mut fields: Vec<&str> = d.iter().map(|c| c.field.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(
            fields,
            [
                "geometry.coordinates",
                "properties.accessibility.wheelchair",
                "properties.name",
                "properties.opening_hours",
            ]
        );
        assert_eq!(d.len(), 4);
        let name = d.iter().find(|c| c.field == "properties.name").unwrap();
        assert_eq!(name.before, "Mensa");
        assert_eq!(name.after, "Mensa di San Francesco");
    }

    #[test]
    fn merge_fills_gaps_and_keeps_the_listing() {
        let live = data();
        let mut p = data();
        p.name = "Mensa dei poveri".into();
        p.description_it = Some("Altro testo".into());
        p.phone = Some("0577 123456".into());
        p.categories = vec!["food-aid".into(), "health".into()];
        let m = merge(&live, &p);
        assert_eq!(m.name, "Mensa");
        assert_eq!(m.description_it.as_deref(), Some("Pasti caldi"));
        assert_eq!(m.phone.as_deref(), Some("0577 123456"));
        assert_eq!(m.categories, ["food-aid", "health"]);
    }
}
