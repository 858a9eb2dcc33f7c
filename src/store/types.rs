//! The store's vocabulary: UIDs, modseqs, mailbox names, flags and the records
//! the store hands to protocol code. Pure values: no I/O, no SQL, no paths.

use serde::{Deserialize, Serialize};

use super::error::NameError;

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

/// The hierarchy delimiter of every mailbox name (RFC 9051 §5.1).
pub const DELIMITER: char = '/';

/// Longest accepted mailbox name in octets.
pub const MAX_NAME_LEN: usize = 1024;

/// A validated mailbox name: no empty hierarchy part, no leading or trailing
/// delimiter, no control characters or LIST wildcards, at most
/// [`MAX_NAME_LEN`] octets. A first part matching INBOX in any case is
/// normalised to `INBOX` (RFC 9051 §5.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MailboxName(String);

impl MailboxName {
    pub fn new(name: &str) -> Result<Self, NameError> {
        if name.is_empty() {
            return Err(NameError::Empty);
        }
        if name.len() > MAX_NAME_LEN {
            return Err(NameError::TooLong { max: MAX_NAME_LEN });
        }
        if let Some(c) = name.chars().find(|c| c.is_control()) {
            return Err(NameError::ControlCharacter(c as u32));
        }
        if let Some(c) = name.chars().find(|c| matches!(c, '*' | '%')) {
            return Err(NameError::Wildcard(c));
        }
        if name.starts_with(DELIMITER) || name.ends_with(DELIMITER) {
            return Err(NameError::DelimiterAtEdge);
        }
        if name.split(DELIMITER).any(str::is_empty) {
            return Err(NameError::EmptyPart);
        }
        let normalised = match name.split_once(DELIMITER) {
            Some((first, rest)) if first.eq_ignore_ascii_case("INBOX") => format!("INBOX/{rest}"),
            None if name.eq_ignore_ascii_case("INBOX") => "INBOX".to_owned(),
            _ => name.to_owned(),
        };
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_inbox(&self) -> bool {
        self.0 == "INBOX"
    }

    /// The names of every ancestor, outermost first (`a`, `a/b` for `a/b/c`).
    pub fn ancestors(&self) -> Vec<MailboxName> {
        self.0
            .match_indices(DELIMITER)
            .map(|(i, _)| MailboxName(self.0[..i].to_owned()))
            .collect()
    }

    /// Whether `self` lies strictly below `parent` in the hierarchy.
    pub fn is_below(&self, parent: &MailboxName) -> bool {
        self.0
            .strip_prefix(parent.as_str())
            .is_some_and(|rest| rest.starts_with(DELIMITER))
    }

    /// This name with the prefix `from` replaced by `to`; `None` if `self`
    /// is neither `from` nor below it.
    pub fn reparent(&self, from: &MailboxName, to: &MailboxName) -> Option<MailboxName> {
        if self == from {
            return Some(to.clone());
        }
        let rest = self.0.strip_prefix(from.as_str())?;
        rest.starts_with(DELIMITER)
            .then(|| MailboxName(format!("{}{rest}", to.as_str())))
    }
}

impl TryFrom<String> for MailboxName {
    type Error = NameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(&value)
    }
}

impl From<MailboxName> for String {
    fn from(value: MailboxName) -> Self {
        value.0
    }
}

impl std::fmt::Display for MailboxName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Special-use attributes of RFC 6154 §2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SpecialUse {
    All,
    Archive,
    Drafts,
    Flagged,
    Junk,
    Sent,
    Trash,
}

impl SpecialUse {
    /// The attribute as IMAP writes it (`\Sent`).
    pub fn as_imap(self) -> &'static str {
        match self {
            Self::All => "\\All",
            Self::Archive => "\\Archive",
            Self::Drafts => "\\Drafts",
            Self::Flagged => "\\Flagged",
            Self::Junk => "\\Junk",
            Self::Sent => "\\Sent",
            Self::Trash => "\\Trash",
        }
    }

    /// Parses an IMAP attribute, case-insensitively.
    pub fn from_imap(s: &str) -> Option<Self> {
        [
            Self::All,
            Self::Archive,
            Self::Drafts,
            Self::Flagged,
            Self::Junk,
            Self::Sent,
            Self::Trash,
        ]
        .into_iter()
        .find(|u| u.as_imap().eq_ignore_ascii_case(s))
    }
}

/// The system flags of RFC 9051 §2.3.2 the store keeps (\Recent belongs to sessions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SystemFlag {
    Seen,
    Answered,
    Flagged,
    Deleted,
    Draft,
}

