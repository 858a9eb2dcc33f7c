//! SEARCH evaluation (RFC 9051 §6.4.4, RFC 3501 §6.4.4 and the extension
//! keys: RFC 7162 MODSEQ, RFC 5032 OLDER/YOUNGER, RFC 5182 `$`), SORT and
//! THREAD (RFC 5256, plus DISPLAYFROM/DISPLAYTO of RFC 5957) over a selected
//! mailbox as one session sees it.
//!
//! Owns what a search key means and how results are ordered or threaded.
//! Must not parse commands, write responses or touch files or SQL: it reads
//! through [`Store`] only, and answers in UIDs (the session maps them to
//! sequence numbers, and turns [`SearchError`] into a tagged NO).
//!
//! Evaluation is staged so cheap facts decide first (see `eval`): flags,
//! sizes, dates and sets from the view; then the full-text index; then the
//! cached metadata (sent date), loaded in batches for the messages still
//! undecided; last the raw header (HEADER) or the decoded message text
//! (non-ASCII needles), read one message at a time.

mod collate;
mod eval;
mod header_field;
mod keys;
mod raw;
mod references;
mod sent_date;
mod sort;
mod text;
mod thread;

use std::time::SystemTime;

use crate::imap::parser::{SearchKey, SortCriterion};
use crate::imap::response::Thread;
use crate::imap::view::Recent;
use crate::store::{AccountId, MailboxId, MessageSummary, Store, StoreError, Uid};

pub use thread::ThreadAlgorithm;

/// The charsets SEARCH, SORT and THREAD accept (RFC 9051 §6.4.4: UTF-8 and
/// US-ASCII), in the order the BADCHARSET response code lists them.
pub const SUPPORTED_CHARSETS: [&str; 2] = ["UTF-8", "US-ASCII"];

/// The messages of a selected mailbox as the session sees them, in sequence
/// order (index 0 = sequence number 1).
#[derive(Debug, Clone, Copy)]
pub struct MailboxView<'a> {
    pub account: AccountId,
    pub mailbox: MailboxId,
    pub messages: &'a [MessageSummary],
    /// The result saved by `SEARCH RETURN (SAVE)` (RFC 5182), which `$` names.
    pub saved: &'a [Uid],
    /// The messages `\Recent` to the session (always none in IMAP4rev2).
    pub recent: &'a Recent,
}

/// Why a SEARCH, SORT or THREAD could not be answered; each maps to one
/// tagged response.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// NO [BADCHARSET (UTF-8 US-ASCII)] (RFC 9051 §6.4.4).
    #[error("unsupported charset {0}")]
    BadCharset(String),
    /// BAD: THREAD with an algorithm the server does not advertise (RFC 5256 §3).
    #[error("unknown threading algorithm {0}")]
    UnknownThreadAlgorithm(String),
    /// NO: the store failed (the mailbox vanished, the index is unreadable).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// NO: a message file could not be read for HEADER or text matching.
    #[error("message unreadable: {0}")]
    Read(#[from] std::io::Error),
}

/// Accepts the CHARSET of SEARCH (absent means US-ASCII), SORT and THREAD;
/// anything but UTF-8 or US-ASCII is [`SearchError::BadCharset`].
pub fn check_charset(charset: Option<&str>) -> Result<(), SearchError> {
    match charset {
        None => Ok(()),
        Some(c) if SUPPORTED_CHARSETS.iter().any(|s| s.eq_ignore_ascii_case(c)) => Ok(()),
        Some(c) => Err(SearchError::BadCharset(c.to_owned())),
    }
}

/// The UIDs, ascending, of the messages in `view` that match `key`
/// (RFC 9051 §6.4.4). A SEARCH with several keys is `SearchKey::And`.
/// `now` anchors OLDER and YOUNGER (RFC 5032).
pub async fn search(
    store: &Store,
    view: &MailboxView<'_>,
    key: &SearchKey,
    now: SystemTime,
) -> Result<Vec<Uid>, SearchError> {
    eval::search(store, view, key, now).await
}

/// `matching` (the UIDs a search found) in the order of `criteria`
/// (RFC 5256 §3 SORT), ties broken by sequence number.
pub async fn sort(
    store: &Store,
    view: &MailboxView<'_>,
    criteria: &[SortCriterion],
    matching: &[Uid],
) -> Result<Vec<Uid>, SearchError> {
    sort::sort(store, view, criteria, matching).await
}

/// `matching` threaded by `algorithm` (RFC 5256 §3 THREAD). The threads
/// hold UIDs; [`to_sequence_numbers`] renumbers them for a non-UID THREAD.
pub async fn thread(
    store: &Store,
    view: &MailboxView<'_>,
    algorithm: ThreadAlgorithm,
    matching: &[Uid],
) -> Result<Vec<Thread>, SearchError> {
    thread::thread(store, view, algorithm, matching).await
}

/// Rewrites the UIDs of `threads` as the sequence numbers of `view`.
pub fn to_sequence_numbers(view: &MailboxView<'_>, threads: &mut [Thread]) {
    let mut pending: Vec<&mut Thread> = threads.iter_mut().collect();
    while let Some(t) = pending.pop() {
        for n in &mut t.messages {
            if let Some(seq) = sequence_number(view, Uid(*n)) {
                *n = seq;
            }
        }
        pending.extend(t.branches.iter_mut());
    }
}

/// The sequence number of `uid` in `view` (UIDs ascend with sequence numbers).
pub fn sequence_number(view: &MailboxView<'_>, uid: Uid) -> Option<u32> {
    let index = view.messages.binary_search_by_key(&uid, |m| m.uid).ok()?;
    u32::try_from(index + 1).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Flags, InternalDate, ModSeq};

    fn summary(uid: u32) -> MessageSummary {
        MessageSummary {
            uid: Uid(uid),
            flags: Flags::new(),
            modseq: ModSeq(1),
            size: 1,
            internal_date: InternalDate(0),
        }
    }

    #[test]
    fn threads_are_renumbered_to_sequence_numbers() {
        let messages = [summary(4), summary(9), summary(20)];
        let view = MailboxView {
            account: AccountId(1),
            mailbox: MailboxId(1),
            messages: &messages,
            saved: &[],
            recent: &Recent::default(),
        };
        let leaf = |n| Thread {
            messages: vec![n],
            branches: vec![],
        };
        let mut threads = vec![Thread {
            messages: vec![4],
            branches: vec![leaf(9), leaf(20)],
        }];
        to_sequence_numbers(&view, &mut threads);
        assert_eq!(threads[0].messages, [1]);
        assert_eq!(threads[0].branches, [leaf(2), leaf(3)]);
    }

    #[test]
    fn charset_check_accepts_only_utf8_and_us_ascii() {
        assert!(check_charset(None).is_ok());
        assert!(check_charset(Some("utf-8")).is_ok());
        assert!(check_charset(Some("US-ASCII")).is_ok());
        assert!(matches!(
            check_charset(Some("KOI8-R")),
            Err(SearchError::BadCharset(c)) if c == "KOI8-R"
        ));
    }
}
