//! The Siena demonstration data set (`data/demo/siena.geojson`), loaded into an empty
//! database so that a first start shows a working map. Every entry carries `demo: true`.
//!
//! Loading it is an import like any other: it is written with an audit entry
//! (`import.demo`, by `system`), so that the log tells when the demo services came in.

use crate::directory::DirectoryError;
use crate::domain::{BoundingBox, Status, Taxonomy};
use crate::import::{Format, ImportError, ImportOptions, Origin, Parsed, parse_bytes};
use crate::store::{Actor, ImportAudit, ImportOutcome, NewService, Store};

/// The demo data set, as shipped.
pub const DEMO_GEOJSON: &str = include_str!("../data/demo/siena.geojson");

/// The demo data set's name in its audit entry.
pub const DEMO_SOURCE: &str = "data/demo/siena.geojson (built in)";

/// The audit action of loading the demo data.
pub const DEMO_ACTION: &str = "import.demo";

fn options() -> ImportOptions {
    ImportOptions {
        format: Some(Format::GeoJson),
        status: Status::Published,
        categories: Vec::new(),
        target_groups: Vec::new(),
        columns: Default::default(),
        delimiter: None,
        demo: true,
    }
}

fn parse(
    options: &ImportOptions,
    taxonomy: &Taxonomy,
    area: &BoundingBox,
) -> Result<Parsed, ImportError> {
    let parsed = parse_bytes(
        DEMO_GEOJSON.as_bytes(),
        Format::GeoJson,
        options,
        taxonomy,
        area,
    )?;
    for s in &parsed.skipped {
        // Features outside a directory's area are left out on purpose (`--area`).
        tracing::warn!("demo {s}: left out");
    }
    Ok(parsed)
}

/// The demo services that fall inside `area`, ready to publish.
pub fn services(taxonomy: &Taxonomy, area: &BoundingBox) -> Result<Vec<NewService>, ImportError> {
    Ok(parse(&options(), taxonomy, area)?.records)
}

/// Publishes the demo services that fall inside `area`, with their audit entry, in one
/// transaction.
pub async fn load(
    store: &dyn Store,
    taxonomy: &Taxonomy,
    area: &BoundingBox,
) -> Result<ImportOutcome, DirectoryError> {
    let options = options();
    let mut parsed = parse(&options, taxonomy, area)?;
    // The audit document counts rows read and skipped, not the records handed over.
    let records = std::mem::take(&mut parsed.records);
    let origin = Origin {
        file: DEMO_SOURCE.into(),
        os_user: None,
    };
    let after = |written: &_| parsed.audit_document(&origin, &options, written);
    let audit = ImportAudit {
        actor: Actor::system(),
        action: DEMO_ACTION,
        after: &after,
    };
    Ok(store.import(records, audit, &|_| {}).await?)
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
