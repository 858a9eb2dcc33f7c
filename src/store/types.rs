//! The store's vocabulary: UIDs, modseqs, mailbox names, flags and the records
//! the store hands to protocol code. Pure values: no I/O, no SQL, no paths.

use serde::{Deserialize, Serialize};

pub use super::flags::{FlagOp, Flags, Keyword, MAX_KEYWORD_LEN, SystemFlag};
pub use super::names::{DELIMITER, MAX_NAME_LEN, MailboxName, SpecialUse};

/// A message UID (RFC 9051 §2.3.1.1): strictly increasing within a UIDVALIDITY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Uid(pub u32);

/// UIDVALIDITY of a mailbox (RFC 9051 §2.3.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UidValidity(pub u32);

/// A modification sequence (RFC 7162 §3.1.1): strictly increasing per mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ModSeq(pub u64);

/// The stable id of a mailbox within an account; survives renames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MailboxId(pub i64);

/// Seconds since the Unix epoch (the IMAP INTERNALDATE, RFC 9051 §2.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InternalDate(pub i64);

/// Limits checked inside the append transaction (RFC 9208 STORAGE and MESSAGE).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QuotaLimit {
    pub max_bytes: Option<u64>,
    pub max_messages: Option<u64>,
}

/// What an account uses (RFC 9208 §5).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QuotaUsage {
    pub bytes: u64,
    pub messages: u64,
}

/// One mailbox as LIST sees it, with its counts (RFC 5819 LIST-STATUS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxInfo {
    pub id: MailboxId,
    pub name: MailboxName,
    pub special_use: Option<SpecialUse>,
    pub subscribed: bool,
    pub status: MailboxStatus,
}

/// The STATUS items of RFC 9051 §6.3.11 plus HIGHESTMODSEQ (RFC 7162).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailboxStatus {
    pub messages: u64,
    pub unseen: u64,
    pub deleted: u64,
    pub size: u64,
    /// Octets of the messages marked `\Deleted` (RFC 9208 DELETED-STORAGE).
    pub deleted_size: u64,
    pub uid_validity: UidValidity,
    pub uid_next: Uid,
    pub highest_modseq: ModSeq,
    /// Messages no IMAP4rev1 session has claimed as `\Recent` yet
    /// (RFC 3501 §6.3.10 RECENT).
    pub recent: u64,
}

/// What a session needs per message to build its sequence map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSummary {
    pub uid: Uid,
    pub flags: Flags,
    pub modseq: ModSeq,
    pub size: u64,
    pub internal_date: InternalDate,
}

/// A mailbox's messages at one instant, with the values a SELECT reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxSnapshot {
    pub uid_validity: UidValidity,
    pub uid_next: Uid,
    pub highest_modseq: ModSeq,
    /// Messages from this UID on are not claimed as `\Recent` yet: a session
    /// that may not claim them (EXAMINE) still shows them as recent.
    pub recent_uid: Uid,
    pub messages: Vec<MessageSummary>,
}

/// Flags of one message after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagUpdate {
    pub uid: Uid,
    pub flags: Flags,
    pub modseq: ModSeq,
}

/// The outcome of a STORE: what changed, and the UIDs that failed an
/// UNCHANGEDSINCE test (RFC 7162 §3.1.3, the MODIFIED response code).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreResult {
    pub updated: Vec<FlagUpdate>,
    pub modified: Vec<Uid>,
}

/// Where appended messages landed (RFC 4315 APPENDUID).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendResult {
    pub uid_validity: UidValidity,
    pub uids: Vec<Uid>,
}

/// Source to destination UID pairs (RFC 4315 COPYUID, RFC 6851 §4.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyResult {
    pub uid_validity: UidValidity,
    pub pairs: Vec<(Uid, Uid)>,
}

/// What changed in a mailbox after a modseq (RFC 7162 §3.1.4, QRESYNC VANISHED).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes {
    pub highest_modseq: ModSeq,
    /// Messages added or whose flags changed, by ascending UID, as they are now.
    pub changed: Vec<MessageSummary>,
    pub expunged: Vec<Uid>,
}

/// Which text a SEARCH key looks in (RFC 9051 §6.4.4: SUBJECT, FROM, TO,
/// CC, BCC, BODY, and TEXT for all of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchField {
    Subject,
    From,
    To,
    Cc,
    Bcc,
    Body,
    Text,
}

/// A partial fetch, `<origin.octets>` (RFC 9051 §6.4.5): at most `octets`
/// octets starting `origin` octets into the section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partial {
    pub origin: u64,
    pub octets: u64,
}

impl Partial {
    /// The part of `range` this selects; empty when `origin` lies beyond
    /// the end (RFC 9051 §6.4.5: the result is then the empty string).
    pub fn narrow(self, range: std::ops::Range<u64>) -> std::ops::Range<u64> {
        let start = range.start.saturating_add(self.origin).min(range.end);
        let end = start.saturating_add(self.octets).min(range.end);
        start..end
    }
}

#[cfg(test)]
mod tests {
    use super::Partial;

    #[test]
    fn partial_is_clamped_to_the_section() {
        let p = |origin, octets| Partial { origin, octets };
        assert_eq!(p(2, 3).narrow(10..20), 12..15);
        assert_eq!(p(8, 5).narrow(10..20), 18..20);
        assert_eq!(p(30, 5).narrow(10..20), 20..20);
        assert_eq!(p(0, u64::MAX).narrow(10..20), 10..20);
    }
}
