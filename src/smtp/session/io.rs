//! The session's byte layer: a read buffer framed into command lines or
//! handed out raw for DATA and BDAT, replies queued and written in order,
//! and the STARTTLS switch. Knows no command.
//!
//! PIPELINING (RFC 2920 §3.1): replies are queued and only written when the
//! session is about to wait for the client, so a pipelined batch is answered
//! in one write and the server never blocks with replies unsent.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_rustls::TlsAcceptor;

use crate::server::{MaybeTls, Shutdown};
use crate::smtp::reply::Reply;

/// How much is read from the client at once.
const READ_SIZE: usize = 16 * 1024;

/// Why the session stopped waiting for the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The client closed the connection, or it failed.
    Closed,
    /// The client was silent for the idle timeout.
    TimedOut,
    /// The server is shutting down.
    Shutdown,
}

/// One line from the client.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// The line without its CRLF (or bare LF).
    Complete(Vec<u8>),
    /// Longer than the limit; everything up to its end was discarded.
    TooLong,
}

/// The stream with its buffers.
pub struct Io<S> {
    stream: Option<MaybeTls<S>>,
    /// Octets read but not yet consumed (pipelined commands, message data).
    input: Vec<u8>,
    /// Replies not yet written.
    output: Vec<u8>,
    shutdown: Shutdown,
    idle_timeout: Duration,
}

impl<S> Io<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    pub fn new(stream: MaybeTls<S>, shutdown: Shutdown, idle_timeout: Duration) -> Self {
        Self {
            stream: Some(stream),
            input: Vec::new(),
            output: Vec::new(),
            shutdown,
            idle_timeout,
        }
    }

    pub fn is_tls(&self) -> bool {
        self.stream.as_ref().is_some_and(MaybeTls::is_tls)
    }

    /// Queues a reply; it is written before the session next waits.
    pub fn queue(&mut self, reply: &Reply) {
        reply.encode(&mut self.output);
    }

    /// Writes the queued replies, bounded by the idle timeout so a client
    /// that stops reading cannot hold the session.
    pub async fn flush(&mut self) -> Result<(), End> {
        if self.output.is_empty() {
            return Ok(());
        }
        let output = std::mem::take(&mut self.output);
        let stream = self.stream.as_mut().ok_or(End::Closed)?;
        let write = async {
            stream.write_all(&output).await?;
            stream.flush().await
        };
        match tokio::time::timeout(self.idle_timeout, write).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(End::Closed),
            Err(_) => Err(End::TimedOut),
        }
    }

    /// Flushes, then reads once more from the client into the buffer.
    async fn read_more(&mut self) -> Result<(), End> {
        self.flush().await?;
        let Self {
            stream,
            input,
            shutdown,
            idle_timeout,
            ..
        } = self;
        let stream = stream.as_mut().ok_or(End::Closed)?;
        let mut chunk = [0u8; READ_SIZE];
        tokio::select! {
            read = tokio::time::timeout(*idle_timeout, stream.read(&mut chunk)) => match read {
                Err(_) => Err(End::TimedOut),
                Ok(Ok(0) | Err(_)) => Err(End::Closed),
                Ok(Ok(n)) => {
                    input.extend_from_slice(chunk.get(..n).unwrap_or_default());
                    Ok(())
                }
            },
            () = shutdown.requested() => Err(End::Shutdown),
        }
    }

    /// The next line of at most `limit` octets (line end included). A longer
    /// line is read to its end without being kept.
    pub async fn read_line(&mut self, limit: usize) -> Result<Line, End> {
        let mut too_long = false;
        loop {
            if let Some(at) = self.input.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.input.drain(..=at).collect();
                if too_long || line.len() > limit {
                    return Ok(Line::TooLong);
                }
                let line = line.strip_suffix(b"\n").unwrap_or(&line);
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                return Ok(Line::Complete(line.to_vec()));
            }
            if self.input.len() > limit {
                too_long = true;
                self.input.clear();
            }
            self.read_more().await?;
        }
    }

    /// The octets buffered, reading first if there are none: message data.
    pub async fn take_available(&mut self) -> Result<Vec<u8>, End> {
        if self.input.is_empty() {
            self.read_more().await?;
        }
        Ok(std::mem::take(&mut self.input))
    }

    /// At most `limit` of the buffered octets, reading first if there are
    /// none: a BDAT chunk.
    pub async fn take_at_most(&mut self, limit: u64) -> Result<Vec<u8>, End> {
        if self.input.is_empty() {
            self.read_more().await?;
        }
        let count = usize::try_from(limit)
            .unwrap_or(usize::MAX)
            .min(self.input.len());
        Ok(self.input.drain(..count).collect())
    }

    /// Gives back octets read past the end of the data: pipelined commands.
    pub fn unread(&mut self, rest: &[u8]) {
        let mut input = rest.to_vec();
        input.append(&mut self.input);
        self.input = input;
    }

    /// STARTTLS (RFC 3207 §4): drops whatever plaintext the client sent
    /// after the command (CVE-2011-0411), then runs the handshake.
    pub async fn upgrade(&mut self, acceptor: &TlsAcceptor, timeout: Duration) -> io::Result<()> {
        let stream = self
            .stream
            .take()
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotConnected))?;
        let upgraded = stream
            .starttls(&mut self.input, acceptor, timeout)
            .await
            .map_err(io::Error::other)?;
        self.stream = Some(upgraded);
        Ok(())
    }

    /// Writes what is queued and closes the stream.
    pub async fn close(&mut self) {
        let _ = self.flush().await;
        if let Some(mut stream) = self.stream.take() {
            let _ = stream.shutdown().await;
        }
    }
}
