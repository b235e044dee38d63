//! The directory: the store (source of truth) and the index (what queries read), kept in
//! step. Every write goes to the store first and reaches the index only after it committed.

use crate::domain::{BoundingBox, Service, ServiceId, Status, Taxonomy};
use crate::index::SpatialIndex;
use crate::store::{NewService, Progress, Store, StoreError, UpsertOutcome};
use std::sync::Arc;

/// The directory of services of one area.
pub struct Directory {
    store: Arc<dyn Store>,
    index: SpatialIndex,
    area: BoundingBox,
}

impl Directory {
    /// Syncs the taxonomy into the store and loads the published services into the index.
    pub async fn open(store: Arc<dyn Store>, area: BoundingBox) -> Result<Self, StoreError> {
        let taxonomy = store.sync_taxonomy(&Taxonomy::default_set()).await?;
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
        Ok(Self { store, index, area })
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The index of published services.
    pub fn index(&self) -> &SpatialIndex {
        &self.index
    }

    /// The taxonomy in use.
    pub fn taxonomy(&self) -> Arc<Taxonomy> {
        self.index.taxonomy()
    }

    /// The directory's area: points outside it are refused.
    pub fn area(&self) -> &BoundingBox {
        &self.area
    }

    /// Writes services to the store, then brings the index up to date with them.
    pub async fn upsert(
        &self,
        records: Vec<NewService>,
        progress: Progress<'_>,
    ) -> Result<UpsertOutcome, StoreError> {
        let outcome = self.store.upsert(records, progress).await?;
        for id in outcome.inserted.iter().chain(&outcome.updated) {
            self.refresh(*id).await?;
        }
        Ok(outcome)
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

    async fn refresh(&self, id: ServiceId) -> Result<(), StoreError> {
        match self.store.get(id).await? {
            Some(s) => self.index.upsert(s),
            None => self.index.remove(id),
        }
        Ok(())
    }
}
