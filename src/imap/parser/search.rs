//! SEARCH, SORT and THREAD arguments (RFC 9051 §6.4.4 and §9 search-key, RFC
//! 3501 §6.4.4 for NEW/OLD/RECENT, RFC 4731 RETURN options, RFC 5182 SAVE and
//! `$`, RFC 7162 §3.1.5 MODSEQ, RFC 5032 OLDER/YOUNGER, RFC 5256 SORT/THREAD).
//! Nesting is bounded so no input can exhaust the stack.

use crate::store::Keyword;

use super::datetime::{Date, date};
use super::error::{PResult, fail, miss};
use super::primitives::{
    astring, atom, atom_str, number, number64, paren_list0, paren_list1, quoted, sp, word,
};
use super::sequence::{SequenceSet, sequence_set};

/// How deep NOT, OR and parentheses may nest.
pub const MAX_SEARCH_DEPTH: usize = 32;

/// One search key. Strings are astrings as sent (their charset is the
/// command's CHARSET).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchKey {
    All,
    Answered,
    Bcc(Vec<u8>),
    Before(Date),
    Body(Vec<u8>),
    Cc(Vec<u8>),
    Deleted,
    Draft,
    Flagged,
    From(Vec<u8>),
    Header(String, Vec<u8>),
    Keyword(Keyword),
    Larger(u64),
    /// rev1: \Recent and not \Seen.
    New,
    Not(Box<SearchKey>),
    /// rev1: not \Recent.
    Old,
    On(Date),
    Or(Box<SearchKey>, Box<SearchKey>),
    /// rev1 only.
    Recent,
    Seen,
    SentBefore(Date),
    SentOn(Date),
    SentSince(Date),
    Since(Date),
    Smaller(u64),
    Subject(Vec<u8>),
    Text(Vec<u8>),
    To(Vec<u8>),
    Uid(SequenceSet),
    Unanswered,
    Undeleted,
    Undraft,
    Unflagged,
    Unkeyword(Keyword),
    Unseen,
    /// Message sequence numbers (or `$`).
    SequenceSet(SequenceSet),
    /// A parenthesised list: all must match.
    And(Vec<SearchKey>),
    /// RFC 7162 §3.1.5: the flag entry (if any) is informational.
    ModSeq {
        entry: Option<(Vec<u8>, EntryType)>,
        modseq: u64,
    },
    /// RFC 5032: internal date more than n seconds ago.
    Older(u32),
    /// RFC 5032: internal date within the last n seconds.
    Younger(u32),
}

/// RFC 7162 entry-type-req.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryType {
    Private,
    Shared,
    All,
}

/// RFC 4731 search-return-opt (and RFC 5182 SAVE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchReturn {
    Min,
    Max,
    All,
    Count,
    Save,
}

/// The arguments of SEARCH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchArgs {
    /// `RETURN (...)`: `None` without it (plain SEARCH response in rev1);
    /// `RETURN ()` is `Some(vec![])`, meaning ALL (RFC 4731 §3.1).
    pub return_options: Option<Vec<SearchReturn>>,
    pub charset: Option<String>,
    /// The keys, all of which must match.
    pub criteria: Vec<SearchKey>,
}

/// RFC 5256 sort-key (plus DISPLAYFROM/DISPLAYTO of RFC 5957).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Arrival,
    Cc,
    Date,
    From,
    Size,
    Subject,
    To,
    DisplayFrom,
    DisplayTo,
}

/// A sort criterion: a key, maybe reversed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortCriterion {
    pub reverse: bool,
    pub key: SortKey,
}

/// The arguments of SORT (RFC 5256 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortArgs {
    pub criteria: Vec<SortCriterion>,
    pub charset: String,
    pub keys: Vec<SearchKey>,
}

/// The arguments of THREAD (RFC 5256 §3): the algorithm name as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadArgs {
    pub algorithm: String,
    pub charset: String,
    pub keys: Vec<SearchKey>,
}

fn then_sp<'a, O>(rest: &'a [u8], what: impl Fn(&'a [u8]) -> PResult<'a, O>) -> PResult<'a, O> {
    let (rest, ()) = sp(rest).or_else(|_| fail(rest, "SP"))?;
    what(rest)
}

fn keyword(i: &[u8]) -> PResult<'_, Keyword> {
    let (rest, a) = atom(i).or_else(|_| fail(i, "keyword"))?;
    match Keyword::new(&String::from_utf8_lossy(a)) {
        Ok(k) => Ok((rest, k)),
        Err(_) => fail(i, "keyword"),
    }
}

