//! Where an SMTP session puts a message it is receiving: the spool, seen
//! from the protocol side. Object-safe so sessions can be tested against an
//! in-memory sink and the server can swap the backend.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;

use tokio::io::AsyncWrite;

use super::envelope::{Envelope, QueueId};

/// A boxed future of a spool operation.
pub type SinkFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, SpoolError>> + Send + 'a>>;

/// Why the spool could not take a message. Every variant is a temporary
/// failure for the client (`451 4.3.0`; `452 4.3.1` for [`SpoolError::Full`]).
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// The disk is full or the spool over its configured size.
    #[error("the spool is full")]
    Full,
    #[error("spool I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("queue database: {0}")]
    Database(String),
}

/// Accepts messages into the queue.
pub trait MessageSink: Send + Sync + 'static {
    /// Starts receiving a message. The caller writes the octets exactly as
    /// they are to be delivered (its own trace fields first, CRLF line ends,
    /// dot-stuffing already undone), then commits or drops the writer.
    fn receive(&self) -> SinkFuture<'_, Box<dyn SpoolWriter>>;
}

/// A message being received. Dropping it without [`SpoolWriter::commit`]
/// discards every octet written: a client that leaves mid-DATA leaves
/// nothing behind.
pub trait SpoolWriter: AsyncWrite + Send + Unpin {
    /// Octets written so far, for the caller's size limit.
    fn written(&self) -> u64;

    /// The file holding the octets written so far, once flushed: a check
    /// before the commit (the SMTP-time spam check) reads the message back
    /// from it instead of keeping a copy in memory. `None` when the sink
    /// keeps the octets elsewhere; such a check is then skipped.
    fn staged_path(&self) -> Option<&Path> {
        None
    }

    /// Makes the message durable and queues it for every recipient of
    /// `envelope`: the file is fsynced and the queue row committed before
    /// this returns `Ok`, and only then may the client be told `250`
    /// (DESIGN.md invariant 1).
    fn commit(self: Box<Self>, envelope: Envelope) -> SinkFuture<'static, QueueId>;
}
