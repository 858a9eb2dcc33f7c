//! [`OutboundTransport`]: one delivery attempt for the queue. Finds the hosts for
//! the domain, tries their addresses in order until one answers for the
//! recipients, and reports an outcome per recipient whatever happens.
//!
//! Owns the walk over hosts and addresses (RFC 5321 §5.1: the next host on a
//! failure to connect or to open a session). It must not retry later, back off or
//! bounce: the queue does, from the outcomes.

use std::net::SocketAddr;

use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tracing::Instrument;

use super::OutboundError;
use super::outcome;
use super::route::Router;
use super::session::{self, Attempt, Peer, TlsUse};
use super::settings::{OutboundSettings, Timeouts};
use super::tls;
use super::transaction;
use super::wire::Wire;
use crate::config::OutboundTls;
use crate::queue::{Outcome, OutcomeKind, RemoteJob, RemoteTransport, TransportFuture};

/// Delivers to other servers over SMTP.
pub struct OutboundTransport {
    router: Router,
    helo_name: String,
    timeouts: Timeouts,
    policy: OutboundTls,
    connector: TlsConnector,
}

impl OutboundTransport {
    /// Builds the transport. With `tls = "verify"` this reads the CA file, so call
    /// it at startup (or on the blocking pool).
    pub fn new(settings: OutboundSettings) -> Result<OutboundTransport, OutboundError> {
        let connector = match settings.tls {
            OutboundTls::Verify => tls::verified(&settings.ca_file)?,
            OutboundTls::Opportunistic | OutboundTls::Required => tls::any_certificate()?,
        };
        Ok(OutboundTransport {
            router: Router::new(
                settings.routes,
                settings.dns,
                settings.mx_port,
                settings.dns_loopback,
            ),
            helo_name: settings.helo_name,
            timeouts: settings.timeouts,
            policy: settings.tls,
            connector,
        })
    }

    async fn attempt(&self, job: RemoteJob) -> Vec<Outcome> {
        let outcomes = self.outcomes(&job).await;
        let count = |kind| outcomes.iter().filter(|o| o.kind == kind).count();
        tracing::info!(
            delivered = count(OutcomeKind::Delivered),
            transient = count(OutcomeKind::Transient),
            permanent = count(OutcomeKind::Permanent),
            remote_mta = outcomes.iter().find_map(|o| o.remote_mta.as_deref()),
            "delivery attempt finished"
        );
        outcomes
    }

    async fn outcomes(&self, job: &RemoteJob) -> Vec<Outcome> {
        let hosts = match self.router.resolve(&job.domain).await {
            Ok(hosts) => hosts,
            Err(error) => {
                tracing::info!(%error, "no route");
                return vec![error.outcome(); job.recipients.len()];
            }
        };
        let mut last_failure = None;
        for host in &hosts {
            for &address in &host.addresses {
                match self.try_address(job, &host.name, address).await {
                    Ok(outcomes) => return outcomes,
                    Err(failure) => {
                        tracing::info!(host = %host.name, %address, diagnostic = %failure.diagnostic, "trying the next address");
                        last_failure = Some(failure);
                    }
                }
            }
        }
        let failure = last_failure.unwrap_or_else(|| {
            outcome::ours(OutcomeKind::Transient, "4.4.4", "no address to try", None)
        });
        vec![failure; job.recipients.len()]
    }

    /// Delivers through one address: the outcomes, or why the next address
    /// should be tried. Under opportunistic TLS a failed handshake gets one more
    /// connection without TLS.
    async fn try_address(
        &self,
        job: &RemoteJob,
        host: &str,
        address: SocketAddr,
    ) -> Result<Vec<Outcome>, Outcome> {
        let mut tls = match self.policy {
            OutboundTls::Opportunistic => TlsUse::Opportunistic(&self.connector),
            OutboundTls::Required | OutboundTls::Verify => TlsUse::Required(&self.connector),
        };
        loop {
            let stream = self.connect(host, address).await?;
            let peer = Peer {
                host,
                helo_name: &self.helo_name,
                timeouts: &self.timeouts,
                tls,
            };
            let attempt = match session::open(Wire::new(Box::new(stream)), peer).await {
                Ok(opened) => {
                    tracing::debug!(%host, %address, tls = opened.wire.is_tls(), "session open");
                    transaction::run(opened, job, peer).await
                }
                Err(attempt) => attempt,
            };
            match attempt {
                Attempt::Done(outcomes) => return Ok(outcomes),
                Attempt::RetryWithoutTls(failure) => {
                    if let TlsUse::Plaintext = tls {
                        return Err(failure);
                    }
                    tracing::info!(diagnostic = %failure.diagnostic, "retrying without TLS");
                    tls = TlsUse::Plaintext;
                }
                Attempt::NextHost(failure) => return Err(failure),
            }
        }
    }

    async fn connect(&self, host: &str, address: SocketAddr) -> Result<TcpStream, Outcome> {
        let limit = self.timeouts.connect;
        let unreachable = |why: String| {
            // RFC 3463 X.4.1: no answer from host.
            outcome::ours(
                OutcomeKind::Transient,
                "4.4.1",
                format!("cannot connect to {host} ({address}): {why}"),
                Some(host),
            )
        };
        let stream = tokio::time::timeout(limit, TcpStream::connect(address))
            .await
            .map_err(|_| unreachable(format!("no answer within {} seconds", limit.as_secs())))?
            .map_err(|error| unreachable(error.to_string()))?;
        // Commands are small and each waits for its reply: Nagle only adds delay.
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
        Ok(stream)
    }
}

impl RemoteTransport for OutboundTransport {
    fn deliver(&self, job: RemoteJob) -> TransportFuture<'_> {
        let span = tracing::info_span!(
            "outbound",
            queue_id = %job.queue_id,
            domain = %job.domain,
        );
        Box::pin(self.attempt(job).instrument(span))
    }
}
