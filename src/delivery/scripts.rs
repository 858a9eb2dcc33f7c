//! Where the Sieve stage finds the scripts it runs (ManageSieve and the
//! admin commands store them). Blocking: implementations read a database,
//! so callers use the blocking pool.

use crate::store::AccountId;

/// Which of a delivery's scripts this is, in the order they run (RFC 5228
/// has one script per user; the admin's scripts before and after it are
/// this server's policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScriptKind {
    /// The admin's rules before every user's, e.g. site-wide filing.
    AdminBefore,
    /// Rules generated from the user's settings: out-of-office and
    /// automatic forwarding.
    Managed,
    /// The user's active script (ManageSieve SETACTIVE).
    Personal,
    /// The admin's rules after every user's.
    AdminAfter,
}

/// One script's source as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredScript {
    pub kind: ScriptKind,
    pub name: String,
    pub source: String,
}

/// Where an `include` looks (RFC 6609 §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncludeLocation {
    /// The user's own scripts.
    Personal,
    /// Scripts the admin shares with every user.
    Global,
}

/// The script storage could not answer.
#[derive(Debug, thiserror::Error)]
#[error("script storage: {0}")]
pub struct ScriptStoreError(pub String);

/// Scripts by account.
pub trait ScriptStore: Send + Sync + 'static {
    /// The scripts to run for `account`, in [`ScriptKind`] order; those that
    /// do not exist are left out.
    fn scripts_for(&self, account: AccountId) -> Result<Vec<StoredScript>, ScriptStoreError>;

    /// The source of the script an `include` names, if it exists.
    fn include(
        &self,
        account: AccountId,
        location: IncludeLocation,
        name: &str,
    ) -> Result<Option<String>, ScriptStoreError>;
}
