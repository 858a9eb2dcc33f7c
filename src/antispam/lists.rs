//! DNS blocklists (DNSBL, RFC 5782) for the connecting client's address and
//! URI blocklists (URIBL) for the registrable domains of a message's URL
//! hosts, as scored evidence ("DNSBL zen.spamhaus.org").
//!
//! Lookups go through [`DnsListLookup`] (the sender authenticator's
//! resolver in the server, a table in tests), concurrently, each under a
//! timeout. Only an answer in 127.0.0.0/8 lists; 127.255.255.0/24 are the
//! lists' error codes (e.g. Spamhaus' "query refused") and a lookup error
//! or timeout counts as not listed, so a broken list never adds points.
//! Off unless lists are configured; never asked in tests. Local client
//! addresses (loopback, private, link-local) are never looked up; an
//! IPv4-mapped IPv6 address is looked up as the IPv4 address it is.

use std::collections::BTreeSet;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;

use crate::antispam::auth::organizational_domain;
use crate::antispam::classifier::url_hosts;
use crate::antispam::message::Scanned;
use crate::antispam::score::Reason;
use crate::config::{AntispamSection, DnsList};

/// Why a list could not be asked; counted as not listed.
#[derive(Debug, thiserror::Error)]
#[error("blocklist lookup: {0}")]
pub struct LookupError(pub String);

/// A boxed future of one lookup.
pub type LookupFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<Ipv4Addr>, LookupError>> + Send + 'a>>;

/// Answers A queries for names below a list's zone.
pub trait DnsListLookup: Send + Sync + 'static {
    /// The IPv4 addresses `name` (a full name, e.g.
    /// `2.0.0.127.zen.spamhaus.org`) resolves to; NXDOMAIN is an error.
    fn a_records<'a>(&'a self, name: &'a str) -> LookupFuture<'a>;
}

/// The configured lists with the resolver they are asked through.
pub struct DnsLists {
    dnsbl: Vec<DnsList>,
    uribl: Vec<DnsList>,
    max_hosts: usize,
    timeout: Duration,
    lookup: Arc<dyn DnsListLookup>,
}

impl DnsLists {
    /// The lists of `settings` (`antispam.dnsbl`, `antispam.uribl`); `None`
    /// when none is configured.
    pub fn new(settings: &AntispamSection, lookup: Arc<dyn DnsListLookup>) -> Option<Self> {
        if settings.dnsbl.is_empty() && settings.uribl.is_empty() {
            return None;
        }
        Some(Self {
            dnsbl: settings.dnsbl.clone(),
            uribl: settings.uribl.clone(),
            max_hosts: settings.uribl_max_hosts,
            timeout: settings.dns_list_timeout.duration(),
            lookup,
        })
    }

    /// Whether the message's URL hosts are asked about.
    pub fn wants_url_hosts(&self) -> bool {
        !self.uribl.is_empty() && self.max_hosts > 0
    }

    /// The reasons of every list that lists `client` (DNSBL) or one of the
    /// registrable domains of `hosts` (URIBL, the first `uribl_max_hosts`
    /// distinct ones), each list counted once.
    pub async fn check(&self, client: Option<IpAddr>, hosts: &[String]) -> Vec<Reason> {
        let mut queries: Vec<(String, String)> = Vec::new();
        if let Some(ip) = client.map(|ip| ip.to_canonical()).filter(is_listable) {
            for list in &self.dnsbl {
                queries.push((format!("DNSBL {}", zone(list)), dnsbl_name(ip, zone(list))));
            }
        }
        let domains = registrable_domains(hosts, self.max_hosts);
        for list in &self.uribl {
            for domain in &domains {
                queries.push((
                    format!("URIBL {}", zone(list)),
                    format!("{domain}.{}", zone(list)),
                ));
            }
        }
        let listed = self.ask(queries).await;
        self.dnsbl
            .iter()
            .map(|list| (format!("DNSBL {}", zone(list)), list.score.get()))
            .chain(
                self.uribl
                    .iter()
                    .map(|list| (format!("URIBL {}", zone(list)), list.score.get())),
            )
            .filter(|(name, _)| listed.contains(name))
            .map(|(name, score)| Reason { name, score })
            .collect()
    }

