//! Bonuses and contributions in memory: the [`BenefitCatalog`], every benefit of the
//! store, read by the API and by search without touching the database. The store is the
//! source of truth: the catalog is loaded at start-up and reloaded after each committed
//! write ([`Directory::create_benefit`] and its siblings write through it).

use crate::directory::Directory;
use crate::domain::{Benefit, BenefitData, BenefitId, ServiceId};
use crate::store::{Actor, BenefitStore, StoreError};
use parking_lot::RwLock;
use std::sync::Arc;

/// Every benefit, as last read from the store. A few dozen at most: a whole copy per
/// reload is cheaper than anything cleverer.
#[derive(Default)]
pub struct BenefitCatalog {
    all: RwLock<Arc<Vec<Benefit>>>,
    /// Reloads one at a time, so that a slower reload that read the store earlier can
    /// never replace what a later one read.
    reloading: tokio::sync::Mutex<()>,
}

impl BenefitCatalog {
    /// An empty catalog.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every benefit, by id. Cheap: a shared snapshot.
    pub fn all(&self) -> Arc<Vec<Benefit>> {
        self.all.read().clone()
    }

    /// One benefit.
    pub fn get(&self, id: BenefitId) -> Option<Benefit> {
        self.all.read().iter().find(|b| b.id == id).cloned()
    }

    /// The benefits asked for at the service `id`, by id.
    pub fn for_service(&self, id: ServiceId) -> Vec<Benefit> {
        self.all
            .read()
            .iter()
            .filter(|b| b.is_asked_at(id))
            .cloned()
            .collect()
    }

    /// How many benefits there are.
    pub fn len(&self) -> usize {
        self.all.read().len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reads every benefit from the store and replaces the catalog with them.
    pub async fn reload(&self, store: &dyn BenefitStore) -> Result<(), StoreError> {
        let _turn = self.reloading.lock().await;
        let fresh = store.benefits().await?;
        *self.all.write() = Arc::new(fresh);
        Ok(())
    }

    /// After a committed write: reloads, or, when the store cannot be read just now,
    /// applies the write it knows of (`Ok(benefit)` stored, `Err(id)` deleted), so that
    /// what was acknowledged shows.
    async fn after_write(&self, store: &dyn BenefitStore, change: Result<&Benefit, BenefitId>) {
        if let Err(e) = self.reload(store).await {
            tracing::warn!("benefits not reloaded after a write, patched instead: {e}");
            let mut all = (**self.all.read()).clone();
            let id = change.map_or_else(|id| id, |b| b.id);
            all.retain(|b| b.id != id);
            if let Ok(b) = change {
                all.push(b.clone());
                all.sort_by_key(|b| b.id);
            }
            *self.all.write() = Arc::new(all);
        }
    }
}

impl Directory {
    /// Stores a new benefit (audited as `benefit.create`), then shows it in the catalog.
    pub async fn create_benefit(
        &self,
        data: &BenefitData,
        actor: &Actor,
    ) -> Result<Benefit, StoreError> {
        let store = self.store().clone();
        let benefit = store.create_benefit(data, actor).await?;
        self.benefits().after_write(&*store, Ok(&benefit)).await;
        Ok(benefit)
    }

    /// Replaces a benefit's content (audited as `benefit.update`), then in the catalog.
    pub async fn update_benefit(
        &self,
        id: BenefitId,
        data: &BenefitData,
        actor: &Actor,
    ) -> Result<Option<Benefit>, StoreError> {
        let store = self.store().clone();
        let benefit = store.update_benefit(id, data, actor).await?;
        if let Some(b) = &benefit {
            self.benefits().after_write(&*store, Ok(b)).await;
        }
        Ok(benefit)
    }

    /// Deletes a benefit (audited as `benefit.delete`), then from the catalog.
    pub async fn delete_benefit(
        &self,
        id: BenefitId,
        actor: &Actor,
    ) -> Result<Option<Benefit>, StoreError> {
        let store = self.store().clone();
        let deleted = store.delete_benefit(id, actor).await?;
        if deleted.is_some() {
            self.benefits().after_write(&*store, Err(id)).await;
        }
        Ok(deleted)
    }
}