fn modseq_key(i: &[u8]) -> PResult<'_, SearchKey> {
    let (rest, ()) = sp(i).or_else(|_| fail(i, "SP"))?;
    if rest.starts_with(b"\"") {
        let (rest, name) = quoted(rest)?;
        let (rest, kind) = then_sp(rest, atom)?;
        let kind = match kind.to_ascii_lowercase().as_slice() {
            b"priv" => EntryType::Private,
            b"shared" => EntryType::Shared,
            b"all" => EntryType::All,
            _ => return fail(rest, "priv, shared or all"),
        };
        let (rest, modseq) = then_sp(rest, number64)?;
        return Ok((
            rest,
            SearchKey::ModSeq {
                entry: Some((name, kind)),
                modseq,
            },
        ));
    }
    let (rest, modseq) = number64(rest)?;
    Ok((
        rest,
        SearchKey::ModSeq {
            entry: None,
            modseq,
        },
    ))
}

/// `search-key`, at nesting `depth`.
fn search_key(i: &[u8], depth: usize) -> PResult<'_, SearchKey> {
    use SearchKey as K;
    if depth > MAX_SEARCH_DEPTH {
        return fail(i, "shallower nesting of search keys");
    }
    if i.starts_with(b"(") {
        let (rest, keys) = paren_list1(i, |j| search_key(j, depth + 1))?;
        return Ok((rest, K::And(keys)));
    }
    if matches!(i.first(), Some(b'*' | b'$' | b'0'..=b'9')) {
        let (rest, set) = sequence_set(i)?;
        return Ok((rest, K::SequenceSet(set)));
    }
    let (rest, name) = atom(i).or_else(|_| miss(i, "search key"))?;
    let name = String::from_utf8_lossy(name).to_ascii_uppercase();
    let s = |f: fn(Vec<u8>) -> K| then_sp(rest, astring).map(|(r, v)| (r, f(v)));
    let d = |f: fn(Date) -> K| then_sp(rest, date).map(|(r, v)| (r, f(v)));
    let simple = |k: K| Ok((rest, k));
    match name.as_str() {
        "ALL" => simple(K::All),
        "ANSWERED" => simple(K::Answered),
        "DELETED" => simple(K::Deleted),
        "DRAFT" => simple(K::Draft),
        "FLAGGED" => simple(K::Flagged),
        "NEW" => simple(K::New),
        "OLD" => simple(K::Old),
        "RECENT" => simple(K::Recent),
        "SEEN" => simple(K::Seen),
        "UNANSWERED" => simple(K::Unanswered),
        "UNDELETED" => simple(K::Undeleted),
        "UNDRAFT" => simple(K::Undraft),
        "UNFLAGGED" => simple(K::Unflagged),
        "UNSEEN" => simple(K::Unseen),
        "BCC" => s(K::Bcc),
        "BODY" => s(K::Body),
        "CC" => s(K::Cc),
        "FROM" => s(K::From),
        "SUBJECT" => s(K::Subject),
        "TEXT" => s(K::Text),
        "TO" => s(K::To),
        "BEFORE" => d(K::Before),
        "ON" => d(K::On),
        "SINCE" => d(K::Since),
        "SENTBEFORE" => d(K::SentBefore),
        "SENTON" => d(K::SentOn),
        "SENTSINCE" => d(K::SentSince),
        "KEYWORD" => then_sp(rest, keyword).map(|(r, k)| (r, K::Keyword(k))),
        "UNKEYWORD" => then_sp(rest, keyword).map(|(r, k)| (r, K::Unkeyword(k))),
        "LARGER" => then_sp(rest, number64).map(|(r, n)| (r, K::Larger(n))),
        "SMALLER" => then_sp(rest, number64).map(|(r, n)| (r, K::Smaller(n))),
        "OLDER" => then_sp(rest, number).map(|(r, n)| (r, K::Older(n))),
        "YOUNGER" => then_sp(rest, number).map(|(r, n)| (r, K::Younger(n))),
        "UID" => then_sp(rest, sequence_set).map(|(r, set)| (r, K::Uid(set))),
        "HEADER" => {
            let (r, field) = then_sp(rest, astring)?;
            let (r, value) = then_sp(r, astring)?;
            Ok((
                r,
                K::Header(String::from_utf8_lossy(&field).into_owned(), value),
            ))
        }
        "NOT" => then_sp(rest, |j| search_key(j, depth + 1)).map(|(r, k)| (r, K::Not(Box::new(k)))),
        "OR" => {
            let (r, a) = then_sp(rest, |j| search_key(j, depth + 1))?;
            let (r, b) = then_sp(r, |j| search_key(j, depth + 1))?;
            Ok((r, K::Or(Box::new(a), Box::new(b))))
        }
        "MODSEQ" => modseq_key(rest),
        _ => fail(i, "search key"),
    }
}

