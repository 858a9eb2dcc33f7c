//! `<data_dir>/delivery.db`: what the pipeline must remember between
//! deliveries: whom each user's vacation answered and when (RFC 5230
//! §4.2), Trash watermarks (which UIDs were already in Trash at a time, so
//! expiry knows how long a message has been there), and the IDs Sieve's
//! `duplicate` test tracks (RFC 7352). Blocking: callers use the blocking
//! pool.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use crate::queue::QueueId;
use crate::store::AccountId;

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Above rusqlite's default of 16, so hot statements do not evict each other.
const STATEMENT_CACHE_CAPACITY: usize = 64;

/// The state database could not answer.
#[derive(Debug, thiserror::Error)]
#[error("delivery state: {0}")]
pub struct StateError(#[from] rusqlite::Error);

/// The pipeline's own small database.
pub struct DeliveryState {
    connection: Mutex<Connection>,
}

impl std::fmt::Debug for DeliveryState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeliveryState").finish_non_exhaustive()
    }
}

/// A Trash's UID boundary seen at a time: every UID below `uid_next` was in
/// Trash at `at_ms` already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrashMark {
    pub uid_validity: u32,
    pub uid_next: u32,
    pub at_ms: i64,
}

impl DeliveryState {
    /// Opens (creating) `delivery.db` under `data_dir`.
    pub fn open(data_dir: &Path) -> Result<DeliveryState, StateError> {
        let connection = Connection::open(data_dir.join("delivery.db"))?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
        connection.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        connection.execute_batch(
            // Forwards are remembered by the queue now, in the transaction
            // that queues them.
            "DROP TABLE IF EXISTS forwards;
             CREATE TABLE IF NOT EXISTS vacation_replies (
                 account INTEGER NOT NULL,
                 sender TEXT NOT NULL,
                 handle TEXT NOT NULL,
                 sent_ms INTEGER NOT NULL,
                 PRIMARY KEY (account, sender, handle)
             );
             CREATE TABLE IF NOT EXISTS trash_marks (
                 account INTEGER NOT NULL,
                 uid_validity INTEGER NOT NULL,
                 uid_next INTEGER NOT NULL,
                 at_ms INTEGER NOT NULL
             );
             CREATE INDEX IF NOT EXISTS trash_marks_by_account ON trash_marks (account, at_ms);
             CREATE TABLE IF NOT EXISTS sieve_duplicates (
                 account INTEGER NOT NULL,
                 id TEXT NOT NULL,
                 queue_id INTEGER NOT NULL,
                 expires_ms INTEGER NOT NULL,
                 PRIMARY KEY (account, id)
             );
             CREATE INDEX IF NOT EXISTS sieve_duplicates_by_expiry ON sieve_duplicates (expires_ms);",
        )?;
        Ok(DeliveryState {
            connection: Mutex::new(connection),
        })
    }

    fn connection(&self) -> MutexGuard<'_, Connection> {
        self.connection
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Claims the right to answer `sender` for `handle` now: false when a
    /// reply went within `period` (RFC 5230 §4.2), else records this one.
    /// One statement, so two deliveries at once cannot both claim it.
    pub fn claim_vacation_reply(
        &self,
        account: AccountId,
        sender: &str,
        handle: &str,
        period: Duration,
        now_ms: i64,
    ) -> Result<bool, StateError> {
        let since = now_ms.saturating_sub(i64::try_from(period.as_millis()).unwrap_or(i64::MAX));
        let changed = self
            .connection()
            .prepare_cached(
                "INSERT INTO vacation_replies (account, sender, handle, sent_ms)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (account, sender, handle) DO UPDATE SET sent_ms = excluded.sent_ms
             WHERE vacation_replies.sent_ms <= ?5",
            )?
            .execute(params![
                account.0,
                sender.to_ascii_lowercase(),
                handle,
                now_ms,
                since
            ])?;
        Ok(changed > 0)
    }

