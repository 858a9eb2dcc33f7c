//! One token model in SQLite: per-token spam and ham counts, the totals,
//! and the digest and label of every message trained, so a message is
//! counted once and moves when it changes sides.
//!
//! Blocking: call it on the blocking pool. It knows nothing of messages
//! beyond their digest and token set.

use rusqlite::{Connection, OptionalExtension, params};

use super::fisher::{TokenCounts, Totals};
use super::{ClassifierError, Label, Trained};

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY,
    spam INTEGER NOT NULL,
    ham INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS trained (
    digest BLOB PRIMARY KEY,
    label INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS totals (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    spam INTEGER NOT NULL,
    ham INTEGER NOT NULL
);
INSERT OR IGNORE INTO totals (id, spam, ham) VALUES (1, 0, 0);
";

/// Above rusqlite's default of 16, so hot statements do not evict each other.
const STATEMENT_CACHE_CAPACITY: usize = 64;

/// An open model database.
pub(super) struct Model {
    connection: Connection,
}

fn label_code(label: Label) -> i64 {
    match label {
        Label::Spam => 1,
        Label::Ham => 0,
    }
}

impl Model {
    pub fn open(path: &std::path::Path) -> Result<Self, ClassifierError> {
        let connection = Connection::open(path)?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
        connection.execute_batch(SCHEMA)?;
        Ok(Self { connection })
    }

    pub fn totals(&self) -> Result<Totals, ClassifierError> {
        Ok(self
            .connection
            .prepare_cached("SELECT spam, ham FROM totals WHERE id = 1")?
            .query_row([], |row| {
                Ok(Totals {
                    spam: row.get::<_, i64>(0)?.max(0) as u64,
                    ham: row.get::<_, i64>(1)?.max(0) as u64,
                })
            })?)
    }

    pub fn counts<'t>(
        &self,
        tokens: impl Iterator<Item = &'t str>,
    ) -> Result<Vec<TokenCounts>, ClassifierError> {
        let mut select = self
            .connection
            .prepare_cached("SELECT spam, ham FROM tokens WHERE token = ?1")?;
        let mut out = Vec::new();
        for token in tokens {
            let counts = select
                .query_row([token], |row| {
                    Ok(TokenCounts {
                        spam: row.get::<_, i64>(0)?.max(0) as u64,
                        ham: row.get::<_, i64>(1)?.max(0) as u64,
                    })
                })
                .optional()?
                .unwrap_or_default();
            out.push(counts);
        }
        Ok(out)
    }

    /// Records `digest` as `label`, counting `tokens` on that side; a
    /// digest already on the other side is taken off it first.
    pub fn train<'t>(
        &mut self,
        digest: &[u8],
        tokens: impl Iterator<Item = &'t str>,
        label: Label,
    ) -> Result<Trained, ClassifierError> {
        let transaction = self.connection.transaction()?;
        let previous: Option<i64> = transaction
            .prepare_cached("SELECT label FROM trained WHERE digest = ?1")?
            .query_row([digest], |row| row.get(0))
            .optional()?;
        let code = label_code(label);
        let outcome = match previous {
            Some(old) if old == code => return Ok(Trained::Already),
            Some(_) => Trained::Moved,
            None => Trained::Learnt,
        };
        let (spam, ham) = match (label, outcome) {
            (Label::Spam, Trained::Moved) => (1, -1),
            (Label::Ham, Trained::Moved) => (-1, 1),
            (Label::Spam, _) => (1, 0),
            (Label::Ham, _) => (0, 1),
        };
        {
            let mut upsert = transaction.prepare_cached(
                "INSERT INTO tokens (token, spam, ham) VALUES (?1, max(?2, 0), max(?3, 0))
                 ON CONFLICT (token) DO UPDATE
                 SET spam = max(spam + ?2, 0), ham = max(ham + ?3, 0)",
            )?;
            for token in tokens {
                upsert.execute(params![token, spam, ham])?;
            }
        }
        transaction
            .prepare_cached(
                "UPDATE totals SET spam = max(spam + ?1, 0), ham = max(ham + ?2, 0) WHERE id = 1",
            )?
            .execute(params![spam, ham])?;
        transaction
            .prepare_cached(
                "INSERT INTO trained (digest, label) VALUES (?1, ?2)
             ON CONFLICT (digest) DO UPDATE SET label = ?2",
            )?
            .execute(params![digest, code])?;
        transaction.commit()?;
        Ok(outcome)
    }

    /// The label a digest was trained as, if any.
    pub fn label_of(&self, digest: &[u8]) -> Result<Option<Label>, ClassifierError> {
        let code: Option<i64> = self
            .connection
            .prepare_cached("SELECT label FROM trained WHERE digest = ?1")?
            .query_row([digest], |row| row.get(0))
            .optional()?;
        Ok(code.map(|c| if c == 1 { Label::Spam } else { Label::Ham }))
    }
}
