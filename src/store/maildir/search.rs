//! Text search over the FTS5 table filled at append (RFC 9051 §6.4.4):
//! case-insensitive substring matching, which the trigram index serves for
//! needles of three characters or more.

use super::{Account, MailboxRow};
use crate::store::error::StoreError;
use crate::store::types::{MailboxId, SearchField, Uid};

fn columns(field: SearchField) -> &'static [&'static str] {
    match field {
        SearchField::Subject => &["subject"],
        SearchField::From => &["from_addr"],
        SearchField::To => &["to_addr"],
        SearchField::Cc => &["cc_addr"],
        SearchField::Bcc => &["bcc_addr"],
        SearchField::Body => &["body"],
        SearchField::Text => &[
            "subject",
            "from_addr",
            "to_addr",
            "cc_addr",
            "bcc_addr",
            "body",
        ],
    }
}

/// `needle` as a LIKE pattern matching it anywhere, with LIKE's own
/// wildcards escaped.
fn like_pattern(needle: &str) -> String {
    let mut out = String::with_capacity(needle.len() + 2);
    out.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

pub fn search_text(
    account: &Account,
    mailbox: MailboxId,
    field: SearchField,
    needle: &str,
) -> Result<Vec<Uid>, StoreError> {
    let condition = columns(field)
        .iter()
        .map(|c| format!("s.{c} LIKE ?2 ESCAPE '\\'"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let sql = format!(
        "SELECT m.uid FROM messages m JOIN search s ON s.rowid = m.id
         WHERE m.mailbox_id = ?1 AND ({condition}) ORDER BY m.uid"
    );
    account.read(|conn| {
        let tx = conn.unchecked_transaction()?;
        MailboxRow::by_id(&tx, mailbox)?;
        let mut stmt = tx.prepare_cached(&sql)?;
        let uids = stmt
            .query_map(rusqlite::params![mailbox.0, like_pattern(needle)], |r| {
                Ok(Uid(r.get(0)?))
            })?
            .collect::<Result<_, _>>()?;
        Ok(uids)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::SearchText;
    use crate::store::AccountId;
    use crate::store::maildir::files::AccountDir;
    use crate::store::maildir::rows::{self, NewRow};
    use crate::store::maildir::{mailboxes, schema};
    use crate::store::types::{Flags, InternalDate, MailboxName, ModSeq};

    /// An account whose INBOX holds UIDs 1 and 2 with the given subjects and
    /// bodies, indexed without going through the message parser.
    fn account_with(texts: [(&str, &str); 2]) -> (tempfile::TempDir, Account, MailboxId) {
        let tmp = tempfile::tempdir().unwrap();
        let id = AccountId(1);
        let dir = AccountDir::new(tmp.path(), id);
        mailboxes::create_account(&dir, id).unwrap();
        let writer = schema::open_existing(&dir.index(), id).unwrap();
        let account = Account::new(id, dir, writer).unwrap();
        let inbox = MailboxName::new("INBOX").unwrap();
        let mailbox = account.read(|c| MailboxRow::by_name(c, &inbox)).unwrap().id;
        account
            .write(|tx| {
                for (n, (subject, body)) in texts.into_iter().enumerate() {
                    let row = NewRow {
                        size: 1,
                        internal_date: InternalDate(0),
                        flags: &Flags::new(),
                        metadata: "{}",
                    };
                    let uid = Uid(n as u32 + 1);
                    let rowid = rows::insert(tx, mailbox, uid, ModSeq(1), &row)?;
                    let text = SearchText {
                        subject: subject.to_owned(),
                        body: body.to_owned(),
                        ..SearchText::default()
                    };
                    rows::insert_search(tx, rowid, &text)?;
                }
                Ok(())
            })
            .unwrap();
        (tmp, account, mailbox)
    }

    #[test]
    fn subject_matches_a_substring_in_any_case() {
        let (_tmp, account, inbox) =
            account_with([("Quarterly REPORT", "x"), ("lunch", "report attached")]);
        let hits = search_text(&account, inbox, SearchField::Subject, "port").unwrap();
        assert_eq!(hits, vec![Uid(1)]);
    }

    #[test]
    fn text_looks_in_every_field_and_short_needles_work() {
        let (_tmp, account, inbox) =
            account_with([("Quarterly REPORT", "x"), ("lunch", "report attached")]);
        let hits = search_text(&account, inbox, SearchField::Text, "report").unwrap();
        assert_eq!(hits, vec![Uid(1), Uid(2)]);
        let short = search_text(&account, inbox, SearchField::Body, "at").unwrap();
        assert_eq!(short, vec![Uid(2)]);
    }

    #[test]
    fn like_wildcards_in_the_needle_are_literal() {
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
