//! Mailbox-level arguments: LIST with LIST-EXTENDED selection and return
//! options (RFC 5258 §3, RFC 6154 §5 SPECIAL-USE, RFC 5819 STATUS), STATUS
//! items (RFC 9051 §6.3.11, RFC 7162 HIGHESTMODSEQ, RFC 7889 APPENDLIMIT),
//! SELECT/EXAMINE parameters (RFC 7162 CONDSTORE, QRESYNC) and the CREATE
//! USE parameter (RFC 6154 §5.2).

use crate::store::SpecialUse;

use super::error::{PResult, fail};
use super::primitives::{
    astring, atom, byte, list_mailbox, number64, nz_number, paren_list0, paren_list1, sp, word,
};
use super::sequence::{SequenceSet, sequence_set};

/// LIST selection options (RFC 5258 §3.1, RFC 6154 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListSelection {
    Subscribed,
    Remote,
    RecursiveMatch,
    SpecialUse,
}

/// LIST return options (RFC 5258 §3.2, RFC 6154, RFC 5819).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListReturn {
    Subscribed,
    Children,
    SpecialUse,
    Status(Vec<StatusItem>),
}

/// The arguments of LIST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListArgs {
    /// Empty for a plain LIST.
    pub selection: Vec<ListSelection>,
    /// The reference name as sent (RFC 9051 §6.3.9).
    pub reference: Vec<u8>,
    /// One pattern, or several in parentheses (RFC 5258 §3).
    pub patterns: Vec<Vec<u8>>,
    pub return_options: Vec<ListReturn>,
}

/// A STATUS data item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusItem {
    Messages,
    UidNext,
    UidValidity,
    Unseen,
    Deleted,
    Size,
    Recent,
    HighestModSeq,
    AppendLimit,
    /// RFC 9208 §4.2.2: octets EXPUNGE would free.
    DeletedStorage,
}

/// SELECT/EXAMINE parameters (RFC 4466 §2.1, RFC 7162).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SelectParameters {
    pub condstore: bool,
    pub qresync: Option<QResync>,
}

/// `QRESYNC (uidvalidity modseq [known-uids] [seq-match-data])` (RFC 7162 §3.2.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QResync {
    pub uid_validity: u32,
    pub modseq: u64,
    pub known_uids: Option<SequenceSet>,
    /// (known sequence numbers, their UIDs).
    pub seq_match: Option<(SequenceSet, SequenceSet)>,
}

fn then_sp<'a, O>(rest: &'a [u8], what: impl Fn(&'a [u8]) -> PResult<'a, O>) -> PResult<'a, O> {
    let (rest, ()) = sp(rest).or_else(|_| fail(rest, "SP"))?;
    what(rest)
}

pub(super) fn status_item(i: &[u8]) -> PResult<'_, StatusItem> {
    let (rest, name) = atom(i).or_else(|_| fail(i, "status item"))?;
    let item = match name.to_ascii_uppercase().as_slice() {
        b"MESSAGES" => StatusItem::Messages,
        b"UIDNEXT" => StatusItem::UidNext,
        b"UIDVALIDITY" => StatusItem::UidValidity,
        b"UNSEEN" => StatusItem::Unseen,
        b"DELETED" => StatusItem::Deleted,
        b"SIZE" => StatusItem::Size,
        b"RECENT" => StatusItem::Recent,
        b"HIGHESTMODSEQ" => StatusItem::HighestModSeq,
        b"APPENDLIMIT" => StatusItem::AppendLimit,
        b"DELETED-STORAGE" => StatusItem::DeletedStorage,
        _ => return fail(i, "status item"),
    };
    Ok((rest, item))
}

/// `"(" status-att *(SP status-att) ")"`.
pub(super) fn status_items(i: &[u8]) -> PResult<'_, Vec<StatusItem>> {
    paren_list1(i, status_item).or_else(|e| match e {
        nom::Err::Error(_) => fail(i, "( status items )"),
        other => Err(other),
    })
}

fn list_selection(i: &[u8]) -> PResult<'_, ListSelection> {
    let (rest, name) = atom(i).or_else(|_| fail(i, "selection option"))?;
    let option = match name.to_ascii_uppercase().as_slice() {
        b"SUBSCRIBED" => ListSelection::Subscribed,
        b"REMOTE" => ListSelection::Remote,
        b"RECURSIVEMATCH" => ListSelection::RecursiveMatch,
        b"SPECIAL-USE" => ListSelection::SpecialUse,
        _ => return fail(i, "SUBSCRIBED, REMOTE, RECURSIVEMATCH or SPECIAL-USE"),
    };
    Ok((rest, option))
}

fn list_return(i: &[u8]) -> PResult<'_, ListReturn> {
    let (rest, name) = atom(i).or_else(|_| fail(i, "return option"))?;
    let option = match name.to_ascii_uppercase().as_slice() {
        b"SUBSCRIBED" => ListReturn::Subscribed,
        b"CHILDREN" => ListReturn::Children,
        b"SPECIAL-USE" => ListReturn::SpecialUse,
        b"STATUS" => {
            let (rest, items) = then_sp(rest, status_items)?;
            return Ok((rest, ListReturn::Status(items)));
        }
        _ => return fail(i, "SUBSCRIBED, CHILDREN, SPECIAL-USE or STATUS"),
    };
    Ok((rest, option))
}

