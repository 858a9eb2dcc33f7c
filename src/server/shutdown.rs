//! The shutdown signal sessions listen for, in the manner of mini-redis's `Shutdown`.
//!
//! Owns the one-way "please finish" flag sent from the server to every task. It must
//! not end anything itself: sessions decide how to say goodbye.

use tokio::sync::watch;

/// Sends the signal once; every [`Shutdown`] made from it sees it.
#[derive(Debug)]
pub(crate) struct ShutdownSender(watch::Sender<bool>);

impl ShutdownSender {
    pub(crate) fn new() -> Self {
        Self(watch::Sender::new(false))
    }

    pub(crate) fn signal(&self) {
        self.0.send_replace(true);
    }

    pub(crate) fn subscribe(&self) -> Shutdown {
        Shutdown(Some(self.0.subscribe()))
    }
}

/// A session's view of the server shutting down.
///
/// A session awaits [`Shutdown::requested`] beside its next read, and when it fires
/// says goodbye the protocol's way (IMAP `* BYE`, SMTP `421`, ...) and ends.
#[derive(Debug, Clone)]
pub struct Shutdown(Option<watch::Receiver<bool>>);

impl Shutdown {
    /// A signal that never fires, for sessions driven by tests.
    pub fn never() -> Shutdown {
        Shutdown(None)
    }

    pub fn is_requested(&self) -> bool {
        self.0.as_ref().is_some_and(|receiver| *receiver.borrow())
    }

    /// Completes once shutdown is requested (at once if it already was).
    pub async fn requested(&self) {
        match &self.0 {
            Some(receiver) => {
                let mut receiver = receiver.clone();
                // A dropped sender means the server is gone: that is a shutdown too.
                let _ = receiver.wait_for(|requested| *requested).await;
            }
            None => std::future::pending().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_subscriber_sees_the_signal() {
        let sender = ShutdownSender::new();
        let first = sender.subscribe();
        let second = first.clone();
        assert!(!first.is_requested());
        sender.signal();
        first.requested().await;
        second.requested().await;
        assert!(second.is_requested());
    }
}