    /// Asks every `(reason, name)` at once; the reasons whose name is listed.
    async fn ask(&self, queries: Vec<(String, String)>) -> BTreeSet<String> {
        let mut lookups = JoinSet::new();
        for (reason, name) in queries {
            let lookup = Arc::clone(&self.lookup);
            let timeout = self.timeout;
            lookups.spawn(async move {
                match tokio::time::timeout(timeout, lookup.a_records(&name)).await {
                    Ok(Ok(answers)) => lists(&answers).then_some(reason),
                    Ok(Err(error)) => {
                        tracing::debug!(%error, name, "not listed: the lookup failed");
                        None
                    }
                    Err(_) => {
                        tracing::debug!(name, "not listed: the lookup timed out");
                        None
                    }
                }
            });
        }
        let mut listed = BTreeSet::new();
        while let Some(done) = lookups.join_next().await {
            if let Ok(Some(reason)) = done {
                listed.insert(reason);
            }
        }
        listed
    }
}

/// Whether a client address can be on a public list at all: loopback,
/// private and link-local addresses are never asked about, which would
/// only tell the list's operator about the local network.
fn is_listable(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast())
        }
        IpAddr::V6(v6) => {
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_unique_local()
                || v6.is_unicast_link_local())
        }
    }
}

fn zone(list: &DnsList) -> &str {
    list.zone.trim_end_matches('.')
}

/// Whether an answer means "listed": RFC 5782 §2.1 answers in 127.0.0.0/8,
/// except 127.255.255.0/24, which lists use to say the query was refused or
/// malformed.
fn lists(answers: &[Ipv4Addr]) -> bool {
    answers.iter().any(|a| {
        let [first, second, third, _] = a.octets();
        first == 127 && !(second == 255 && third == 255)
    })
}

/// The name asked for `ip` in `zone` (RFC 5782 §2.1 and §2.4): the IPv4
/// octets reversed, or the 32 IPv6 nibbles reversed, then the zone.
pub fn dnsbl_name(ip: IpAddr, zone: &str) -> String {
    let reversed: Vec<String> = match ip {
        IpAddr::V4(v4) => v4.octets().iter().rev().map(u8::to_string).collect(),
        IpAddr::V6(v6) => v6
            .octets()
            .iter()
            .rev()
            .flat_map(|octet| [octet & 0x0f, octet >> 4])
            .map(|nibble| format!("{nibble:x}"))
            .collect(),
    };
    format!("{}.{zone}", reversed.join("."))
}

/// The distinct registrable domains of `hosts`, in order, at most `max`;
/// numeric hosts (IPv4 literals) are not domains and are left out.
pub fn registrable_domains(hosts: &[String], max: usize) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut domains = Vec::new();
    for host in hosts {
        if domains.len() >= max {
            break;
        }
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        if host
            .split('.')
            .all(|l| l.bytes().all(|b| b.is_ascii_digit()))
        {
            continue;
        }
        let domain = organizational_domain(&host).to_owned();
        if domain.contains('.') && seen.insert(domain.clone()) {
            domains.push(domain);
        }
    }
    domains
}

/// The URL hosts of a message's text and HTML bodies, in order. Blocking
/// (parses the message): call it where the scoring runs.
pub fn message_url_hosts(raw: &[u8]) -> Vec<String> {
    let Some(scanned) = Scanned::parse(raw) else {
        return Vec::new();
    };
    url_hosts(&scanned.text)
        .chain(url_hosts(&scanned.html))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_octets_are_reversed() {
        let ip: IpAddr = "192.0.2.99".parse().unwrap();
        assert_eq!(dnsbl_name(ip, "bl.test"), "99.2.0.192.bl.test");
    }

    #[test]
    fn ipv6_nibbles_are_reversed() {
        // RFC 5782 §2.4's example.
        let ip: IpAddr = "2001:db8:1:2:3:4:567:89ab".parse().unwrap();
        assert_eq!(
            dnsbl_name(ip, "ugly.example.com"),
            "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ugly.example.com"
        );
    }

    #[test]
    fn local_clients_are_not_listable() {
        for local in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.9",
            "::1",
            "fd00::1",
            "fe80::1",
        ] {
            assert!(!is_listable(&local.parse().unwrap()), "{local}");
        }
        assert!(is_listable(&"198.51.100.9".parse().unwrap()));
        assert!(is_listable(&"2001:db8::1".parse().unwrap()));
    }

    #[test]
    fn only_loopback_answers_outside_the_error_range_list() {
        assert!(lists(&[Ipv4Addr::new(127, 0, 0, 2)]));
        assert!(!lists(&[Ipv4Addr::new(127, 255, 255, 254)]));
        assert!(!lists(&[Ipv4Addr::new(10, 0, 0, 2)]));
        assert!(!lists(&[]));
    }

    #[test]
    fn domains_are_registrable_distinct_and_capped() {
        let hosts: Vec<String> = [
            "www.spam.example",
            "a.spam.example",
            "10.0.0.1",
            "x.other.test",
            "third.test",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            registrable_domains(&hosts, 2),
            vec!["spam.example".to_owned(), "other.test".to_owned()]
        );
    }
}
