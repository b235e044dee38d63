//! The Siena demonstration data set (`data/demo/siena.geojson`), loaded into an empty
//! database so that a first start shows a working map. Every entry carries `demo: true`.
//!
//! Loading it is an import like any other: it is written with an audit entry
//! (`import.demo`, by `system`), so that the log tells when the demo services came in.

use super::{Format, ImportError, ImportOptions, Origin, Parsed, parse_bytes};
use crate::domain::{BenefitDraft, BenefitId};
use crate::domain::{BoundingBox, Status, Taxonomy};
use crate::store::KeyedBenefit;
use crate::store::{
    Actor, AuditFilter, ImportAudit, ImportOutcome, NewService, Store, StoreError, SubjectKind,
};
use serde::Deserialize;

/// Why the shipped demo data cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The shipped demo data set does not parse (a packaging mistake).
    #[error("demo data: {0}")]
    Services(#[from] ImportError),
    /// The shipped demo benefits do not parse or are invalid (a packaging mistake).
    #[error("demo benefits: {0}")]
    Benefits(String),
}

/// The demo data set, as shipped.
pub const DEMO_GEOJSON: &str = include_str!("../../data/demo/siena.geojson");

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
) -> Result<ImportOutcome, DemoError> {
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

/// The demo benefits (bonuses and contributions of the 2022 "Obiettivo Famiglia" article),
/// as shipped.
pub const DEMO_BENEFITS_JSON: &str = include_str!("../../data/demo/benefits.json");

/// The demo service whose presence says that a database holds the demo data set.
const DEMO_MARKER: &str = "demo-sportello-famiglia";

/// The demo benefits file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BenefitsFile {
    /// Where the data comes from (for people reading the file).
    #[allow(dead_code)]
    source: String,
    benefits: Vec<DemoBenefit>,
}

/// One demo benefit: its stable key, the demo services (by external id) where it is
/// asked for, and its content.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoBenefit {
    key: String,
    asked_at: Vec<String>,
    benefit: BenefitDraft,
}

/// The demo benefits, checked, with their links resolved through `service` (an external
/// id to a stored service, if any). A link to a service that is not stored (left out by
/// `--area`) is left out.
pub async fn benefits<F, Fut>(
    taxonomy: &Taxonomy,
    service: F,
) -> Result<Vec<KeyedBenefit>, DemoError>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<
            Output = Result<Option<crate::domain::ServiceId>, crate::store::StoreError>,
        >,
{
    let file: BenefitsFile =
        serde_json::from_str(DEMO_BENEFITS_JSON).map_err(|e| DemoError::Benefits(e.to_string()))?;
    let mut out = Vec::with_capacity(file.benefits.len());
    for b in file.benefits {
        let mut draft = b.benefit;
        for key in b.asked_at {
            match service(key.clone()).await? {
                Some(id) => draft.service_ids.push(id.0),
                None => tracing::warn!("demo benefit {}: no service {key}, link left out", b.key),
            }
        }
        draft.demo = Some(true);
        let data = draft.validate(taxonomy).map_err(|errs| {
            let list: Vec<String> = errs.iter().map(ToString::to_string).collect();
            DemoError::Benefits(format!("{}: {}", b.key, list.join("; ")))
        })?;
        out.push(KeyedBenefit { key: b.key, data });
    }
    Ok(out)
}

/// Loads the demo benefits into a database that holds the demo services and in which no
/// benefit was ever written (the audit log has no benefit entry): the first start, or the
/// first start after an upgrade. An admin who deleted them does not see them come back,
/// and a database of real services never gets them. Each is audited as
/// `benefit.create` by `system`; benefits already stored under their key are left alone.
pub async fn load_benefits_if_due(
    store: &dyn Store,
    taxonomy: &Taxonomy,
) -> Result<Vec<BenefitId>, DemoError> {
    if store.service_by_external_id(DEMO_MARKER).await?.is_none() {
        return Ok(Vec::new());
    }
    let touched = store
        .audit_entries(&AuditFilter {
            subject_kind: Some(SubjectKind::Benefit),
            limit: 1,
            ..AuditFilter::default()
        })
        .await?;
    if !touched.is_empty() {
        return Ok(Vec::new());
    }
    let records = benefits(taxonomy, |key| async move {
        store.service_by_external_id(&key).await
    })
    .await?;
    let added = store.load_benefits(&records, &Actor::system()).await?;
    tracing::info!(
        "loaded {} demonstration benefits (bonuses and contributions)",
        added.len()
    );
    Ok(added)
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
