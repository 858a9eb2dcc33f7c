//! The session's byte layer over the server's [`ClientStream`]: replies
//! queued and written in order, command lines, raw octets for DATA and
//! BDAT, and the STARTTLS switch. Knows no command.
//!
//! PIPELINING (RFC 2920 §3.1): replies are queued and only written when the
//! session is about to wait for the client, so a pipelined batch is answered
//! in one write and the server never blocks with replies unsent.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsAcceptor;

use crate::server::{ClientStream, MaybeTls, Shutdown};
use crate::smtp::reply::Reply;

/// Why the session stopped waiting for the client.
pub use crate::server::ClientGone as End;

/// One line from the client.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// The line without its CRLF (or bare LF).
    Complete(Vec<u8>),
    /// Longer than the limit; everything up to its end was discarded.
    TooLong,
}

/// The client, with replies written before every wait.
pub struct Io<S> {
    client: ClientStream<S>,
}

impl<S> Io<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    pub fn new(
        stream: MaybeTls<S>,
        shutdown: Shutdown,
        idle_timeout: Duration,
        starttls: Option<(TlsAcceptor, Duration)>,
    ) -> Self {
        Self {
            client: ClientStream::new(stream, idle_timeout, shutdown, starttls),
        }
    }

    pub fn is_tls(&self) -> bool {
        self.client.is_tls()
    }

    /// Queues a reply; it is written before the session next waits.
    pub fn queue(&mut self, reply: &Reply) {
        reply.encode(self.client.output());
    }

    /// Writes the queued replies, bounded by the idle timeout so a client
    /// that stops reading cannot hold the session.
    pub async fn flush(&mut self) -> Result<(), End> {
        self.client.flush().await
    }

    /// The next line of at most `limit` octets (line end included). A longer
    /// line is read to its end without being kept.
    pub async fn read_line(&mut self, limit: usize) -> Result<Line, End> {
        self.flush().await?;
        Ok(match self.client.read_line(limit).await? {
            Some(line) => Line::Complete(line),
            None => Line::TooLong,
        })
    }

    /// The octets buffered, reading first if there are none: message data.
    pub async fn take_available(&mut self) -> Result<Vec<u8>, End> {
        self.flush().await?;
        self.client.take_available().await
    }

    /// At most `limit` of the buffered octets, reading first if there are
    /// none: a BDAT chunk.
    pub async fn take_at_most(&mut self, limit: u64) -> Result<Vec<u8>, End> {
        self.flush().await?;
        self.client.take_at_most(limit).await
    }

    /// Gives back octets read past the end of the data: pipelined commands.
    pub fn unread(&mut self, rest: &[u8]) {
        self.client.unread(rest);
    }

    /// STARTTLS (RFC 3207 §4): drops whatever plaintext the client sent
    /// after the command (CVE-2011-0411), then runs the handshake.
    pub async fn upgrade(&mut self) -> Result<(), End> {
        self.client.upgrade_to_tls().await
    }

    /// Writes what is queued and closes the stream.
    pub async fn close(&mut self) {
        let _ = self.flush().await;
        self.client.close().await;
    }
}
