//! The store's change feed: what other instances commit to a shared PostgreSQL database.
//!
//! A trigger (migration 0005) announces every change to a service on a channel at
//! commit, and migration 0010 every change to the vocabulary of needs; this module turns
//! those notifications into [`Change`]s. The store stays the source of truth: a change
//! only says where to look ([`crate::directory::sync`] re-reads it).

use crate::domain::ServiceId;
use sqlx::postgres::PgListener;
use std::time::Duration;

/// The channel the migration's trigger notifies.
pub const CHANNEL: &str = "mappatu_services";

/// The channel announcing a change to the phrases admins added to the vocabulary of needs
/// (migration 0010): the vocabulary is rebuilt from the store.
pub const VOCABULARY_CHANNEL: &str = "mappatu_vocabulary";

/// One announcement of the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A service was written: re-read it.
    Service(ServiceId),
    /// The phrases of the vocabulary of needs changed.
    Vocabulary,
}

/// A subscription to the change feed, opened before the index is loaded so that nothing
/// committed in between is missed (notifications wait in the connection meanwhile).
pub struct Subscription(PgListener);

/// Subscribes when `database_url` is a PostgreSQL database; `None` for SQLite, whose
/// file has a single server.
pub async fn subscribe(database_url: &str) -> Result<Option<Subscription>, sqlx::Error> {
    if !super::is_postgres_url(database_url) {
        return Ok(None);
    }
    let mut listener = PgListener::connect(database_url).await?;
    listener.listen_all([CHANNEL, VOCABULARY_CHANNEL]).await?;
    Ok(Some(Subscription(listener)))
}

impl Subscription {
    /// The next change; waits for it, reconnecting (and saying so) when the connection
    /// drops.
    pub async fn next(&mut self) -> Change {
        loop {
            match self.0.try_recv().await {
                Ok(Some(n)) if n.channel() == VOCABULARY_CHANNEL => return Change::Vocabulary,
                Ok(Some(n)) => match n.payload().parse::<i64>() {
                    Ok(id) => return Change::Service(ServiceId(id)),
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
    }
}
