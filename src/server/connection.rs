//! What a protocol is given to serve one client, and the trait protocols implement.
//!
//! Owns the contract between the server framework and the protocols. It must not know
//! any protocol: each protocol module implements [`ProtocolHandler`].

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

use crate::config::{Config, Protocol, TlsMode};

use super::limits::Refusal;
use super::shutdown::Shutdown;
use super::stream::MaybeTls;
use super::tls::TlsHandle;
use super::unavailable;

/// A short id for one session, unique within the process, shown in every log line of
/// the session so an admin can follow one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionId(u64);

impl SessionId {
    pub fn next() -> SessionId {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
        // A random start keeps ids from repeating across restarts in the logs.
        let start = *START.get_or_init(|| rand::random::<u64>() & 0xffff_ffff_ffff);
        SessionId(start.wrapping_add(NEXT.fetch_add(1, Ordering::Relaxed)) & 0xffff_ffff_ffff)
    }
}

impl std::fmt::Display for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:012x}", self.0)
    }
}

/// One accepted client, handed to its protocol.
///
/// Generic over the stream so sessions run over `tokio::io::duplex` in tests.
#[derive(Debug)]
pub struct Connection<S = TcpStream> {
    /// Already TLS on an implicit-TLS listener; plaintext on a STARTTLS one.
    pub stream: MaybeTls<S>,
    pub peer: SocketAddr,
    pub local: SocketAddr,
    pub protocol: Protocol,
    /// The listener's mode: whether STARTTLS is offered or TLS came first.
    pub tls_mode: TlsMode,
    /// For STARTTLS: `tls.acceptor()` with [`MaybeTls::upgrade`].
    pub tls: TlsHandle,
    /// `timeouts.<protocol>_idle`: the session bounds each wait for the client with it
    /// (the framework cannot see where a command ends).
    pub idle_timeout: Duration,
    /// The configuration in force when the client connected.
    pub config: Arc<Config>,
    /// Fires at server shutdown; the session says goodbye and ends.
    pub shutdown: Shutdown,
    pub session_id: SessionId,
}

impl<S> Connection<S> {
    /// The host name to greet with.
    pub fn hostname(&self) -> &str {
        &self.config.server.hostname
    }

    /// Whether passwords may cross this connection before TLS:
    /// `auth.allow_plaintext_on_loopback` and a loopback peer (DESIGN.md
    /// invariant 6).
    pub fn plaintext_auth_allowed(&self) -> bool {
        self.config.auth.allow_plaintext_on_loopback && self.peer.ip().is_loopback()
    }
}

impl<S> Connection<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    /// The acceptor and handshake timeout when the client may still ask for
    /// STARTTLS: on a STARTTLS listener, before TLS.
    pub fn starttls_offer(&self) -> Option<(TlsAcceptor, Duration)> {
        (self.tls_mode == TlsMode::StartTls && !self.stream.is_tls()).then(|| {
            (
                self.tls.acceptor(),
                self.config.timeouts.tls_handshake.duration(),
            )
        })
    }

    /// Writes a protocol's refusal line and closes: how every protocol turns
    /// away a client over a connection limit.
    pub fn refuse_with(mut self, line: Vec<u8>) -> SessionFuture
    where
        S: Send + 'static,
    {
        Box::pin(async move {
            let written = async {
                self.stream.write_all(&line).await?;
                self.stream.shutdown().await
            };
            if let Err(error) = written.await {
                tracing::debug!(%error, "client left before the refusal was written");
            }
        })
    }
}

/// A boxed session future: the trait stays object-safe, one handler per protocol.
pub type SessionFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A protocol's sessions. Runs inside the connection's tracing span, which has an empty
/// `user` field to record after login: `tracing::Span::current().record("user", name)`.
///
/// A session awaits `connection.shutdown.requested()` beside each read and says goodbye
/// when it fires; one still running `limits.shutdown_grace` later is dropped mid-await.
/// STARTTLS is `connection.stream.upgrade(&connection.tls.acceptor(),
/// connection.config.timeouts.tls_handshake.duration())`, after discarding any buffered
/// plaintext (see [`MaybeTls`]).
pub trait ProtocolHandler: Send + Sync + 'static {
    /// Serves the client until it leaves, idles out, or shutdown is requested.
    fn serve(&self, connection: Connection) -> SessionFuture;

    /// Tells a client over a limit, in this protocol's words, that it is not served;
    /// the connection is closed after.
    fn refuse(&self, connection: Connection, reason: Refusal) -> SessionFuture;
}

/// The handler for each protocol. Starts with the "service not available" placeholders.
#[derive(Clone)]
pub struct Handlers {
    imap: Arc<dyn ProtocolHandler>,
    pop3: Arc<dyn ProtocolHandler>,
    smtp: Arc<dyn ProtocolHandler>,
    submission: Arc<dyn ProtocolHandler>,
    managesieve: Arc<dyn ProtocolHandler>,
}

impl Default for Handlers {
    fn default() -> Self {
        Handlers {
            imap: Arc::new(unavailable::Unavailable(Protocol::Imap)),
            pop3: Arc::new(unavailable::Unavailable(Protocol::Pop3)),
            smtp: Arc::new(unavailable::Unavailable(Protocol::Smtp)),
            submission: Arc::new(unavailable::Unavailable(Protocol::Submission)),
            managesieve: Arc::new(unavailable::Unavailable(Protocol::ManageSieve)),
        }
    }
}

impl Handlers {
    /// Serves `protocol` with `handler`.
    pub fn with(mut self, protocol: Protocol, handler: Arc<dyn ProtocolHandler>) -> Handlers {
        *self.slot(protocol) = handler;
        self
    }

    pub fn get(&self, protocol: Protocol) -> &Arc<dyn ProtocolHandler> {
        match protocol {
            Protocol::Imap => &self.imap,
            Protocol::Pop3 => &self.pop3,
            Protocol::Smtp => &self.smtp,
            Protocol::Submission => &self.submission,
            Protocol::ManageSieve => &self.managesieve,
        }
    }

    fn slot(&mut self, protocol: Protocol) -> &mut Arc<dyn ProtocolHandler> {
        match protocol {
            Protocol::Imap => &mut self.imap,
            Protocol::Pop3 => &mut self.pop3,
            Protocol::Smtp => &mut self.smtp,
            Protocol::Submission => &mut self.submission,
            Protocol::ManageSieve => &mut self.managesieve,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_differ() {
        assert_ne!(SessionId::next(), SessionId::next());
    }

    #[test]
    fn session_id_is_twelve_hex_digits() {
        let id = SessionId::next().to_string();
        assert_eq!(id.len(), 12);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
