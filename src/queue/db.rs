//! The queue database, `<data_dir>/queue/queue.db`: one row per spooled
//! message (its envelope) and one per recipient with its delivery state.
//!
//! It owns the schema and every query on it, blocking; callers run it on the
//! blocking pool. It knows nothing of message files: the spool names them.
//! The daemon and `postamt queue` open it together: WAL lets readers run
//! beside the writer, the busy timeout makes one writer wait for the other.

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::envelope::{Envelope, QueueId};

/// The schema this code writes; a newer file is refused, not damaged.
const SCHEMA_VERSION: i64 = 1;
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Above rusqlite's default of 16, so hot statements do not evict each other.
const STATEMENT_CACHE_CAPACITY: usize = 64;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS ids (id INTEGER PRIMARY KEY AUTOINCREMENT);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    envelope TEXT NOT NULL,
    size INTEGER NOT NULL,
    arrived_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS recipients (
    message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    address TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    status TEXT,
    diagnostic TEXT,
    remote_mta TEXT,
    reported INTEGER NOT NULL DEFAULT 0,
    delay_reported INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (message, idx)
);
CREATE INDEX IF NOT EXISTS recipients_due ON recipients (state, next_attempt_ms);
CREATE TABLE IF NOT EXISTS origins (
    key TEXT PRIMARY KEY,
    queued_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS origins_age ON origins (queued_ms);
";

/// What went wrong with the queue's database or files.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("queue database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("queue I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("stored envelope unreadable: {0}")]
    Envelope(#[from] serde_json::Error),
    #[error(
        "queue database schema version {found} is newer than this postamt understands ({supported})"
    )]
    SchemaTooNew { found: i64, supported: i64 },
    #[error("queue task failed")]
    TaskFailed,
}

/// Where a recipient stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecipientState {
    Pending,
    Delivered,
    Failed,
}

impl RecipientState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "delivered" => Self::Delivered,
            "failed" => Self::Failed,
            _ => Self::Pending,
        }
    }
}

/// The last attempt's answer for one recipient, as a DSN reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastOutcome {
    pub status: String,
    pub diagnostic: String,
    pub remote_mta: Option<String>,
}

/// One recipient of a queued message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientRow {
    /// Its position in the envelope's recipients.
    pub index: u32,
    pub address: String,
    pub state: RecipientState,
    pub attempts: u32,
    /// Milliseconds since the Unix epoch.
    pub next_attempt_ms: i64,
    pub last: Option<LastOutcome>,
    /// A DSN about this recipient's final state has been queued (or none
    /// was wanted).
    pub reported: bool,
    /// A "delayed" DSN about this recipient has been queued.
    pub delay_reported: bool,
}

/// Which report about a recipient a DSN is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// About its final state: delivered or failed.
    Final,
    /// That it is still being retried (RFC 3464 `Action: delayed`).
    Delay,
}

/// A recipient a queued DSN reports on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportMark {
    pub message: QueueId,
    pub index: u32,
    pub kind: ReportKind,
}

impl ReportMark {
    fn column(self) -> &'static str {
        match self.kind {
            ReportKind::Final => "reported",
            ReportKind::Delay => "delay_reported",
        }
    }
}

/// A queued message with its recipients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMessage {
    pub id: QueueId,
    pub envelope: Envelope,
    pub size: u64,
    pub arrived_ms: i64,
    pub recipients: Vec<RecipientRow>,
}

/// The new state of a recipient after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecipientUpdate {
    Delivered(LastOutcome),
    Failed(LastOutcome),
    Retry { last: LastOutcome, at_ms: i64 },
}

/// What caused a message we queue ourselves: one delivery's forward or
/// automatic reply, named so that retrying the delivery finds it queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin(pub String);

/// How many ids one reservation takes.
const ID_BLOCK: i64 = 64;

/// Reserved ids not handed out yet: `next..end`.
#[derive(Debug, Default)]
struct IdBlock {
    next: i64,
    end: i64,
}

