//! The directory's schema and its migrations, versioned by `PRAGMA user_version`.
//!
//! Each migration moves the schema one version up inside one transaction;
//! later issues append to [`MIGRATIONS`] and never edit a published step.

use rusqlite::Connection;

use super::DirectoryError;

/// Migration `i` brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // Version 1: domains, users (ids never reused: AUTOINCREMENT), aliases.
    // An alias exists as long as it has one target row; `@domain` is a catch-all.
    "CREATE TABLE domains (
         name    TEXT PRIMARY KEY NOT NULL,
         created INTEGER NOT NULL
     );
     CREATE TABLE users (
         id            INTEGER PRIMARY KEY AUTOINCREMENT,
         login         TEXT NOT NULL UNIQUE,
         domain        TEXT NOT NULL REFERENCES domains(name),
         password_hash TEXT NOT NULL,
         enabled       INTEGER NOT NULL DEFAULT 1,
         quota_bytes   INTEGER,
         created       INTEGER NOT NULL
     );
     CREATE TABLE alias_targets (
         address TEXT NOT NULL,
         domain  TEXT NOT NULL REFERENCES domains(name),
         user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
         PRIMARY KEY (address, user_id)
     );
     CREATE INDEX alias_targets_by_user ON alias_targets(user_id);",
];

fn supported_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// Applies every migration the database has not seen yet. A database written
/// by a newer postamt is refused rather than misread.
pub(super) fn migrate(connection: &mut Connection) -> Result<(), DirectoryError> {
    let transaction =
        connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let found: i64 = transaction.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let supported = supported_version();
    if found > supported {
        return Err(DirectoryError::SchemaTooNew { found, supported });
    }
    for step in MIGRATIONS.iter().skip(usize::try_from(found).unwrap_or(0)) {
        transaction.execute_batch(step)?;
    }
    transaction.pragma_update(None, "user_version", supported)?;
    transaction.commit()?;
    Ok(())
}
