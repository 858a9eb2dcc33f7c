//! Sieve script storage and the settings that become managed rules, in
//! `<data_dir>/postamt.db` beside the account directory (DESIGN.md).
//!
//! - per user: any number of named scripts, at most one active (RFC 5804 §1.6);
//! - the admin's scripts that run before and after every user's, and the
//!   global scripts `include :global` finds (RFC 6609 §3.2);
//! - per user: out-of-office and automatic forwarding settings, turned into
//!   the Managed script by [`managed`].
//!
//! [`ScriptStorage`] implements [`crate::delivery::ScriptStore`], the contract
//! with the Sieve stage. The API is blocking (one SQLite connection behind a
//! mutex); async callers use `spawn_blocking`. It owns only its own tables
//! (`sieve_*`, `vacation_settings`, `forwarding_settings`), referencing the
//! auth module's `users(id)`; it never checks a script's syntax (that is the
//! caller's [`crate::managesieve::ScriptChecker`]).

mod admin;
mod contract;
pub mod dates;
pub mod managed;
mod name;
mod personal;
mod schema;
mod settings;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};
use thiserror::Error;

use crate::auth::{AddressError, Directory, DirectoryError};

pub use admin::AdminPosition;
pub use dates::SieveDate;
pub use name::ScriptName;
pub use personal::ScriptListing;
pub use settings::{Forwarding, Vacation};

/// How long a write waits for another process (the CLI or the daemon).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Above rusqlite's default of 16, so hot statements do not evict each other.
const STATEMENT_CACHE_CAPACITY: usize = 64;

/// Limits on one user's personal scripts (`[managesieve]`, RFC 5804 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScriptQuotas {
    /// The most scripts one user may store.
    pub max_scripts: usize,
    /// The largest script, in octets.
    pub max_script_bytes: usize,
}

/// What went wrong with script storage. Each variant maps to one ManageSieve
/// response code and one CLI exit code.
#[derive(Debug, Error)]
pub enum ScriptsError {
    /// ManageSieve `NO (NONEXISTENT)`.
    #[error("no such script: {0}")]
    NoSuchScript(String),
    /// ManageSieve `NO (ALREADYEXISTS)`.
    #[error("script {0} already exists")]
    ScriptExists(String),
    /// ManageSieve `NO (ACTIVE)`.
    #[error("script {0} is active; deactivate it first")]
    ScriptActive(String),
    /// ManageSieve `NO (QUOTA/MAXSCRIPTS)`.
    #[error("at most {limit} scripts may be stored")]
    TooManyScripts { limit: usize },
    /// ManageSieve `NO (QUOTA/MAXSIZE)`.
    #[error("a script may have at most {limit} octets")]
    ScriptTooLarge { limit: usize },
    /// ManageSieve `NO`.
    #[error("invalid script name: {0}")]
    InvalidName(&'static str),
    #[error("invalid date {0:?}: expected YYYY-MM-DD")]
    InvalidDate(String),
    #[error("the out-of-office period ends ({end}) before it starts ({start})")]
    EndBeforeStart { start: SieveDate, end: SieveDate },
    #[error("forwarding needs at least one address")]
    NoForwardTargets,
    #[error("{0} is the user's own address: mail would forward to itself")]
    ForwardToSelf(String),
    #[error("{target} forwards back to {user}: mail would loop")]
    ForwardLoop { user: String, target: String },
    #[error(transparent)]
    InvalidAddress(#[from] AddressError),
    #[error("no such user: {0}")]
    UserNotFound(String),
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error("script database: {0}")]
    Database(#[from] rusqlite::Error),
}

/// Scripts and managed-rule settings over one SQLite connection.
pub struct ScriptStorage {
    connection: Mutex<Connection>,
    /// Resolves forwarding targets, to refuse loops.
    directory: Arc<Directory>,
}

impl ScriptStorage {
    /// Opens the tables in `<data_dir>/postamt.db`, creating them if needed.
    /// The directory must have been opened first: it creates the file
    /// (mode 0600) and the `users` table the scripts reference.
    pub fn open(data_dir: &Path, directory: Arc<Directory>) -> Result<Self, ScriptsError> {
        let path = data_dir.join(crate::auth::directory::DATABASE_FILE);
        let mut connection = Connection::open(&path)?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
        connection.set_transaction_behavior(TransactionBehavior::Immediate);
        connection.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        // FULL: a script the client was told is stored survives a power cut.
        connection.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
        schema::create(&connection)?;
        Ok(Self {
            connection: Mutex::new(connection),
            directory,
        })
    }

    /// The directory the storage resolves users and addresses with.
    pub fn directory(&self) -> &Arc<Directory> {
        &self.directory
    }

    /// The account of `login`, for the admin commands.
    pub fn account_of(&self, login: &str) -> Result<crate::store::AccountId, ScriptsError> {
        self.directory
            .user(login)?
            .map(|user| user.id)
            .ok_or_else(|| ScriptsError::UserNotFound(login.to_owned()))
    }

    /// A panic while the lock was held cannot leave SQLite half-done
    /// (transactions roll back on drop), so a poisoned lock is taken over.
    fn connection(&self) -> MutexGuard<'_, Connection> {
        self.connection
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl From<&crate::config::ManageSieveSection> for ScriptQuotas {
    fn from(section: &crate::config::ManageSieveSection) -> Self {
        let as_usize = |value: u32| usize::try_from(value).unwrap_or(usize::MAX);
        Self {
            max_scripts: as_usize(section.max_scripts),
            max_script_bytes: as_usize(section.max_script_size),
        }
    }
}
