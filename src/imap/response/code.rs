//! Response codes (RFC 9051 §7.1, RFC 5530, RFC 4315 UIDPLUS, RFC 7162
//! CONDSTORE/QRESYNC, RFC 5182 SEARCHRES, RFC 6154 USEATTR, RFC 4469 TOOBIG
//! via RFC 9051, RFC 3501 UNSEEN) and the sets of numbers they carry.
//! Only writes them; which code answers which failure is the session's call.

use super::writer::Writer;
use crate::store::{ModSeq, Uid, UidValidity};

/// A sequence set or UID set as ranges, written `a:b,c` (RFC 9051 §9 `sequence-set`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NumberSet(Vec<(u32, u32)>);

impl NumberSet {
    /// The shortest set covering exactly these numbers, in ascending order.
    pub fn from_numbers(numbers: impl IntoIterator<Item = u32>) -> Self {
        let mut sorted: Vec<u32> = numbers.into_iter().collect();
        sorted.sort_unstable();
        sorted.dedup();
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        for n in sorted {
            match ranges.last_mut() {
                Some((_, end)) if end.checked_add(1) == Some(n) => *end = n,
                _ => ranges.push((n, n)),
            }
        }
        NumberSet(ranges)
    }

    /// Numbers in the given order, each as its own element: COPYUID pairs
    /// source and destination UIDs by position (RFC 4315 §3), so order matters.
    pub fn in_order(numbers: impl IntoIterator<Item = u32>) -> Self {
        NumberSet(numbers.into_iter().map(|n| (n, n)).collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(super) fn write(&self, w: &mut Writer) {
        for (i, &(start, end)) in self.0.iter().enumerate() {
            if i > 0 {
                w.raw(b",");
            }
            w.number(start);
            if end != start {
                w.raw(b":").number(end);
            }
        }
    }
}

/// A flag as FLAGS and PERMANENTFLAGS list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlagName {
    System(crate::store::SystemFlag),
    Keyword(crate::store::Keyword),
    /// `\Recent` (IMAP4rev1 only).
    Recent,
    /// `\*`: new keywords may be created (PERMANENTFLAGS only).
    AnyKeyword,
}

impl FlagName {
    pub(super) fn write(&self, w: &mut Writer) {
        match self {
            FlagName::System(f) => w.raw(f.as_imap().as_bytes()),
            FlagName::Keyword(k) => w.atom(k.as_str()),
            FlagName::Recent => w.raw(b"\\Recent"),
            FlagName::AnyKeyword => w.raw(b"\\*"),
        };
    }
}

pub(super) fn write_flag_list(w: &mut Writer, flags: &[FlagName]) {
    w.raw(b"(");
    for (i, flag) in flags.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        flag.write(w);
    }
    w.raw(b")");
}

/// A response code: the bracketed part of a status response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Code {
    Alert,
    AlreadyExists,
    /// RFC 4315 §3: the UIDs APPEND assigned.
    AppendUid {
        validity: UidValidity,
        uids: NumberSet,
    },
    AuthenticationFailed,
    AuthorizationFailed,
    /// The charsets SEARCH supports (empty list: code without arguments).
    BadCharset(Vec<String>),
    Cannot,
    Capability(Vec<String>),
    ClientBug,
    /// RFC 7162 §3.2.11: the previous mailbox is closed.
    Closed,
    ContactAdmin,
    /// RFC 4315 §3: source and destination UIDs in matching order.
    CopyUid {
        validity: UidValidity,
        source: NumberSet,
        destination: NumberSet,
    },
    Corruption,
    Expired,
    ExpungeIssued,
    /// RFC 9051 §7.1: DELETE of a mailbox with children.
    HasChildren,
    HighestModSeq(ModSeq),
    InUse,
    Limit,
    /// RFC 7162 §3.1.3: UIDs or sequence numbers STORE did not change.
    Modified(NumberSet),
    NoModSeq,
    NonExistent,
    NoPerm,
    /// RFC 5182 §2.1: the search result variable was not saved.
    NotSaved,
    OverQuota,
    Parse,
    PermanentFlags(Vec<FlagName>),
    /// RFC 5530 §3 PRIVACYREQUIRED.
    PrivacyRequired,
    ReadOnly,
    ReadWrite,
    ServerBug,
    /// RFC 9051 §7.1: a literal or message too big for the server.
    TooBig,
    TryCreate,
    UidNext(Uid),
    UidNotSticky,
    UidValidity(UidValidity),
    Unavailable,
    UnknownCte,
    /// RFC 3501 §7.1: the first unseen message (IMAP4rev1 only).
    Unseen(u32),
    /// RFC 6154 §5.3: the special-use attribute is not supported.
    UseAttr,
}