impl SystemFlag {
    pub const ALL: [SystemFlag; 5] = [
        Self::Seen,
        Self::Answered,
        Self::Flagged,
        Self::Deleted,
        Self::Draft,
    ];

    fn bit(self) -> u8 {
        match self {
            Self::Seen => 1,
            Self::Answered => 2,
            Self::Flagged => 4,
            Self::Deleted => 8,
            Self::Draft => 16,
        }
    }

    pub fn as_imap(self) -> &'static str {
        match self {
            Self::Seen => "\\Seen",
            Self::Answered => "\\Answered",
            Self::Flagged => "\\Flagged",
            Self::Deleted => "\\Deleted",
            Self::Draft => "\\Draft",
        }
    }
}

/// A keyword flag (RFC 9051 §2.3.2): an atom not starting with `\`, compared
/// case-insensitively.
#[derive(Debug, Clone, Eq, Serialize, Deserialize)]
pub struct Keyword(String);

/// Longest accepted keyword in octets.
pub const MAX_KEYWORD_LEN: usize = 128;

impl Keyword {
    pub fn new(atom: &str) -> Result<Self, NameError> {
        // atom-char excludes atom-specials and `]` (RFC 9051 §9, flag-keyword).
        let bad = |c: char| {
            !c.is_ascii_graphic() || matches!(c, '(' | ')' | '{' | '%' | '*' | '"' | '\\' | ']')
        };
        if atom.is_empty() || atom.len() > MAX_KEYWORD_LEN || atom.chars().any(bad) {
            return Err(NameError::BadKeyword);
        }
        Ok(Self(atom.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl PartialEq for Keyword {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl std::hash::Hash for Keyword {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.to_ascii_lowercase().hash(state);
    }
}

/// The flags of one message: system flags and keywords.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    system: u8,
    keywords: Vec<Keyword>,
}

impl Flags {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, flag: SystemFlag) -> Self {
        self.insert(flag);
        self
    }

    pub fn with_keyword(mut self, keyword: Keyword) -> Self {
        self.insert_keyword(keyword);
        self
    }

    pub fn insert(&mut self, flag: SystemFlag) {
        self.system |= flag.bit();
    }

    pub fn insert_keyword(&mut self, keyword: Keyword) {
        if !self.keywords.contains(&keyword) {
            self.keywords.push(keyword);
        }
    }

    pub fn contains(&self, flag: SystemFlag) -> bool {
        self.system & flag.bit() != 0
    }

    pub fn has_keyword(&self, keyword: &Keyword) -> bool {
        self.keywords.contains(keyword)
    }

    pub fn system(&self) -> impl Iterator<Item = SystemFlag> + '_ {
        SystemFlag::ALL.into_iter().filter(|f| self.contains(*f))
    }

    pub fn keywords(&self) -> &[Keyword] {
        &self.keywords
    }

    /// Applies a STORE operation (RFC 9051 §6.4.6).
    pub fn apply(&self, op: FlagOp, change: &Flags) -> Flags {
        match op {
            FlagOp::Replace => change.clone(),
            FlagOp::Add => {
                let mut out = self.clone();
                out.system |= change.system;
                for k in &change.keywords {
                    out.insert_keyword(k.clone());
                }
                out
            }
            FlagOp::Remove => Flags {
                system: self.system & !change.system,
                keywords: self
                    .keywords
                    .iter()
                    .filter(|k| !change.keywords.contains(k))
                    .cloned()
                    .collect(),
            },
        }
    }

    /// Equal as sets (keyword order and case do not matter).
    pub fn same_as(&self, other: &Flags) -> bool {
        self.system == other.system
            && self.keywords.len() == other.keywords.len()
            && self.keywords.iter().all(|k| other.keywords.contains(k))
    }

    pub(crate) fn system_bits(&self) -> u8 {
        self.system
    }

    pub(crate) fn from_parts(system: u8, keywords: Vec<Keyword>) -> Self {
        Self { system, keywords }
    }
}

/// How a STORE changes flags (RFC 9051 §6.4.6: FLAGS, +FLAGS, -FLAGS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagOp {
    Replace,
    Add,
    Remove,
}

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
    pub uid_validity: UidValidity,
    pub uid_next: Uid,
    pub highest_modseq: ModSeq,
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
    pub changed: Vec<FlagUpdate>,
    pub expunged: Vec<Uid>,
}
