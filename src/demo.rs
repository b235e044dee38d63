//! The Siena demonstration data set (`data/demo/siena.geojson`), loaded into an empty
//! database so that a first start shows a working map. Every entry carries `demo: true`.

use crate::domain::{BoundingBox, Status, Taxonomy};
use crate::import::{Format, ImportError, ImportOptions, parse_bytes};
use crate::store::NewService;

/// The demo data set, as shipped.
pub const DEMO_GEOJSON: &str = include_str!("../data/demo/siena.geojson");

/// The demo services that fall inside `area`, ready to publish.
pub fn services(taxonomy: &Taxonomy, area: &BoundingBox) -> Result<Vec<NewService>, ImportError> {
    let options = ImportOptions {
        format: Some(Format::GeoJson),
        status: Status::Published,
        categories: Vec::new(),
        target_groups: Vec::new(),
        columns: Default::default(),
        delimiter: None,
        demo: true,
    };
    let parsed = parse_bytes(
        DEMO_GEOJSON.as_bytes(),
        Format::GeoJson,
        &options,
        taxonomy,
        area,
    )?;
    for s in &parsed.skipped {
        tracing::warn!("demo feature {} left out: {}", s.row, s.reason);
    }
    Ok(parsed.records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_set_is_valid_marked_and_has_the_sportello_famiglia() {
        let t = Taxonomy::default_set();
        let all = services(&t, &BoundingBox::siena_province()).unwrap();
        assert!(all.len() >= 20, "{}", all.len());
        assert!(all.iter().all(|s| s.data.demo && s.external_id.is_some()));
        let sf = all
            .iter()
            .find(|s| s.data.name.contains("Sportello Famiglia"))
            .expect("Sportello Famiglia");
        assert_eq!(
            sf.data.opening_hours.as_ref().unwrap().raw(),
            "Mo,We 10:00-13:00; Tu 15:00-18:00"
        );
    }
}
