//! `postamt sieve list|get|put|activate|deactivate|delete`, `sieve admin
//! put|delete` and `sieve global put`: scripts checked with the same
//! [`ScriptChecker`] ManageSieve uses, stored in the script storage. Also
//! how script storage errors become exit codes, for `vacation` and `forward`.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use anyhow::anyhow;
use postamt::managesieve::ScriptChecker;
use postamt::scripts::{AdminPosition, ScriptName, ScriptQuotas, ScriptStorage, ScriptsError};

use super::args::{AdminPositionArg, SieveAdminCommand, SieveCommand, SieveGlobalCommand};
use super::context::Context;
use super::failure::{CommandResult, Exit, Failure};

/// Runs a `sieve` command. Storing a script needs `checker`; without one
/// (no compiler wired in) `put` is refused rather than store unchecked text.
pub fn run(
    context: &Context,
    command: SieveCommand,
    checker: Option<&dyn ScriptChecker>,
) -> CommandResult {
    let storage = storage(context)?;
    let quotas = ScriptQuotas::from(&context.config.managesieve);
    match command {
        SieveCommand::List { user } => {
            let account = storage.account_of(&user)?;
            for listing in storage.list_scripts(account)? {
                let mark = if listing.active { "\tactive" } else { "" };
                println!("{}{mark}", listing.name);
            }
        }
        SieveCommand::Get { user, name } => {
            let account = storage.account_of(&user)?;
            print!(
                "{}",
                storage.get_script(account, &ScriptName::parse(&name)?)?
            );
        }
        SieveCommand::Put { user, name, file } => {
            let account = storage.account_of(&user)?;
            let name = ScriptName::parse(&name)?;
            let source = read_script(file.as_deref(), quotas)?;
            check(checker, &source)?;
            storage.put_script(account, &name, &source, quotas)?;
            println!("stored script {name} for {}", user.to_lowercase());
        }
        SieveCommand::Activate { user, name } => {
            let account = storage.account_of(&user)?;
            let name = ScriptName::parse(&name)?;
            storage.set_active(account, Some(&name))?;
            println!("script {name} is active for {}", user.to_lowercase());
        }
        SieveCommand::Deactivate { user } => {
            storage.set_active(storage.account_of(&user)?, None)?;
            println!("no script is active for {}", user.to_lowercase());
        }
        SieveCommand::Delete { user, name } => {
            let account = storage.account_of(&user)?;
            let name = ScriptName::parse(&name)?;
            storage.delete_script(account, &name)?;
            println!("deleted script {name} of {}", user.to_lowercase());
        }
        SieveCommand::Admin(SieveAdminCommand::Put { position, file }) => {
            let source = read_script(Some(&file), quotas)?;
            check(checker, &source)?;
            storage.put_admin_script(admin_position(position), &source)?;
            println!("stored the admin script {}", position_name(position));
        }
        SieveCommand::Admin(SieveAdminCommand::Delete { position }) => {
            if !storage.delete_admin_script(admin_position(position))? {
                return Err(Failure::new(
                    Exit::DataErr,
                    anyhow!("there is no admin script {}", position_name(position)),
                ));
            }
            println!("deleted the admin script {}", position_name(position));
        }
        SieveCommand::Global(SieveGlobalCommand::Put { name, file }) => {
            let name = ScriptName::parse(&name)?;
            let source = read_script(Some(&file), quotas)?;
            check(checker, &source)?;
            storage.put_global_script(&name, &source)?;
            println!("stored global script {name}");
        }
    }
    Ok(())
}

/// The script storage beside the directory in the data dir.
pub(super) fn storage(context: &Context) -> Result<ScriptStorage, Failure> {
    let directory = Arc::new(context.directory()?);
    Ok(ScriptStorage::open(context.data_dir(), directory)?)
}

/// A script from `file` or standard input, refused over the size quota
/// before it is read whole.
fn read_script(file: Option<&Path>, quotas: ScriptQuotas) -> Result<String, Failure> {
    let limit = u64::try_from(quotas.max_script_bytes).unwrap_or(u64::MAX);
    let mut octets = Vec::new();
    let read = match file {
        Some(path) => {
            std::fs::File::open(path).and_then(|file| file.take(limit + 1).read_to_end(&mut octets))
        }
        None => std::io::stdin().take(limit + 1).read_to_end(&mut octets),
    };
    read.map_err(|error| Failure::new(Exit::IoErr, anyhow!("cannot read the script: {error}")))?;
    if octets.len() > quotas.max_script_bytes {
        return Err(ScriptsError::ScriptTooLarge {
            limit: quotas.max_script_bytes,
        }
        .into());
    }
    String::from_utf8(octets)
        .map_err(|_| Failure::new(Exit::DataErr, anyhow!("the script is not UTF-8")))
}

fn check(checker: Option<&dyn ScriptChecker>, source: &str) -> Result<(), Failure> {
    let checker = checker.ok_or_else(|| {
        Failure::new(
            Exit::Software,
            anyhow!("no Sieve compiler is built in, so scripts cannot be checked or stored"),
        )
    })?;
    checker
        .check(source)
        .map_err(|problem| Failure::new(Exit::DataErr, anyhow!("invalid script: {problem}")))
}

fn admin_position(position: AdminPositionArg) -> AdminPosition {
    match position {
        AdminPositionArg::Before => AdminPosition::Before,
        AdminPositionArg::After => AdminPosition::After,
    }
}

fn position_name(position: AdminPositionArg) -> &'static str {
    match position {
        AdminPositionArg::Before => "before",
        AdminPositionArg::After => "after",
    }
}

impl From<ScriptsError> for Failure {
    fn from(error: ScriptsError) -> Self {
        use ScriptsError as E;
        let error = match error {
            E::Directory(inner) => return inner.into(),
            other => other,
        };
        let exit = match &error {
            E::NoSuchScript(_) | E::UserNotFound(_) => Exit::NoUser,
            E::Database(rusqlite::Error::SqliteFailure(code, _))
                if matches!(
                    code.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
                Exit::TempFail
            }
            E::Database(_) => Exit::IoErr,
            _ => Exit::DataErr,
        };
        Failure::new(exit, error)
    }
}
