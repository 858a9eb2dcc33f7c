//! Reading and writing for the session: feeding the framer from the stream
//! with the idle timeout and the shutdown signal beside each read, writing
//! queued responses (copying streamed sections after their literal header),
//! and the STARTTLS switch. Knows no command.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::Session;
use crate::imap::parser::{Event, FrameError};
use crate::imap::response::Fragment;
use crate::server::MaybeTls;
use crate::store::MessageStream;

/// How many queued octets make [`Session::flush_if_large`] write.
const FLUSH_AT: usize = 64 * 1024;

/// Why the session stopped waiting for the client, or what arrived.
#[derive(Debug)]
pub enum Input {
    Event(Event),
    Closed,
    TimedOut,
    Shutdown,
}

/// What ended a wait during IDLE.
pub enum IdleWake {
    /// The client sent something: look at the framer.
    Input,
    /// The account changed.
    Changed,
    Ended(Input),
}

fn gone() -> io::Error {
    io::Error::new(io::ErrorKind::NotConnected, "connection closed")
}

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    /// The next framer event, reading as needed.
    pub(crate) async fn next_event(&mut self) -> Input {
        loop {
            if let Some(event) = self.framer.next_event() {
                return Input::Event(event);
            }
            if let Err(end) = self.read_more(self.settings.idle_timeout).await {
                return end;
            }
        }
    }

    /// The next raw line (AUTHENTICATE responses, IDLE's DONE).
    pub(crate) async fn next_line(&mut self) -> Result<Result<Vec<u8>, FrameError>, Input> {
        loop {
            if let Some(line) = self.framer.next_line() {
                return Ok(line);
            }
            self.read_more(self.settings.idle_timeout).await?;
        }
    }

    /// Reads once from the client into the framer.
    async fn read_more(&mut self, timeout: Duration) -> Result<(), Input> {
        let Self {
            stream,
            read_buf,
            shutdown,
            framer,
            ..
        } = self;
        let Some(stream) = stream.as_mut() else {
            return Err(Input::Closed);
        };
        tokio::select! {
            read = tokio::time::timeout(timeout, stream.read(read_buf)) => match read {
                Err(_) => Err(Input::TimedOut),
                Ok(Ok(0) | Err(_)) => Err(Input::Closed),
                Ok(Ok(n)) => {
                    framer.feed(read_buf.get(..n).unwrap_or_default());
                    Ok(())
                }
            },
            () = shutdown.requested() => Err(Input::Shutdown),
        }
    }

    /// Waits in IDLE for client input or a change to the account.
    pub(crate) async fn idle_wait(&mut self, timeout: Duration) -> IdleWake {
        let Self {
            stream,
            read_buf,
            shutdown,
            framer,
            login,
            ..
        } = self;
        let (Some(stream), Some(login)) = (stream.as_mut(), login.as_mut()) else {
            return IdleWake::Ended(Input::Closed);
        };
        tokio::select! {
            read = tokio::time::timeout(timeout, stream.read(read_buf)) => match read {
                Err(_) => IdleWake::Ended(Input::TimedOut),
                Ok(Ok(0) | Err(_)) => IdleWake::Ended(Input::Closed),
                Ok(Ok(n)) => {
                    framer.feed(read_buf.get(..n).unwrap_or_default());
                    IdleWake::Input
                }
            },
            changed = login.changes.changed() => match changed {
                Ok(()) => IdleWake::Changed,
                // The store's feed is gone: nothing more will be announced,
                // but the client may still end IDLE.
                Err(_) => IdleWake::Input,
            },
            () = shutdown.requested() => IdleWake::Ended(Input::Shutdown),
        }
    }

    /// Writes the queued responses once they are worth a write: a stream
    /// (an open file) is never kept waiting, small responses are batched.
    pub(crate) async fn flush_if_large(&mut self) -> io::Result<()> {
        let mut size = 0;
        for fragment in &self.pending {
            match fragment {
                Fragment::Bytes(bytes) => size += bytes.len(),
                Fragment::Stream(_) => return self.flush().await,
            }
        }
        if size >= FLUSH_AT {
            self.flush().await
        } else {
            Ok(())
        }
    }

    /// Writes every queued response, bounded by the idle timeout so a
    /// client that stops reading cannot hold the session forever.
    pub(crate) async fn flush(&mut self) -> io::Result<()> {
        let pending = std::mem::take(&mut self.pending);
        let timeout = self.settings.idle_timeout;
        let stream = self.stream.as_mut().ok_or_else(gone)?;
        let write = async {
            for fragment in pending {
                match fragment {
                    Fragment::Bytes(bytes) => stream.write_all(&bytes).await?,
                    Fragment::Stream(section) => copy_section(section, stream).await?,
                }
            }
            stream.flush().await
        };
        tokio::time::timeout(timeout, write)
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "client stopped reading"))?
    }

    /// Shuts the stream down; the session ends after.
    pub(crate) async fn close(&mut self) {
        if let Some(mut stream) = self.stream.take() {
            let _ = stream.shutdown().await;
        }
        self.logout = true;
    }

    /// STARTTLS (RFC 9051 §6.2.1): drops whatever plaintext the client sent
    /// after the command, then runs the handshake on the same stream.
    pub(crate) async fn upgrade_to_tls(&mut self) -> io::Result<()> {
        let Some((acceptor, timeout)) = self.settings.starttls.clone() else {
            return Err(gone());
        };
        let mut dropped = self.framer.take_buffered();
        let stream = self.stream.take().ok_or_else(gone)?;
        match stream.starttls(&mut dropped, &acceptor, timeout).await {
            Ok(tls) => {
                self.stream = Some(tls);
                Ok(())
            }
            Err(error) => Err(io::Error::other(error)),
        }
    }
}

/// Copies a section's octets. A literal may not carry NUL (RFC 9051 §9
/// CHAR8), so each NUL becomes 0x80 as the response writer does for
/// sections in memory; BINARY content is never streamed.
async fn copy_section<S>(mut section: MessageStream, out: &mut MaybeTls<S>) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut left = section.len();
    let mut buf = vec![0u8; 64 * 1024];
    while left > 0 {
        let n = section.read(&mut buf).await?;
        if n == 0 {
            // The file shrank under us: the literal was announced with its
            // length, so the only honest way out is to drop the connection.
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "section truncated",
            ));
        }
        let chunk = buf.get_mut(..n).unwrap_or_default();
        for b in chunk.iter_mut().filter(|b| **b == 0) {
            *b = 0x80;
        }
        out.write_all(chunk).await?;
        left = left.saturating_sub(n as u64);
    }
    Ok(())
}