    /// Forgets a claimed reply that could not be queued, so a retry sends it.
    pub fn release_vacation_reply(
        &self,
        account: AccountId,
        sender: &str,
        handle: &str,
    ) -> Result<(), StateError> {
        self.connection()
            .prepare_cached(
                "DELETE FROM vacation_replies WHERE account = ?1 AND sender = ?2 AND handle = ?3",
            )?
            .execute(params![account.0, sender.to_ascii_lowercase(), handle])?;
        Ok(())
    }

    /// Forgets vacation replies sent before `before_ms`.
    pub fn forget_replies_before(&self, before_ms: i64) -> Result<(), StateError> {
        self.connection()
            .prepare_cached("DELETE FROM vacation_replies WHERE sent_ms < ?1")?
            .execute([before_ms])?;
        Ok(())
    }

    pub fn add_trash_mark(&self, account: AccountId, mark: TrashMark) -> Result<(), StateError> {
        self.connection()
            .prepare_cached(
                "INSERT INTO trash_marks (account, uid_validity, uid_next, at_ms) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![account.0, mark.uid_validity, mark.uid_next, mark.at_ms])?;
        Ok(())
    }

    /// The newest mark of `account`'s Trash taken at or before `before_ms`
    /// under `uid_validity`; older marks are dropped, as it supersedes them.
    pub fn trash_mark_before(
        &self,
        account: AccountId,
        uid_validity: u32,
        before_ms: i64,
    ) -> Result<Option<TrashMark>, StateError> {
        let connection = self.connection();
        let mark = connection
            .prepare_cached(
                "SELECT uid_validity, uid_next, at_ms FROM trash_marks
                 WHERE account = ?1 AND uid_validity = ?2 AND at_ms <= ?3
                 ORDER BY at_ms DESC LIMIT 1",
            )?
            .query_row(params![account.0, uid_validity, before_ms], |row| {
                Ok(TrashMark {
                    uid_validity: row.get(0)?,
                    uid_next: row.get(1)?,
                    at_ms: row.get(2)?,
                })
            })
            .optional()?;
        if let Some(mark) = mark {
            connection
                .prepare_cached(
                    "DELETE FROM trash_marks WHERE account = ?1 AND (at_ms < ?2 OR uid_validity != ?3)",
                )?
                .execute(params![account.0, mark.at_ms, uid_validity])?;
        }
        Ok(mark)
    }
}

impl DeliveryState {
    /// Whether `account`'s scripts tracked `id` for another message and
    /// it has not expired (RFC 7352 §3). The message that first tracked it
    /// does not count: a retried delivery must not see itself as its own
    /// duplicate, or a `duplicate`-then-`discard` script would lose it.
    pub fn duplicate_seen(
        &self,
        account: AccountId,
        id: &str,
        queue_id: QueueId,
        now_ms: i64,
    ) -> Result<bool, StateError> {
        Ok(self
            .connection()
            .prepare_cached(
                "SELECT 1 FROM sieve_duplicates
                 WHERE account = ?1 AND id = ?2 AND queue_id != ?3 AND expires_ms > ?4",
            )?
            .query_row(
                params![account.0, id, queue_number(queue_id), now_ms],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Tracks `id` for `account` until `expires_ms`, pruning every expired
    /// ID first. Tracking it again moves only the expiry (`:last`, RFC 7352
    /// §3.3): the message that first tracked it stays the one exempted.
    pub fn record_duplicate(
        &self,
        account: AccountId,
        id: &str,
        queue_id: QueueId,
        expires_ms: i64,
        now_ms: i64,
    ) -> Result<(), StateError> {
        let connection = self.connection();
        connection
            .prepare_cached("DELETE FROM sieve_duplicates WHERE expires_ms <= ?1")?
            .execute([now_ms])?;
        connection
            .prepare_cached(
                "INSERT INTO sieve_duplicates (account, id, queue_id, expires_ms) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (account, id) DO UPDATE SET expires_ms = excluded.expires_ms",
            )?
            .execute(params![account.0, id, queue_number(queue_id), expires_ms])?;
        Ok(())
    }
}

/// A queue id as SQLite's signed integer (ids never come near the top).
fn queue_number(queue_id: QueueId) -> i64 {
    i64::try_from(queue_id.0).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duplicate_id_is_seen_until_it_expires_and_per_account() {
        let dir = tempfile::tempdir().unwrap();
        let state = DeliveryState::open(dir.path()).unwrap();
        let (alice, bob) = (AccountId(1), AccountId(2));
        let (first, second) = (QueueId(1), QueueId(2));
        assert!(!state.duplicate_seen(alice, "id", second, 0).unwrap());
        state.record_duplicate(alice, "id", first, 1000, 0).unwrap();
        assert!(state.duplicate_seen(alice, "id", second, 999).unwrap());
        assert!(!state.duplicate_seen(bob, "id", second, 999).unwrap());
        assert!(!state.duplicate_seen(alice, "id", second, 1000).unwrap());
        // Recording again moves the expiry.
        state
            .record_duplicate(alice, "id", second, 5000, 500)
            .unwrap();
        assert!(state.duplicate_seen(alice, "id", second, 4999).unwrap());
    }

    #[test]
    fn a_retried_delivery_is_not_its_own_duplicate() {
        let dir = tempfile::tempdir().unwrap();
        let state = DeliveryState::open(dir.path()).unwrap();
        let alice = AccountId(1);
        state
            .record_duplicate(alice, "id", QueueId(7), 1000, 0)
            .unwrap();
        assert!(!state.duplicate_seen(alice, "id", QueueId(7), 10).unwrap());
        // A later message moving the expiry does not take the exemption.
        state
            .record_duplicate(alice, "id", QueueId(8), 2000, 20)
            .unwrap();
        assert!(!state.duplicate_seen(alice, "id", QueueId(7), 30).unwrap());
        assert!(state.duplicate_seen(alice, "id", QueueId(8), 30).unwrap());
    }

    #[test]
    fn expired_duplicate_ids_are_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let state = DeliveryState::open(dir.path()).unwrap();
        state
            .record_duplicate(AccountId(1), "old", QueueId(1), 100, 0)
            .unwrap();
        state
            .record_duplicate(AccountId(1), "new", QueueId(2), 10_000, 200)
            .unwrap();
        let rows: i64 = state
            .connection()
            .query_row("SELECT COUNT(*) FROM sieve_duplicates", [], |row| {
                row.get(0)
            })
            .unwrap();
        assert_eq!(rows, 1);
    }

    const WEEK: Duration = Duration::from_secs(7 * 24 * 3600);
    const WEEK_MS: i64 = 7 * 24 * 3600 * 1000;

    #[test]
    fn a_vacation_reply_is_claimed_again_only_after_the_period() {
        let dir = tempfile::tempdir().unwrap();
        let state = DeliveryState::open(dir.path()).unwrap();
        let alice = AccountId(1);
        assert!(
            state
                .claim_vacation_reply(alice, "c@x", "h", WEEK, 0)
                .unwrap()
        );
        assert!(
            !state
                .claim_vacation_reply(alice, "C@X", "h", WEEK, WEEK_MS - 1)
                .unwrap()
        );
        assert!(
            state
                .claim_vacation_reply(alice, "c@x", "other", WEEK, 1)
                .unwrap()
        );
        assert!(
            state
                .claim_vacation_reply(alice, "c@x", "h", WEEK, WEEK_MS)
                .unwrap()
        );
    }

    #[test]
    fn forgotten_rows_are_gone() {
        let dir = tempfile::tempdir().unwrap();
        let state = DeliveryState::open(dir.path()).unwrap();
        assert!(
            state
                .claim_vacation_reply(AccountId(1), "c@x", "h", WEEK, 10)
                .unwrap()
        );
        state.forget_replies_before(11).unwrap();
        assert!(
            state
                .claim_vacation_reply(AccountId(1), "c@x", "h", WEEK, 12)
                .unwrap()
        );
    }
}
