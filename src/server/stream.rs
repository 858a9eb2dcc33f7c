//! `MaybeTls`: one connection's byte stream, plaintext or TLS, with the STARTTLS upgrade.
//!
//! Owns the switch from plaintext to TLS on the same stream (RFC 3207 §4, RFC 2595 §4,
//! RFC 9051 §6.2.1). It must not frame or buffer bytes: that is the protocol's job.
//!
//! **At the upgrade a protocol must drop every byte it buffered from the plaintext
//! phase.** A client (or a man in the middle) can pipeline commands after STARTTLS in
//! the same packet; executing them after the handshake would let plaintext injected
//! before TLS act as if it came over TLS (the CVE-2011-0411 class of bugs). So a session
//! reading through a `BufReader` takes the stream out with `into_inner()`, discards the
//! buffer, and calls [`MaybeTls::upgrade`].

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// Plaintext or TLS over any byte stream `S` (a socket, or `tokio::io::duplex` in tests).
#[derive(Debug)]
pub enum MaybeTls<S> {
    Plain(S),
    Tls(Box<TlsStream<S>>),
}

/// Why a TLS handshake did not complete.
#[derive(Debug, thiserror::Error)]
pub enum HandshakeError {
    #[error("the stream is already TLS")]
    AlreadyTls,
    #[error("the TLS handshake took longer than {0:?}")]
    TimedOut(Duration),
    #[error("the TLS handshake failed: {0}")]
    Failed(#[source] io::Error),
}

impl<S> MaybeTls<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    pub fn is_tls(&self) -> bool {
        matches!(self, MaybeTls::Tls(_))
    }

    /// Runs the server side of a TLS handshake on this plaintext stream, bounded by
    /// `timeout`. See the module documentation about buffered plaintext.
    pub async fn upgrade(
        self,
        acceptor: &TlsAcceptor,
        timeout: Duration,
    ) -> Result<MaybeTls<S>, HandshakeError> {
        match self {
            MaybeTls::Plain(stream) => accept(stream, acceptor, timeout).await,
            MaybeTls::Tls(_) => Err(HandshakeError::AlreadyTls),
        }
    }

    /// STARTTLS for a session that read ahead: drops `buffered`, the plaintext the
    /// client sent after the command (see the module documentation), then upgrades.
    pub async fn starttls(
        self,
        buffered: &mut Vec<u8>,
        acceptor: &TlsAcceptor,
        timeout: Duration,
    ) -> Result<MaybeTls<S>, HandshakeError> {
        if !buffered.is_empty() {
            tracing::debug!(
                octets = buffered.len(),
                "dropped plaintext sent after STARTTLS"
            );
            buffered.clear();
        }
        self.upgrade(acceptor, timeout).await
    }

    /// Writes and flushes `bytes`, giving up after `timeout`: a client that stops
    /// reading cannot hold its session forever.
    pub async fn write_within(&mut self, bytes: &[u8], timeout: Duration) -> io::Result<()> {
        let write = async {
            self.write_all(bytes).await?;
            self.flush().await
        };
        tokio::time::timeout(timeout, write)
            .await
            .map_err(|_| io::Error::from(io::ErrorKind::TimedOut))?
    }

    /// The TLS version and cipher suite negotiated, for logs and Received fields.
    pub fn tls_parameters(&self) -> Option<(rustls::ProtocolVersion, rustls::CipherSuite)> {
        match self {
            MaybeTls::Plain(_) => None,
            MaybeTls::Tls(stream) => {
                let connection = stream.get_ref().1;
                Some((
                    connection.protocol_version()?,
                    connection.negotiated_cipher_suite()?.suite(),
                ))
            }
        }
    }
}

/// Accepts a TLS connection on `stream`, for implicit TLS and STARTTLS alike.
pub async fn accept<S>(
    stream: S,
    acceptor: &TlsAcceptor,
    timeout: Duration,
) -> Result<MaybeTls<S>, HandshakeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    match tokio::time::timeout(timeout, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => Ok(MaybeTls::Tls(Box::new(tls))),
        Ok(Err(error)) => Err(HandshakeError::Failed(error)),
        Err(_) => Err(HandshakeError::TimedOut(timeout)),
    }
}

impl<S> AsyncRead for MaybeTls<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MaybeTls::Plain(stream) => Pin::new(stream).poll_read(cx, buf),
            MaybeTls::Tls(stream) => Pin::new(stream.as_mut()).poll_read(cx, buf),
        }
    }
}

impl<S> AsyncWrite for MaybeTls<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            MaybeTls::Plain(stream) => Pin::new(stream).poll_write(cx, buf),
            MaybeTls::Tls(stream) => Pin::new(stream.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            MaybeTls::Plain(stream) => Pin::new(stream).poll_write_vectored(cx, bufs),
            MaybeTls::Tls(stream) => Pin::new(stream.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            MaybeTls::Plain(stream) => stream.is_write_vectored(),
            MaybeTls::Tls(stream) => stream.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MaybeTls::Plain(stream) => Pin::new(stream).poll_flush(cx),
            MaybeTls::Tls(stream) => Pin::new(stream.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MaybeTls::Plain(stream) => Pin::new(stream).poll_shutdown(cx),
            MaybeTls::Tls(stream) => Pin::new(stream.as_mut()).poll_shutdown(cx),
        }
    }
}
