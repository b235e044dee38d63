//! The login throttle: after [`FREE_FAILURES`] failed logins, each further attempt must
//! wait a growing delay (1 s, 2 s, 4 s, … up to [`MAX_DELAY`], a minute). Attempts made
//! while waiting are answered 429 with `Retry-After` and their password is not checked,
//! so guessing in parallel gains nothing.
//!
//! Counted per client address (in this process's memory only: addresses are never
//! stored) and per username (in the store, shared by every app instance, for known and
//! unknown names alike so that the answers do not tell which accounts exist). Failures in
//! a row are forgotten after [`FORGET_AFTER`] without one, a username's also after a
//! success.
//!
//! There is no lockout, as OWASP advises: a lock on a username is a switch any stranger
//! can flip to keep its moderator out. The delays are short, and a username's delay does
//! not apply to the browsers that logged in to that account before (a `mappatu_device`
//! cookie, [`DEVICE_COOKIE`]) nor to the addresses it logged in from lately
//! ([`KnownAddresses`]): guessing from elsewhere, from however many addresses, slows the
//! guessers and never the moderator. A trusted browser that fails [`MAX_DEVICE_FAILURES`]
//! times in a row is trusted no more. Admins see the failed attempts of the last
//! [`RECENT`] on their page.

use crate::net::client_key;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Failures allowed without delay.
pub const FREE_FAILURES: u32 = 3;
/// The longest delay: no stranger keeps anyone out for longer than this.
pub const MAX_DELAY: Duration = Duration::from_secs(60);
/// Failures in a row are forgotten after this long without one.
pub const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
/// How far back admins see failed logins; records older than this are removed.
pub const RECENT: Duration = Duration::from_secs(24 * 60 * 60);
/// The cookie that marks a browser that logged in to an account.
pub const DEVICE_COOKIE: &str = "mappatu_device";
/// How long a browser stays trusted without logging in again.
pub const DEVICE_LIFETIME: Duration = Duration::from_secs(180 * 24 * 60 * 60);
/// Wrong passwords in a row after which a trusted browser is trusted no more.
pub const MAX_DEVICE_FAILURES: u32 = 5;
/// How long an address an account logged in from counts as the account's own.
pub const KNOWN_ADDRESS_LIFETIME: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// The most addresses remembered per account (the latest ones).
const KNOWN_ADDRESSES_PER_ACCOUNT: usize = 8;

/// How long to refuse attempts after the `failures`-th failure in a row.
pub fn wait_after(failures: u32) -> Option<Duration> {
    if failures >= FREE_FAILURES {
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
                now.duration_since(e.last_failure) < FORGET_AFTER
                    || e.locked_until.is_some_and(|u| u > now)
            });
        }
        let entry = clients.entry(client_key(client)).or_insert(Entry {
            failures: 0,
            last_failure: now,
            locked_until: None,
        });
        if now.duration_since(entry.last_failure) >= FORGET_AFTER {
            entry.failures = 0;
        }
        entry.failures = entry.failures.saturating_add(1);
        entry.last_failure = now;
        let wait = wait_after(entry.failures);
        entry.locked_until = wait.map(|w| now + w);
        wait
    }
}

/// The addresses each account logged in from lately, in memory: an attempt from one of
/// them is the account's owner more often than not, and skips the delay that failures
/// from elsewhere put on the username (still slowed by its own address's failures).
pub struct KnownAddresses {
    max_accounts: usize,
    accounts: Mutex<HashMap<String, Vec<(IpAddr, Instant)>>>,
}

impl Default for KnownAddresses {
    fn default() -> Self {
        KnownAddresses {
            max_accounts: 10_000,
            accounts: Mutex::new(HashMap::new()),
        }
    }
}

