//! The store's typed errors. Each variant maps to exactly one protocol
//! response (mapped by the protocol layers, not here).

use super::AccountId;

/// Why a mailbox name or keyword was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("empty mailbox name")]
    Empty,
    #[error("mailbox name longer than {max} octets")]
    TooLong { max: usize },
    #[error("mailbox name contains control character U+{0:04X}")]
    ControlCharacter(u32),
    #[error("mailbox name contains wildcard {0:?}")]
    Wildcard(char),
    #[error("mailbox name starts or ends with the hierarchy delimiter")]
    DelimiterAtEdge,
    #[error("mailbox name has an empty hierarchy part")]
    EmptyPart,
    #[error("invalid keyword")]
    BadKeyword,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("account {0:?} does not exist")]
    NoAccount(AccountId),
    #[error("no such mailbox: {0}")]
    NoMailbox(String),
    #[error("mailbox already exists: {0}")]
    MailboxExists(String),
    /// IMAP NO [CANNOT]: the default folders cannot be renamed or deleted.
    #[error("mailbox {0} is protected")]
    Protected(String),
    #[error("cannot rename a mailbox below itself")]
    RenameIntoSelf,
    #[error(transparent)]
    InvalidName(#[from] NameError),
    #[error("no message with that UID")]
    NoMessage,
    #[error("the message has no such section")]
    NoSection,
    /// UIDs are 32-bit (RFC 9051 §2.3.1.1); a mailbox that used them all
    /// must be recreated with a new UIDVALIDITY.
    #[error("mailbox has used every UID")]
    UidsExhausted,
    /// IMAP NO [OVERQUOTA] (RFC 9208 §4.3), SMTP 552.
    #[error("quota exceeded")]
    OverQuota,
    /// The account's index cannot be read; `reindex` rebuilds it. Other
    /// accounts are unaffected.
    #[error("index of account {0:?} is corrupt; run reindex")]
    IndexCorrupt(AccountId),
    #[error("index error: {0}")]
    Index(#[from] rusqlite::Error),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("cached metadata unreadable: {0}")]
    Metadata(#[from] serde_json::Error),
    #[error("store task failed")]
    TaskFailed,
}

impl StoreError {
    /// Whether SQLite says the database file itself is damaged.
    pub(crate) fn is_corruption(err: &rusqlite::Error) -> bool {
        matches!(
            err.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
        )
    }
}
