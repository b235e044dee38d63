//! The directory: the store (source of truth) and the index (what queries read), kept in
//! step. Every write goes to the store first and reaches the index only after it committed.

mod benefits;
pub mod sync;

use crate::domain::{BoundingBox, Service, ServiceId, Status, Taxonomy};
use crate::import::demo::DemoError;
use crate::index::SpatialIndex;
use crate::index::lookalikes::NameSkeletons;
use crate::search::needs::{NeedsVocabulary, PhraseInput, PhraseSource, Vocabulary};
use crate::store::{Store, StoreError};
pub use benefits::BenefitCatalog;
use std::sync::Arc;

/// The built-in vocabulary of needs and the phrases admins added, as stored now.
async fn needs_from(store: &dyn Store) -> Result<Vocabulary, StoreError> {
    let added = store.need_phrases().await?;
    Ok(Vocabulary::with_added(added.iter().map(|p| PhraseInput {
        lang: p.lang,
        text: &p.phrase,
        categories: &p.categories,
        target_groups: &p.target_groups,
        source: PhraseSource::Added(p.id),
    })))
}

/// Why the directory cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The shipped demo data cannot be loaded.
    #[error(transparent)]
    Demo(#[from] DemoError),
}

/// The directory of services of one area.
pub struct Directory {
    store: Arc<dyn Store>,
    index: Arc<SpatialIndex>,
    area: BoundingBox,
    /// Derived from the index, and kept beside it for the same lifetime.
    name_skeletons: NameSkeletons,
    /// The vocabulary of needs: built in, plus the phrases admins added.
    needs: NeedsVocabulary,
    /// Bonuses and contributions, as last read from the store.
    benefits: BenefitCatalog,
}

impl Directory {
    /// Syncs the taxonomy into the store, loads the Siena demo data into it when
    /// `seed_demo` is set and the store is empty, and loads the published services into
    /// the index.
    pub async fn open(
        store: Arc<dyn Store>,
        area: BoundingBox,
        seed_demo: bool,
    ) -> Result<Self, DirectoryError> {
        let taxonomy = store.sync_taxonomy(&Taxonomy::default_set()).await?;
        if seed_demo && store.count(None).await? == 0 {
            let loaded = crate::import::demo::load(&*store, &taxonomy, &area).await?;
            tracing::info!(
                audit_entry = loaded.audit_id,
                "empty database: loaded {} demonstration services of Siena (--no-demo to skip)",
                loaded.written.inserted.len() + loaded.written.updated.len()
            );
        }
        if seed_demo {
            crate::import::demo::load_benefits_if_due(&*store, &taxonomy).await?;
        }
        let benefits = BenefitCatalog::new();
        benefits.reload(&*store).await?;
        let started = std::time::Instant::now();
        let reader = store.clone();
        let index = tokio::task::spawn_blocking(move || {
            SpatialIndex::load(taxonomy, area.centre(), |sink| reader.scan_published(sink))
        })
        .await
        .expect("index loading thread")?;
        tracing::info!(
            services = index.len(),
            ms = started.elapsed().as_millis() as u64,
            "index loaded from the store"
        );
        // Words are indexed in the background: serving starts without waiting for them,
        // and queries by words wait until they are (SpatialIndex::wait_for_text).
        let index = Arc::new(index);
        let building = index.clone();
        tokio::task::spawn_blocking(move || building.build_text());
        let needs = NeedsVocabulary::new(needs_from(&*store).await?);
        Ok(Self {
            store,
            index,
            area,
            name_skeletons: NameSkeletons::new(),
            needs,
            benefits,
        })
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The index of published services.
    pub fn index(&self) -> &SpatialIndex {
        &self.index
    }

    /// A shared handle on the index, for what outlives a borrow of the directory (the
    /// offline gazetteer).
    pub fn index_handle(&self) -> Arc<SpatialIndex> {
        self.index.clone()
    }

    /// The published names' confusable skeletons, for the moderators' look-alike warning.
    pub fn name_skeletons(&self) -> &NameSkeletons {
        &self.name_skeletons
    }

    /// The vocabulary of needs in use (`.current()` for the vocabulary itself).
    pub fn needs(&self) -> &NeedsVocabulary {
        &self.needs
    }

    /// Rebuilds the vocabulary of needs from the store, after a change to the admins'
    /// phrases committed.
    pub async fn reload_needs(&self) -> Result<(), StoreError> {
        self.needs.rebuild(|| needs_from(&*self.store)).await
    }

    /// Bonuses and contributions, in memory.
    pub fn benefits(&self) -> &BenefitCatalog {
        &self.benefits
    }

    /// The taxonomy in use.
    pub fn taxonomy(&self) -> Arc<Taxonomy> {
        self.index.taxonomy()
    }

    /// The directory's area: points outside it are refused.
    pub fn area(&self) -> &BoundingBox {
        &self.area
    }

    /// Brings the index in step with the store for one service, after a write to the
    /// store committed: a published service is added or replaced, any other (or a missing
    /// one) is removed. Returns the service as stored.
    pub async fn refresh(&self, id: ServiceId) -> Result<Option<Service>, StoreError> {
        let service = self.store.get(id).await?;
        match &service {
            Some(s) => self.index.upsert(s.clone()),
            None => self.index.remove(id),
        }
        Ok(service)
    }

    /// Changes a service's status (publish, unpublish, …) in the store, then in the index.
    pub async fn set_status(
        &self,
        id: ServiceId,
        status: Status,
    ) -> Result<Option<Service>, StoreError> {
        let service = self.store.set_status(id, status).await?;
        if let Some(s) = &service {
            self.index.upsert(s.clone());
        }
        Ok(service)
    }
}