impl Code {
    pub(super) fn write(&self, w: &mut Writer) {
        w.raw(b"[");
        match self {
            Code::Alert => w.raw(b"ALERT"),
            Code::AlreadyExists => w.raw(b"ALREADYEXISTS"),
            Code::AppendUid { validity, uids } => {
                w.raw(b"APPENDUID ").number(validity.0).sp();
                uids.write(w);
                &mut *w
            }
            Code::AuthenticationFailed => w.raw(b"AUTHENTICATIONFAILED"),
            Code::AuthorizationFailed => w.raw(b"AUTHORIZATIONFAILED"),
            Code::BadCharset(charsets) => {
                w.raw(b"BADCHARSET");
                if !charsets.is_empty() {
                    w.raw(b" (");
                    for (i, c) in charsets.iter().enumerate() {
                        if i > 0 {
                            w.sp();
                        }
                        // charset = atom / quoted: never an astring, whose `]` would end the code.
                        w.atom(c);
                    }
                    w.raw(b")");
                }
                &mut *w
            }
            Code::Cannot => w.raw(b"CANNOT"),
            Code::Capability(caps) => {
                w.raw(b"CAPABILITY");
                for cap in caps {
                    w.sp().atom(cap);
                }
                &mut *w
            }
            Code::ClientBug => w.raw(b"CLIENTBUG"),
            Code::Closed => w.raw(b"CLOSED"),
            Code::ContactAdmin => w.raw(b"CONTACTADMIN"),
            Code::CopyUid {
                validity,
                source,
                destination,
            } => {
                w.raw(b"COPYUID ").number(validity.0).sp();
                source.write(w);
                w.sp();
                destination.write(w);
                &mut *w
            }
            Code::Corruption => w.raw(b"CORRUPTION"),
            Code::Expired => w.raw(b"EXPIRED"),
            Code::ExpungeIssued => w.raw(b"EXPUNGEISSUED"),
            Code::HasChildren => w.raw(b"HASCHILDREN"),
            Code::HighestModSeq(m) => w.raw(b"HIGHESTMODSEQ ").number(m.0),
            Code::InUse => w.raw(b"INUSE"),
            Code::Limit => w.raw(b"LIMIT"),
            Code::Modified(set) => {
                w.raw(b"MODIFIED ");
                set.write(w);
                &mut *w
            }
            Code::NoModSeq => w.raw(b"NOMODSEQ"),
            Code::NonExistent => w.raw(b"NONEXISTENT"),
            Code::NoPerm => w.raw(b"NOPERM"),
            Code::NotSaved => w.raw(b"NOTSAVED"),
            Code::OverQuota => w.raw(b"OVERQUOTA"),
            Code::Parse => w.raw(b"PARSE"),
            Code::PermanentFlags(flags) => {
                w.raw(b"PERMANENTFLAGS ");
                write_flag_list(w, flags);
                &mut *w
            }
            Code::PrivacyRequired => w.raw(b"PRIVACYREQUIRED"),
            Code::ReadOnly => w.raw(b"READ-ONLY"),
            Code::ReadWrite => w.raw(b"READ-WRITE"),
            Code::ServerBug => w.raw(b"SERVERBUG"),
            Code::TooBig => w.raw(b"TOOBIG"),
            Code::TryCreate => w.raw(b"TRYCREATE"),
            Code::UidNext(uid) => w.raw(b"UIDNEXT ").number(uid.0),
            Code::UidNotSticky => w.raw(b"UIDNOTSTICKY"),
            Code::UidValidity(v) => w.raw(b"UIDVALIDITY ").number(v.0),
            Code::Unavailable => w.raw(b"UNAVAILABLE"),
            Code::UnknownCte => w.raw(b"UNKNOWN-CTE"),
            Code::Unseen(n) => w.raw(b"UNSEEN ").number(*n),
            Code::UseAttr => w.raw(b"USEATTR"),
        };
        w.raw(b"]");
    }
}
