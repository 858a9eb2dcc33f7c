//! What the outbound client runs with, taken from the configuration: HELO name,
//! static routes, TLS policy, time limits and the DNS to ask.
//!
//! Owns turning `[outbound]` and `server.hostname` into typed settings. It must not
//! connect anywhere or read files.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::OutboundError;
use super::dns::{Dns, HickoryDns};
use crate::config::{Config, OutboundTls, RouteTarget, SMTP_PORT};
use crate::dns::Resolver;

/// How long the client waits at each step (RFC 5321 §4.5.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// One TCP connect, per address.
    pub connect: Duration,
    /// §4.5.3.2.1: the greeting, 5 minutes.
    pub greeting: Duration,
    /// §4.5.3.2.2: MAIL, 5 minutes; EHLO, HELO and STARTTLS get as long.
    pub mail: Duration,
    /// §4.5.3.2.3: each RCPT, 5 minutes.
    pub rcpt: Duration,
    /// §4.5.3.2.4: the 354 to DATA, 2 minutes.
    pub data_init: Duration,
    /// §4.5.3.2.5: each block of the message to be taken, 3 minutes.
    pub data_block: Duration,
    /// §4.5.3.2.6: the reply after the end of data, 10 minutes.
    pub data_end: Duration,
    /// The TLS handshake after STARTTLS; the RFC sets none, MAIL's is used.
    pub tls_handshake: Duration,
    /// The reply to QUIT; the outcome is known by then, so not long.
    pub quit: Duration,
}

impl Timeouts {
    /// RFC 5321's figures, with our own connect timeout.
    pub fn rfc5321(connect: Duration) -> Timeouts {
        let minutes = |n: u64| Duration::from_secs(60 * n);
        Timeouts {
            connect,
            greeting: minutes(5),
            mail: minutes(5),
            rcpt: minutes(5),
            data_init: minutes(2),
            data_block: minutes(3),
            data_end: minutes(10),
            tls_handshake: minutes(5),
            quit: Duration::from_secs(30),
        }
    }
}

/// Everything [`super::OutboundTransport::new`] needs.
pub struct OutboundSettings {
    /// The name sent with EHLO/HELO.
    pub helo_name: String,
    /// Lowercase domain or `"*"` to where its mail goes instead of its MX.
    pub routes: BTreeMap<String, RouteTarget>,
    pub tls: OutboundTls,
    /// Trust anchors for [`OutboundTls::Verify`].
    pub ca_file: PathBuf,
    pub timeouts: Timeouts,
    pub dns: Arc<dyn Dns>,
    /// The port of MX hosts: 25. Tests point it at their own server.
    pub mx_port: u16,
    /// Whether DNS answers may point at loopback. Only tests on one machine
    /// want this: in production it lets a domain make us deliver to ourselves.
    pub dns_loopback: bool,
}

impl OutboundSettings {
    /// The settings of `config`, asking the daemon's `resolver`.
    pub fn from_config(
        config: &Config,
        resolver: &Resolver,
    ) -> Result<OutboundSettings, OutboundError> {
        Self::with_dns(
            config,
            Arc::new(HickoryDns::new(resolver.hickory().clone())),
        )
    }

    /// The settings of `config`, asking `dns`.
    pub fn with_dns(config: &Config, dns: Arc<dyn Dns>) -> Result<OutboundSettings, OutboundError> {
        let outbound = &config.outbound;
        let mut routes = BTreeMap::new();
        for (domain, target) in &outbound.routes {
            let parsed = RouteTarget::parse(target).map_err(|problem| OutboundError::Route {
                domain: domain.clone(),
                problem,
            })?;
            routes.insert(domain.clone(), parsed);
        }
        Ok(OutboundSettings {
            helo_name: outbound
                .helo_name
                .clone()
                .unwrap_or_else(|| config.server.hostname.clone()),
            routes,
            tls: outbound.tls,
            ca_file: outbound.ca_file.clone(),
            timeouts: Timeouts::rfc5321(outbound.connect_timeout.duration()),
            dns,
            mx_port: SMTP_PORT,
            dns_loopback: false,
        })
    }
}
