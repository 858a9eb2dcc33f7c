//! Opening an SMTP session as a client: the greeting, EHLO (HELO when EHLO is
//! refused), and STARTTLS with a second EHLO (RFC 5321 §3.1, §4.1.1.1; RFC 3207).
//!
//! Owns deciding, from what the server says before any mail is sent, whether this
//! server will do and which extensions it offers. It must not send an envelope:
//! that is `transaction`'s job.

use rustls_pki_types::ServerName;
use tokio_rustls::TlsConnector;

use super::extensions::Extensions;
use super::outcome;
use super::settings::Timeouts;
use super::wire::{Wire, WireError};
use crate::queue::{Outcome, OutcomeKind};

/// How this connection uses STARTTLS.
#[derive(Clone, Copy)]
pub enum TlsUse<'a> {
    /// Upgrade when offered, carry on in plaintext otherwise.
    Opportunistic(&'a TlsConnector),
    /// Upgrade or give up on this server.
    Required(&'a TlsConnector),
    /// The handshake failed on an earlier connection: stay in plaintext.
    Plaintext,
}

/// Who we are and whom we talk to, for one connection.
#[derive(Clone, Copy)]
pub struct Peer<'a> {
    /// The server's name, for TLS and `Remote-MTA`.
    pub host: &'a str,
    pub helo_name: &'a str,
    pub timeouts: &'a Timeouts,
    pub tls: TlsUse<'a>,
}

/// How one connection ended.
#[derive(Debug)]
pub enum Attempt {
    /// The server answered for every recipient (in job order).
    Done(Vec<Outcome>),
    /// This server will not do; the outcome says why, should no other do either.
    NextHost(Outcome),
    /// The TLS handshake failed under the opportunistic policy: connect to the
    /// same address again and stay in plaintext (RFC 7435 §3).
    RetryWithoutTls(Outcome),
}

/// A session ready for MAIL: the connection and what the server offers on it.
pub struct Opened {
    pub wire: Wire,
    pub extensions: Extensions,
}

/// Runs greeting, EHLO and STARTTLS.
pub async fn open(mut wire: Wire, peer: Peer<'_>) -> Result<Opened, Attempt> {
    let limits = peer.timeouts;
    let lost = |error: WireError| Attempt::NextHost(outcome::connection_lost(error, peer.host));
    let greeting = wire
        .read_reply("the greeting", limits.greeting)
        .await
        .map_err(lost)?;
    if !greeting.is_positive() {
        // RFC 5321 §3.1: a 554 greeting means no service here, a 421 not now;
        // either way another server may serve.
        quit(&mut wire, limits).await;
        return Err(Attempt::NextHost(outcome::from_reply(&greeting, peer.host)));
    }
    let extensions = hello(&mut wire, peer).await?;
    let connector = match peer.tls {
        TlsUse::Plaintext => return Ok(Opened { wire, extensions }),
        TlsUse::Opportunistic(_) if !extensions.starttls => {
            return Ok(Opened { wire, extensions });
        }
        TlsUse::Required(_) if !extensions.starttls => {
            quit(&mut wire, limits).await;
            return Err(Attempt::NextHost(outcome::ours(
                OutcomeKind::Transient,
                "4.7.10",
                "the server does not offer STARTTLS and TLS is required",
                Some(peer.host),
            )));
        }
        TlsUse::Opportunistic(connector) | TlsUse::Required(connector) => connector,
    };
    let reply = wire
        .command("STARTTLS", "the reply to STARTTLS", limits.mail)
        .await
        .map_err(lost)?;
    if reply.code != 220 {
        if let TlsUse::Opportunistic(_) = peer.tls {
            // RFC 3207 §4: after a refusal the client may go on without TLS.
            return Ok(Opened { wire, extensions });
        }
        quit(&mut wire, limits).await;
        return Err(Attempt::NextHost(outcome::ours(
            OutcomeKind::Transient,
            "4.7.10",
            format!(
                "TLS is required and STARTTLS was refused: {}",
                reply.diagnostic()
            ),
            Some(peer.host),
        )));
    }
    let mut wire = match upgrade(wire, connector, peer).await {
        Ok(wire) => wire,
        Err(error) => {
            let failure = outcome::ours(
                OutcomeKind::Transient,
                "4.7.5",
                format!("STARTTLS failed: {error}"),
                Some(peer.host),
            );
            return Err(match peer.tls {
                TlsUse::Opportunistic(_) => Attempt::RetryWithoutTls(failure),
                _ => Attempt::NextHost(failure),
            });
        }
    };
    // RFC 3207 §4.2: forget everything learnt before TLS and ask again.
    let extensions = hello(&mut wire, peer).await?;
    Ok(Opened { wire, extensions })
}

async fn upgrade(wire: Wire, connector: &TlsConnector, peer: Peer<'_>) -> Result<Wire, WireError> {
    let name = ServerName::try_from(peer.host.to_owned()).map_err(|error| {
        WireError::Handshake(std::io::Error::new(std::io::ErrorKind::InvalidInput, error))
    })?;
    wire.upgrade(connector, name, peer.timeouts.tls_handshake)
        .await
}

/// EHLO, and HELO when the server refuses EHLO with 5xx (RFC 5321 §3.2).
async fn hello(wire: &mut Wire, peer: Peer<'_>) -> Result<Extensions, Attempt> {
    let limits = peer.timeouts;
    let lost = |error: WireError| Attempt::NextHost(outcome::connection_lost(error, peer.host));
    let ehlo = wire
        .command(
            &format!("EHLO {}", peer.helo_name),
            "the reply to EHLO",
            limits.mail,
        )
        .await
        .map_err(lost)?;
    if ehlo.is_positive() {
        return Ok(Extensions::from_ehlo(&ehlo));
    }
    if !ehlo.is_permanent() {
        quit(wire, limits).await;
        return Err(Attempt::NextHost(outcome::from_reply(&ehlo, peer.host)));
    }
    let helo = wire
        .command(
            &format!("HELO {}", peer.helo_name),
            "the reply to HELO",
            limits.mail,
        )
        .await
        .map_err(lost)?;
    if helo.is_positive() {
        return Ok(Extensions::default());
    }
    quit(wire, limits).await;
    Err(Attempt::NextHost(outcome::from_reply(&helo, peer.host)))
}

/// Says goodbye (RFC 5321 §4.1.1.10), without caring much for the answer: the
/// outcome is decided already.
pub async fn quit(wire: &mut Wire, limits: &Timeouts) {
    if let Err(error) = wire.command("QUIT", "the reply to QUIT", limits.quit).await {
        tracing::debug!(%error, "QUIT not answered");
    }
}
