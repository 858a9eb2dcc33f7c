//! The per-account SQLite index: schema, connection settings, and the
//! distinction between "cannot open" and "corrupt". Knows nothing of files.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::store::AccountId;
use crate::store::error::StoreError;

// The search table uses the trigram tokenizer because IMAP SEARCH matches
// case-insensitive substrings (RFC 9051 §6.4.4), which word tokens cannot.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS account_state (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    version INTEGER NOT NULL,
    last_uid_validity INTEGER NOT NULL
);
INSERT OR IGNORE INTO account_state (id, version, last_uid_validity) VALUES (0, 0, 0);
CREATE TABLE IF NOT EXISTS mailboxes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    special_use TEXT,
    protected INTEGER NOT NULL DEFAULT 0,
    uid_validity INTEGER NOT NULL,
    uid_next INTEGER NOT NULL,
    highest_modseq INTEGER NOT NULL,
    recent_uid INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS subscriptions (name TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    mailbox_id INTEGER NOT NULL,
    uid INTEGER NOT NULL,
    size INTEGER NOT NULL,
    internal_date INTEGER NOT NULL,
    flags INTEGER NOT NULL,
    keywords TEXT NOT NULL,
    modseq INTEGER NOT NULL,
    metadata TEXT NOT NULL,
    UNIQUE (mailbox_id, uid)
);
CREATE INDEX IF NOT EXISTS messages_modseq ON messages (mailbox_id, modseq);
CREATE TABLE IF NOT EXISTS expunged (
    mailbox_id INTEGER NOT NULL,
    uid INTEGER NOT NULL,
    modseq INTEGER NOT NULL,
    PRIMARY KEY (mailbox_id, uid)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS deliveries (
    delivery_id TEXT PRIMARY KEY,
    uid INTEGER NOT NULL,
    stored_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS deleted_mailboxes (id INTEGER PRIMARY KEY);
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5 (
    subject, from_addr, to_addr, cc_addr, bcc_addr, body,
    tokenize = 'trigram'
);
";

/// How long a writer waits for another process (the CLI, the daemon).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Above rusqlite's default of 16, so hot statements do not evict each other.
const STATEMENT_CACHE_CAPACITY: usize = 64;

/// Opens an existing index; a missing or unreadable one is `IndexCorrupt`.
pub fn open_existing(path: &Path, account: AccountId) -> Result<Connection, StoreError> {
    if !path.is_file() {
        return Err(StoreError::IndexCorrupt(account));
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(|e| classify(e, account))?;
    configure(&conn).map_err(|e| classify(e, account))?;
    // Reading the schema touches the header and the first pages: enough to
    // tell a damaged file from a healthy one without a full integrity scan.
    conn.query_row("SELECT count(*) FROM mailboxes", [], |_| Ok(()))
        .map_err(|e| classify(e, account))?;
    // Idempotent: adds tables an index written by an older version lacks.
    conn.execute_batch(SCHEMA)
        .map_err(|e| classify(e, account))?;
    add_recent_watermark(&conn).map_err(|e| classify(e, account))?;
    Ok(conn)
}

/// Creates an index with the schema (or opens one that already has it).
pub fn create(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    configure(&conn)?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}

/// Indexes written before `\Recent` existed get the column. Their messages
/// have been seen by sessions already, so none of them becomes recent.
fn add_recent_watermark(conn: &Connection) -> rusqlite::Result<()> {
    let present: bool = conn.query_row(
        "SELECT count(*) FROM pragma_table_info('mailboxes') WHERE name = 'recent_uid'",
        [],
        |r| r.get(0),
    )?;
    if !present {
        conn.execute_batch(
            "ALTER TABLE mailboxes ADD COLUMN recent_uid INTEGER NOT NULL DEFAULT 1;
             UPDATE mailboxes SET recent_uid = uid_next;",
        )?;
    }
    Ok(())
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
    // WAL lets readers run beside the single writer; FULL makes a commit
    // durable before it returns (invariant 1).
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(())
}

/// Maps SQLite's "this is not a usable database" to the typed error.
pub fn classify(err: rusqlite::Error, account: AccountId) -> StoreError {
    if StoreError::is_corruption(&err) {
        StoreError::IndexCorrupt(account)
    } else {
        StoreError::Index(err)
    }
}
