//! A message being received into the spool: a private temporary file that
//! becomes a queued message on commit and disappears on drop.

use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::Committed;
use crate::queue::db::{Origin, QueueError};
use crate::queue::envelope::{Envelope, QueueId};
use crate::queue::sink::{SinkFuture, SpoolError, SpoolWriter};

/// Removes the temporary file unless the message was committed.
struct TmpGuard {
    path: PathBuf,
    armed: bool,
}

impl TmpGuard {
    /// The file is now a queued message: keep it.
    fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for TmpGuard {
    fn drop(&mut self) {
        if self.armed {
            // A client that left mid-DATA was never told 250: nothing to keep.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The [`SpoolWriter`] of the spool.
pub(crate) struct SpoolFile {
    committed: Arc<Committed>,
    file: tokio::fs::File,
    guard: TmpGuard,
    written: u64,
    origin: Option<Origin>,
}

impl SpoolFile {
    pub(super) fn new(committed: Arc<Committed>, path: PathBuf, file: std::fs::File) -> Self {
        Self {
            committed,
            file: tokio::fs::File::from_std(file),
            guard: TmpGuard { path, armed: true },
            written: 0,
            origin: None,
        }
    }

    pub(super) fn with_origin(self, origin: Origin) -> Self {
        Self {
            origin: Some(origin),
            ..self
        }
    }
}

impl AsyncWrite for SpoolFile {
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

impl SpoolWriter for SpoolFile {
    fn written(&self) -> u64 {
        self.written
    }

    fn staged_path(&self) -> Option<&Path> {
        Some(&self.guard.path)
    }

    fn commit(self: Box<Self>, envelope: Envelope) -> SinkFuture<'static, QueueId> {
        let SpoolFile {
            committed,
            mut file,
            guard,
            written,
            origin,
        } = *self;
        Box::pin(async move {
            file.flush().await?;
            file.sync_all().await?;
            drop(file);
            let path = guard.path.clone();
            let target = committed.clone();
            let id = tokio::task::spawn_blocking(move || {
                target.commit_file(&path, written, &envelope, &[], origin.as_ref())
            })
            .await
            .map_err(|_| SpoolError::Database("spool task failed".to_owned()))?
            .map_err(spool_error)?;
            guard.disarm();
            committed.wake.notify_one();
            Ok(id)
        })
    }
}

/// How the SMTP session sees a queue failure: all temporary, "full" when
/// the disk is.
fn spool_error(error: QueueError) -> SpoolError {
    match error {
        QueueError::Io(error) if error.raw_os_error() == Some(libc::ENOSPC) => SpoolError::Full,
        QueueError::Io(error) => SpoolError::Io(error),
        QueueError::Database(rusqlite::Error::SqliteFailure(code, _))
            if code.code == rusqlite::ErrorCode::DiskFull =>
        {
            SpoolError::Full
        }
        other => SpoolError::Database(other.to_string()),
    }
}
