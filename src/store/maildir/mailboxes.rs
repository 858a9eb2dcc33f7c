//! Accounts and the mailbox hierarchy: create, list, rename, delete and
//! subscriptions (RFC 9051 §6.3, RFC 6154). Mailbox directories are named by
//! id, so a rename touches only the index.

use std::collections::HashMap;

use rusqlite::{Connection, Transaction, params};

use super::files::{self, AccountDir};
use super::{Account, MailboxRow, manifest, new_uid_validity, schema};
use crate::store::AccountId;
use crate::store::error::StoreError;
use crate::store::types::{
    MailboxId, MailboxInfo, MailboxName, MailboxStatus, ModSeq, SpecialUse, Uid, UidValidity,
};

/// The folders every account has; none can be renamed or deleted.
pub const DEFAULT_MAILBOXES: [(&str, Option<SpecialUse>); 6] = [
    ("INBOX", None),
    ("Sent", Some(SpecialUse::Sent)),
    ("Drafts", Some(SpecialUse::Drafts)),
    ("Trash", Some(SpecialUse::Trash)),
    ("Junk", Some(SpecialUse::Junk)),
    ("Templates", None),
];

/// Creates the account's directories and index if missing, then any missing
/// default mailbox. Safe to repeat.
pub fn create_account(dir: &AccountDir, account: AccountId) -> Result<(), StoreError> {
    files::create_dir_durable(&dir.tmp())?;
    files::create_dir_durable(&dir.mail())?;
    let conn = if dir.index().is_file() {
        schema::open_existing(&dir.index(), account)?
    } else {
        schema::create(&dir.index())?
    };
    let handle = Account::new(account, dir.clone(), conn)?;
    ensure_defaults(&handle)
}

/// Inserts whichever default mailbox is missing.
pub fn ensure_defaults(account: &Account) -> Result<(), StoreError> {
    account.write(|tx| {
        for (name, special_use) in DEFAULT_MAILBOXES {
            let name = MailboxName::new(name)?;
            let exists: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM mailboxes WHERE name = ?1)",
                [name.as_str()],
                |r| r.get(0),
            )?;
            if !exists {
                insert_mailbox(tx, &account.dir, &name, special_use, true)?;
                tx.execute(
                    "INSERT OR IGNORE INTO subscriptions (name) VALUES (?1)",
                    [name.as_str()],
                )?;
            }
        }
        Ok(())
    })?;
    manifest::refresh(account);
    Ok(())
}

/// Adds one mailbox row with a fresh UIDVALIDITY and makes its directory.
pub fn insert_mailbox(
    tx: &Transaction<'_>,
    dir: &AccountDir,
    name: &MailboxName,
    special_use: Option<SpecialUse>,
    protected: bool,
) -> Result<MailboxId, StoreError> {
    let uid_validity = new_uid_validity(tx)?;
    tx.prepare_cached(
        // HIGHESTMODSEQ starts at 1: RFC 7162 §7 allows no 0 in SELECT's response code.
        "INSERT INTO mailboxes (name, special_use, protected, uid_validity, uid_next, highest_modseq)
         VALUES (?1, ?2, ?3, ?4, 1, 1)",
    )?
    .execute(params![
        name.as_str(),
        special_use.map(SpecialUse::as_imap),
        protected,
        uid_validity.0
    ])?;
    let id = MailboxId(tx.last_insert_rowid());
    files::create_dir_durable(&dir.messages(id))?;
    Ok(id)
}

