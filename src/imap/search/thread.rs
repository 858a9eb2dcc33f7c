//! THREAD (RFC 5256 §3): the algorithm names the server speaks, the per
//! message keys both algorithms read, and ORDEREDSUBJECT. REFERENCES lives
//! in `references`. Threads hold UIDs; must not write responses.

use std::cmp::Ordering;

use crate::imap::response::Thread;
use crate::store::{Store, Uid};

use super::collate::fold;
use super::{MailboxView, SearchError, keys, references, sequence_number};

/// The threading algorithms of RFC 5256 §3, as THREAD= capabilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadAlgorithm {
    OrderedSubject,
    References,
}

impl ThreadAlgorithm {
    /// Every algorithm, for the CAPABILITY response.
    pub const ALL: [ThreadAlgorithm; 2] = [Self::OrderedSubject, Self::References];

    /// The algorithm named in a THREAD command (case-insensitive).
    pub fn from_name(name: &str) -> Result<Self, SearchError> {
        Self::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| SearchError::UnknownThreadAlgorithm(name.to_owned()))
    }

    /// The name after `THREAD=` in the capability.
    pub fn name(self) -> &'static str {
        match self {
            Self::OrderedSubject => "ORDEREDSUBJECT",
            Self::References => "REFERENCES",
        }
    }
}

/// What threading reads of one message.
#[derive(Debug, Clone)]
pub(super) struct Item {
    pub uid: Uid,
    pub seq: u32,
    /// The sent date, or the internal date without one (RFC 5256 §2.2).
    pub date: i64,
    /// The folded base subject (RFC 5256 §2.1).
    pub subject: String,
    pub is_reply: bool,
    pub message_id: Option<String>,
    pub references: Vec<String>,
}

impl Item {
    /// The order of siblings and of threads: sent date, then sequence number.
    pub fn order(&self, other: &Item) -> Ordering {
        (self.date, self.seq).cmp(&(other.date, other.seq))
    }
}

pub async fn thread(
    store: &Store,
    view: &MailboxView<'_>,
    algorithm: ThreadAlgorithm,
    matching: &[Uid],
) -> Result<Vec<Thread>, SearchError> {
    let items = keys::load(store, view, matching, |uid, m| {
        let seq = sequence_number(view, uid)?;
        let summary = view
            .messages
            .get(usize::try_from(seq).ok()?.checked_sub(1)?)?;
        let t = m.thread;
        Some(Item {
            uid,
            seq,
            date: t.sent_date.unwrap_or(summary.internal_date.0),
            subject: fold(&t.base_subject),
            is_reply: t.is_reply_or_forward,
            message_id: t.message_id,
            references: t.references,
        })
    })
    .await?
    .into_iter()
    .flatten()
    .collect::<Vec<_>>();
    Ok(match algorithm {
        ThreadAlgorithm::OrderedSubject => ordered_subject(items),
        ThreadAlgorithm::References => references::thread(items),
    })
}

/// RFC 5256 §3 ORDEREDSUBJECT: messages grouped by base subject, each group
/// by sent date; the first message of a group is the parent of all others,
/// and the groups are ordered by the sent date of their first message.
pub(super) fn ordered_subject(mut items: Vec<Item>) -> Vec<Thread> {
    items.sort_by(|a, b| a.subject.cmp(&b.subject).then_with(|| a.order(b)));
    let mut groups: Vec<Vec<Item>> = Vec::new();
    for item in items {
        match groups.last_mut() {
            Some(group) if group.first().is_some_and(|f| f.subject == item.subject) => {
                group.push(item);
            }
            _ => groups.push(vec![item]),
        }
    }
    groups.sort_by(|a, b| match (a.first(), b.first()) {
        (Some(a), Some(b)) => a.order(b),
        _ => Ordering::Equal,
    });
    groups
        .into_iter()
        .map(|group| {
            let mut members = group.into_iter().map(|i| i.uid.0);
            Thread {
                messages: members.next().into_iter().collect(),
                branches: members
                    .map(|n| Thread {
                        messages: vec![n],
                        branches: Vec::new(),
                    })
                    .collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_names_are_case_insensitive_and_unknown_ones_refused() {
        assert_eq!(
            ThreadAlgorithm::from_name("references").unwrap(),
            ThreadAlgorithm::References
        );
        assert_eq!(
            ThreadAlgorithm::from_name("OrderedSubject").unwrap(),
            ThreadAlgorithm::OrderedSubject
        );
        assert!(matches!(
            ThreadAlgorithm::from_name("REFS"),
            Err(SearchError::UnknownThreadAlgorithm(name)) if name == "REFS"
        ));
    }
}
