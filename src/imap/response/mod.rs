//! IMAP responses: typed responses to bytes; the only place that knows
//! quoting and literals (RFC 9051 §7, RFC 3501 §7 and the extensions in the
//! submodules). No I/O: [`Response::encode`] returns [`Fragment`]s and the
//! session writes them, copying streamed section bodies itself, so a 50 MB
//! `BODY[]` never has to sit in memory.
//!
//! - `writer`: the string rules (atom, quoted, literal, mailbox names, dates).
//! - `code`: response codes.
//! - `data`: untagged data other than FETCH.
//! - `fetch`: FETCH items; `body`: ENVELOPE, BODY, BODYSTRUCTURE.

mod body;
mod code;
mod data;
mod fetch;
mod writer;

use crate::store::ModSeq;
pub use code::{Code, FlagName, NumberSet};
pub use data::{
    ListEntry, ListExtended, MailboxAttribute, Namespace, QuotaResource, SearchReturn, StatusItem,
    Thread,
};
pub use fetch::{FetchItem, SectionData, SectionLabel, SectionText};
pub use writer::{Fragment, Mode, Payload, Writer};

/// The condition of a status response (RFC 9051 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    Ok,
    No,
    Bad,
    /// Untagged only: greeting of an already authenticated connection.
    PreAuth,
    /// Untagged only: the server is closing the connection.
    Bye,
}

impl Condition {
    fn as_imap(self) -> &'static [u8] {
        match self {
            Condition::Ok => b"OK",
            Condition::No => b"NO",
            Condition::Bad => b"BAD",
            Condition::PreAuth => b"PREAUTH",
            Condition::Bye => b"BYE",
        }
    }
}

/// A status response: tagged when `tag` is set, untagged (`*`) otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The command's tag, as the client sent it (a valid tag is an atom).
    pub tag: Option<String>,
    pub condition: Condition,
    pub code: Option<Code>,
    /// Human-readable text; CR, LF and NUL are replaced, empty becomes the
    /// condition name (`text` is 1*TEXT-CHAR).
    pub text: String,
}

impl Status {
    pub fn tagged(tag: &str, condition: Condition, code: Option<Code>, text: &str) -> Self {
        Status {
            tag: Some(tag.to_string()),
            condition,
            code,
            text: text.to_string(),
        }
    }

    pub fn untagged(condition: Condition, code: Option<Code>, text: &str) -> Self {
        Status {
            tag: None,
            condition,
            code,
            text: text.to_string(),
        }
    }

    fn write(&self, w: &mut Writer) {
        // A tag that is not one (tag = 1*<ASTRING-CHAR except "+">) cannot be
        // echoed without breaking the line, so the response goes untagged.
        match &self.tag {
            Some(tag) if is_tag(tag) => w.raw(tag.as_bytes()),
            _ => w.raw(b"*"),
        };
        w.sp().raw(self.condition.as_imap()).sp();
        if let Some(code) = &self.code {
            code.write(w);
            w.sp();
        } else if self.text.starts_with('[') {
            // Without this space the text would read as a response code.
            w.sp();
        }
        write_text(w, &self.text, self.condition.as_imap());
    }
}

fn is_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.bytes().all(|b| {
            b.is_ascii_graphic()
                && !matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b'+')
        })
}

/// `text`: TEXT-CHARs only; 8-bit only in UTF-8 mode (RFC 9051 §9 allows
/// UTF-8 text), otherwise replaced by `?`.
fn write_text(w: &mut Writer, text: &str, fallback: &[u8]) {
    let utf8 = w.mode() == Mode::Utf8;
    let cleaned: String = text
        .chars()
        .map(|c| match c {
            '\r' | '\n' | '\0' => ' ',
            c if !c.is_ascii() && !utf8 => '?',
            c => c,
        })
        .collect();
    if cleaned.trim().is_empty() {
        w.raw(fallback);
    } else {
        w.raw(cleaned.as_bytes());
    }
}

/// Every response the server sends.
#[derive(Debug)]
pub enum Response<'a> {
    Status(Status),
    /// `+ text` (RFC 9051 §7.5).
    Continue(String),
    /// `+ base64` for an AUTHENTICATE challenge (RFC 9051 §6.2.2); may be empty.
    Challenge(Vec<u8>),
    /// Untagged data: `* ...`.
    Data(Data<'a>),
}

