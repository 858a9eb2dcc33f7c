//! The daemon's one DNS resolver: every question (SPF, DKIM keys, DMARC,
//! blocklists, MX) goes through it, so its answer cache (positive and
//! negative answers, each kept for its TTL) serves the SMTP-time check,
//! delivery and the outbound queue alike.
//!
//! It also owns what keeps a slow or dead resolver from holding up mail:
//! per-query timeouts, the per-message budget that bounds all the lookups of
//! one message's checks ([`Resolver::message_lookups`]), and the
//! [`Reachability`] that skips lookups for a while once resolvers stopped
//! answering. It must not interpret answers: that is the asker's job.

mod reachability;

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{
    NameServerConfig, NameServerConfigGroup, ProtocolConfig, ResolverConfig, ResolverOpts,
};
use hickory_resolver::name_server::TokioConnectionProvider;

use crate::config::{DNS_PORT, DnsSection};

pub use reachability::{MessageLookups, Reachability};

/// The shared resolver with its limits.
pub struct Resolver {
    hickory: TokioResolver,
    message_budget: Duration,
    query_timeout: Duration,
    reachability: Reachability,
}

impl Resolver {
    /// The resolvers of `[dns] servers`, or of `/etc/resolv.conf` when none
    /// is listed (when it cannot be read, a resolver on this host, as the C
    /// library does without the file), with the section's timeouts and cache.
    pub fn from_config(dns: &DnsSection) -> Self {
        let servers = dns.server_addresses();
        let (config, mut options) = if servers.is_empty() {
            hickory_resolver::system_conf::read_system_conf().unwrap_or_else(|error| {
                tracing::warn!(%error, "cannot read the system's resolver configuration, asking a resolver on this host");
                let local = [
                    SocketAddr::from((Ipv4Addr::LOCALHOST, DNS_PORT)),
                    SocketAddr::from((Ipv6Addr::LOCALHOST, DNS_PORT)),
                ];
                (listed(&local), ResolverOpts::default())
            })
        } else {
            (listed(&servers), ResolverOpts::default())
        };
        options.timeout = dns.timeout.duration();
        options.attempts = usize::try_from(dns.attempts).unwrap_or(usize::MAX);
        options.cache_size = usize::try_from(dns.cache_size).unwrap_or(usize::MAX);
        let hickory =
            TokioResolver::builder_with_config(config, TokioConnectionProvider::default())
                .with_options(options)
                .build();
        Self {
            hickory,
            message_budget: dns.message_budget.duration(),
            query_timeout: dns.timeout.duration(),
            reachability: Reachability::new(dns.unreachable_pause.duration()),
        }
    }

    /// The hickory resolver, for the libraries that ask it directly
    /// (mail-auth, outbound routing); its clones share the cache.
    pub fn hickory(&self) -> &TokioResolver {
        &self.hickory
    }

    /// Starts the lookups of one message: `None` while resolvers are known
    /// unreachable (the message goes on without DNS evidence at once), else
    /// a window that ends at the message budget.
    pub fn message_lookups(&self) -> Option<MessageLookups<'_>> {
        self.reachability
            .admit(self.message_budget, self.query_timeout)
    }
}

/// Each listed resolver over UDP, and over TCP for truncated answers
/// (RFC 7766). Negative answers are trusted: there is no other view to ask.
fn listed(servers: &[SocketAddr]) -> ResolverConfig {
    let mut group = NameServerConfigGroup::with_capacity(servers.len() * 2);
    for &server in servers {
        for protocol in [ProtocolConfig::Udp, ProtocolConfig::Tcp] {
            group.push(NameServerConfig::new(server, protocol));
        }
    }
    ResolverConfig::from_parts(None, Vec::new(), group)
}
