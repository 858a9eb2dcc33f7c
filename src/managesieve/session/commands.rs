//! The authenticated commands (RFC 5804 §2.3–§2.12): HAVESPACE, PUTSCRIPT,
//! CHECKSCRIPT, LISTSCRIPTS, SETACTIVE, GETSCRIPT, DELETESCRIPT and
//! RENAMESCRIPT, run on the blocking pool against [`ScriptStorage`].

use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite};

use super::super::parser::{Command, ScriptBody};
use super::super::response::{self, Code};
use super::super::{ScriptChecker, ScriptProblem};
use super::Session;
use crate::auth::AuthenticatedUser;
use crate::scripts::{ScriptName, ScriptQuotas, ScriptStorage, ScriptsError};
use crate::store::AccountId;

/// Why a script command was refused.
#[derive(Debug, thiserror::Error)]
enum CommandRefusal {
    #[error(transparent)]
    Storage(#[from] ScriptsError),
    /// `NO` with the place of the problem (§2.6).
    #[error("{0}")]
    Problem(ScriptProblem),
    #[error("a script must be UTF-8")]
    NotUtf8,
    /// The blocking task died. `NO (TRYLATER)`.
    #[error("internal error, try later")]
    Unavailable,
}

impl CommandRefusal {
    /// The response code RFC 5804 §1.3 gives this refusal.
    fn code(&self) -> Option<Code> {
        match self {
            Self::Storage(error) => match error {
                ScriptsError::NoSuchScript(_) => Some(Code::NonExistent),
                ScriptsError::ScriptExists(_) => Some(Code::AlreadyExists),
                ScriptsError::ScriptActive(_) => Some(Code::Active),
                ScriptsError::TooManyScripts { .. } => Some(Code::QuotaMaxScripts),
                ScriptsError::ScriptTooLarge { .. } => Some(Code::QuotaMaxSize),
                ScriptsError::Database(_) | ScriptsError::Directory(_) => Some(Code::TryLater),
                _ => None,
            },
            Self::Unavailable => Some(Code::TryLater),
            Self::Problem(_) | Self::NotUtf8 => None,
        }
    }

