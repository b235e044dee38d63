//! The login throttle: after [`FREE_FAILURES`] failed logins, each further attempt must
//! wait a growing delay (1 s, 2 s, 4 s, … up to [`MAX_DELAY`]); after [`LOCK_AFTER`]
//! failures, attempts are refused for [`LOCKOUT`]. Attempts made while waiting are
//! answered 429 with `Retry-After` and their password is not checked, so parallel
//! guessing gains nothing.
//!
//! Counted per username (in the store, shared by every app instance, for known and
//! unknown names alike so that the answers do not reveal which accounts exist) and per
//! client address (in this process's memory only: addresses are never stored). Failures
//! are forgotten after [`LOCKOUT`] without one; a username's also after a success.
//!
//! A stranger can lock a moderator's name out for 15 minutes by guessing; that is the
//! price of stopping online guessing; the lock ends on its own, and sessions already open
//! are not affected.

use crate::api::ratelimit::client_key;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Failures allowed without delay.
pub const FREE_FAILURES: u32 = 3;
/// Failures after which attempts are refused for [`LOCKOUT`].
pub const LOCK_AFTER: u32 = 10;
/// How long a lock lasts, and how long failures are remembered.
pub const LOCKOUT: Duration = Duration::from_secs(15 * 60);
/// The longest delay before the lock.
pub const MAX_DELAY: Duration = Duration::from_secs(60);

/// How long to refuse attempts after the `failures`-th failure in a row.
pub fn wait_after(failures: u32) -> Option<Duration> {
    if failures >= LOCK_AFTER {
        Some(LOCKOUT)
    } else if failures >= FREE_FAILURES {
        let secs = 1u64 << (failures - FREE_FAILURES).min(16);
        Some(Duration::from_secs(secs).min(MAX_DELAY))
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    last_failure: Instant,
    locked_until: Option<Instant>,
}

/// Failed logins per client address (IPv4, or IPv6 /64), in memory.
pub struct MemoryThrottle {
    max_clients: usize,
    clients: Mutex<HashMap<IpAddr, Entry>>,
}

impl Default for MemoryThrottle {
    fn default() -> Self {
        MemoryThrottle {
            max_clients: 100_000,
            clients: Mutex::new(HashMap::new()),
        }
    }
}

impl MemoryThrottle {
    /// `Err(wait)` when `client` must wait before its next attempt.
    pub fn check(&self, client: Option<IpAddr>, now: Instant) -> Result<(), Duration> {
        let clients = self.clients.lock();
        match clients
            .get(&client_key(client))
            .and_then(|e| e.locked_until)
        {
            Some(until) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    /// Counts a failure of `client`; returns how long it must now wait, if at all.
    pub fn fail(&self, client: Option<IpAddr>, now: Instant) -> Option<Duration> {
        let mut clients = self.clients.lock();
        if clients.len() >= self.max_clients {
            clients.retain(|_, e| {
                now.duration_since(e.last_failure) < LOCKOUT
                    || e.locked_until.is_some_and(|u| u > now)
            });
        }
        let entry = clients.entry(client_key(client)).or_insert(Entry {
            failures: 0,
            last_failure: now,
            locked_until: None,
        });
        if now.duration_since(entry.last_failure) >= LOCKOUT {
            entry.failures = 0;
        }
        entry.failures = entry.failures.saturating_add(1);
        entry.last_failure = now;
        let wait = wait_after(entry.failures);
        entry.locked_until = wait.map(|w| now + w);
        wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_lock() {
        let waits: Vec<_> = (1..=11).map(wait_after).collect();
        assert_eq!(waits[0..2], [None, None]);
        assert_eq!(waits[2], Some(Duration::from_secs(1)));
        assert_eq!(waits[3], Some(Duration::from_secs(2)));
        assert_eq!(waits[4], Some(Duration::from_secs(4)));
        assert_eq!(waits[8], Some(Duration::from_secs(60)));
        assert_eq!(waits[9], Some(LOCKOUT));
        assert_eq!(waits[10], Some(LOCKOUT));
    }

    #[test]
    fn per_address_in_memory() {
        let t = MemoryThrottle::default();
        let a = Some("192.0.2.1".parse().unwrap());
        let b = Some("192.0.2.2".parse().unwrap());
        let t0 = Instant::now();
        assert_eq!(t.fail(a, t0), None);
        assert_eq!(t.fail(a, t0), None);
        assert_eq!(t.fail(a, t0), Some(Duration::from_secs(1)));
        assert!(t.check(a, t0).is_err());
        assert!(t.check(b, t0).is_ok());
        assert!(t.check(a, t0 + Duration::from_secs(1)).is_ok());
        // Quiet for the lockout period: counting starts again.
        assert_eq!(t.fail(a, t0 + LOCKOUT + Duration::from_secs(2)), None);
    }
}
