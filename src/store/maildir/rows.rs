//! Reading and writing message rows (and their full-text rows) in the
//! index. Shared by append, copy, move and recovery; touches no files.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::message::{MessageMetadata, SearchText};
use crate::store::error::StoreError;
use crate::store::types::{Flags, InternalDate, Keyword, MailboxId, MessageSummary, ModSeq, Uid};

/// A message row as stored.
#[derive(Debug, Clone)]
pub struct MessageRow {
    pub id: i64,
    pub summary: MessageSummary,
    pub metadata: String,
}

/// The data of a message that is about to get a row.
pub struct NewRow<'a> {
    pub size: u64,
    pub internal_date: InternalDate,
    pub flags: &'a Flags,
    pub metadata: &'a str,
}

pub fn keywords_to_text(flags: &Flags) -> String {
    flags
        .keywords()
        .iter()
        .map(Keyword::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn flags_from_columns(system: i64, keywords: &str) -> Flags {
    let keywords = keywords
        .split(' ')
        .filter_map(|k| Keyword::new(k).ok())
        .collect();
    Flags::from_parts((system & 0x1f) as u8, keywords)
}

const COLUMNS: &str = "id, uid, flags, keywords, modseq, size, internal_date, metadata";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MessageRow> {
    Ok(MessageRow {
        id: r.get(0)?,
        summary: MessageSummary {
            uid: Uid(r.get(1)?),
            flags: flags_from_columns(r.get(2)?, &r.get::<_, String>(3)?),
            modseq: ModSeq(r.get::<_, i64>(4)?.max(0) as u64),
            size: r.get::<_, i64>(5)?.max(0) as u64,
            internal_date: InternalDate(r.get(6)?),
        },
        metadata: r.get(7)?,
    })
}

pub fn get(
    conn: &Connection,
    mailbox: MailboxId,
    uid: Uid,
) -> Result<Option<MessageRow>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM messages WHERE mailbox_id = ?1 AND uid = ?2"
        ))?
        .query_row(params![mailbox.0, uid.0], from_row)
        .optional()?)
}

/// Every row of a mailbox, by UID.
pub fn all(conn: &Connection, mailbox: MailboxId) -> Result<Vec<MessageRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM messages WHERE mailbox_id = ?1 ORDER BY uid"
    ))?;
    let rows = stmt.query_map([mailbox.0], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Rows changed after `since`, by UID.
pub fn changed_since(
    conn: &Connection,
    mailbox: MailboxId,
    since: ModSeq,
) -> Result<Vec<MessageRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM messages WHERE mailbox_id = ?1 AND modseq > ?2 ORDER BY uid"
    ))?;
    let rows = stmt.query_map(params![mailbox.0, since.0 as i64], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn insert(
    tx: &Transaction<'_>,
    mailbox: MailboxId,
    uid: Uid,
    modseq: ModSeq,
    row: &NewRow<'_>,
) -> Result<i64, StoreError> {
    tx.prepare_cached(
        "INSERT INTO messages (mailbox_id, uid, size, internal_date, flags, keywords, modseq, metadata)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        mailbox.0,
        uid.0,
        row.size as i64,
        row.internal_date.0,
        row.flags.system_bits(),
        keywords_to_text(row.flags),
        modseq.0 as i64,
        row.metadata
    ])?;
    Ok(tx.last_insert_rowid())
}

pub fn insert_search(tx: &Transaction<'_>, id: i64, text: &SearchText) -> Result<(), StoreError> {
    // A row left behind by a damaged index must not block the new one.
    tx.prepare_cached("DELETE FROM search WHERE rowid = ?1")?
        .execute([id])?;
    tx.prepare_cached(
        "INSERT INTO search (rowid, subject, from_addr, to_addr, cc_addr, bcc_addr, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        id,
        text.subject,
        text.from,
        text.to,
        text.cc,
        text.bcc,
        text.body
    ])?;
    Ok(())
}

pub fn copy_search(tx: &Transaction<'_>, from: i64, to: i64) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM search WHERE rowid = ?1")?
        .execute([to])?;
    tx.prepare_cached(
        "INSERT INTO search (rowid, subject, from_addr, to_addr, cc_addr, bcc_addr, body)
         SELECT ?2, subject, from_addr, to_addr, cc_addr, bcc_addr, body FROM search WHERE rowid = ?1",
    )?
    .execute(params![from, to])?;
    Ok(())
}

/// Removes a message row and records its UID as expunged at `modseq`
/// (RFC 7162 §3.2.10: VANISHED needs the expunged UIDs).
pub fn expunge(
    tx: &Transaction<'_>,
    mailbox: MailboxId,
    id: i64,
    uid: Uid,
    modseq: ModSeq,
) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM search WHERE rowid = ?1")?
        .execute([id])?;
    tx.prepare_cached("DELETE FROM messages WHERE id = ?1")?
        .execute([id])?;
    tx.prepare_cached(
        "INSERT OR REPLACE INTO expunged (mailbox_id, uid, modseq) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![mailbox.0, uid.0, modseq.0 as i64])?;
    Ok(())
}

pub fn set_flags(
    tx: &Transaction<'_>,
    id: i64,
    flags: &Flags,
    modseq: ModSeq,
) -> Result<(), StoreError> {
    tx.prepare_cached("UPDATE messages SET flags = ?2, keywords = ?3, modseq = ?4 WHERE id = ?1")?
        .execute(params![
            id,
            flags.system_bits(),
            keywords_to_text(flags),
            modseq.0 as i64
        ])?;
    Ok(())
}

pub fn metadata(json: &str) -> Result<MessageMetadata, StoreError> {
    Ok(serde_json::from_str(json)?)
}