/// Per-mailbox counts in one pass over the messages.
fn counts(conn: &rusqlite::Connection) -> Result<HashMap<i64, [u64; 6]>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.mailbox_id, count(*), sum((m.flags & 1) = 0), sum((m.flags & 8) != 0),
                sum(m.size), sum(m.uid >= b.recent_uid), sum(m.size * ((m.flags & 8) != 0))
         FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id GROUP BY m.mailbox_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            [
                r.get::<_, i64>(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ]
            .map(|n| n.max(0) as u64),
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn info(row: MailboxRow, counts: [u64; 6], subscribed: bool) -> Result<MailboxInfo, StoreError> {
    let [messages, unseen, deleted, size, recent, deleted_size] = counts;
    Ok(MailboxInfo {
        id: row.id,
        name: MailboxName::new(&row.name)?,
        special_use: row.special_use,
        subscribed,
        status: MailboxStatus {
            messages,
            unseen,
            deleted,
            size,
            deleted_size,
            uid_validity: row.uid_validity,
            uid_next: row.uid_next,
            highest_modseq: row.highest_modseq,
            recent,
        },
    })
}

fn subscribed_names(conn: &rusqlite::Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT name FROM subscriptions ORDER BY name")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn list(account: &Account) -> Result<Vec<MailboxInfo>, StoreError> {
    account.read(|conn| {
        let counts = counts(conn)?;
        let subscribed = subscribed_names(conn)?;
        MailboxRow::all(conn)?
            .into_iter()
            .map(|row| {
                let c = counts.get(&row.id.0).copied().unwrap_or_default();
                let s = subscribed.contains(&row.name);
                info(row, c, s)
            })
            .collect()
    })
}

pub fn get(account: &Account, name: &MailboxName) -> Result<MailboxInfo, StoreError> {
    account.read(|conn| {
        let row = MailboxRow::by_name(conn, name)?;
        let c = conn
            .prepare_cached(
                "SELECT count(*), coalesce(sum((flags & 1) = 0), 0),
                    coalesce(sum((flags & 8) != 0), 0), coalesce(sum(size), 0),
                    coalesce(sum(uid >= ?2), 0), coalesce(sum(size * ((flags & 8) != 0)), 0)
             FROM messages WHERE mailbox_id = ?1",
            )?
            .query_row(rusqlite::params![row.id.0, row.recent_uid.0], |r| {
                Ok([
                    r.get::<_, i64>(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ]
                .map(|n| n.max(0) as u64))
            })?;
        let subscribed: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM subscriptions WHERE name = ?1)")?
            .query_row([name.as_str()], |r| r.get(0))?;
        info(row, c, subscribed)
    })
}

pub fn exists(conn: &Connection, name: &MailboxName) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM mailboxes WHERE name = ?1)")?
        .query_row([name.as_str()], |r| r.get(0))?)
}

fn create_parents(
    tx: &Transaction<'_>,
    dir: &AccountDir,
    name: &MailboxName,
) -> Result<(), StoreError> {
    for parent in name.ancestors() {
        if !exists(tx, &parent)? {
            insert_mailbox(tx, dir, &parent, None, false)?;
        }
    }
    Ok(())
}

/// CREATE (RFC 9051 §6.3.4) with missing parents, optionally USE (RFC 6154 §3).
pub fn create(
    account: &Account,
    name: &MailboxName,
    special_use: Option<SpecialUse>,
) -> Result<MailboxId, StoreError> {
    let id = account.write(|tx| {
        if exists(tx, name)? {
            return Err(StoreError::MailboxExists(name.to_string()));
        }
        create_parents(tx, &account.dir, name)?;
        insert_mailbox(tx, &account.dir, name, special_use, false)
    })?;
    manifest::refresh(account);
    Ok(id)
}

/// The mailbox named `name` and every mailbox below it.
fn subtree(tx: &Transaction<'_>, name: &MailboxName) -> Result<Vec<MailboxRow>, StoreError> {
    let root = MailboxRow::by_name(tx, name)?;
    let mut rows = vec![root];
    for row in MailboxRow::all(tx)? {
        if MailboxName::new(&row.name).is_ok_and(|n| n.is_below(name)) {
            rows.push(row);
        }
    }
    Ok(rows)
}

/// RENAME (RFC 9051 §6.3.6): the mailbox and all its children in one
/// transaction; subscriptions follow the names.
pub fn rename(account: &Account, from: &MailboxName, to: &MailboxName) -> Result<(), StoreError> {
    account.write(|tx| {
        let rows = subtree(tx, from)?;
        if rows.iter().any(|r| r.protected) {
            return Err(StoreError::Protected(from.to_string()));
        }
        if to == from || to.is_below(from) {
            return Err(StoreError::RenameIntoSelf);
        }
        if exists(tx, to)? {
            return Err(StoreError::MailboxExists(to.to_string()));
        }
        create_parents(tx, &account.dir, to)?;
        for row in rows {
            let old = MailboxName::new(&row.name)?;
            let Some(new) = old.reparent(from, to) else {
                continue;
            };
            if exists(tx, &new)? {
                return Err(StoreError::MailboxExists(new.to_string()));
            }
            tx.prepare_cached("UPDATE mailboxes SET name = ?2 WHERE id = ?1")?
                .execute(params![row.id.0, new.as_str()])?;
            tx.prepare_cached("UPDATE OR REPLACE subscriptions SET name = ?2 WHERE name = ?1")?
                .execute(params![old.as_str(), new.as_str()])?;
        }
        Ok(())
    })?;
    manifest::refresh(account);
    Ok(())
}

