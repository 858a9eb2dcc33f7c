//! SORT (RFC 5256 §3) with the DISPLAYFROM and DISPLAYTO keys of RFC 5957,
//! over the cached SORT keys of the matching messages. Ties, after every
//! criterion, go to the sequence number (RFC 5256 §3: "the order in the
//! mailbox"). Must not search: it orders what a search found.

use std::cmp::Ordering;

use crate::imap::parser::{SortCriterion, SortKey};
use crate::message::{EnvelopeAddress, Mailbox, MessageMetadata};
use crate::store::{Store, Uid};

use super::collate::{decode_header_value, fold};
use super::{MailboxView, SearchError, keys, sequence_number};

/// The value of one sort key for one message; strings already folded.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Value {
    Number(i64),
    Text(String),
}

/// What SORT compares of one message: only the values its criteria ask for,
/// so a large mailbox holds no more than that in memory.
#[derive(Debug)]
struct Item {
    uid: Uid,
    seq: u32,
    values: Vec<Value>,
}

pub async fn sort(
    store: &Store,
    view: &MailboxView<'_>,
    criteria: &[SortCriterion],
    matching: &[Uid],
) -> Result<Vec<Uid>, SearchError> {
    let mut items = keys::load(store, view, matching, |uid, m| {
        item(view, criteria, uid, &m)
    })
    .await?
    .into_iter()
    .flatten()
    .collect::<Vec<_>>();
    items.sort_by(|a, b| {
        criteria
            .iter()
            .zip(a.values.iter().zip(&b.values))
            .map(|(c, (a, b))| {
                let o = a.cmp(b);
                if c.reverse { o.reverse() } else { o }
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
            .then(a.seq.cmp(&b.seq))
    });
    Ok(items.into_iter().map(|i| i.uid).collect())
}

fn item(
    view: &MailboxView<'_>,
    criteria: &[SortCriterion],
    uid: Uid,
    m: &MessageMetadata,
) -> Option<Item> {
    let seq = sequence_number(view, uid)?;
    let summary = view
        .messages
        .get(usize::try_from(seq).ok()?.checked_sub(1)?)?;
    let t = &m.thread;
    let mailbox = |s: &Option<String>| Value::Text(fold(s.as_deref().unwrap_or_default()));
    let values = criteria
        .iter()
        .map(|c| match c.key {
            SortKey::Arrival => Value::Number(summary.internal_date.0),
            SortKey::Size => Value::Number(i64::try_from(summary.size).unwrap_or(i64::MAX)),
            // RFC 5256 §2.2: the sent date, or the internal date without one.
            SortKey::Date => Value::Number(t.sent_date.unwrap_or(summary.internal_date.0)),
            SortKey::Subject => Value::Text(fold(&t.base_subject)),
            SortKey::From => mailbox(&t.from_mailbox),
            SortKey::To => mailbox(&t.to_mailbox),
            SortKey::Cc => mailbox(&t.cc_mailbox),
            SortKey::DisplayFrom => Value::Text(display(&m.envelope.from)),
            SortKey::DisplayTo => Value::Text(display(&m.envelope.to)),
        })
        .collect();
    Some(Item { uid, seq, values })
}

/// RFC 5957 §2: the decoded display name of the first address, or its
/// addr-spec when it has none; empty without an address.
fn display(list: &[EnvelopeAddress]) -> String {
    let first = list.iter().find_map(|a| match a {
        EnvelopeAddress::Mailbox(m) => Some(m),
        _ => None,
    });
    let Some(Mailbox {
        name,
        mailbox,
        host,
        ..
    }) = first
    else {
        return String::new();
    };
    match name.as_deref().map(decode_header_value) {
        Some(n) if !n.trim().is_empty() => fold(n.trim()),
        _ if host.is_empty() => fold(mailbox),
        _ => fold(&format!("{mailbox}@{host}")),
    }
}
