//! How the session ends and when it writes: queued responses go out unless
//! pipelined commands are waiting. Reading and writing themselves are the
//! server's [`ClientStream`].

use tokio::io::{AsyncRead, AsyncWrite};

use super::Session;
use crate::server::ClientGone;

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

impl From<ClientGone> for Ended {
    fn from(gone: ClientGone) -> Self {
        match gone {
            ClientGone::Closed => Self::Closed,
            ClientGone::TimedOut => Self::TimedOut,
            ClientGone::Shutdown => Self::Shutdown,
        }
    }
}

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    /// Writes the queued responses unless the client already sent another
    /// full command (RFC 2449 §6.6 PIPELINING): those answers go out together,
    /// up to [`FLUSH_AT`] octets.
    pub(super) async fn flush_unless_pipelined(&mut self) -> Result<(), Ended> {
        if self.client.has_line() && self.client.output().len() < FLUSH_AT {
            Ok(())
        } else {
            self.flush().await
        }
    }

    pub(super) async fn flush(&mut self) -> Result<(), Ended> {
        Ok(self.client.flush().await?)
    }
}
