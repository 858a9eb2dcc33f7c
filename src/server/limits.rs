//! Counting open connections, in total and per client IP address.
//!
//! Owns the decision whether one more connection may be served. It must not talk to
//! the client: a refused connection is handed to its protocol to say so.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

/// Why a connection is not served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// `limits.max_connections` is reached.
    TooManyConnections,
    /// `limits.max_connections_per_ip` is reached for this client.
    TooManyFromAddress,
}

impl Refusal {
    /// Words a protocol can put in its refusal.
    pub fn text(self) -> &'static str {
        match self {
            Refusal::TooManyConnections => "Too many connections, try again later",
            Refusal::TooManyFromAddress => "Too many connections from your address",
        }
    }
}

#[derive(Debug, Default)]
struct Counts {
    total: u32,
    per_ip: HashMap<IpAddr, u32>,
}

/// The open connections, shared by every listener.
#[derive(Debug, Default)]
pub(crate) struct ConnectionLimiter(Mutex<Counts>);

impl ConnectionLimiter {
    /// Takes a slot for a connection from `ip`, or says which limit is reached. The
    /// limits are passed per call so a reload applies to the next connection.
    pub(crate) fn try_acquire(
        self: &Arc<Self>,
        ip: IpAddr,
        max_total: u32,
        max_per_ip: u32,
    ) -> Result<ConnectionSlot, Refusal> {
        let ip = client_key(ip);
        let mut counts = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if counts.total >= max_total {
            return Err(Refusal::TooManyConnections);
        }
        let from_ip = counts.per_ip.entry(ip).or_insert(0);
        if *from_ip >= max_per_ip {
            return Err(Refusal::TooManyFromAddress);
        }
        *from_ip += 1;
        counts.total += 1;
        Ok(ConnectionSlot {
            limiter: Arc::clone(self),
            ip,
        })
    }

    #[cfg(test)]
    fn open(&self) -> u32 {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).total
    }
}

/// A `[::]` listener sees IPv4 clients as `::ffff:a.b.c.d`; count them as the IPv4
/// address they are, so one client is one key whichever listener it reaches.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

/// One open connection's place in the counts; dropping it frees the place.
#[derive(Debug)]
pub(crate) struct ConnectionSlot {
    limiter: Arc<ConnectionLimiter>,
    ip: IpAddr,
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut counts = self
            .limiter
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        counts.total = counts.total.saturating_sub(1);
        if let Some(from_ip) = counts.per_ip.get_mut(&self.ip) {
            *from_ip = from_ip.saturating_sub(1);
            if *from_ip == 0 {
                counts.per_ip.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 2));

    #[test]
    fn per_ip_limit_leaves_other_clients_alone() {
        let limiter = Arc::new(ConnectionLimiter::default());
        let _first = limiter.try_acquire(A, 10, 1).unwrap();
        assert_eq!(
            limiter.try_acquire(A, 10, 1).unwrap_err(),
            Refusal::TooManyFromAddress
        );
        assert!(limiter.try_acquire(B, 10, 1).is_ok());
    }

    #[test]
    fn mapped_ipv4_counts_as_the_same_client() {
        let limiter = Arc::new(ConnectionLimiter::default());
        let _first = limiter.try_acquire(A, 10, 1).unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert!(limiter.try_acquire(mapped, 10, 1).is_err());
    }

    #[test]
    fn dropping_a_slot_frees_it() {
        let limiter = Arc::new(ConnectionLimiter::default());
        let first = limiter.try_acquire(A, 1, 1).unwrap();
        assert_eq!(
            limiter.try_acquire(B, 1, 1).unwrap_err(),
            Refusal::TooManyConnections
        );
        drop(first);
        assert_eq!(limiter.open(), 0);
        assert!(limiter.try_acquire(B, 1, 1).is_ok());
    }
}
