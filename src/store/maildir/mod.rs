//! The embedded backend: one maildir-like directory per mailbox, named by
//! mailbox id, and one SQLite index per account (DESIGN.md, Storage).
//!
//! Layout under the data dir: `users/<account>/index.db`,
//! `users/<account>/mailboxes.json`, `users/<account>/tmp/` (staging) and
//! `users/<account>/mail/<mailbox id>/cur/<uid>`.
//! This module owns the account handles and the write-transaction
//! discipline; it must never be called from an async worker thread.

mod api;
mod changes;
mod deliveries;
mod files;
mod mailboxes;
mod manifest;
mod messages;
mod recover;
mod rows;
mod schema;
mod search;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};

use self::files::AccountDir;
use super::AccountId;
use super::error::StoreError;
use super::types::{MailboxId, MailboxName, ModSeq, SpecialUse, Uid, UidValidity};

/// The maildir + SQLite backend over one data dir.
#[derive(Debug)]
pub struct MaildirBackend {
    data_dir: PathBuf,
    accounts: Mutex<HashMap<AccountId, Arc<Account>>>,
    /// Held while an account is opened and reconciled, so sessions of one
    /// account that arrive together wait for one check instead of each
    /// running its own beside the other's appends.
    opening: Mutex<()>,
}

/// One open account: its directory and two index connections. One writer
/// per account in this process (other processes wait on SQLite's lock);
/// reads go through their own connection, so with WAL they never wait for
/// an append's fsyncs.
#[derive(Debug)]
pub(crate) struct Account {
    id: AccountId,
    dir: AccountDir,
    conn: Mutex<Connection>,
    reader: Mutex<Connection>,
    appends: messages::AppendQueue,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere must not make the account unusable: the index itself
    // is consistent because SQLite rolled back the transaction.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl MaildirBackend {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            accounts: Mutex::new(HashMap::new()),
            opening: Mutex::new(()),
        }
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    fn dir(&self, account: AccountId) -> AccountDir {
        AccountDir::new(&self.data_dir, account)
    }

    /// The open account, opening and checking it on first use in this
    /// process (invariant 2: files without rows, rows without files).
    fn open(&self, account: AccountId) -> Result<Arc<Account>, StoreError> {
        if let Some(open) = lock(&self.accounts).get(&account) {
            return Ok(open.clone());
        }
        let _opening = lock(&self.opening);
        if let Some(open) = lock(&self.accounts).get(&account) {
            return Ok(open.clone());
        }
        let dir = self.dir(account);
        if !dir.root().is_dir() {
            return Err(StoreError::NoAccount(account));
        }
        let conn = schema::open_existing(&dir.index(), account)?;
        let opened = Arc::new(Account::new(account, dir, conn)?);
        recover::reconcile(&opened).map_err(|e| opened.classify(e))?;
        Ok(lock(&self.accounts)
            .entry(account)
            .or_insert(opened)
            .clone())
    }

    /// Runs `f` on the open account; a corrupt index closes it so that a
    /// later reindex starts afresh.
    fn with<T>(
        &self,
        account: AccountId,
        f: impl FnOnce(&Account) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let open = self.open(account)?;
        let result = f(&open).map_err(|e| open.classify(e));
        if matches!(result, Err(StoreError::IndexCorrupt(_))) {
            self.forget(account);
        }
        result
    }

    fn forget(&self, account: AccountId) {
        lock(&self.accounts).remove(&account);
    }
}

impl Account {
    /// Wraps a writer connection and opens the reader beside it.
    fn new(id: AccountId, dir: AccountDir, writer: Connection) -> Result<Self, StoreError> {
        let reader = schema::open_existing(&dir.index(), id)?;
        Ok(Self {
            id,
            dir,
            conn: Mutex::new(writer),
            reader: Mutex::new(reader),
            appends: messages::AppendQueue::default(),
        })
    }

    fn classify(&self, err: StoreError) -> StoreError {
        match err {
            StoreError::Index(e) => schema::classify(e, self.id),
            other => other,
        }
    }

