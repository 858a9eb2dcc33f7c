//! The outbound SMTP client: one attempt to deliver a queued message to another
//! server, reported per recipient (RFC 5321 as a client; RFC 3207, 1870, 6152,
//! 3030, 6531, 3461, 2920 for the extensions it uses).
//!
//! [`OutboundTransport`] implements [`crate::queue::RemoteTransport`]: `route` picks
//! the hosts (static routes, MX, implicit MX, null MX), `session` opens a session
//! (greeting, EHLO, STARTTLS), `transaction` sends the envelope and the data, and
//! `outcome` turns every answer into an [`crate::queue::Outcome`]. Retries, backoff
//! and bounces belong to the queue, not here.

mod commands;
mod data;
mod dns;
mod extensions;
mod outcome;
mod reply;
mod route;
mod session;
mod settings;
mod tls;
mod transaction;
mod transport;
mod wire;

use std::path::PathBuf;

pub use dns::{Dns, DnsError, DnsFuture, HickoryDns, MxRecord};
pub use settings::{OutboundSettings, Timeouts};
pub use transport::OutboundTransport;

/// Why the outbound transport could not be built.
#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    #[error("outbound.routes.{domain:?}: {problem}")]
    Route { domain: String, problem: String },
    #[error("TLS client configuration: {0}")]
    Tls(rustls::Error),
    #[error("cannot read the trust anchors in {path}: {source}")]
    CaFile {
        path: PathBuf,
        source: rustls_pki_types::pem::Error,
    },
    #[error("{path}: no usable trust anchor")]
    NoTrustAnchors { path: PathBuf },
}
