//! The tables of script storage. Idempotent: each open runs it, on its own
//! connection, beside the auth module's migrations (which own `users`).

use rusqlite::Connection;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sieve_scripts (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    source  TEXT NOT NULL,
    active  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, name)
);
CREATE UNIQUE INDEX IF NOT EXISTS sieve_scripts_one_active
    ON sieve_scripts(user_id) WHERE active = 1;
CREATE TABLE IF NOT EXISTS sieve_admin_scripts (
    position TEXT PRIMARY KEY NOT NULL CHECK (position IN ('before', 'after')),
    source   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sieve_global_scripts (
    name   TEXT PRIMARY KEY NOT NULL,
    source TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS vacation_settings (
    user_id    INTEGER PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    enabled    INTEGER NOT NULL,
    start_date TEXT NOT NULL,
    end_date   TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    from_addr  TEXT
);
CREATE TABLE IF NOT EXISTS forwarding_settings (
    user_id   INTEGER PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    addresses TEXT NOT NULL,
    keep_copy INTEGER NOT NULL
);
";

pub(super) fn create(connection: &Connection) -> rusqlite::Result<()> {
    connection.execute_batch(SCHEMA)
}