impl KnownAddresses {
    /// Remembers that `account` (a lower-case username) logged in from `client`.
    pub fn remember(&self, account: &str, client: Option<IpAddr>, now: Instant) {
        let key = client_key(client);
        let mut accounts = self.accounts.lock();
        if accounts.len() >= self.max_accounts && !accounts.contains_key(account) {
            accounts.retain(|_, seen| {
                seen.retain(|(_, at)| now.duration_since(*at) < KNOWN_ADDRESS_LIFETIME);
                !seen.is_empty()
            });
            if accounts.len() >= self.max_accounts {
                return;
            }
        }
        let seen = accounts.entry(account.to_string()).or_default();
        seen.retain(|(ip, at)| *ip != key && now.duration_since(*at) < KNOWN_ADDRESS_LIFETIME);
        if seen.len() >= KNOWN_ADDRESSES_PER_ACCOUNT {
            seen.remove(0);
        }
        seen.push((key, now));
    }

    /// Whether `account` logged in from `client` lately.
    pub fn knows(&self, account: &str, client: Option<IpAddr>, now: Instant) -> bool {
        let key = client_key(client);
        self.accounts.lock().get(account).is_some_and(|seen| {
            seen.iter()
                .any(|(ip, at)| *ip == key && now.duration_since(*at) < KNOWN_ADDRESS_LIFETIME)
        })
    }
}

/// Attempts on each username refused without a password check because the username
/// was delayed, in memory: admins see them beside the failures, and counting them in the
/// store would make a flood of refusals a flood of writes.
pub struct RefusedTally {
    max_usernames: usize,
    usernames: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Default for RefusedTally {
    fn default() -> Self {
        RefusedTally {
            max_usernames: 10_000,
            usernames: Mutex::new(HashMap::new()),
        }
    }
}

impl RefusedTally {
    /// Counts a refused attempt on `username` (lower case).
    pub fn add(&self, username: &str, now: Instant) {
        let mut usernames = self.usernames.lock();
        if usernames.len() >= self.max_usernames && !usernames.contains_key(username) {
            usernames.retain(|_, (_, since)| now.duration_since(*since) < RECENT);
            if usernames.len() >= self.max_usernames {
                return;
            }
        }
        let entry = usernames.entry(username.to_string()).or_insert((0, now));
        if now.duration_since(entry.1) >= RECENT {
            *entry = (0, now);
        }
        entry.0 = entry.0.saturating_add(1);
    }

    /// Refused attempts on `username` in the last [`RECENT`] (since the first of them).
    pub fn count(&self, username: &str, now: Instant) -> u32 {
        self.usernames
            .lock()
            .get(username)
            .filter(|(_, since)| now.duration_since(*since) < RECENT)
            .map_or(0, |(n, _)| *n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_to_a_minute_and_never_lock() {
        let waits: Vec<_> = (1..=40).map(wait_after).collect();
        assert_eq!(waits[0..2], [None, None]);
        assert_eq!(waits[2], Some(Duration::from_secs(1)));
        assert_eq!(waits[3], Some(Duration::from_secs(2)));
        assert_eq!(waits[4], Some(Duration::from_secs(4)));
        assert_eq!(waits[8], Some(Duration::from_secs(60)));
        assert!(waits.iter().flatten().all(|w| *w <= MAX_DELAY));
        assert_eq!(waits[39], Some(MAX_DELAY));
    }

    #[test]
    fn known_addresses_per_account() {
        let k = KnownAddresses::default();
        let home = Some("192.0.2.1".parse().unwrap());
        let other = Some("198.51.100.7".parse().unwrap());
        let t0 = Instant::now();
        assert!(!k.knows("marta", home, t0));
        k.remember("marta", home, t0);
        assert!(k.knows("marta", home, t0));
        assert!(!k.knows("marta", other, t0));
        assert!(!k.knows("luca", home, t0));
        assert!(!k.knows("marta", home, t0 + KNOWN_ADDRESS_LIFETIME));
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
        // Quiet for a while: counting starts again.
        assert_eq!(t.fail(a, t0 + FORGET_AFTER + Duration::from_secs(2)), None);
    }
}
