//! Async byte streams at the store's edge: reading a message or section
//! (length known before the first byte, as IMAP literals need) and writing
//! a staged message without holding it in memory.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

use super::backend::{BlobBody, MessageBlob, StagedMessage};

/// The octets of a message or section, `len()` of them.
pub struct MessageStream {
    len: u64,
    inner: Pin<Box<dyn AsyncRead + Send + Sync>>,
}

impl std::fmt::Debug for MessageStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageStream")
            .field("len", &self.len)
            .finish()
    }
}

impl MessageStream {
    /// Builds the stream; the file (if any) must already be positioned at
    /// the blob's offset, because seeking is blocking work.
    pub(crate) fn from_positioned(blob: MessageBlob) -> Self {
        let len = blob.len;
        let inner: Pin<Box<dyn AsyncRead + Send + Sync>> = match blob.body {
            BlobBody::File { file, .. } => Box::pin(tokio::fs::File::from_std(file).take(len)),
            BlobBody::Bytes(bytes) => Box::pin(io::Cursor::new(bytes).take(len)),
        };
        Self { len, inner }
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Reads the whole stream; for tests and small sections.
    pub async fn into_bytes(mut self) -> io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(usize::try_from(self.len).unwrap_or(0).min(1 << 20));
        self.read_to_end(&mut out).await?;
        Ok(out)
    }
}

impl AsyncRead for MessageStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.inner.as_mut().poll_read(cx, buf)
    }
}

/// Where a caller streams a message (an IMAP literal, SMTP DATA) before
/// appending it with [`super::MessageSource::Staged`].
#[derive(Debug)]
pub struct StagedWriter {
    file: tokio::fs::File,
    staged: StagedMessage,
    written: u64,
}

impl StagedWriter {
    pub(crate) fn new(staged: StagedMessage) -> io::Result<Self> {
        let file = tokio::fs::File::from_std(staged.file.try_clone()?);
        Ok(Self {
            file,
            staged,
            written: 0,
        })
    }

    /// Octets written so far (for the caller's size limit).
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Flushes and hands over the staged message; it is fsynced by append.
    pub async fn finish(mut self) -> io::Result<StagedMessage> {
        self.file.flush().await?;
        Ok(self.staged)
    }
}

impl AsyncWrite for StagedWriter {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.file).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = poll {
            self.written += n as u64;
        }
        poll
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.file).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.file).poll_shutdown(cx)
    }
}
