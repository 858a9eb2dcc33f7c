//! The account directory: domains, users and aliases in `<data_dir>/postamt.db`.
//!
//! It owns the SQLite schema of those three tables and every query on them.
//! The API is blocking and thread-safe (one connection behind a mutex); async
//! code reaches it through [`crate::auth::Authenticator`] or `spawn_blocking`.
//! The daemon and the admin CLI open the same file at the same time: WAL mode
//! lets readers run beside the writer, and the busy timeout makes a writer
//! wait for the other process instead of failing.
//!
//! It must not log passwords, and it never holds the connection lock while
//! argon2 runs, so one slow hash does not stall every other lookup.

mod aliases;
mod domains;
mod resolve;
mod schema;
mod users;

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};
use thiserror::Error;

use super::address::AddressError;
use super::password::PasswordError;

pub use aliases::{Alias, AliasAddress};
pub use resolve::{LocalRecipient, Resolution};
pub use users::{LoginCheck, User};

/// The file name of the directory inside the data dir.
pub const DATABASE_FILE: &str = "postamt.db";

/// How long a write waits for another process (the CLI or the daemon) to
/// finish its transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Above rusqlite's default of 16, so hot statements do not evict each other.
const STATEMENT_CACHE_CAPACITY: usize = 64;

/// What went wrong in the account directory.
#[derive(Debug, Error)]
pub enum DirectoryError {
    #[error(transparent)]
    InvalidAddress(#[from] AddressError),
    #[error("domain {0} already exists")]
    DomainExists(String),
    #[error("no such domain: {0}")]
    DomainNotFound(String),
    #[error("domain {domain} is still used by {users} user(s) and {aliases} alias target(s)")]
    DomainInUse {
        domain: String,
        users: u64,
        aliases: u64,
    },
    #[error("domain {0} is not a local domain")]
    DomainNotLocal(String),
    #[error("user {0} already exists")]
    UserExists(String),
    #[error("no such user: {0}")]
    UserNotFound(String),
    #[error("{0} is an alias; a user cannot have the same address")]
    AddressIsAlias(String),
    #[error("{0} is a user's address; an alias cannot have the same address")]
    AddressIsUser(String),
    #[error("alias target {0} is not a user")]
    AliasTargetUnknown(String),
    #[error("no such alias: {0}")]
    AliasNotFound(String),
    #[error("{target} is not a target of alias {alias}")]
    AliasTargetNotFound { alias: String, target: String },
    #[error("quota of {0} bytes is too large")]
    QuotaTooLarge(u64),
    #[error("database schema version {found} is newer than this postamt understands ({supported})")]
    SchemaTooNew { found: i64, supported: i64 },
    #[error("an empty password is not allowed")]
    EmptyPassword,
    #[error("an alias needs at least one target")]
    NoAliasTargets,
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error("cannot create the account database: {0}")]
    CreateDatabase(std::io::Error),
    #[error("account database: {0}")]
    Database(#[from] rusqlite::Error),
}

/// The account directory over one SQLite database.
pub struct Directory {
    connection: Mutex<Connection>,
}

impl Directory {
    /// Opens `<data_dir>/postamt.db`, creating it (mode 0600: it holds
    /// password hashes) if needed, and brings its schema up to date. The data
    /// dir itself must exist.
    pub fn open(data_dir: &Path) -> Result<Self, DirectoryError> {
        let path = data_dir.join(DATABASE_FILE);
        create_private_file(&path)?;
        let mut connection = Connection::open(&path)?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
        // Every transaction here reads then writes; taking the write lock up
        // front makes a concurrent writer wait (busy timeout) instead of
        // failing on a lock upgrade.
        connection.set_transaction_behavior(TransactionBehavior::Immediate);
        // journal_mode answers with a row, so it cannot go through execute().
        connection.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        // FULL: an account change the CLI reported done survives a power cut.
        connection.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
        schema::migrate(&mut connection)?;
        Ok(Self {
            connection: Mutex::new(connection),
        })
    }

    /// The connection. A panic while it was held cannot leave SQLite in a
    /// half-done state (transactions roll back on drop), so a poisoned lock
    /// is safe to take over.
    fn connection(&self) -> MutexGuard<'_, Connection> {
        self.connection
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Creates an empty database file readable by the owner only, unless it exists.
/// SQLite gives its -wal and -shm files the same mode.
fn create_private_file(path: &Path) -> Result<(), DirectoryError> {
    let created = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path);
    match created {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(DirectoryError::CreateDatabase(error)),
    }
}

/// The current time as UNIX seconds, as stored in `created` columns.
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}
