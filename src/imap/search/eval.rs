//! Evaluates a search program over a mailbox view (RFC 9051 §6.4.4) in
//! stages, cheapest first, with three-valued logic: a key that needs a fact
//! not loaded yet is "unknown", and NOT/OR/AND propagate unknowns the way
//! Kleene logic does, so only messages still undecided after one stage pay
//! for the next. Must not order results (that is `sort`) or map UIDs to
//! sequence numbers.

use std::collections::{HashMap, HashSet};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::imap::parser::{SearchKey, SeqNumber, SequenceSet};
use crate::message::SearchText;
use crate::store::{MessageSummary, Store, SystemFlag, Uid};

use super::collate::fold;
use super::header_field::HeaderFields;
use super::sent_date::sent_day;
use super::text::{TextIndex, text_key};
use super::{MailboxView, SearchError, keys, raw};

/// What a stage has learnt about one message beyond its summary.
#[derive(Debug, Default)]
struct Known {
    /// Loaded metadata: the sent day (itself `None` without a Date header).
    sent_day: Option<Option<i64>>,
    header: Option<HeaderFields>,
    /// Boxed: undecided messages carry a `Known` each until the last stage.
    text: Option<Box<SearchText>>,
}

/// Facts shared by every message.
struct Context<'v> {
    view: &'v MailboxView<'v>,
    now: i64,
    saved: HashSet<Uid>,
    text: Option<TextIndex>,
}

/// Which facts from the cached metadata a program asks for (HEADER and
/// unsure text keys are whatever stays undecided after that).
#[derive(Debug, Default, Clone, Copy)]
struct Needs {
    sent_day: bool,
}

pub async fn search(
    store: &Store,
    view: &MailboxView<'_>,
    key: &SearchKey,
    now: SystemTime,
) -> Result<Vec<Uid>, SearchError> {
    let now = match now.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(_) => 0,
    };
    let mut context = Context {
        view,
        now,
        saved: view.saved.iter().copied().collect(),
        text: None,
    };
    let mut text_keys = Vec::new();
    let mut needs = Needs::default();
    survey(key, &mut text_keys, &mut needs);

    let mut matched = Vec::new();
    let all = (0..view.messages.len()).map(|i| (i, Known::default()));
    let mut undecided = settle(key, &context, all, &mut matched);

    if !undecided.is_empty() && !text_keys.is_empty() {
        context.text = Some(TextIndex::build(store, view, &text_keys).await?);
        undecided = settle(key, &context, undecided, &mut matched);
    }
    if !undecided.is_empty() && needs.sent_day {
        let uids: Vec<Uid> = undecided
            .iter()
            .filter_map(|(i, _)| uid_at(view, *i))
            .collect();
        let days: HashMap<Uid, Option<i64>> = keys::load(store, view, &uids, |uid, m| {
            (
                uid,
                sent_day(m.envelope.date.as_deref(), m.thread.sent_date),
            )
        })
        .await?
        .into_iter()
        .collect();
        for (i, known) in &mut undecided {
            let uid = uid_at(view, *i);
            known.sent_day = Some(uid.and_then(|u| days.get(&u).copied().flatten()));
        }
        undecided = settle(key, &context, undecided, &mut matched);
    }
    // Only HEADER keys and text keys the index left unsure remain.
    while !undecided.is_empty() {
        let rest = undecided.split_off(undecided.len().min(raw::BATCH));
        let batch: Vec<(usize, Known, Uid)> = std::mem::replace(&mut undecided, rest)
            .into_iter()
            .filter_map(|(i, known)| Some((i, known, uid_at(view, i)?)))
            .collect();
        let requests = batch
            .iter()
            .map(|&(_, _, uid)| raw::Request {
                uid,
                whole: context.text.as_ref().is_some_and(|t| t.is_unsure(uid)),
            })
            .collect();
        let digests = raw::digest(store, view, requests).await?;
        for ((i, mut known, uid), digest) in batch.into_iter().zip(digests) {
            let Some(digest) = digest else { continue };
            known.header = Some(digest.header);
            known.text = digest.text.map(Box::new);
            if eval(key, &context, i, &known) == Some(true) {
                matched.push(uid);
            }
        }
    }
    matched.sort_unstable();
    Ok(matched)
}

fn uid_at(view: &MailboxView<'_>, index: usize) -> Option<Uid> {
    view.messages.get(index).map(|m| m.uid)
}

/// Sorts messages into matched (pushed), failed (dropped) and undecided
/// (returned).
fn settle(
    key: &SearchKey,
    context: &Context<'_>,
    messages: impl IntoIterator<Item = (usize, Known)>,
    matched: &mut Vec<Uid>,
) -> Vec<(usize, Known)> {
    let mut undecided = Vec::new();
    for (i, known) in messages {
        match eval(key, context, i, &known) {
            Some(true) => matched.extend(uid_at(context.view, i)),
            Some(false) => {}
            None => undecided.push((i, known)),
        }
    }
    undecided
}

/// Collects the text keys and the costly facts a program may need.
fn survey<'k>(
    key: &'k SearchKey,
    text: &mut Vec<(crate::store::SearchField, &'k [u8])>,
    needs: &mut Needs,
) {
    match key {
        SearchKey::Not(k) => survey(k, text, needs),
        SearchKey::Or(a, b) => {
            survey(a, text, needs);
            survey(b, text, needs);
        }
        SearchKey::And(keys) => keys.iter().for_each(|k| survey(k, text, needs)),
        SearchKey::SentBefore(_) | SearchKey::SentOn(_) | SearchKey::SentSince(_) => {
            needs.sent_day = true;
        }
        other => text.extend(text_key(other)),
    }
}