/// The queue database over one SQLite connection.
pub struct QueueDb {
    connection: Mutex<Connection>,
    ids: Mutex<IdBlock>,
}

impl QueueDb {
    /// Opens (creating, mode 0600) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, QueueError> {
        if let Err(error) = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            && error.kind() != std::io::ErrorKind::AlreadyExists
        {
            return Err(error.into());
        }
        let mut connection = Connection::open(path)?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
        connection.set_transaction_behavior(TransactionBehavior::Immediate);
        connection.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        // FULL: a committed queue row is the promise behind SMTP's 250.
        connection.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
        let found: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(QueueError::SchemaTooNew {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        connection.execute_batch(SCHEMA)?;
        connection.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))?;
        Ok(Self {
            connection: Mutex::new(connection),
            ids: Mutex::new(IdBlock::default()),
        })
    }

    /// A poisoned lock is safe to take over: SQLite rolls back on drop.
    fn connection(&self) -> MutexGuard<'_, Connection> {
        self.connection
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A fresh id. Ids come from blocks reserved through AUTOINCREMENT,
    /// which never hands out a number twice, also after the row is gone
    /// and across restarts (a restart skips the rest of a block). Reserving
    /// [`ID_BLOCK`] at a time spares most messages a second commit.
    pub fn allocate_id(&self) -> Result<QueueId, QueueError> {
        let mut block = self
            .ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if block.next >= block.end {
            let mut connection = self.connection();
            let transaction = connection.transaction()?;
            let last: i64 = transaction
                .prepare_cached(
                    "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'ids'), 0)",
                )?
                .query_row([], |row| row.get(0))?;
            let end = last.saturating_add(ID_BLOCK);
            transaction
                .prepare_cached("INSERT INTO ids (id) VALUES (?1)")?
                .execute([end])?;
            transaction
                .prepare_cached("DELETE FROM ids WHERE id = ?1")?
                .execute([end])?;
            transaction.commit()?;
            *block = IdBlock {
                next: last.saturating_add(1),
                end: end.saturating_add(1),
            };
        }
        let id = block.next;
        block.next += 1;
        Ok(queue_id(id))
    }

    /// Queues a message for every recipient of `envelope`. In the same
    /// transaction it marks the recipients this message is a DSN about, so
    /// a report is queued exactly once, and records its `origin`, so a
    /// message one delivery sends (a forward, an automatic reply) is queued
    /// exactly once however often that delivery is retried: a second insert
    /// with the same origin fails and leaves nothing.
    pub fn insert(
        &self,
        id: QueueId,
        envelope: &Envelope,
        size: u64,
        now_ms: i64,
        reports_on: &[ReportMark],
        origin: Option<&Origin>,
    ) -> Result<(), QueueError> {
        let json = serde_json::to_string(envelope)?;
        let mut connection = self.connection();
        let transaction = connection.transaction()?;
        if let Some(origin) = origin {
            transaction
                .prepare_cached("INSERT INTO origins (key, queued_ms) VALUES (?1, ?2)")?
                .execute(params![origin.0, now_ms])?;
        }
        transaction
            .prepare_cached(
                "INSERT INTO messages (id, envelope, size, arrived_ms) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                sql_id(id),
                json,
                i64::try_from(size).unwrap_or(i64::MAX),
                now_ms
            ])?;
        let mut insert_recipient = transaction.prepare_cached(
            "INSERT INTO recipients (message, idx, address, state, next_attempt_ms)
                 VALUES (?1, ?2, ?3, 'pending', ?4)",
        )?;
        for (index, recipient) in envelope.recipients.iter().enumerate() {
            insert_recipient.execute(params![
                sql_id(id),
                i64::try_from(index).unwrap_or(i64::MAX),
                recipient.address,
                now_ms
            ])?;
        }
        drop(insert_recipient);
        for &mark in reports_on {
            // The column comes from a fixed pair: at most two cached statements.
            transaction
                .prepare_cached(&format!(
                    "UPDATE recipients SET {} = 1 WHERE message = ?1 AND idx = ?2",
                    mark.column()
                ))?
                .execute(params![sql_id(mark.message), mark.index])?;
        }
        transaction.commit()?;
        Ok(())
    }

    /// Messages with work to do at `now_ms`, oldest first: a pending
    /// recipient due, or a final one not yet reported (its DSN could not be
    /// queued last time).
    pub fn due(&self, now_ms: i64, limit: usize) -> Result<Vec<QueueId>, QueueError> {
        let connection = self.connection();
        let mut statement = connection.prepare_cached(
            "SELECT DISTINCT message FROM recipients
             WHERE (state = 'pending' AND next_attempt_ms <= ?1)
                OR (state != 'pending' AND reported = 0)
             ORDER BY message LIMIT ?2",
        )?;
        let ids = statement
            .query_map(
                params![now_ms, i64::try_from(limit).unwrap_or(i64::MAX)],
                |row| row.get::<_, i64>(0),
            )?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ids.into_iter().map(queue_id).collect())
    }

    /// When the next pending recipient is due, if any.
    pub fn next_due_ms(&self) -> Result<Option<i64>, QueueError> {
        let connection = self.connection();
        Ok(connection
            .prepare_cached("SELECT MIN(next_attempt_ms) FROM recipients WHERE state = 'pending'")?
            .query_row([], |row| row.get(0))?)
    }

    /// Every queued message's id.
    pub fn ids(&self) -> Result<Vec<QueueId>, QueueError> {
        let connection = self.connection();
        let mut statement = connection.prepare("SELECT id FROM messages ORDER BY id")?;
        let ids = statement
            .query_map([], |row| row.get::<_, i64>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ids.into_iter().map(queue_id).collect())
    }

    /// One message with its recipients, `None` once it is gone.
    pub fn load(&self, id: QueueId) -> Result<Option<QueuedMessage>, QueueError> {
        let connection = self.connection();
        let row = connection
            .prepare_cached("SELECT envelope, size, arrived_ms FROM messages WHERE id = ?1")?
            .query_row([sql_id(id)], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, i64>(2)?,
                ))
            })
            .optional()?;
        let Some((json, size, arrived_ms)) = row else {
            return Ok(None);
        };
        let mut statement = connection.prepare_cached(
            "SELECT idx, address, state, attempts, next_attempt_ms, status, diagnostic,
                    remote_mta, reported, delay_reported
             FROM recipients WHERE message = ?1 ORDER BY idx",
        )?;
        let recipients = statement
            .query_map([sql_id(id)], |row| {
                let status: Option<String> = row.get(5)?;
                let diagnostic: Option<String> = row.get(6)?;
                let remote_mta: Option<String> = row.get(7)?;
                Ok(RecipientRow {
                    index: row.get(0)?,
                    address: row.get(1)?,
                    state: RecipientState::parse(&row.get::<_, String>(2)?),
                    attempts: row.get(3)?,
                    next_attempt_ms: row.get(4)?,
                    last: status.map(|status| LastOutcome {
                        status,
                        diagnostic: diagnostic.unwrap_or_default(),
                        remote_mta,
                    }),
                    reported: row.get(8)?,
                    delay_reported: row.get(9)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(QueuedMessage {
            id,
            envelope: serde_json::from_str(&json)?,
            size: u64::try_from(size).unwrap_or_default(),
            arrived_ms,
            recipients,
        }))
    }

    /// Every queued message, oldest first, for `postamt queue list`.
    pub fn list(&self) -> Result<Vec<QueuedMessage>, QueueError> {
        let mut messages = Vec::new();
        for id in self.ids()? {
            if let Some(message) = self.load(id)? {
                messages.push(message);
            }
        }
        Ok(messages)
    }

    /// Records an attempt's outcome for one pending recipient. A recipient
    /// already final (or deleted meanwhile) is left as it is.
    pub fn record(
        &self,
        id: QueueId,
        index: u32,
        update: &RecipientUpdate,
    ) -> Result<(), QueueError> {
        let (state, last, at_ms) = match update {
            RecipientUpdate::Delivered(last) => (RecipientState::Delivered, last, None),
            RecipientUpdate::Failed(last) => (RecipientState::Failed, last, None),
            RecipientUpdate::Retry { last, at_ms } => (RecipientState::Pending, last, Some(*at_ms)),
        };
        self.connection()
            .prepare_cached(
                "UPDATE recipients SET state = ?3, attempts = attempts + 1,
                 next_attempt_ms = COALESCE(?4, next_attempt_ms),
                 status = ?5, diagnostic = ?6, remote_mta = ?7
             WHERE message = ?1 AND idx = ?2 AND state = 'pending'",
            )?
            .execute(params![
                sql_id(id),
                index,
                state.as_str(),
                at_ms,
                last.status,
                last.diagnostic,
                last.remote_mta
            ])?;
        Ok(())
    }

    /// Marks recipients whose final state needs no DSN as reported.
    pub fn mark_reported(&self, id: QueueId, indexes: &[u32]) -> Result<(), QueueError> {
        let mut connection = self.connection();
        let transaction = connection.transaction()?;
        let mut mark = transaction
            .prepare_cached("UPDATE recipients SET reported = 1 WHERE message = ?1 AND idx = ?2")?;
        for index in indexes {
            mark.execute(params![sql_id(id), index])?;
        }
        drop(mark);
        transaction.commit()?;
        Ok(())
    }

    /// Makes every pending recipient due now; answers how many.
    pub fn flush(&self) -> Result<usize, QueueError> {
        Ok(self.connection().execute(
            "UPDATE recipients SET next_attempt_ms = 0 WHERE state = 'pending'",
            [],
        )?)
    }

    /// Removes the rows of messages whose recipients are all final and
    /// reported: a crash came between the last report and the removal.
    /// Answers how many went.
    pub fn remove_finished(&self) -> Result<usize, QueueError> {
        Ok(self.connection().execute(
            "DELETE FROM messages WHERE id NOT IN
                 (SELECT message FROM recipients WHERE state = 'pending' OR reported = 0)",
            [],
        )?)
    }

    /// Whether a message with this origin was queued (and not forgotten).
    pub fn queued_from(&self, origin: &Origin) -> Result<bool, QueueError> {
        Ok(self
            .connection()
            .prepare_cached("SELECT 1 FROM origins WHERE key = ?1")?
            .query_row([&origin.0], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Forgets the origins recorded before `before_ms`: no delivery that
    /// old is retried any more.
    pub fn forget_origins(&self, before_ms: i64) -> Result<usize, QueueError> {
        Ok(self
            .connection()
            .prepare_cached("DELETE FROM origins WHERE queued_ms < ?1")?
            .execute([before_ms])?)
    }

    /// Removes a message and its recipients; answers whether it existed.
    pub fn remove(&self, id: QueueId) -> Result<bool, QueueError> {
        Ok(self
            .connection()
            .prepare_cached("DELETE FROM messages WHERE id = ?1")?
            .execute([sql_id(id)])?
            > 0)
    }
}

/// SQLite integers are signed; ids come from AUTOINCREMENT and fit.
fn sql_id(id: QueueId) -> i64 {
    i64::try_from(id.0).unwrap_or(i64::MAX)
}

fn queue_id(id: i64) -> QueueId {
    QueueId(u64::try_from(id).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_increase_across_blocks_and_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.db");
        let db = QueueDb::open(&path).unwrap();
        let first: Vec<QueueId> = (0..ID_BLOCK + 5)
            .map(|_| db.allocate_id().unwrap())
            .collect();
        assert!(first.windows(2).all(|pair| pair[0] < pair[1]));
        let last = first.last().copied().unwrap();
        drop(db);

        let db = QueueDb::open(&path).unwrap();
        assert!(db.allocate_id().unwrap() > last);
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.db");
        drop(QueueDb::open(&path).unwrap());
        Connection::open(&path)
            .unwrap()
            .execute_batch("PRAGMA user_version = 99")
            .unwrap();
        assert!(matches!(
            QueueDb::open(&path),
            Err(QueueError::SchemaTooNew { found: 99, .. })
        ));
    }
}
