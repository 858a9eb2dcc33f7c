//! The client side of a line-based session (POP3, ManageSieve, SMTP): octets read
//! into a buffer and taken a line at a time with a bound on its length,
//! literals read exactly or skipped without being held, every read bounded
//! by the idle timeout and the shutdown signal; responses queued and written
//! with a bound on how long the client may stall; the STARTTLS switch.
//! Knows no protocol: the session decides what a line means.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_rustls::TlsAcceptor;

use super::shutdown::Shutdown;
use super::stream::MaybeTls;

/// How much is read from the client at once.
const READ_CHUNK: usize = 16 * 1024;

/// Why reading from or writing to the client stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientGone {
    /// The client left, or cannot be written to.
    Closed,
    /// Silent for longer than the idle timeout.
    TimedOut,
    /// The server is shutting down.
    Shutdown,
}

/// One client's connection, buffered both ways.
pub struct ClientStream<S> {
    stream: Option<MaybeTls<S>>,
    /// Octets read and not yet taken.
    input: Vec<u8>,
    /// Skipping the rest of an over-long line.
    discarding: bool,
    /// Responses not yet written.
    output: Vec<u8>,
    idle_timeout: Duration,
    shutdown: Shutdown,
    /// The acceptor and handshake timeout while STARTTLS is still possible.
    starttls: Option<(TlsAcceptor, Duration)>,
}

impl<S> ClientStream<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    pub fn new(
        stream: MaybeTls<S>,
        idle_timeout: Duration,
        shutdown: Shutdown,
        starttls: Option<(TlsAcceptor, Duration)>,
    ) -> Self {
        Self {
            stream: Some(stream),
            input: Vec::new(),
            discarding: false,
            output: Vec::new(),
            idle_timeout,
            shutdown,
            starttls,
        }
    }

    pub fn is_tls(&self) -> bool {
        self.stream.as_ref().is_some_and(MaybeTls::is_tls)
    }

    /// Whether the client has sent another complete line already
    /// (pipelining).
    pub fn has_line(&self) -> bool {
        self.input.contains(&b'\n')
    }

    /// The next line without its line break (CRLF, or a bare LF from a
    /// lenient client), or `None` for a line longer than `max` octets with
    /// its break, which is skipped whole: the session stays usable.
    pub async fn read_line(&mut self, max: usize) -> Result<Option<Vec<u8>>, ClientGone> {
        loop {
            if let Some(end) = self.input.iter().position(|b| *b == b'\n') {
                let mut line: Vec<u8> = self.input.drain(..=end).collect();
                if std::mem::take(&mut self.discarding) || line.len() > max {
                    return Ok(None);
                }
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Some(line));
            }
            // Never hold more than one line's worth of an over-long line.
            if self.input.len() > max {
                self.input.clear();
                self.discarding = true;
            }
            self.read_more().await?;
        }
    }

    /// Exactly `len` octets; the caller checked `len` against its limit.
    pub async fn read_exact(&mut self, len: usize) -> Result<Vec<u8>, ClientGone> {
        while self.input.len() < len {
            self.read_more().await?;
        }
        Ok(self.input.drain(..len).collect())
    }

    /// Reads and drops `len` octets without holding them.
    pub async fn skip(&mut self, len: u64) -> Result<(), ClientGone> {
        let mut left = len;
        loop {
            let available = u64::try_from(self.input.len()).unwrap_or(u64::MAX);
            let take = available.min(left);
            self.input
                .drain(..usize::try_from(take).unwrap_or(self.input.len()));
            left -= take;
            if left == 0 {
                return Ok(());
            }
            self.read_more().await?;
        }
    }

    /// The octets buffered, reading first if there are none: message data
    /// the session frames itself.
    pub async fn take_available(&mut self) -> Result<Vec<u8>, ClientGone> {
        if self.input.is_empty() {
            self.read_more().await?;
        }
        Ok(std::mem::take(&mut self.input))
    }

    /// At most `limit` of the buffered octets, reading first if there are
    /// none: a chunk of known length.
    pub async fn take_at_most(&mut self, limit: u64) -> Result<Vec<u8>, ClientGone> {
        if self.input.is_empty() {
            self.read_more().await?;
        }
        let count = usize::try_from(limit)
            .unwrap_or(usize::MAX)
            .min(self.input.len());
        Ok(self.input.drain(..count).collect())
    }

    /// Gives back octets taken past the end of what the session wanted:
    /// pipelined commands after message data.
    pub fn unread(&mut self, rest: &[u8]) {
        let mut input = rest.to_vec();
        input.append(&mut self.input);
        self.input = input;
    }

    async fn read_more(&mut self) -> Result<(), ClientGone> {
        let Self {
            stream,
            input,
            shutdown,
            idle_timeout,
            ..
        } = self;
        let stream = stream.as_mut().ok_or(ClientGone::Closed)?;
        let mut chunk = [0u8; READ_CHUNK];
        tokio::select! {
            read = tokio::time::timeout(*idle_timeout, stream.read(&mut chunk)) => match read {
                Err(_) => Err(ClientGone::TimedOut),
                Ok(Ok(0) | Err(_)) => Err(ClientGone::Closed),
                Ok(Ok(n)) => {
                    input.extend_from_slice(chunk.get(..n).unwrap_or_default());
                    Ok(())
                }
            },
            () = shutdown.requested() => Err(ClientGone::Shutdown),
        }
    }

    /// Queues octets for the next [`ClientStream::flush`].
    pub fn queue(&mut self, bytes: &[u8]) {
        self.output.extend_from_slice(bytes);
    }

    /// The queue, for encoders that write into it directly.
    pub fn output(&mut self) -> &mut Vec<u8> {
        &mut self.output
    }

    /// Writes every queued octet, bounded by the idle timeout so a client
    /// that stops reading cannot hold the session forever.
    pub async fn flush(&mut self) -> Result<(), ClientGone> {
        let output = std::mem::take(&mut self.output);
        self.write(&output).await
    }

    /// Writes `bytes` now, past the queue.
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), ClientGone> {
        if bytes.is_empty() {
            return Ok(());
        }
        let stream = self.stream.as_mut().ok_or(ClientGone::Closed)?;
        stream
            .write_within(bytes, self.idle_timeout)
            .await
            .map_err(|_| ClientGone::Closed)
    }

    /// Shuts the stream down; nothing more is read or written.
    pub async fn close(&mut self) {
        if let Some(mut stream) = self.stream.take() {
            let _ = stream.shutdown().await;
        }
    }

    /// STARTTLS (RFC 2595 §4, RFC 5804 §2.2): drops whatever plaintext the
    /// client sent after the command (see [`MaybeTls::starttls`]), then runs
    /// the handshake on the same stream. A failed handshake closes the
    /// stream.
    pub async fn upgrade_to_tls(&mut self) -> Result<(), ClientGone> {
        let (acceptor, timeout) = self.starttls.take().ok_or(ClientGone::Closed)?;
        self.discarding = false;
        let stream = self.stream.take().ok_or(ClientGone::Closed)?;
        match stream.starttls(&mut self.input, &acceptor, timeout).await {
            Ok(tls) => {
                self.stream = Some(tls);
                Ok(())
            }
            Err(error) => {
                tracing::debug!(%error, "STARTTLS handshake failed");
                Err(ClientGone::Closed)
            }
        }
    }
}
