//! How a command fails: one line on stderr and an exit code from sysexits.h, so scripts and
//! systemd can tell a typo from a missing user from a broken disk.

use std::fmt;
use std::process::ExitCode;

/// The exit codes the README documents (sysexits.h).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 65: invalid input, or something that already exists.
    DataErr = 65,
    /// 67: no such user, domain or alias.
    NoUser = 67,
    /// 70: a bug in postamt.
    Software = 70,
    /// 71: the system refused something (a port is in use, a signal handler).
    OsErr = 71,
    /// 73: the data directory cannot be created or written.
    CantCreate = 73,
    /// 74: stored data cannot be read or written.
    IoErr = 74,
    /// 75: temporary failure; trying again may work.
    TempFail = 75,
    /// 78: the configuration is invalid.
    Config = 78,
}

/// A failed command: what to print and how to exit.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub error: anyhow::Error,
}

impl Failure {
    pub fn new(exit: Exit, error: impl Into<anyhow::Error>) -> Self {
        Failure {
            exit,
            error: error.into(),
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.exit as u8)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line: the error and its causes, as `a: b: c`.
        write!(f, "{:#}", self.error)
    }
}

pub type CommandResult = Result<(), Failure>;

impl From<postamt::auth::DirectoryError> for Failure {
    fn from(error: postamt::auth::DirectoryError) -> Self {
        use postamt::auth::DirectoryError as E;
        let exit = match &error {
            E::DomainNotFound(_)
            | E::UserNotFound(_)
            | E::AliasNotFound(_)
            | E::AliasTargetNotFound { .. } => Exit::NoUser,
            E::Database(rusqlite::Error::SqliteFailure(code, _))
                if matches!(
                    code.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
                Exit::TempFail
            }
            E::Database(_) | E::CreateDatabase(_) | E::SchemaTooNew { .. } => Exit::IoErr,
            E::Password(_) => Exit::Software,
            _ => Exit::DataErr,
        };
        Failure::new(exit, error)
    }
}

impl From<postamt::store::StoreError> for Failure {
    fn from(error: postamt::store::StoreError) -> Self {
        use postamt::store::StoreError as E;
        let exit = match &error {
            E::NoAccount(_) => Exit::NoUser,
            E::NoMailbox(_)
            | E::MailboxExists(_)
            | E::Protected(_)
            | E::RenameIntoSelf
            | E::InvalidName(_)
            | E::NoMessage
            | E::NoSection
            | E::OverQuota => Exit::DataErr,
            E::UidsExhausted | E::IndexCorrupt(_) | E::Index(_) | E::Io(_) | E::Metadata(_) => {
                Exit::IoErr
            }
            E::TaskFailed => Exit::Software,
        };
        Failure::new(exit, error)
    }
}
