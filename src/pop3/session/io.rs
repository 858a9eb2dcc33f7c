//! Reading and writing for the session: lines bounded in length, read with
//! the idle timeout and the shutdown signal beside each read; queued
//! responses written with a bound on how long the client may stall; the STLS
//! switch. Knows no command.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::Session;

/// How much is read from the client at once.
const READ_CHUNK: usize = 4096;

/// Queued octets that are written even while pipelined commands wait: a
/// client sending many commands without reading must not grow the queue.
const FLUSH_AT: usize = 64 * 1024;

/// Why the session stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ended {
    /// The client left, or cannot be written to.
    Closed,
    /// Autologout (RFC 1939 §3).
    TimedOut,
    Shutdown,
    TooManyErrors,
}

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    /// The next line without its line break (CRLF, or a bare LF from a
    /// lenient client), or `None` for a line longer than `max` octets with
    /// its break, which is skipped whole: the session stays usable.
    pub(super) async fn read_line(&mut self, max: usize) -> Result<Option<Vec<u8>>, Ended> {
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

    async fn read_more(&mut self) -> Result<(), Ended> {
        let timeout = self.settings.idle_timeout;
        let Self {
            stream,
            input,
            shutdown,
            ..
        } = self;
        let stream = stream.as_mut().ok_or(Ended::Closed)?;
        let mut chunk = [0u8; READ_CHUNK];
        tokio::select! {
            read = tokio::time::timeout(timeout, stream.read(&mut chunk)) => match read {
                Err(_) => Err(Ended::TimedOut),
                Ok(Ok(0) | Err(_)) => Err(Ended::Closed),
                Ok(Ok(n)) => {
                    input.extend_from_slice(chunk.get(..n).unwrap_or_default());
                    Ok(())
                }
            },
            () = shutdown.requested() => Err(Ended::Shutdown),
        }
    }

    /// Writes the queued responses unless the client already sent another
    /// full command (RFC 2449 §6.6 PIPELINING): those answers go out together,
    /// up to [`FLUSH_AT`] octets.
    pub(super) async fn flush_unless_pipelined(&mut self) -> Result<(), Ended> {
        if self.input.contains(&b'\n') && self.output.len() < FLUSH_AT {
            Ok(())
        } else {
            self.flush().await
        }
    }

    /// Writes every queued response, bounded by the idle timeout so a client
    /// that stops reading cannot hold the session forever.
    pub(super) async fn flush(&mut self) -> Result<(), Ended> {
        let output = std::mem::take(&mut self.output);
        self.write(&output).await
    }

    pub(super) async fn write(&mut self, bytes: &[u8]) -> Result<(), Ended> {
        let stream = self.stream.as_mut().ok_or(Ended::Closed)?;
        stream
            .write_within(bytes, self.settings.idle_timeout)
            .await
            .map_err(|_| Ended::Closed)
    }

    /// Shuts the stream down; the session ends after.
    pub(super) async fn close(&mut self) {
        if let Some(mut stream) = self.stream.take() {
            let _ = stream.shutdown().await;
        }
    }

    /// STLS (RFC 2595 §4): drops whatever plaintext the client sent after
    /// the command (see `server::MaybeTls`), then runs the handshake on the
    /// same stream. A failed handshake ends the session.
    pub(super) async fn upgrade_to_tls(&mut self) -> Result<(), Ended> {
        let (acceptor, timeout) = self.settings.starttls.clone().ok_or(Ended::Closed)?;
        self.discarding = false;
        let stream = self.stream.take().ok_or(Ended::Closed)?;
        match stream.starttls(&mut self.input, &acceptor, timeout).await {
            Ok(tls) => {
                self.stream = Some(tls);
                Ok(())
            }
            Err(error) => {
                tracing::debug!(%error, "STLS handshake failed");
                Err(Ended::Closed)
            }
        }
    }
}