/// Kleene AND over `keys`.
fn all<'k>(
    keys: impl IntoIterator<Item = &'k SearchKey>,
    context: &Context<'_>,
    i: usize,
    known: &Known,
) -> Option<bool> {
    let mut result = Some(true);
    for key in keys {
        match eval(key, context, i, known) {
            Some(false) => return Some(false),
            None => result = None,
            Some(true) => {}
        }
    }
    result
}

/// The value of `key` for the message at `index`, or `None` when a fact it
/// needs is not in `known` yet.
fn eval(key: &SearchKey, context: &Context<'_>, index: usize, known: &Known) -> Option<bool> {
    use SearchKey as K;
    let m: &MessageSummary = context.view.messages.get(index)?;
    let flag = |f| Some(m.flags.contains(f));
    let internal_day = m.internal_date.0.div_euclid(86_400);
    let sent = |test: &dyn Fn(i64) -> bool| known.sent_day.map(|d| d.is_some_and(test));
    let age = context.now.saturating_sub(m.internal_date.0);
    let recent = context.view.recent.contains(m.uid);
    match key {
        K::All => Some(true),
        K::And(keys) => all(keys, context, index, known),
        K::Not(k) => eval(k, context, index, known).map(|v| !v),
        K::Or(a, b) => match (
            eval(a, context, index, known),
            eval(b, context, index, known),
        ) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
        K::Answered => flag(SystemFlag::Answered),
        K::Deleted => flag(SystemFlag::Deleted),
        K::Draft => flag(SystemFlag::Draft),
        K::Flagged => flag(SystemFlag::Flagged),
        K::Seen => flag(SystemFlag::Seen),
        K::Unanswered => flag(SystemFlag::Answered).map(|v| !v),
        K::Undeleted => flag(SystemFlag::Deleted).map(|v| !v),
        K::Undraft => flag(SystemFlag::Draft).map(|v| !v),
        K::Unflagged => flag(SystemFlag::Flagged).map(|v| !v),
        K::Unseen => flag(SystemFlag::Seen).map(|v| !v),
        K::Keyword(k) => Some(m.flags.has_keyword(k)),
        K::Unkeyword(k) => Some(!m.flags.has_keyword(k)),
        // RFC 3501 §6.4.4; in IMAP4rev2 nothing is recent, so RECENT and
        // NEW match none and OLD all.
        K::Recent => Some(recent),
        K::New => Some(recent && !m.flags.contains(SystemFlag::Seen)),
        K::Old => Some(!recent),
        K::Before(d) => Some(internal_day < d.days_since_epoch()),
        K::On(d) => Some(internal_day == d.days_since_epoch()),
        K::Since(d) => Some(internal_day >= d.days_since_epoch()),
        K::SentBefore(d) => sent(&|day| day < d.days_since_epoch()),
        K::SentOn(d) => sent(&|day| day == d.days_since_epoch()),
        K::SentSince(d) => sent(&|day| day >= d.days_since_epoch()),
        // RFC 5032 §3: OLDER and YOUNGER with the same interval split the
        // mailbox in two.
        K::Older(n) => Some(age >= i64::from(*n)),
        K::Younger(n) => Some(age < i64::from(*n)),
        K::Larger(n) => Some(m.size > *n),
        K::Smaller(n) => Some(m.size < *n),
        K::ModSeq { modseq, .. } => Some(m.modseq.0 >= *modseq),
        K::SequenceSet(set) => {
            let seq = u32::try_from(index + 1).ok()?;
            let largest = u32::try_from(context.view.messages.len()).ok()?;
            Some(in_set(set, seq, largest, m.uid, &context.saved))
        }
        K::Uid(set) => {
            let largest = context.view.messages.last().map_or(0, |l| l.uid.0);
            Some(in_set(set, m.uid.0, largest, m.uid, &context.saved))
        }
        K::Header(name, needle) => known
            .header
            .as_ref()
            .map(|h| h.matches(name, &fold(&String::from_utf8_lossy(needle)))),
        K::Subject(_) | K::From(_) | K::To(_) | K::Cc(_) | K::Bcc(_) | K::Body(_) | K::Text(_) => {
            let (field, needle) = text_key(key)?;
            context.text.as_ref()?.matches(
                field,
                needle,
                m.uid,
                known.text.as_deref(),
                known.header.as_ref(),
            )
        }
    }
}

/// Whether `n` is in `set`, where `*` stands for `largest` and `$` for the
/// saved UIDs (RFC 5182 §2.1: `$` names the same messages as a sequence
/// set and as a UID set). `a:b` is the same as `b:a` (RFC 9051 §9).
fn in_set(set: &SequenceSet, n: u32, largest: u32, uid: Uid, saved: &HashSet<Uid>) -> bool {
    let ranges = match set {
        SequenceSet::Saved => return saved.contains(&uid),
        SequenceSet::Ranges(ranges) => ranges,
    };
    let value = |s: SeqNumber| match s {
        SeqNumber::Value(v) => v.get(),
        SeqNumber::Largest => largest,
    };
    ranges.iter().any(|r| {
        let (a, b) = (value(r.first), value(r.last));
        a.min(b) <= n && n <= a.max(b)
    })
}
