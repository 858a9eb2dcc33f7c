//! Untagged server data other than FETCH (RFC 9051 §7.2-§7.4 and the
//! extensions: RFC 5161 ENABLED, RFC 2971 ID, RFC 2342 NAMESPACE, RFC 5258
//! LIST-EXTENDED, RFC 6154 SPECIAL-USE, RFC 7162 VANISHED and SEARCH MODSEQ,
//! RFC 4731 ESEARCH, RFC 5256 SORT/THREAD, RFC 9208 QUOTA). Writes what it is
//! given; which data a command produces is the session's call.

use super::code::{FlagName, NumberSet, write_flag_list};
use super::writer::Writer;
use crate::store::{ModSeq, Uid, UidValidity};

/// A mailbox attribute in LIST and LSUB (RFC 9051 §7.3.1, RFC 5258 §3.4,
/// RFC 6154 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailboxAttribute {
    NonExistent,
    NoInferiors,
    NoSelect,
    HasChildren,
    HasNoChildren,
    Marked,
    Unmarked,
    Subscribed,
    Remote,
    All,
    Archive,
    Drafts,
    Flagged,
    Junk,
    Sent,
    Trash,
}

impl MailboxAttribute {
    pub fn as_imap(self) -> &'static str {
        match self {
            Self::NonExistent => "\\NonExistent",
            Self::NoInferiors => "\\Noinferiors",
            Self::NoSelect => "\\Noselect",
            Self::HasChildren => "\\HasChildren",
            Self::HasNoChildren => "\\HasNoChildren",
            Self::Marked => "\\Marked",
            Self::Unmarked => "\\Unmarked",
            Self::Subscribed => "\\Subscribed",
            Self::Remote => "\\Remote",
            Self::All => "\\All",
            Self::Archive => "\\Archive",
            Self::Drafts => "\\Drafts",
            Self::Flagged => "\\Flagged",
            Self::Junk => "\\Junk",
            Self::Sent => "\\Sent",
            Self::Trash => "\\Trash",
        }
    }
}

/// An extended data item after the name in LIST (RFC 5258 §3.5, RFC 9051 §7.3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListExtended {
    /// `CHILDINFO ("SUBSCRIBED")`: a child matches the selection criteria.
    ChildInfoSubscribed,
    /// `OLDNAME (name)`: the name before a RENAME (RFC 9051 §6.3.9).
    OldName(String),
}

/// One LIST or LSUB reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    pub attributes: Vec<MailboxAttribute>,
    /// NIL when the server has no hierarchy.
    pub delimiter: Option<char>,
    /// The name in UTF-8; the writer encodes it for the session's mode.
    pub name: String,
    pub extended: Vec<ListExtended>,
}

/// One attribute of a STATUS reply (RFC 9051 §7.2.4, RFC 7162 HIGHESTMODSEQ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusItem {
    Messages(u32),
    /// IMAP4rev1 only.
    Recent(u32),
    UidNext(Uid),
    UidValidity(UidValidity),
    Unseen(u32),
    Deleted(u32),
    Size(u64),
    HighestModSeq(ModSeq),
    /// RFC 9208 §4.2.2, in octets.
    DeletedStorage(u64),
}

/// One personal, other-users' or shared namespace (RFC 2342 §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    pub prefix: String,
    pub delimiter: Option<char>,
}

/// One ESEARCH return item (RFC 4731 §3.1, RFC 9051 §7.3.4, RFC 7162 §3.1.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchReturn {
    Min(u32),
    Max(u32),
    All(NumberSet),
    Count(u32),
    ModSeq(ModSeq),
}

/// A THREAD tree (RFC 5256 §4): a chain of messages, then its branches.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Thread {
    pub messages: Vec<u32>,
    pub branches: Vec<Thread>,
}

/// One resource of a QUOTA reply (RFC 9208 §5.1): name, usage, limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaResource {
    pub name: String,
    pub usage: u64,
    pub limit: u64,
}

pub(super) fn write_atoms(w: &mut Writer, atoms: &[String]) {
    for atom in atoms {
        w.sp().atom(atom);
    }
}

pub(super) fn write_id(w: &mut Writer, fields: Option<&[(String, Option<String>)]>) {
    w.raw(b"ID ");
    match fields {
        Some(fields) if !fields.is_empty() => {
            w.raw(b"(");
            for (i, (name, value)) in fields.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                w.string(name.as_bytes()).sp().nstring(value.as_deref());
            }
            w.raw(b")");
        }
        _ => {
            w.nil();
        }
    }
}

pub(super) fn write_namespace(w: &mut Writer, groups: [&[Namespace]; 3]) {
    w.raw(b"NAMESPACE");
    for group in groups {
        w.sp();
        if group.is_empty() {
            w.nil();
            continue;
        }
        w.raw(b"(");
        for ns in group {
            // The prefix is a `string`, not an astring (RFC 2342 §5).
            w.raw(b"(").mailbox_string(&ns.prefix).sp();
            write_delimiter(w, ns.delimiter);
            w.raw(b")");
        }
        w.raw(b")");
    }
}

fn write_delimiter(w: &mut Writer, delimiter: Option<char>) {
    match delimiter {
        Some(c) => {
            let mut buf = [0u8; 4];
            w.string(c.encode_utf8(&mut buf).as_bytes());
        }
        None => {
            w.nil();
        }
    }
}