/// DELETE of a mailbox with its children and all their messages. The rows
/// go first; the directories are listed as deleted in the same transaction
/// so a crash before their removal cannot bring them back.
pub fn delete(account: &Account, name: &MailboxName) -> Result<(), StoreError> {
    let ids = account.write(|tx| {
        let rows = subtree(tx, name)?;
        if rows.iter().any(|r| r.protected) {
            return Err(StoreError::Protected(name.to_string()));
        }
        for row in &rows {
            delete_rows(tx, row.id)?;
        }
        Ok(rows.into_iter().map(|r| r.id).collect::<Vec<_>>())
    })?;
    manifest::refresh(account);
    for id in ids {
        // Listed in deleted_mailboxes: the next open finishes the job.
        if let Err(error) = remove_mailbox_dir(&account.dir, id) {
            tracing::warn!(account = account.id.0, mailbox = id.0, %error, "mailbox directory not removed");
        }
    }
    Ok(())
}

pub fn delete_rows(tx: &Transaction<'_>, id: MailboxId) -> Result<(), StoreError> {
    tx.prepare_cached(
        "DELETE FROM search WHERE rowid IN (SELECT id FROM messages WHERE mailbox_id = ?1)",
    )?
    .execute([id.0])?;
    tx.prepare_cached("DELETE FROM messages WHERE mailbox_id = ?1")?
        .execute([id.0])?;
    tx.prepare_cached("DELETE FROM expunged WHERE mailbox_id = ?1")?
        .execute([id.0])?;
    tx.prepare_cached("DELETE FROM mailboxes WHERE id = ?1")?
        .execute([id.0])?;
    tx.prepare_cached("INSERT OR IGNORE INTO deleted_mailboxes (id) VALUES (?1)")?
        .execute([id.0])?;
    Ok(())
}

pub fn remove_mailbox_dir(dir: &AccountDir, id: MailboxId) -> Result<(), StoreError> {
    match std::fs::remove_dir_all(dir.mailbox(id)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

/// SUBSCRIBE / UNSUBSCRIBE (RFC 9051 §6.3.7, §6.3.8).
pub fn set_subscribed(
    account: &Account,
    name: &MailboxName,
    subscribed: bool,
) -> Result<(), StoreError> {
    account.write(|tx| {
        let sql = if subscribed {
            "INSERT OR IGNORE INTO subscriptions (name) VALUES (?1)"
        } else {
            "DELETE FROM subscriptions WHERE name = ?1"
        };
        tx.prepare_cached(sql)?.execute([name.as_str()])?;
        Ok(())
    })?;
    manifest::refresh(account);
    Ok(())
}

pub fn subscriptions(account: &Account) -> Result<Vec<MailboxName>, StoreError> {
    account.read(|conn| {
        subscribed_names(conn)?
            .iter()
            .map(|n| Ok(MailboxName::new(n)?))
            .collect()
    })
}

/// Restores a mailbox row as the manifest knew it, with a new UIDVALIDITY
/// because UIDs above the highest surviving file may have been given out.
pub fn restore_mailbox(
    tx: &Transaction<'_>,
    id: MailboxId,
    name: &MailboxName,
    special_use: Option<SpecialUse>,
    protected: bool,
) -> Result<UidValidity, StoreError> {
    let uid_validity = new_uid_validity(tx)?;
    tx.execute(
        "INSERT INTO mailboxes (id, name, special_use, protected, uid_validity, uid_next, highest_modseq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id.0,
            name.as_str(),
            special_use.map(SpecialUse::as_imap),
            protected,
            uid_validity.0,
            Uid(1).0,
            ModSeq(1).0 as i64
        ],
    )?;
    Ok(uid_validity)
}
