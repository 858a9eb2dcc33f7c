//! Where a domain's mail goes: the hosts to try, in order, each with its addresses
//! (RFC 5321 §5.1).
//!
//! A static route from the configuration wins; else the MX records by preference,
//! shuffled among equals; no MX means the domain itself (the implicit MX); a null
//! MX (RFC 7505) means the domain takes no mail. Addresses that DNS (or an address
//! literal) gives for loopback or nowhere are refused, so a domain pointing its MX at
//! 127.0.0.1 cannot make us deliver to ourselves; a static route may point there.
//! Owns these decisions; it must not connect anywhere: that is `transport`'s job.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use rand::seq::SliceRandom;

use super::dns::{Dns, DnsError, MxRecord};
use crate::config::{ANY_DOMAIN, RouteHost, RouteTarget};
use crate::queue::{Outcome, OutcomeKind};

/// At most this many addresses are tried in one attempt, over all hosts, so a
/// domain with dozens of MX records cannot hold a delivery for hours.
pub const MAX_ADDRESSES: usize = 10;

/// One server to try: its name (for TLS and `Remote-MTA`) and its addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    pub name: String,
    pub addresses: Vec<SocketAddr>,
}

/// Why a domain has no host to try. Each maps to one outcome for every recipient.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// RFC 7505 §3: `MX 0 .`.
    #[error("the domain does not accept mail (null MX)")]
    NullMx,
    /// NXDOMAIN for the recipient's domain.
    #[error("the domain does not exist")]
    NoSuchDomain,
    /// Neither MX nor address records: there is no server to deliver to.
    #[error("the domain has no mail server")]
    NoMailServer,
    /// Every address found points back at this host.
    #[error("the mail servers of the domain are on loopback or unspecified addresses")]
    Loop,
    /// SERVFAIL, a timeout, an unresolvable route target: try later.
    #[error("DNS lookup failed: {0}")]
    Dns(String),
    /// The MX hosts have no addresses (yet).
    #[error("no address found for the domain's mail servers")]
    NoAddress,
}

impl RouteError {
    /// What each recipient is told: RFC 7505 §4.2 for the null MX, RFC 3463 for
    /// the rest.
    pub fn outcome(&self) -> Outcome {
        let (kind, status) = match self {
            RouteError::NullMx => (OutcomeKind::Permanent, "5.1.10"),
            RouteError::NoSuchDomain | RouteError::NoMailServer => {
                (OutcomeKind::Permanent, "5.1.2")
            }
            RouteError::Loop => (OutcomeKind::Permanent, "5.4.6"),
            RouteError::Dns(_) => (OutcomeKind::Transient, "4.4.3"),
            RouteError::NoAddress => (OutcomeKind::Transient, "4.4.4"),
        };
        Outcome {
            kind,
            status: status.to_owned(),
            diagnostic: self.to_string(),
            remote_mta: None,
        }
    }
}

/// Finds the hosts for a domain.
pub struct Router {
    routes: BTreeMap<String, RouteTarget>,
    dns: Arc<dyn Dns>,
    /// The port MX hosts and address literals are reached on: 25 but in tests.
    mx_port: u16,
    /// Lets DNS answers point at loopback: only for tests on one machine.
    dns_loopback: bool,
}

/// What resolving a list of candidate names found, beyond the usable hosts.
#[derive(Default)]
struct Findings {
    hosts: Vec<Host>,
    addresses: usize,
    temporary: Option<String>,
    refused: bool,
}

impl Router {
    pub fn new(
        routes: BTreeMap<String, RouteTarget>,
        dns: Arc<dyn Dns>,
        mx_port: u16,
        dns_loopback: bool,
    ) -> Router {
        Router {
            routes,
            dns,
            mx_port,
            dns_loopback,
        }
    }

    /// The hosts to try for `domain` (lowercase), best first; never empty.
    pub async fn resolve(&self, domain: &str) -> Result<Vec<Host>, RouteError> {
        if let Some(target) = self
            .routes
            .get(domain)
            .or_else(|| self.routes.get(ANY_DOMAIN))
        {
            return self.static_route(target).await;
        }
        if let Some(address) = address_literal(domain) {
            return self.address_literal(address);
        }
        let records = self.dns.mx(domain).await.map_err(|error| match error {
            DnsError::NoSuchDomain => RouteError::NoSuchDomain,
            DnsError::Temporary(why) => RouteError::Dns(why),
        })?;
        if records.is_empty() {
            return self.implicit_mx(domain).await;
        }
        let exchanges = mx_order(records)?;
        let findings = self
            .find(&exchanges, self.mx_port, !self.dns_loopback)
            .await;
        if !findings.hosts.is_empty() {
            return Ok(findings.hosts);
        }
        Err(match findings {
            Findings {
                temporary: Some(why),
                ..
            } => RouteError::Dns(why),
            Findings { refused: true, .. } => RouteError::Loop,
            _ => RouteError::NoAddress,
        })
    }

