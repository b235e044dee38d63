//! How clients are told apart by the in-memory limits of the HTTP layer (the rate limits
//! of public writes) and of [`crate::auth`] (the login throttle): one function both use,
//! kept here so that neither area imports the other for it.

use std::net::{IpAddr, Ipv6Addr};

/// The key a client is counted under: its IPv4 address, or its IPv6 /64 prefix (one
/// household or phone usually holds a whole /64). An IPv4-mapped IPv6 address counts as
/// the IPv4 one; an unknown client (no connection info) as one client.
pub fn client_key(client: Option<IpAddr>) -> IpAddr {
    match client {
        None => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        Some(v4) => v4,
    }
}