    /// A write transaction that takes the account's write lock at once
    /// (BEGIN IMMEDIATE), so UID allocation never races another writer.
    fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = lock(&self.conn);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.prepare_cached("UPDATE account_state SET version = version + 1")?
            .execute([])?;
        tx.commit()?;
        Ok(out)
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        f(&lock(&self.reader))
    }
}

/// A mailbox's index row.
#[derive(Debug, Clone)]
struct MailboxRow {
    id: MailboxId,
    name: String,
    special_use: Option<SpecialUse>,
    protected: bool,
    uid_validity: UidValidity,
    uid_next: Uid,
    highest_modseq: ModSeq,
    /// Messages from this UID on are `\Recent` for the next IMAP4rev1
    /// session to claim them (RFC 3501 §2.3.2).
    recent_uid: Uid,
}

const MAILBOX_COLUMNS: &str =
    "id, name, special_use, protected, uid_validity, uid_next, highest_modseq, recent_uid";

impl MailboxRow {
    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: MailboxId(r.get(0)?),
            name: r.get(1)?,
            special_use: r
                .get::<_, Option<String>>(2)?
                .as_deref()
                .and_then(SpecialUse::from_imap),
            protected: r.get(3)?,
            uid_validity: UidValidity(r.get(4)?),
            uid_next: Uid(r.get(5)?),
            highest_modseq: ModSeq(r.get::<_, i64>(6)?.max(0) as u64),
            recent_uid: Uid(r.get(7)?),
        })
    }

    fn by_name(conn: &Connection, name: &MailboxName) -> Result<Self, StoreError> {
        conn.prepare_cached(&format!(
            "SELECT {MAILBOX_COLUMNS} FROM mailboxes WHERE name = ?1"
        ))?
        .query_row([name.as_str()], Self::from_row)
        .optional()?
        .ok_or_else(|| StoreError::NoMailbox(name.to_string()))
    }

    fn by_id(conn: &Connection, id: MailboxId) -> Result<Self, StoreError> {
        conn.prepare_cached(&format!(
            "SELECT {MAILBOX_COLUMNS} FROM mailboxes WHERE id = ?1"
        ))?
        .query_row([id.0], Self::from_row)
        .optional()?
        .ok_or_else(|| StoreError::NoMailbox(format!("#{}", id.0)))
    }

    fn all(conn: &Connection) -> Result<Vec<Self>, StoreError> {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {MAILBOX_COLUMNS} FROM mailboxes ORDER BY name"
        ))?;
        let rows = stmt.query_map([], Self::from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Takes the next modseq of this mailbox (RFC 7162 §3.1.1: strictly
    /// increasing) and records it in the index.
    fn next_modseq(&mut self, tx: &Transaction<'_>) -> Result<ModSeq, StoreError> {
        self.highest_modseq = ModSeq(self.highest_modseq.0 + 1);
        tx.prepare_cached("UPDATE mailboxes SET highest_modseq = ?2 WHERE id = ?1")?
            .execute(rusqlite::params![self.id.0, self.highest_modseq.0 as i64])?;
        Ok(self.highest_modseq)
    }

    fn save_uid_next(&self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        tx.prepare_cached("UPDATE mailboxes SET uid_next = ?2 WHERE id = ?1")?
            .execute(rusqlite::params![self.id.0, self.uid_next.0])?;
        Ok(())
    }
}

/// A UIDVALIDITY never given before in this account: the current time, or
/// one more than the last if the clock has not moved on (RFC 9051 §2.3.1.1
/// requires a new value when a name is reused).
fn new_uid_validity(tx: &Transaction<'_>) -> Result<UidValidity, StoreError> {
    let last: u32 = tx
        .prepare_cached("SELECT last_uid_validity FROM account_state WHERE id = 0")?
        .query_row([], |r| r.get(0))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX))
        .unwrap_or(1);
    let next = now.max(last.saturating_add(1)).max(1);
    tx.prepare_cached("UPDATE account_state SET last_uid_validity = ?1 WHERE id = 0")?
        .execute([next])?;
    Ok(UidValidity(next))
}