    /// The text for the client; storage failures are logged, not shown.
    fn text(&self) -> String {
        match self {
            Self::Storage(ScriptsError::Database(_) | ScriptsError::Directory(_)) => {
                "Script storage unavailable, try later".to_owned()
            }
            other => other.to_string(),
        }
    }
}

/// What a successful command answers before its OK.
enum Answer {
    Done(&'static str),
    Data(Vec<u8>, &'static str),
}

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    pub(super) async fn script_command(&mut self, user: &AuthenticatedUser, command: Command) {
        let account = user.account;
        let quotas = self.settings.quotas;
        let checker = Arc::clone(&self.context.checker);
        let outcome = match command {
            Command::PutScript { name, script } => {
                self.blocking(move |scripts| {
                    put(scripts, &*checker, account, &name, script, quotas)
                })
                .await
            }
            Command::CheckScript(script) => {
                self.blocking(move |_| {
                    check(&*checker, script, quotas).map(|_| Answer::Done("Script is valid"))
                })
                .await
            }
            Command::HaveSpace { name, size } => {
                self.blocking(move |scripts| {
                    let size = usize::try_from(size).unwrap_or(usize::MAX);
                    scripts.check_space(account, &ScriptName::parse(&name)?, size, quotas)?;
                    Ok(Answer::Done("Putscript would succeed"))
                })
                .await
            }
            Command::ListScripts => self.blocking(move |scripts| list(scripts, account)).await,
            Command::SetActive(name) => {
                self.blocking(move |scripts| {
                    let name = (!name.is_empty())
                        .then(|| ScriptName::parse(&name))
                        .transpose()?;
                    scripts.set_active(account, name.as_ref())?;
                    Ok(Answer::Done("Setactive completed"))
                })
                .await
            }
            Command::GetScript(name) => {
                self.blocking(move |scripts| {
                    let source = scripts.get_script(account, &ScriptName::parse(&name)?)?;
                    let mut data = Vec::new();
                    // Always a literal: scripts hold line breaks (§2.9).
                    data.extend_from_slice(format!("{{{}}}\r\n", source.len()).as_bytes());
                    data.extend_from_slice(source.as_bytes());
                    data.extend_from_slice(b"\r\n");
                    Ok(Answer::Data(data, "Getscript completed"))
                })
                .await
            }
            Command::DeleteScript(name) => {
                self.blocking(move |scripts| {
                    scripts.delete_script(account, &ScriptName::parse(&name)?)?;
                    Ok(Answer::Done("Deletescript completed"))
                })
                .await
            }
            Command::RenameScript { old, new } => {
                self.blocking(move |scripts| {
                    let (old, new) = (ScriptName::parse(&old)?, ScriptName::parse(&new)?);
                    scripts.rename_script(account, &old, &new)?;
                    Ok(Answer::Done("Renamescript completed"))
                })
                .await
            }
            other => {
                self.fail(None, &format!("{} is not allowed now", other.name()));
                return;
            }
        };
        match outcome {
            Ok(Answer::Done(text)) => self.succeed(response::ok(None, text)),
            Ok(Answer::Data(data, text)) => {
                self.queue(data);
                self.succeed(response::ok(None, text));
            }
            Err(refusal) => {
                if let CommandRefusal::Storage(ScriptsError::Database(error)) = &refusal {
                    tracing::warn!(%error, "script storage failed");
                }
                self.fail(refusal.code().as_ref(), &refusal.text());
            }
        }
    }

    /// Runs `work` on the blocking pool: SQLite and the compiler.
    async fn blocking<F>(&self, work: F) -> Result<Answer, CommandRefusal>
    where
        F: FnOnce(&ScriptStorage) -> Result<Answer, CommandRefusal> + Send + 'static,
    {
        let scripts = Arc::clone(&self.context.scripts);
        tokio::task::spawn_blocking(move || work(&scripts))
            .await
            .unwrap_or(Err(CommandRefusal::Unavailable))
    }
}

/// The script as text, within the size quota, accepted by the checker.
fn check(
    checker: &dyn ScriptChecker,
    script: ScriptBody,
    quotas: ScriptQuotas,
) -> Result<String, CommandRefusal> {
    let octets = match script {
        ScriptBody::Octets(octets) if octets.len() <= quotas.max_script_bytes => octets,
        ScriptBody::Octets(_) | ScriptBody::Oversized(_) => {
            return Err(ScriptsError::ScriptTooLarge {
                limit: quotas.max_script_bytes,
            }
            .into());
        }
    };
    let source = String::from_utf8(octets).map_err(|_| CommandRefusal::NotUtf8)?;
    checker.check(&source).map_err(CommandRefusal::Problem)?;
    Ok(source)
}

/// PUTSCRIPT (§2.6): quotas first, then the checker, then storage.
fn put(
    scripts: &ScriptStorage,
    checker: &dyn ScriptChecker,
    account: AccountId,
    name: &str,
    script: ScriptBody,
    quotas: ScriptQuotas,
) -> Result<Answer, CommandRefusal> {
    let name = ScriptName::parse(name)?;
    let size = match &script {
        ScriptBody::Octets(octets) => octets.len(),
        ScriptBody::Oversized(len) => usize::try_from(*len).unwrap_or(usize::MAX),
    };
    scripts.check_space(account, &name, size, quotas)?;
    let source = check(checker, script, quotas)?;
    scripts.put_script(account, &name, &source, quotas)?;
    Ok(Answer::Done("Putscript completed"))
}

/// LISTSCRIPTS (§2.7): one line per script, `ACTIVE` after the active one.
fn list(scripts: &ScriptStorage, account: AccountId) -> Result<Answer, CommandRefusal> {
    let mut data = Vec::new();
    for listing in scripts.list_scripts(account)? {
        response::string(&mut data, listing.name.as_str().as_bytes());
        if listing.active {
            data.extend_from_slice(b" ACTIVE");
        }
        data.extend_from_slice(b"\r\n");
    }
    Ok(Answer::Data(data, "Listscripts completed"))
}
