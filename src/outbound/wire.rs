//! One connection to a remote server as the client sees it: commands out, replies
//! in, each within its time limit, plaintext or upgraded to TLS in place.
//!
//! Owns framing (CRLF lines of bounded length), time limits and the STARTTLS
//! upgrade (RFC 3207). It must not decide what to send: that is `transaction`'s job.

use std::io;
use std::time::Duration;

use rustls_pki_types::ServerName;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio_rustls::TlsConnector;

use super::reply::{Reply, ReplyBuilder, ReplyError};

/// RFC 5321 §4.5.3.1.5 allows reply lines of 512 octets; real servers send longer
/// ones, so allow some room before calling the server broken.
const MAX_LINE: usize = 4096;

/// What the connection runs over: TCP in production, a pipe in tests.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// Why the conversation with the server broke off.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("connection lost: {0}")]
    Io(#[from] io::Error),
    #[error("the server closed the connection")]
    Closed,
    #[error("no answer within {} seconds while waiting for {phase}", .limit.as_secs())]
    Timeout {
        phase: &'static str,
        limit: Duration,
    },
    #[error("malformed reply: {0}")]
    Reply(#[from] ReplyError),
    #[error("reply line longer than {MAX_LINE} octets")]
    LineTooLong,
    /// RFC 3207 §5 / CVE-2011-0411: octets after the `220` to STARTTLS would be
    /// read as if they had come over TLS.
    #[error("the server sent data after its STARTTLS reply")]
    DataAfterStartTls,
    #[error("TLS handshake failed: {0}")]
    Handshake(io::Error),
}

/// A connection with its read buffer.
pub struct Wire {
    stream: BufReader<Box<dyn Stream>>,
    tls: bool,
}

impl Wire {
    pub fn new(stream: Box<dyn Stream>) -> Wire {
        Wire {
            stream: BufReader::new(stream),
            tls: false,
        }
    }

    /// Whether STARTTLS has succeeded on this connection.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Reads one whole reply, multi-line ones included.
    pub async fn read_reply(
        &mut self,
        phase: &'static str,
        limit: Duration,
    ) -> Result<Reply, WireError> {
        tokio::time::timeout(limit, self.read_reply_now())
            .await
            .map_err(|_| WireError::Timeout { phase, limit })?
    }

    async fn read_reply_now(&mut self) -> Result<Reply, WireError> {
        let mut builder = ReplyBuilder::default();
        let mut line = Vec::with_capacity(128);
        loop {
            line.clear();
            let read = (&mut self.stream)
                .take(MAX_LINE as u64)
                .read_until(b'\n', &mut line)
                .await?;
            if read == 0 {
                return Err(WireError::Closed);
            }
            if line.last() != Some(&b'\n') {
                return Err(if read == MAX_LINE {
                    WireError::LineTooLong
                } else {
                    WireError::Closed
                });
            }
            let text = String::from_utf8_lossy(&line);
            if let Some(reply) = builder.push(text.trim_end_matches(['\r', '\n']))? {
                return Ok(reply);
            }
        }
    }

    /// Writes octets and flushes them, within `limit`.
    pub async fn send(
        &mut self,
        octets: &[u8],
        phase: &'static str,
        limit: Duration,
    ) -> Result<(), WireError> {
        let stream = self.stream.get_mut();
        let write = async {
            stream.write_all(octets).await?;
            stream.flush().await
        };
        tokio::time::timeout(limit, write)
            .await
            .map_err(|_| WireError::Timeout { phase, limit })?
            .map_err(WireError::Io)
    }

    /// Sends one command line (CRLF added) and reads its reply.
    pub async fn command(
        &mut self,
        line: &str,
        phase: &'static str,
        limit: Duration,
    ) -> Result<Reply, WireError> {
        self.send(format!("{line}\r\n").as_bytes(), phase, limit)
            .await?;
        self.read_reply(phase, limit).await
    }

    /// Runs the TLS handshake on this connection after a `220` to STARTTLS.
    pub async fn upgrade(
        self,
        connector: &TlsConnector,
        name: ServerName<'static>,
        limit: Duration,
    ) -> Result<Wire, WireError> {
        if !self.stream.buffer().is_empty() {
            return Err(WireError::DataAfterStartTls);
        }
        let plain = self.stream.into_inner();
        let handshake = connector.connect(name, plain);
        let tls = tokio::time::timeout(limit, handshake)
            .await
            .map_err(|_| WireError::Timeout {
                phase: "the TLS handshake",
                limit,
            })?
            .map_err(WireError::Handshake)?;
        Ok(Wire {
            stream: BufReader::new(Box::new(tls)),
            tls: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::duplex;

    const LIMIT: Duration = Duration::from_secs(5);

    async fn reply_from(server_says: &'static [u8]) -> Result<Reply, WireError> {
        let (client, mut server) = duplex(64 * 1024);
        server.write_all(server_says).await.unwrap();
        drop(server);
        Wire::new(Box::new(client)).read_reply("test", LIMIT).await
    }

    #[tokio::test]
    async fn reads_a_multi_line_reply() {
        let reply = reply_from(b"250-one\r\n250 two\r\n").await.unwrap();
        assert_eq!(reply.lines, ["one", "two"]);
    }

    #[tokio::test]
    async fn close_mid_reply_is_an_error() {
        assert!(matches!(
            reply_from(b"250-one\r\n250 tw").await,
            Err(WireError::Closed)
        ));
    }

    #[tokio::test]
    async fn overlong_line_is_an_error_not_an_allocation() {
        let (client, mut server) = duplex(64 * 1024);
        let writer = tokio::spawn(async move {
            let _ = server.write_all(b"250 ").await;
            let _ = server.write_all(&vec![b'x'; 3 * MAX_LINE]).await;
            server
        });
        let result = Wire::new(Box::new(client)).read_reply("test", LIMIT).await;
        assert!(matches!(result, Err(WireError::LineTooLong)));
        drop(writer.await);
    }

    #[tokio::test(start_paused = true)]
    async fn silent_server_times_out() {
        let (client, _server) = duplex(1024);
        let result = Wire::new(Box::new(client))
            .read_reply("the greeting", Duration::from_secs(300))
            .await;
        assert!(matches!(
            result,
            Err(WireError::Timeout {
                phase: "the greeting",
                ..
            })
        ));
    }
}
