//! Reporting other sessions' changes to the selected mailbox (RFC 9051
//! §7.5.1, §5.2): EXISTS, FETCH FLAGS and, where allowed, EXPUNGE; for
//! IMAP4rev1 also RECENT (RFC 3501 §7.3.2). The view applies the store's
//! change log; this file decides to look and writes the updates.

use tokio::io::{AsyncRead, AsyncWrite};

use crate::imap::response::{Code, Data, FetchItem, NumberSet};
use crate::imap::session::Session;
use crate::imap::view::Update;
use crate::store::MessageSummary;

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    /// Queues what changed in the selected mailbox since the session last
    /// looked. Cheap when nothing did: the store's change feed says so
    /// without touching the index. A store failure is logged and the
    /// changes are reported later.
    pub(crate) async fn report_changes(&mut self, allow_expunge: bool) {
        let (Some(login), Some(view)) = (self.login.as_mut(), self.selected.as_ref()) else {
            return;
        };
        let changed = login.changes.has_changed().unwrap_or(false);
        let deferred = view.expunge_pending() && allow_expunge;
        if !changed && !deferred && !self.resync {
            return;
        }
        self.resync = false;
        login.changes.borrow_and_update();
        let account = login.user.account;
        let (mailbox, since) = (view.mailbox, view.synced());
        let store = &self.context.store;
        let changes = match store.changes_since(account, mailbox, since).await {
            Ok(changes) => changes,
            Err(error) => {
                tracing::warn!(%error, "cannot read the selected mailbox for updates");
                return;
            }
        };
        let Some(view) = self.selected.as_mut() else {
            return;
        };
        let updates = view.sync(changes, allow_expunge);
        let grew = updates.iter().any(|u| matches!(u, Update::Exists(_)));
        if grew && !self.enabled.rev2 && !view.read_only {
            match store.claim_recent(account, mailbox).await {
                Ok(claimed) => view.recent.claim(claimed),
                Err(error) => tracing::warn!(%error, "cannot claim \\Recent messages"),
            }
        }
        self.queue_updates(updates);
    }

    /// A CONDSTORE enabling command (RFC 7162 §3.1): the first one while a
    /// mailbox is selected also announces its HIGHESTMODSEQ.
    pub(crate) fn enable_condstore(&mut self) {
        if self.enabled.condstore {
            return;
        }
        self.enabled.condstore = true;
        if let Some(modseq) = self.selected.as_ref().map(|v| v.highest_modseq) {
            self.untagged_ok(Code::HighestModSeq(modseq), "Highest");
        }
    }

    pub(crate) fn queue_updates(&mut self, updates: Vec<Update>) {
        let condstore = self.enabled.condstore;
        let mut vanished = Vec::new();
        for update in updates {
            match update {
                Update::Expunge { uid, .. } if self.enabled.qresync => vanished.push(uid.0),
                Update::Expunge { seq, .. } => self.queue_data(Data::Expunge(seq)),
                Update::Exists(n) => {
                    self.queue_data(Data::Exists(n));
                    if !self.enabled.rev2 {
                        let recent = self.selected.as_ref().map_or(0, |v| v.recent_count());
                        self.queue_data(Data::Recent(recent));
                    }
                }
                Update::Flags { seq, message } => {
                    let recent = self.is_recent(message.uid);
                    self.queue_data(flags_changed(seq, &message, recent, condstore));
                }
            }
        }
        self.queue_vanished(false, vanished);
    }

    /// `* VANISHED [(EARLIER)] uids` (RFC 7162 §3.2.10), when there are any.
    pub(crate) fn queue_vanished(&mut self, earlier: bool, uids: Vec<u32>) {
        if !uids.is_empty() {
            self.queue_data(Data::Vanished {
                earlier,
                uids: NumberSet::from_numbers(uids),
            });
        }
    }

    /// FETCH FLAGS shows `\Recent` to IMAP4rev1 sessions only.
    pub(crate) fn is_recent(&self, uid: crate::store::Uid) -> bool {
        !self.enabled.rev2
            && self
                .selected
                .as_ref()
                .is_some_and(|v| v.recent.contains(uid))
    }
}

/// `* seq FETCH (UID u FLAGS (...) [MODSEQ (m)])`: a message whose flags the
/// session learns changed (RFC 9051 §7.5.1, RFC 7162 §3.1.4 and §3.2.5.2).
pub(crate) fn flags_changed(
    seq: u32,
    message: &MessageSummary,
    recent: bool,
    modseq: bool,
) -> Data<'_> {
    let mut items = vec![
        FetchItem::Uid(message.uid),
        FetchItem::Flags {
            flags: &message.flags,
            recent,
        },
    ];
    if modseq {
        items.push(FetchItem::ModSeq(message.modseq));
    }
    Data::Fetch { seq, items }
}
