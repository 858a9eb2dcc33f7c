//! A compiled script: the commands and tests of RFC 5228 and its
//! extensions with their arguments checked and typed, ready to run many
//! times. Strings stay as written; with `variables` they are expanded when
//! the script runs (RFC 5229 §3).

use crate::delivery::IncludeLocation;

/// A script that compiled: run it with [`super::run`].
#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    pub(crate) commands: Vec<Command>,
    /// Whether `variables` was required, so `${...}` is expanded.
    pub(crate) variables: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Command {
    If {
        branches: Vec<(Test, Vec<Command>)>,
        otherwise: Option<Vec<Command>>,
    },
    Stop,
    Keep {
        flags: Option<Vec<String>>,
    },
    Discard,
    FileInto {
        mailbox: String,
        copy: bool,
        create: bool,
        flags: Option<Vec<String>>,
    },
    Redirect {
        address: String,
        copy: bool,
    },
    Reject {
        reason: String,
        extended: bool,
    },
    Vacation(Box<Vacation>),
    Set {
        name: String,
        value: String,
        modifiers: Vec<Modifier>,
    },
    Flags {
        op: FlagChange,
        variable: Option<String>,
        flags: Vec<String>,
    },
    AddHeader {
        last: bool,
        name: String,
        value: String,
    },
    DeleteHeader {
        index: Option<(usize, bool)>,
        matcher: Matcher,
        name: String,
        patterns: Option<Vec<String>>,
    },
    /// RFC 6609 §3.2.
    Include {
        location: IncludeLocation,
        once: bool,
        optional: bool,
        name: String,
    },
    /// RFC 6609 §3.4.
    Return,
    /// RFC 6609 §3.3: the names, lower-case.
    Global(Vec<String>),
}

/// `vacation`'s arguments (RFC 5230 §4, RFC 6131).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Vacation {
    /// In seconds.
    pub period: Option<u64>,
    pub subject: Option<String>,
    pub from: Option<String>,
    pub addresses: Vec<String>,
    pub mime: bool,
    pub handle: Option<String>,
    pub reason: String,
}

/// `set` modifiers (RFC 5229 §4.1), applied highest precedence first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Modifier {
    Lower,
    Upper,
    LowerFirst,
    UpperFirst,
    QuoteWildcard,
    /// draft-ietf-sieve-regex-01 §4.
    QuoteRegex,
    Length,
}

impl Modifier {
    /// RFC 5229 §4.1: 40 `:lower`/`:upper`, 30 `:lowerfirst`/`:upperfirst`,
    /// 20 `:quotewildcard` (and `:quoteregex`), 10 `:length`.
    pub fn precedence(self) -> u8 {
        match self {
            Self::Lower | Self::Upper => 40,
            Self::LowerFirst | Self::UpperFirst => 30,
            Self::QuoteWildcard | Self::QuoteRegex => 20,
            Self::Length => 10,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlagChange {
    Set,
    Add,
    Remove,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Test {
    True,
    False,
    Not(Box<Test>),
    AllOf(Vec<Test>),
    AnyOf(Vec<Test>),
    Exists(Vec<String>),
    Size {
        over: bool,
        limit: u64,
    },
    Header {
        matcher: Matcher,
        index: Option<FieldIndex>,
        names: Vec<String>,
        keys: Vec<String>,
    },
    Address {
        matcher: Matcher,
        part: AddressPart,
        index: Option<FieldIndex>,
        names: Vec<String>,
        keys: Vec<String>,
    },
    /// RFC 5260 §4.
    Date {
        matcher: Matcher,
        zone: DateZone,
        index: Option<FieldIndex>,
        name: String,
        part: String,
        keys: Vec<String>,
    },
    /// RFC 5260 §5.
    CurrentDate {
        matcher: Matcher,
        zone: DateZone,
        part: String,
        keys: Vec<String>,
    },
    Envelope {
        matcher: Matcher,
        part: AddressPart,
        names: Vec<String>,
        keys: Vec<String>,
    },
    String {
        matcher: Matcher,
        sources: Vec<String>,
        keys: Vec<String>,
    },
    HasFlag {
        matcher: Matcher,
        variables: Option<Vec<String>>,
        keys: Vec<String>,
    },
    Body {
        matcher: Matcher,
        transform: BodyTransform,
        keys: Vec<String>,
    },
    MailboxExists(Vec<String>),
    /// RFC 7352 §3.
    Duplicate {
        handle: Option<String>,
        id: DuplicateId,
        seconds: Option<u64>,
        last: bool,
    },
    /// RFC 5183 §4.
    Environment {
        matcher: Matcher,
        name: String,
        keys: Vec<String>,
    },
    Spam {
        matcher: Matcher,
        percent: bool,
        value: String,
    },
}

/// `:index N [:last]` (RFC 5260 §6): only the Nth field of a name,
/// counted from 1, from the end with `:last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FieldIndex {
    pub position: usize,
    pub from_end: bool,
}

impl FieldIndex {
    /// The one item of `items` this index selects, if there is one.
    pub fn select<T>(self, mut items: Vec<T>) -> Option<T> {
        let at = if self.from_end {
            items.len().checked_sub(self.position)?
        } else {
            self.position.checked_sub(1)?
        };
        (at < items.len()).then(|| items.swap_remove(at))
    }
}

/// What `duplicate` tracks (RFC 7352 §3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DuplicateId {
    /// The Message-ID field, by default.
    MessageId,
    /// `:header`: that field's value.
    Header(String),
    /// `:uniqueid`: the string itself.
    UniqueId(String),
}

/// The zone a date is shown in (RFC 5260 §4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DateZone {
    /// The server's (UTC).
    Local,
    /// `:zone`, as written (variables expand at run time).
    Given(String),
    /// `:originalzone`: the zone the header field was written in.
    Original,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Matcher {
    pub comparator: Comparator,
    pub kind: MatchKind,
}

/// The comparators of RFC 4790 that RFC 5228 §2.7.3 names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Comparator {
    Octet,
    AsciiCasemap,
    AsciiNumeric,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MatchKind {
    Is,
    Contains,
    Matches,
    /// RFC 5231 §4.2.
    Count(Relation),
    /// RFC 5231 §4.1.
    Value(Relation),
    /// draft-ietf-sieve-regex-01 §3.
    Regex,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Relation {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
    Ne,
}

impl Relation {
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text.to_ascii_lowercase().as_str() {
            "gt" => Self::Gt,
            "ge" => Self::Ge,
            "lt" => Self::Lt,
            "le" => Self::Le,
            "eq" => Self::Eq,
            "ne" => Self::Ne,
            _ => return None,
        })
    }

    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Self::Gt => ordering == Greater,
            Self::Ge => ordering != Less,
            Self::Lt => ordering == Less,
            Self::Le => ordering != Greater,
            Self::Eq => ordering == Equal,
            Self::Ne => ordering != Equal,
        }
    }
}

/// RFC 5228 §2.7.4 and RFC 5233 §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AddressPart {
    All,
    LocalPart,
    Domain,
    User,
    Detail,
}

/// RFC 5173 §5.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BodyTransform {
    Raw,
    Text,
    Content(Vec<String>),
}
