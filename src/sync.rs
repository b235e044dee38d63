//! Keeps this instance's index in step with what other instances commit to a shared
//! PostgreSQL database.
//!
//! A trigger (migration 0005) announces every change to a service on a channel at
//! commit; each instance listens and re-reads the service from the store — the store is
//! the source of truth, the notification only says where to look. Refreshing a service
//! this instance changed itself is harmless: the index ends up the same.

use crate::directory::Directory;
use crate::domain::ServiceId;
use sqlx::postgres::PgListener;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// The channel the migration's trigger notifies.
pub const CHANNEL: &str = "mappatu_services";

/// The channel announcing a change to the phrases admins added to the vocabulary of needs
/// (migration 0010): the vocabulary is rebuilt from the store.
pub const VOCABULARY_CHANNEL: &str = "mappatu_vocabulary";

/// A subscription to the change feed, opened before the index is loaded so that nothing
/// committed in between is missed (notifications wait in the connection meanwhile).
pub struct Subscription(PgListener);

/// Subscribes when `database_url` is a PostgreSQL database; `None` for SQLite, whose
/// file has a single server.
pub async fn subscribe(database_url: &str) -> Result<Option<Subscription>, sqlx::Error> {
    if !crate::store::is_postgres_url(database_url) {
        return Ok(None);
    }
    let mut listener = PgListener::connect(database_url).await?;
    listener.listen_all([CHANNEL, VOCABULARY_CHANNEL]).await?;
    Ok(Some(Subscription(listener)))
}

impl Subscription {
    /// Applies every announced change to `directory`'s index, until the task is aborted.
    pub fn follow(self, directory: Arc<Directory>) -> JoinHandle<()> {
        let mut listener = self.0;
        tokio::spawn(async move {
            loop {
                match listener.try_recv().await {
                    Ok(Some(n)) if n.channel() == VOCABULARY_CHANNEL => {
                        if let Err(e) = directory.reload_needs().await {
                            tracing::warn!("cannot rebuild the changed vocabulary of needs: {e}");
                        }
                    }
                    Ok(Some(n)) => match n.payload().parse::<i64>() {
                        Ok(id) => {
                            if let Err(e) = directory.refresh(ServiceId(id)).await {
                                tracing::warn!(
                                    service = id,
                                    "cannot refresh a changed service: {e}"
                                );
                            }
                        }
                        Err(_) => tracing::warn!("ignoring a malformed change notification"),
                    },
                    // The connection dropped; the listener reconnects on the next call,
                    // but what was committed meanwhile was not announced to us.
                    Ok(None) => tracing::warn!(
                        "lost the database's change feed; reconnecting. Changes made by other \
                         instances meanwhile show here after a restart"
                    ),
                    Err(e) => {
                        tracing::warn!("change feed: {e}; retrying in 1 s");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        })
    }
}
