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

/// What SORT compares of one message; strings already folded.
#[derive(Debug)]
struct Item {
    uid: Uid,
    seq: u32,
    arrival: i64,
    size: u64,
    /// The sent date, or the internal date without one (RFC 5256 §2.2).
    date: i64,
    subject: String,
    from: String,
    to: String,
    cc: String,
    display_from: String,
    display_to: String,
}

pub async fn sort(
    store: &Store,
    view: &MailboxView<'_>,
    criteria: &[SortCriterion],
    matching: &[Uid],
) -> Result<Vec<Uid>, SearchError> {
    let mut items = keys::load(store, view, matching, |uid, m| item(view, uid, &m))
        .await?
        .into_iter()
        .flatten()
        .collect::<Vec<_>>();
    items.sort_by(|a, b| {
        criteria
            .iter()
            .map(|c| {
                let o = compare(c.key, a, b);
                if c.reverse { o.reverse() } else { o }
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
            .then(a.seq.cmp(&b.seq))
    });
    Ok(items.into_iter().map(|i| i.uid).collect())
}

fn item(view: &MailboxView<'_>, uid: Uid, m: &MessageMetadata) -> Option<Item> {
    let seq = sequence_number(view, uid)?;
    let summary = view
        .messages
        .get(usize::try_from(seq).ok()?.checked_sub(1)?)?;
    let mailbox = |s: &Option<String>| fold(s.as_deref().unwrap_or_default());
    let t = &m.thread;
    Some(Item {
        uid,
        seq,
        arrival: summary.internal_date.0,
        size: summary.size,
        date: t.sent_date.unwrap_or(summary.internal_date.0),
        subject: fold(&t.base_subject),
        from: mailbox(&t.from_mailbox),
        to: mailbox(&t.to_mailbox),
        cc: mailbox(&t.cc_mailbox),
        display_from: display(&m.envelope.from),
        display_to: display(&m.envelope.to),
    })
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

fn compare(key: SortKey, a: &Item, b: &Item) -> Ordering {
    match key {
        SortKey::Arrival => a.arrival.cmp(&b.arrival),
        SortKey::Cc => a.cc.cmp(&b.cc),
        SortKey::Date => a.date.cmp(&b.date),
        SortKey::From => a.from.cmp(&b.from),
        SortKey::Size => a.size.cmp(&b.size),
        SortKey::Subject => a.subject.cmp(&b.subject),
        SortKey::To => a.to.cmp(&b.to),
        SortKey::DisplayFrom => a.display_from.cmp(&b.display_from),
        SortKey::DisplayTo => a.display_to.cmp(&b.display_to),
    }
}
