//! SUBJECT, FROM, TO, CC, BCC, BODY and TEXT (RFC 9051 §6.4.4) through the
//! store's full-text index (TEXT also through the raw header, see `matches`). The index matches substrings with SQLite's LIKE,
//! which folds ASCII case only (and scans for needles under three
//! characters, which is slow but exact), so a needle with cased non-ASCII
//! letters is answered in two parts: what the index proves, and candidates
//! that are checked against the decoded text of the message. Must not read
//! messages itself.

use std::collections::HashSet;

use crate::imap::parser::SearchKey;
use crate::message::SearchText;
use crate::store::{SearchField, Store, Uid};

use super::collate::{contains_folded, fold, needs_unicode_folding};
use super::header_field::HeaderFields;
use super::{MailboxView, SearchError};

/// Messages that may match but need their decoded text to tell.
#[derive(Debug)]
enum Unsure {
    Some(HashSet<Uid>),
    All,
}

/// What the index says about one needle in one field.
#[derive(Debug)]
struct Hits {
    field: SearchField,
    folded: String,
    sure: HashSet<Uid>,
    unsure: Unsure,
}

/// The index's answers for every text key of a search program.
#[derive(Debug, Default)]
pub struct TextIndex {
    hits: Vec<Hits>,
}

/// The field and needle of a text key, if `key` is one.
pub fn text_key(key: &SearchKey) -> Option<(SearchField, &[u8])> {
    let (field, needle) = match key {
        SearchKey::Subject(n) => (SearchField::Subject, n),
        SearchKey::From(n) => (SearchField::From, n),
        SearchKey::To(n) => (SearchField::To, n),
        SearchKey::Cc(n) => (SearchField::Cc, n),
        SearchKey::Bcc(n) => (SearchField::Bcc, n),
        SearchKey::Body(n) => (SearchField::Body, n),
        SearchKey::Text(n) => (SearchField::Text, n),
        _ => return None,
    };
    Some((field, needle.as_slice()))
}

/// The needle as compared: the command's bytes as UTF-8 (US-ASCII is a
/// subset), folded.
pub fn folded_needle(needle: &[u8]) -> String {
    fold(&String::from_utf8_lossy(needle))
}

impl TextIndex {
    /// Asks the index about each distinct text key in `keys`.
    pub async fn build(
        store: &Store,
        view: &MailboxView<'_>,
        keys: &[(SearchField, &[u8])],
    ) -> Result<TextIndex, SearchError> {
        let mut index = TextIndex::default();
        for &(field, needle) in keys {
            let folded = folded_needle(needle);
            if folded.is_empty() || index.find(field, &folded).is_some() {
                continue;
            }
            let mut sure: HashSet<Uid> = query(store, view, field, &folded)
                .await?
                .into_iter()
                .collect();
            let mut unsure = Unsure::Some(HashSet::new());
            if needs_unicode_folding(&folded) {
                let upper = folded.to_uppercase();
                // Only when upper-casing round-trips (not for ß → SS) is a
                // LIKE hit on the upper form a true match.
                if fold(&upper) == folded {
                    sure.extend(query(store, view, field, &upper).await?);
                }
                unsure = match longest_ascii_run(&folded) {
                    Some(run) => Unsure::Some(
                        query(store, view, field, run)
                            .await?
                            .into_iter()
                            .filter(|u| !sure.contains(u))
                            .collect(),
                    ),
                    None => Unsure::All,
                };
            }
            index.hits.push(Hits {
                field,
                folded,
                sure,
                unsure,
            });
        }
        Ok(index)
    }

    fn find(&self, field: SearchField, folded: &str) -> Option<&Hits> {
        self.hits
            .iter()
            .find(|h| h.field == field && h.folded == folded)
    }

    /// Whether `uid` matches the key; `None` when only the decoded `text`
    /// of the message, or for TEXT its `header`, can tell and was not given.
    /// RFC 9051 §6.4.4: TEXT looks in the header as well as the body, and
    /// the index holds only the header fields the other keys search, so a
    /// TEXT the index does not prove is checked against every header field.
    pub fn matches(
        &self,
        field: SearchField,
        needle: &[u8],
        uid: Uid,
        text: Option<&SearchText>,
        header: Option<&HeaderFields>,
    ) -> Option<bool> {
        let folded = folded_needle(needle);
        if folded.is_empty() {
            return Some(true);
        }
        let hits = self.find(field, &folded)?;
        if hits.sure.contains(&uid) {
            return Some(true);
        }
        if field == SearchField::Text && header?.any_contains(&folded) {
            return Some(true);
        }
        let unsure = match &hits.unsure {
            Unsure::All => true,
            Unsure::Some(set) => set.contains(&uid),
        };
        if !unsure {
            return Some(false);
        }
        text.map(|t| field_text(t, field).any(|h| contains_folded(h, &folded)))
    }

    /// Whether some message needs its decoded text read to be decided.
    pub fn is_unsure(&self, uid: Uid) -> bool {
        self.hits.iter().any(|h| match &h.unsure {
            Unsure::All => !h.sure.contains(&uid),
            Unsure::Some(set) => set.contains(&uid),
        })
    }
}

async fn query(
    store: &Store,
    view: &MailboxView<'_>,
    field: SearchField,
    needle: &str,
) -> Result<Vec<Uid>, SearchError> {
    Ok(store
        .search_text(view.account, view.mailbox, field, needle)
        .await?)
}

fn field_text(text: &SearchText, field: SearchField) -> impl Iterator<Item = &str> {
    let all = [
        &text.subject,
        &text.from,
        &text.to,
        &text.cc,
        &text.bcc,
        &text.body,
    ];
    let only = match field {
        SearchField::Subject => 0,
        SearchField::From => 1,
        SearchField::To => 2,
        SearchField::Cc => 3,
        SearchField::Bcc => 4,
        SearchField::Body => 5,
        SearchField::Text => usize::MAX,
    };
    all.into_iter()
        .enumerate()
        .filter(move |(i, _)| only == usize::MAX || *i == only)
        .map(|(_, s)| s.as_str())
}

/// The longest stretch of ASCII in `s`: every match of `s` contains it, and
/// LIKE folds its case correctly, so its hits are a superset of the matches.
fn longest_ascii_run(s: &str) -> Option<&str> {
    s.split(|c: char| !c.is_ascii())
        .max_by_key(|run| run.len())
        .filter(|run| !run.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_ascii_run_is_the_prefilter() {
        assert_eq!(longest_ascii_run("grüße aus münchen"), Some("e aus m"));
        assert_eq!(longest_ascii_run("ü"), None);
    }
}