/// 1*(SP search-key), the tail of every search program.
fn search_keys(mut rest: &[u8]) -> PResult<'_, Vec<SearchKey>> {
    let mut keys = Vec::new();
    while let Ok((r, ())) = sp(rest) {
        let (r, key) = search_key(r, 0)?;
        keys.push(key);
        rest = r;
    }
    if keys.is_empty() {
        return fail(rest, "SP and search key");
    }
    Ok((rest, keys))
}

fn search_return(i: &[u8]) -> PResult<'_, SearchReturn> {
    let (rest, name) = atom(i).or_else(|_| fail(i, "MIN, MAX, ALL, COUNT or SAVE"))?;
    let option = match name.to_ascii_uppercase().as_slice() {
        b"MIN" => SearchReturn::Min,
        b"MAX" => SearchReturn::Max,
        b"ALL" => SearchReturn::All,
        b"COUNT" => SearchReturn::Count,
        b"SAVE" => SearchReturn::Save,
        _ => return fail(i, "MIN, MAX, ALL, COUNT or SAVE"),
    };
    Ok((rest, option))
}

fn charset(i: &[u8]) -> PResult<'_, String> {
    let (rest, c) = astring(i).or_else(|_| fail(i, "charset"))?;
    Ok((rest, String::from_utf8_lossy(&c).into_owned()))
}

/// The arguments after `SEARCH`, starting with its SP.
pub(super) fn search_args(i: &[u8]) -> PResult<'_, SearchArgs> {
    let mut rest = i;
    let mut return_options = None;
    if let Ok((r, ())) = sp(rest).and_then(|(r, ())| word("RETURN")(r)) {
        let (r, ()) = sp(r).or_else(|_| fail(r, "SP"))?;
        let (r, options) = paren_list0(r, search_return)?;
        return_options = Some(options);
        rest = r;
    }
    let mut charset_name = None;
    if let Ok((r, ())) = sp(rest).and_then(|(r, ())| word("CHARSET")(r)) {
        let (r, c) = then_sp(r, charset)?;
        charset_name = Some(c);
        rest = r;
    }
    let (rest, criteria) = search_keys(rest)?;
    Ok((
        rest,
        SearchArgs {
            return_options,
            charset: charset_name,
            criteria,
        },
    ))
}

fn sort_criterion(i: &[u8]) -> PResult<'_, SortCriterion> {
    let (rest, reverse) = match word("REVERSE")(i) {
        Ok((r, ())) => (sp(r).or_else(|_| fail(r, "SP"))?.0, true),
        Err(_) => (i, false),
    };
    let (r, name) = atom(rest).or_else(|_| fail(rest, "sort key"))?;
    let key = match name.to_ascii_uppercase().as_slice() {
        b"ARRIVAL" => SortKey::Arrival,
        b"CC" => SortKey::Cc,
        b"DATE" => SortKey::Date,
        b"FROM" => SortKey::From,
        b"SIZE" => SortKey::Size,
        b"SUBJECT" => SortKey::Subject,
        b"TO" => SortKey::To,
        b"DISPLAYFROM" => SortKey::DisplayFrom,
        b"DISPLAYTO" => SortKey::DisplayTo,
        _ => return fail(rest, "sort key"),
    };
    Ok((r, SortCriterion { reverse, key }))
}

/// The arguments after `SORT`, starting with its SP.
pub(super) fn sort_args(i: &[u8]) -> PResult<'_, SortArgs> {
    let (rest, criteria) = then_sp(i, |j| paren_list1(j, sort_criterion))?;
    let (rest, charset) = then_sp(rest, charset)?;
    let (rest, keys) = search_keys(rest)?;
    Ok((
        rest,
        SortArgs {
            criteria,
            charset,
            keys,
        },
    ))
}

/// The arguments after `THREAD`, starting with its SP.
pub(super) fn thread_args(i: &[u8]) -> PResult<'_, ThreadArgs> {
    let (rest, algorithm) = then_sp(i, atom_str)?;
    let (rest, charset) = then_sp(rest, charset)?;
    let (rest, keys) = search_keys(rest)?;
    Ok((
        rest,
        ThreadArgs {
            algorithm: algorithm.to_ascii_uppercase(),
            charset,
            keys,
        },
    ))
}

#[cfg(test)]
mod tests;