    async fn static_route(&self, target: &RouteTarget) -> Result<Vec<Host>, RouteError> {
        let name = match &target.host {
            RouteHost::Address(address) => {
                return Ok(vec![Host {
                    name: address.to_string(),
                    addresses: vec![SocketAddr::new(*address, target.port)],
                }]);
            }
            RouteHost::Name(name) => name.clone(),
        };
        // A route is the administrator's word: when its host does not resolve, the
        // mail waits for a fix instead of bouncing.
        let findings = self
            .find(std::slice::from_ref(&name), target.port, false)
            .await;
        if findings.hosts.is_empty() {
            return Err(RouteError::Dns(findings.temporary.unwrap_or_else(|| {
                format!("the route's host {name} has no address")
            })));
        }
        Ok(findings.hosts)
    }

    /// The host is named by its address, which is what TLS can check.
    fn address_literal(&self, address: IpAddr) -> Result<Vec<Host>, RouteError> {
        if !self.dns_loopback && is_forbidden(address) {
            return Err(RouteError::Loop);
        }
        Ok(vec![Host {
            name: address.to_string(),
            addresses: vec![SocketAddr::new(address, self.mx_port)],
        }])
    }

    /// RFC 5321 §5.1: without MX records the domain is its own mail server.
    async fn implicit_mx(&self, domain: &str) -> Result<Vec<Host>, RouteError> {
        let findings = self
            .find(&[domain.to_owned()], self.mx_port, !self.dns_loopback)
            .await;
        if !findings.hosts.is_empty() {
            return Ok(findings.hosts);
        }
        Err(match findings {
            Findings {
                temporary: Some(why),
                ..
            } => RouteError::Dns(why),
            Findings { refused: true, .. } => RouteError::Loop,
            _ => RouteError::NoMailServer,
        })
    }

    /// Resolves each name in turn until [`MAX_ADDRESSES`] are found.
    async fn find(&self, names: &[String], port: u16, refuse_local: bool) -> Findings {
        let mut findings = Findings::default();
        for name in names {
            if findings.addresses >= MAX_ADDRESSES {
                break;
            }
            let (ipv4, ipv6) = tokio::join!(self.dns.ipv4(name), self.dns.ipv6(name));
            let mut found: Vec<IpAddr> = Vec::new();
            for answer in [
                ipv4.map(|v4| v4.into_iter().map(IpAddr::V4).collect::<Vec<_>>()),
                ipv6.map(|v6| v6.into_iter().map(IpAddr::V6).collect()),
            ] {
                match answer {
                    Ok(addresses) => found.extend(addresses),
                    Err(DnsError::Temporary(why)) => findings.temporary = Some(why),
                    Err(DnsError::NoSuchDomain) => {}
                }
            }
            let before = found.len();
            if refuse_local {
                found.retain(|&address| !is_forbidden(address));
            }
            findings.refused |= found.len() < before;
            found.truncate(MAX_ADDRESSES - findings.addresses);
            if found.is_empty() {
                continue;
            }
            findings.addresses += found.len();
            findings.hosts.push(Host {
                name: name.clone(),
                addresses: found
                    .into_iter()
                    .map(|address| SocketAddr::new(address, port))
                    .collect(),
            });
        }
        findings
    }
}

/// The exchanges by preference, equal preferences in random order (RFC 5321
/// §5.1); a null MX alone is [`RouteError::NullMx`], and beside real exchanges it
/// is skipped (RFC 7505 §3 forbids the mix; the real ones are the better guess).
fn mx_order(mut records: Vec<MxRecord>) -> Result<Vec<String>, RouteError> {
    records.retain(|record| !record.exchange.is_empty());
    if records.is_empty() {
        return Err(RouteError::NullMx);
    }
    records.shuffle(&mut rand::thread_rng());
    records.sort_by_key(|record| record.preference);
    let mut exchanges: Vec<String> = Vec::with_capacity(records.len());
    for record in records {
        if !exchanges.contains(&record.exchange) {
            exchanges.push(record.exchange);
        }
    }
    Ok(exchanges)
}

/// `[192.0.2.1]` or `[IPv6:2001:db8::1]` (RFC 5321 §4.1.3).
fn address_literal(domain: &str) -> Option<IpAddr> {
    let inner = domain.strip_prefix('[')?.strip_suffix(']')?;
    match inner.get(..5) {
        Some(tag) if tag.eq_ignore_ascii_case("ipv6:") => inner
            .get(5..)
            .and_then(|v6| v6.parse::<Ipv6Addr>().ok())
            .map(IpAddr::V6),
        _ => inner.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4),
    }
}

/// Addresses a remote domain must never send us to: ourselves, or nowhere.
fn is_forbidden(address: IpAddr) -> bool {
    let address = address.to_canonical();
    address.is_loopback() || address.is_unspecified() || address.is_multicast()
}

#[cfg(test)]
#[path = "route_tests.rs"]
mod tests;