/// Untagged server data (RFC 9051 §7.2-§7.5).
#[derive(Debug)]
pub enum Data<'a> {
    Capability(Vec<String>),
    /// RFC 5161 §4.
    Enabled(Vec<String>),
    /// RFC 2971 §3.2: NIL when `None` or empty.
    Id(Option<Vec<(String, Option<String>)>>),
    /// RFC 2342 §5: personal, other users', shared.
    Namespace {
        personal: Vec<Namespace>,
        other: Vec<Namespace>,
        shared: Vec<Namespace>,
    },
    List(ListEntry),
    Lsub(ListEntry),
    /// The STATUS response (RFC 9051 §7.2.4).
    MailboxStatus {
        mailbox: String,
        items: Vec<StatusItem>,
    },
    Flags(Vec<FlagName>),
    Exists(u32),
    /// IMAP4rev1 only.
    Recent(u32),
    Expunge(u32),
    /// RFC 7162 §3.2.10.
    Vanished {
        earlier: bool,
        uids: NumberSet,
    },
    /// IMAP4rev1 SEARCH, with the highest modseq after a MODSEQ search.
    Search {
        numbers: Vec<u32>,
        modseq: Option<ModSeq>,
    },
    ESearch {
        tag: Option<String>,
        uid: bool,
        items: Vec<SearchReturn>,
    },
    Sort {
        numbers: Vec<u32>,
        modseq: Option<ModSeq>,
    },
    Thread(Vec<Thread>),
    /// RFC 9208 §5.1.
    Quota {
        root: String,
        resources: Vec<QuotaResource>,
    },
    /// RFC 9208 §5.2.
    QuotaRoot {
        mailbox: String,
        roots: Vec<String>,
    },
    Fetch {
        seq: u32,
        items: Vec<FetchItem<'a>>,
    },
}

impl Response<'_> {
    /// Encodes the response, CRLF included, for a session in `mode`.
    pub fn encode(self, mode: Mode) -> Vec<Fragment> {
        let mut w = Writer::new(mode);
        self.write(&mut w);
        w.finish()
    }

    /// Writes the response into a writer shared with others.
    pub fn write(self, w: &mut Writer) {
        match self {
            Response::Status(status) => status.write(w),
            Response::Continue(text) => {
                w.raw(b"+ ");
                write_text(w, &text, b"Ready");
            }
            Response::Challenge(bytes) => {
                use base64::Engine;
                let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
                w.raw(b"+ ").raw(encoded.as_bytes());
            }
            Response::Data(data) => {
                w.raw(b"* ");
                data.write(w);
            }
        }
        w.crlf();
    }
}

impl Data<'_> {
    fn write(self, w: &mut Writer) {
        match self {
            Data::Capability(caps) => {
                w.raw(b"CAPABILITY");
                data::write_atoms(w, &caps);
            }
            Data::Enabled(caps) => {
                w.raw(b"ENABLED");
                data::write_atoms(w, &caps);
            }
            Data::Id(fields) => data::write_id(w, fields.as_deref()),
            Data::Namespace {
                personal,
                other,
                shared,
            } => data::write_namespace(w, [&personal, &other, &shared]),
            Data::List(entry) => data::write_list(w, b"LIST", &entry),
            Data::Lsub(entry) => data::write_list(w, b"LSUB", &entry),
            Data::MailboxStatus { mailbox, items } => data::write_status(w, &mailbox, &items),
            Data::Flags(flags) => data::write_flags(w, &flags),
            Data::Exists(n) => {
                w.number(n).raw(b" EXISTS");
            }
            Data::Recent(n) => {
                w.number(n).raw(b" RECENT");
            }
            Data::Expunge(n) => {
                w.number(n).raw(b" EXPUNGE");
            }
            Data::Vanished { earlier, uids } => data::write_vanished(w, earlier, &uids),
            Data::Search { numbers, modseq } => data::write_numbers(w, b"SEARCH", &numbers, modseq),
            Data::ESearch { tag, uid, items } => {
                data::write_esearch(w, tag.as_deref(), uid, &items)
            }
            Data::Sort { numbers, modseq } => data::write_numbers(w, b"SORT", &numbers, modseq),
            Data::Thread(threads) => data::write_threads(w, &threads),
            Data::Quota { root, resources } => data::write_quota(w, &root, &resources),
            Data::QuotaRoot { mailbox, roots } => data::write_quota_root(w, &mailbox, &roots),
            Data::Fetch { seq, items } => {
                w.number(seq).raw(b" FETCH (");
                for (i, item) in items.into_iter().enumerate() {
                    if i > 0 {
                        w.sp();
                    }
                    item.write(w);
                }
                w.raw(b")");
            }
        }
    }
}

#[cfg(test)]
mod tests;