pub(super) fn write_list(w: &mut Writer, keyword: &[u8], entry: &ListEntry) {
    w.raw(keyword).raw(b" (");
    for (i, attribute) in entry.attributes.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        w.raw(attribute.as_imap().as_bytes());
    }
    w.raw(b") ");
    write_delimiter(w, entry.delimiter);
    w.sp().mailbox(&entry.name);
    if entry.extended.is_empty() {
        return;
    }
    w.raw(b" (");
    for (i, item) in entry.extended.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        match item {
            ListExtended::ChildInfoSubscribed => w.raw(b"CHILDINFO (\"SUBSCRIBED\")"),
            ListExtended::OldName(name) => w.raw(b"OLDNAME (").mailbox(name).raw(b")"),
        };
    }
    w.raw(b")");
}

pub(super) fn write_status(w: &mut Writer, mailbox: &str, items: &[StatusItem]) {
    w.raw(b"STATUS ").mailbox(mailbox).raw(b" (");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        match *item {
            StatusItem::Messages(n) => w.raw(b"MESSAGES ").number(n),
            StatusItem::Recent(n) => w.raw(b"RECENT ").number(n),
            StatusItem::UidNext(u) => w.raw(b"UIDNEXT ").number(u.0),
            StatusItem::UidValidity(v) => w.raw(b"UIDVALIDITY ").number(v.0),
            StatusItem::Unseen(n) => w.raw(b"UNSEEN ").number(n),
            StatusItem::Deleted(n) => w.raw(b"DELETED ").number(n),
            StatusItem::Size(n) => w.raw(b"SIZE ").number(n),
            StatusItem::HighestModSeq(m) => w.raw(b"HIGHESTMODSEQ ").number(m.0),
            StatusItem::DeletedStorage(n) => w.raw(b"DELETED-STORAGE ").number(n),
        };
    }
    w.raw(b")");
}

pub(super) fn write_flags(w: &mut Writer, flags: &[FlagName]) {
    w.raw(b"FLAGS ");
    write_flag_list(w, flags);
}

/// `SEARCH` or `SORT` with its numbers and, after a MODSEQ search, the
/// highest modseq of the matches (RFC 7162 §3.1.5).
pub(super) fn write_numbers(
    w: &mut Writer,
    keyword: &[u8],
    numbers: &[u32],
    modseq: Option<ModSeq>,
) {
    w.raw(keyword);
    for n in numbers {
        w.sp().number(*n);
    }
    if let Some(m) = modseq
        && !numbers.is_empty()
    {
        w.raw(b" (MODSEQ ").number(m.0).raw(b")");
    }
}

pub(super) fn write_esearch(w: &mut Writer, tag: Option<&str>, uid: bool, items: &[SearchReturn]) {
    w.raw(b"ESEARCH");
    if let Some(tag) = tag {
        w.raw(b" (TAG ").string(tag.as_bytes()).raw(b")");
    }
    if uid {
        w.raw(b" UID");
    }
    for item in items {
        w.sp();
        match item {
            SearchReturn::Min(n) => {
                w.raw(b"MIN ").number(*n);
            }
            SearchReturn::Max(n) => {
                w.raw(b"MAX ").number(*n);
            }
            SearchReturn::All(set) => {
                w.raw(b"ALL ");
                set.write(w);
            }
            SearchReturn::Count(n) => {
                w.raw(b"COUNT ").number(*n);
            }
            SearchReturn::ModSeq(m) => {
                w.raw(b"MODSEQ ").number(m.0);
            }
        }
    }
}

pub(super) fn write_threads(w: &mut Writer, threads: &[Thread]) {
    w.raw(b"THREAD");
    if !threads.is_empty() {
        w.sp();
    }
    for thread in threads {
        w.raw(b"(");
        write_thread_members(w, thread);
        w.raw(b")");
    }
}

/// `thread-members [SP thread-nested]`; a single branch continues the chain,
/// two or more are nested lists (RFC 5256 §4).
fn write_thread_members(w: &mut Writer, thread: &Thread) {
    for (i, n) in thread.messages.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        w.number(*n);
    }
    match thread.branches.as_slice() {
        [] => {}
        [only] => {
            if !thread.messages.is_empty() {
                w.sp();
            }
            write_thread_members(w, only);
        }
        branches => {
            if !thread.messages.is_empty() {
                w.sp();
            }
            for branch in branches {
                w.raw(b"(");
                write_thread_members(w, branch);
                w.raw(b")");
            }
        }
    }
}

pub(super) fn write_quota(w: &mut Writer, root: &str, resources: &[QuotaResource]) {
    w.raw(b"QUOTA ").astring(root).raw(b" (");
    for (i, r) in resources.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        w.atom(&r.name).sp().number(r.usage).sp().number(r.limit);
    }
    w.raw(b")");
}

pub(super) fn write_quota_root(w: &mut Writer, mailbox: &str, roots: &[String]) {
    w.raw(b"QUOTAROOT ").mailbox(mailbox);
    for root in roots {
        w.sp().astring(root);
    }
}

pub(super) fn write_vanished(w: &mut Writer, earlier: bool, uids: &NumberSet) {
    w.raw(b"VANISHED ");
    if earlier {
        w.raw(b"(EARLIER) ");
    }
    uids.write(w);
}
