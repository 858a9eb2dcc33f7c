//! The typed commands (the AST) in the words of RFC 9051 §6 and §9 and of the
//! extensions postamt speaks. Pure values: no parsing, no protocol decisions.

use std::fmt;

use super::list::UseAttr;

use super::append::AppendMessage;
use super::fetch::{FetchAttribute, FetchModifiers};
use super::flag::Flag;
use super::list::{ListArgs, SelectParameters, StatusItem};
use super::search::{SearchArgs, SortArgs, ThreadArgs};
use super::sequence::SequenceSet;

/// A command tag (RFC 9051 §9: 1*<any ASTRING-CHAR except "+">).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tag(String);

impl Tag {
    /// A tag from its wire form; `None` unless it follows the grammar.
    pub fn new(tag: &[u8]) -> Option<Self> {
        let valid = !tag.is_empty()
            && tag
                .iter()
                .all(|&b| super::primitives::is_astring_char(b) && b != b'+');
        valid.then(|| Self(String::from_utf8_lossy(tag).into_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A mailbox name as the client sent it, still in its wire encoding
/// (modified UTF-7 in rev1, UTF-8 in rev2 or after ENABLE UTF8=ACCEPT).
/// `INBOX` in any case is normalised to `INBOX` (RFC 9051 §5.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mailbox(Vec<u8>);

impl Mailbox {
    pub fn new(name: Vec<u8>) -> Self {
        if name.eq_ignore_ascii_case(b"INBOX") {
            Self(b"INBOX".to_vec())
        } else {
            Self(name)
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn is_inbox(&self) -> bool {
        self.0 == b"INBOX"
    }
}

/// A credential (a LOGIN password, a SASL initial response): never shown by
/// `Debug`, so a logged command cannot leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub Vec<u8>);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// One complete command: its tag and what it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub tag: Tag,
    pub body: CommandBody,
}

/// Every command postamt parses, one variant each. `uid` marks the UID form
/// (RFC 9051 §6.4.9) of the commands that have one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandBody {
    // Any state (RFC 9051 §6.1).
    Capability,
    Noop,
    Logout,
    // Not authenticated (§6.2).
    StartTls,
    /// RFC 9051 §6.2.2, with the SASL-IR initial response (RFC 4959) still
    /// base64 as sent (`=` for an empty one).
    Authenticate {
        mechanism: String,
        initial_response: Option<Secret>,
    },
    Login {
        username: Vec<u8>,
        password: Secret,
    },
    // Authenticated (§6.3) and extensions usable there.
    /// RFC 5161: capability names as sent.
    Enable {
        capabilities: Vec<String>,
    },
    /// RFC 2971: `None` for NIL.
    Id {
        parameters: Option<Vec<IdParameter>>,
    },
    Namespace,
    Select {
        mailbox: Mailbox,
        parameters: SelectParameters,
    },
    Examine {
        mailbox: Mailbox,
        parameters: SelectParameters,
    },
    /// With the RFC 6154 USE parameter.
    Create {
        mailbox: Mailbox,
        special_use: Vec<UseAttr>,
    },
    Delete {
        mailbox: Mailbox,
    },
    Rename {
        from: Mailbox,
        to: Mailbox,
    },
    Subscribe {
        mailbox: Mailbox,
    },
    Unsubscribe {
        mailbox: Mailbox,
    },
    List(ListArgs),
    Lsub {
        reference: Vec<u8>,
        pattern: Vec<u8>,
    },
    Status {
        mailbox: Mailbox,
        items: Vec<StatusItem>,
    },
    /// The command up to its first message literal (RFC 9051 §6.3.12, RFC 3502
    /// MULTIAPPEND): the message octets are not part of the command; the
    /// framer streams them and announces further messages one by one.
    Append {
        mailbox: Mailbox,
        message: AppendMessage,
    },
    Idle,
    /// RFC 9208 §4.2.
    GetQuota {
        root: Vec<u8>,
    },
    /// RFC 9208 §4.3.
    GetQuotaRoot {
        mailbox: Mailbox,
    },
    /// RFC 4978: the mechanism name as sent.
    Compress {
        mechanism: String,
    },
    // Selected (§6.4).
    Check,
    Close,
    Unselect,
    Expunge,
    /// RFC 4315 UID EXPUNGE.
    UidExpunge(SequenceSet),
    Search {
        uid: bool,
        args: SearchArgs,
    },
    Fetch {
        uid: bool,
        set: SequenceSet,
        attributes: Vec<FetchAttribute>,
        modifiers: FetchModifiers,
    },
    Store {
        uid: bool,
        set: SequenceSet,
        /// RFC 7162 §3.1.3 UNCHANGEDSINCE.
        unchanged_since: Option<u64>,
        action: StoreAction,
        silent: bool,
        flags: Vec<Flag>,
    },
    Copy {
        uid: bool,
        set: SequenceSet,
        mailbox: Mailbox,
    },
    /// RFC 6851.
    Move {
        uid: bool,
        set: SequenceSet,
        mailbox: Mailbox,
    },
    /// RFC 5256.
    Sort {
        uid: bool,
        args: SortArgs,
    },
    /// RFC 5256.
    Thread {
        uid: bool,
        args: ThreadArgs,
    },
    /// A command name postamt does not know (answered BAD, tag kept); its
    /// arguments are not parsed.
    Unknown {
        name: String,
    },
}

impl CommandBody {
    /// The command name as RFC 9051 spells it (`UID FETCH` for UID forms),
    /// for logs and for the text of the tagged response.
    pub fn name(&self) -> &str {
        use CommandBody as C;
        let uid_form = |uid: bool, plain: &'static str, with_uid: &'static str| {
            if uid { with_uid } else { plain }
        };
        match self {
            C::Capability => "CAPABILITY",
            C::Noop => "NOOP",
            C::Logout => "LOGOUT",
            C::StartTls => "STARTTLS",
            C::Authenticate { .. } => "AUTHENTICATE",
            C::Login { .. } => "LOGIN",
            C::Enable { .. } => "ENABLE",
            C::Id { .. } => "ID",
            C::Namespace => "NAMESPACE",
            C::Select { .. } => "SELECT",
            C::Examine { .. } => "EXAMINE",
            C::Create { .. } => "CREATE",
            C::Delete { .. } => "DELETE",
            C::Rename { .. } => "RENAME",
            C::Subscribe { .. } => "SUBSCRIBE",
            C::Unsubscribe { .. } => "UNSUBSCRIBE",
            C::List(_) => "LIST",
            C::Lsub { .. } => "LSUB",
            C::Status { .. } => "STATUS",
            C::Append { .. } => "APPEND",
            C::Idle => "IDLE",
            C::GetQuota { .. } => "GETQUOTA",
            C::GetQuotaRoot { .. } => "GETQUOTAROOT",
            C::Compress { .. } => "COMPRESS",
            C::Check => "CHECK",
            C::Close => "CLOSE",
            C::Unselect => "UNSELECT",
            C::Expunge => "EXPUNGE",
            C::UidExpunge(_) => "UID EXPUNGE",
            C::Search { uid, .. } => uid_form(*uid, "SEARCH", "UID SEARCH"),
            C::Fetch { uid, .. } => uid_form(*uid, "FETCH", "UID FETCH"),
            C::Store { uid, .. } => uid_form(*uid, "STORE", "UID STORE"),
            C::Copy { uid, .. } => uid_form(*uid, "COPY", "UID COPY"),
            C::Move { uid, .. } => uid_form(*uid, "MOVE", "UID MOVE"),
            C::Sort { uid, .. } => uid_form(*uid, "SORT", "UID SORT"),
            C::Thread { uid, .. } => uid_form(*uid, "THREAD", "UID THREAD"),
            C::Unknown { name } => name,
        }
    }
}

/// One field of an ID parameter list (RFC 2971 §3.1); a NIL value is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdParameter {
    pub field: Vec<u8>,
    pub value: Option<Vec<u8>>,
}

/// What STORE does with the flags (RFC 9051 §6.4.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreAction {
    /// `FLAGS`
    Replace,
    /// `+FLAGS`
    Add,
    /// `-FLAGS`
    Remove,
}
