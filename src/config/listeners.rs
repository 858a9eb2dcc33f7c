//! `[[listener]]` entries as written, and the default set of listeners.
//!
//! Owns the port table of DESIGN.md. It must not bind anything.

use std::net::{Ipv6Addr, SocketAddr};

use serde::Deserialize;

use super::Listener;
use super::environment;
use super::sections::{Protocol, TlsMode};

/// A `[[listener]]` table before its address is checked.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ListenerEntry {
    pub protocol: Protocol,
    pub address: String,
    #[serde(default)]
    pub tls: TlsMode,
}

/// Each protocol's standard port and the unprivileged one used when not root.
const PORTS: [(Protocol, TlsMode, u16, u16); 8] = [
    (Protocol::Imap, TlsMode::StartTls, 143, 1143),
    (Protocol::Imap, TlsMode::Implicit, 993, 1993),
    (Protocol::Pop3, TlsMode::StartTls, 110, 1110),
    (Protocol::Pop3, TlsMode::Implicit, 995, 1995),
    (Protocol::Smtp, TlsMode::StartTls, 25, 2525),
    (Protocol::Submission, TlsMode::StartTls, 587, 1587),
    (Protocol::Submission, TlsMode::Implicit, 465, 1465),
    (Protocol::ManageSieve, TlsMode::StartTls, 4190, 4190),
];

/// Every protocol on all addresses; standard ports when `as_root`.
///
/// `[::]` accepts IPv4 too on Linux's default `bindv6only = 0`.
pub fn default_listeners(as_root: bool) -> Vec<Listener> {
    PORTS
        .iter()
        .map(|&(protocol, tls, standard, unprivileged)| Listener {
            protocol,
            address: SocketAddr::new(
                Ipv6Addr::UNSPECIFIED.into(),
                if as_root { standard } else { unprivileged },
            ),
            tls,
        })
        .collect()
}

pub(super) fn default_listener_entries() -> Vec<ListenerEntry> {
    default_listeners(environment::may_bind_privileged_ports())
        .into_iter()
        .map(|listener| ListenerEntry {
            protocol: listener.protocol,
            address: listener.address.to_string(),
            tls: listener.tls,
        })
        .collect()
}
