//! A per-client limit on how often a public write can be made, held in memory only.
//!
//! Clients are told apart by IP address (IPv6 by its /64 prefix, which one household or
//! phone usually holds whole). The addresses live in this process's memory for the
//! length of the window and are never written anywhere — not to the database, not to the
//! logs. Each app instance counts on its own: behind N instances a client gets up to N
//! times the limit, which is enough to stop a script flooding the moderators' queue.

use crate::net::client_key;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use parking_lot::Mutex;
use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// The client's address, from the connection (`ConnectInfo<SocketAddr>`); `None` when the
/// server was started without connection info (the limit then counts such clients as one).
/// When the peer is a [`TrustedProxies`] member, the address is read from
/// `X-Forwarded-For` instead: the right-most entry that is not itself a trusted proxy
/// (entries further left are whatever the client chose to send).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

/// Reverse proxies whose `X-Forwarded-For` is believed (a request extension).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub std::sync::Arc<Vec<IpAddr>>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let trusted = parts.extensions.get::<TrustedProxies>();
        Ok(ClientIp(match (peer, trusted) {
            (Some(p), Some(t)) if t.0.contains(&p) => {
                forwarded_client(&parts.headers, &t.0).or(Some(p))
            }
            _ => peer,
        }))
    }
}

/// The right-most `X-Forwarded-For` address that is not a trusted proxy.
fn forwarded_client(headers: &axum::http::HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|hop| hop.trim().parse::<IpAddr>().ok())
        .collect::<Option<Vec<_>>>()?;
    hops.into_iter().rev().find(|ip| !trusted.contains(ip))
}

/// At most `limit` events per client in any sliding `window`.
pub struct RateLimiter {
    limit: usize,
    window: Duration,
    /// Beyond this many clients tracked at once the limiter refuses new clients until old
    /// entries expire, so that a flood from many addresses cannot exhaust memory.
    max_clients: usize,
    clients: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// A limiter of `limit` events per `window` per client.
    pub fn new(limit: usize, window: Duration) -> Self {
        Self {
            limit: limit.max(1),
            window,
            max_clients: 100_000,
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// Records an event of `client` at `now` if it is within the limit; otherwise
    /// returns how long until it would be.
    pub fn check(&self, client: Option<IpAddr>, now: Instant) -> Result<(), Duration> {
        let key = client_key(client);
        let mut clients = self.clients.lock();
        if clients.len() >= self.max_clients && !clients.contains_key(&key) {
            clients.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
            if clients.len() >= self.max_clients {
                return Err(self.window);
            }
        }
        let times = clients.entry(key).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            times.pop_front();
        }
        if times.len() >= self.limit {
            let oldest = *times.front().expect("limit is at least 1");
            return Err(self.window.saturating_sub(now.duration_since(oldest)));
        }
        times.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_trusted_proxy_names_the_client() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let mut h = axum::http::HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7, 10.0.0.2".parse().unwrap(),
        );
        // The right-most hop that is not a trusted proxy: the spoofable left part is
        // ignored.
        assert_eq!(
            forwarded_client(&h, &[proxy]),
            Some("198.51.100.7".parse().unwrap())
        );
        h.insert("x-forwarded-for", "not-an-ip".parse().unwrap());
        assert_eq!(forwarded_client(&h, &[proxy]), None);
    }

    #[test]
    fn limits_per_client_in_a_sliding_window() {
        let l = RateLimiter::new(2, Duration::from_secs(60));
        let a = Some("192.0.2.1".parse().unwrap());
        let b = Some("192.0.2.2".parse().unwrap());
        let t0 = Instant::now();
        assert!(l.check(a, t0).is_ok());
        assert!(l.check(a, t0 + Duration::from_secs(10)).is_ok());
        let wait = l.check(a, t0 + Duration::from_secs(20)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(40));
        assert!(l.check(b, t0 + Duration::from_secs(20)).is_ok());
        assert!(l.check(a, t0 + Duration::from_secs(60)).is_ok());
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_prefix() {
        let l = RateLimiter::new(1, Duration::from_secs(60));
        let t0 = Instant::now();
        assert!(l.check(Some("2001:db8::1".parse().unwrap()), t0).is_ok());
        assert!(l.check(Some("2001:db8::2".parse().unwrap()), t0).is_err());
        assert!(
            l.check(Some("2001:db8:0:1::1".parse().unwrap()), t0)
                .is_ok()
        );
    }

    #[test]
    fn memory_is_bounded() {
        let mut l = RateLimiter::new(1, Duration::from_secs(60));
        l.max_clients = 2;
        let t0 = Instant::now();
        for i in 1..=2 {
            assert!(l.check(Some([192, 0, 2, i].into()), t0).is_ok());
        }
        assert!(l.check(Some([192, 0, 2, 3].into()), t0).is_err());
        let later = t0 + Duration::from_secs(61);
        assert!(l.check(Some([192, 0, 2, 3].into()), later).is_ok());
        assert_eq!(l.clients.lock().len(), 1);
    }
}
