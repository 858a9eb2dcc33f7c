//! The per-account change feed: wakes waiting sessions (IDLE, NOTIFY) at once
//! after a change committed through this process, and within
//! [`POLL_INTERVAL`] after one committed by another process (the CLI). The
//! index is polled only while someone is subscribed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use super::AccountId;
use super::backend::MailBackend;

/// How often the index is checked for other processes' changes.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

#[derive(Debug)]
struct Feed {
    tx: watch::Sender<u64>,
    polling: AtomicBool,
}

impl Feed {
    fn bump(&self) {
        self.tx.send_modify(|v| *v = v.wrapping_add(1));
    }
}

#[derive(Debug, Default)]
pub(crate) struct Feeds {
    feeds: Mutex<HashMap<AccountId, Arc<Feed>>>,
}

impl Feeds {
    fn feed(&self, account: AccountId) -> Arc<Feed> {
        let mut feeds = self.feeds.lock().unwrap_or_else(|e| e.into_inner());
        feeds
            .entry(account)
            .or_insert_with(|| {
                Arc::new(Feed {
                    tx: watch::channel(0).0,
                    polling: AtomicBool::new(false),
                })
            })
            .clone()
    }

    /// Tells the account's subscribers that something changed.
    pub fn notify(&self, account: AccountId) {
        let feed = self
            .feeds
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&account)
            .cloned();
        if let Some(feed) = feed {
            feed.bump();
        }
    }

    /// A receiver that changes after every change committed after
    /// `baseline` (the account's change version when the caller looked).
    /// Must be called inside a tokio runtime (it may start the poller).
    pub fn subscribe(
        &self,
        account: AccountId,
        backend: Arc<dyn MailBackend>,
        baseline: Option<u64>,
    ) -> watch::Receiver<u64> {
        let feed = self.feed(account);
        let rx = feed.tx.subscribe();
        if !feed.polling.swap(true, Ordering::AcqRel) {
            tokio::spawn(poll(feed, account, backend, baseline));
        }
        rx
    }
}

/// Watches the index's change counter while anyone listens.
async fn poll(
    feed: Arc<Feed>,
    account: AccountId,
    backend: Arc<dyn MailBackend>,
    mut last: Option<u64>,
) {
    loop {
        if feed.tx.receiver_count() == 0 {
            feed.polling.store(false, Ordering::Release);
            // A subscriber that arrived while we were stopping saw `polling`
            // still set and started no poller: keep going for it.
            if feed.tx.receiver_count() == 0 || feed.polling.swap(true, Ordering::AcqRel) {
                return;
            }
        }
        let b = backend.clone();
        let version = tokio::task::spawn_blocking(move || b.change_version(account)).await;
        if let Ok(Ok(version)) = version {
            if last.is_some_and(|l| l != version) {
                feed.bump();
            }
            last = Some(version);
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}
