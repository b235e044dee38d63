//! Keeps this instance's index in step with what other instances commit to a shared
//! PostgreSQL database: every [`Change`] of the store's feed is re-read from the store.
//! Refreshing a service this instance changed itself is harmless: the index ends up the
//! same.

use super::Directory;
use crate::store::feed::{Change, Subscription};
use std::sync::Arc;
use tokio::task::JoinHandle;

/// Applies every announced change to `directory`'s index, until the task is aborted.
pub fn follow(mut feed: Subscription, directory: Arc<Directory>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match feed.next().await {
                Change::Vocabulary => {
                    if let Err(e) = directory.reload_needs().await {
                        tracing::warn!("cannot rebuild the changed vocabulary of needs: {e}");
                    }
                }
                Change::Service(id) => {
                    if let Err(e) = directory.refresh(id).await {
                        tracing::warn!(service = id.0, "cannot refresh a changed service: {e}");
                    }
                }
            }
        }
    })
}