/// The arguments after `LIST`, starting with its SP.
pub(super) fn list_args(i: &[u8]) -> PResult<'_, ListArgs> {
    let (mut rest, ()) = sp(i).or_else(|_| fail(i, "SP"))?;
    let mut selection = Vec::new();
    if rest.starts_with(b"(") {
        let (r, options) = paren_list0(rest, list_selection)?;
        // RECURSIVEMATCH modifies a base option (RFC 5258 §3.1, RFC 6154 §6).
        let has_base = options
            .iter()
            .any(|o| matches!(o, ListSelection::Subscribed | ListSelection::SpecialUse));
        if options.contains(&ListSelection::RecursiveMatch) && !has_base {
            return fail(rest, "SUBSCRIBED or SPECIAL-USE with RECURSIVEMATCH");
        }
        selection = options;
        rest = sp(r).or_else(|_| fail(r, "SP"))?.0;
    }
    let (rest, reference) = astring(rest).or_else(|_| fail(rest, "reference name"))?;
    let (rest, ()) = sp(rest).or_else(|_| fail(rest, "SP"))?;
    let (mut rest, patterns) = if rest.starts_with(b"(") {
        paren_list1(rest, list_mailbox)?
    } else {
        let (r, p) = list_mailbox(rest).or_else(|_| fail(rest, "mailbox pattern"))?;
        (r, vec![p])
    };
    let mut return_options = Vec::new();
    if let Ok((r, ())) = sp(rest) {
        let (r, ()) = word("RETURN")(r).or_else(|_| fail(r, "RETURN"))?;
        let (r, options) = then_sp(r, |j| paren_list0(j, list_return))?;
        return_options = options;
        rest = r;
    }
    Ok((
        rest,
        ListArgs {
            selection,
            reference,
            patterns,
            return_options,
        },
    ))
}

fn qresync(i: &[u8]) -> PResult<'_, QResync> {
    let (rest, ()) = byte(b'(', "(")(i).or_else(|_| fail(i, "("))?;
    let (rest, uid_validity) = nz_number(rest)?;
    let (mut rest, modseq) = then_sp(rest, number64)?;
    let mut known_uids = None;
    let mut seq_match = None;
    if let Ok((r, ())) = sp(rest)
        && !r.starts_with(b"(")
    {
        let (r, set) = sequence_set(r)?;
        known_uids = Some(set);
        rest = r;
    }
    if let Ok((r, ())) = sp(rest) {
        let (r, ()) = byte(b'(', "(")(r).or_else(|_| fail(r, "("))?;
        let (r, seqs) = sequence_set(r)?;
        let (r, uids) = then_sp(r, sequence_set)?;
        let (r, ()) = byte(b')', ")")(r).or_else(|_| fail(r, ")"))?;
        seq_match = Some((seqs, uids));
        rest = r;
    }
    let (rest, ()) = byte(b')', ")")(rest).or_else(|_| fail(rest, ")"))?;
    Ok((
        rest,
        QResync {
            uid_validity,
            modseq,
            known_uids,
            seq_match,
        },
    ))
}

/// `[SP "(" select-param *(SP select-param) ")"]` after the mailbox.
pub(super) fn select_parameters(i: &[u8]) -> PResult<'_, SelectParameters> {
    let mut parameters = SelectParameters::default();
    let Ok((rest, ())) = sp(i) else {
        return Ok((i, parameters));
    };
    let (mut rest, ()) = byte(b'(', "(")(rest).or_else(|_| fail(rest, "("))?;
    loop {
        if let Ok((r, ())) = word("CONDSTORE")(rest) {
            parameters.condstore = true;
            rest = r;
        } else if let Ok((r, ())) = word("QRESYNC")(rest) {
            let (r, q) = then_sp(r, qresync)?;
            parameters.qresync = Some(q);
            rest = r;
        } else {
            return fail(rest, "CONDSTORE or QRESYNC");
        }
        if let Some(tail) = rest.strip_prefix(b")") {
            return Ok((tail, parameters));
        }
        rest = sp(rest).or_else(|_| fail(rest, "SP or )"))?.0;
    }
}

/// A use-attr of CREATE (RFC 6154 §5.2): one the store keeps, or another
/// (use-attr-ext) that the session refuses with NO [USEATTR] (§3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UseAttr {
    Supported(SpecialUse),
    Unsupported(String),
}

fn use_attr(i: &[u8]) -> PResult<'_, UseAttr> {
    let Some(tail) = i.strip_prefix(b"\\") else {
        return fail(i, "special-use attribute");
    };
    let (rest, name) = atom(tail).or_else(|_| fail(i, "special-use attribute"))?;
    let name = format!("\\{}", String::from_utf8_lossy(name));
    Ok((
        rest,
        SpecialUse::from_imap(&name).map_or(UseAttr::Unsupported(name), UseAttr::Supported),
    ))
}

/// `[SP "(" "USE" SP "(" use-attr *(SP use-attr) ")" ")"]` (RFC 6154 §5.2).
pub(super) fn create_parameters(i: &[u8]) -> PResult<'_, Vec<UseAttr>> {
    let Ok((rest, ())) = sp(i) else {
        return Ok((i, Vec::new()));
    };
    let (rest, ()) = byte(b'(', "(")(rest).or_else(|_| fail(rest, "("))?;
    let (rest, ()) = word("USE")(rest).or_else(|_| fail(rest, "USE"))?;
    let (rest, uses) = then_sp(rest, |j| paren_list1(j, use_attr))?;
    let (rest, ()) = byte(b')', ")")(rest).or_else(|_| fail(rest, ")"))?;
    Ok((rest, uses))
}
