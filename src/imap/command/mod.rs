//! The command handlers, one file per command or family (RFC 9051 §6), and
//! the dispatch that checks the state a command needs, runs its handler,
//! reports other sessions' changes where RFC 9051 §7.5.1 allows it, and
//! sends the tagged reply. A handler queues its untagged responses and
//! returns a [`Reply`]; `Err` means only that the client is gone.

mod any;
mod append;
mod authenticate;
mod copy;
mod error;
mod fetch;
mod idle;
mod list;
mod mailbox;
mod names;
mod quota;
mod search;
mod section;
mod select;
mod store;
mod updates;

use std::io;

use tokio::io::{AsyncRead, AsyncWrite};

use crate::imap::parser::{Command, CommandBody, Tag};
use crate::imap::response::{Code, Condition, Response, Status};
use crate::imap::session::Session;

/// The tagged status a handler answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub condition: Condition,
    pub code: Option<Code>,
    /// Empty means "<COMMAND> completed" (or failed).
    pub text: String,
    /// The handler sent the tagged response itself (LOGOUT, STARTTLS: it
    /// must go out before the connection closes or turns into TLS).
    pub sent: bool,
}

impl Reply {
    pub fn ok() -> Self {
        Self {
            condition: Condition::Ok,
            code: None,
            text: String::new(),
            sent: false,
        }
    }

    /// The tagged response is already on the wire.
    pub fn sent() -> Self {
        Self {
            sent: true,
            ..Self::ok()
        }
    }

    pub fn ok_with(code: Code) -> Self {
        Self {
            code: Some(code),
            ..Self::ok()
        }
    }

    pub fn no(code: Option<Code>, text: impl Into<String>) -> Self {
        Self {
            condition: Condition::No,
            code,
            text: text.into(),
            sent: false,
        }
    }

    pub fn bad(text: impl Into<String>) -> Self {
        Self {
            condition: Condition::Bad,
            code: None,
            text: text.into(),
            sent: false,
        }
    }
}

/// The states a command may be given in (RFC 9051 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    Any,
    NotAuthenticated,
    Authenticated,
    Selected,
}

fn needs(body: &CommandBody) -> Needs {
    use CommandBody as C;
    match body {
        C::Capability | C::Noop | C::Logout | C::Id { .. } | C::Unknown { .. } => Needs::Any,
        C::StartTls | C::Authenticate { .. } | C::Login { .. } => Needs::NotAuthenticated,
        C::Check
        | C::Close
        | C::Unselect
        | C::Expunge
        | C::UidExpunge(_)
        | C::Search { .. }
        | C::Fetch { .. }
        | C::Store { .. }
        | C::Copy { .. }
        | C::Move { .. }
        | C::Sort { .. }
        | C::Thread { .. } => Needs::Selected,
        _ => Needs::Authenticated,
    }
}

/// Whether untagged EXPUNGE may follow this command (RFC 9051 §7.5.1: not
/// during FETCH, STORE or SEARCH; their UID forms are different commands).
fn expunge_allowed(body: &CommandBody) -> bool {
    !matches!(
        body,
        CommandBody::Fetch { uid: false, .. }
            | CommandBody::Store { uid: false, .. }
            | CommandBody::Search { uid: false, .. }
    )
}

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    /// Runs one command and queues its tagged reply.
    pub(crate) async fn command(&mut self, command: Command) -> io::Result<()> {
        let Command { tag, body } = command;
        let name = body.name().to_owned();
        // The name only: arguments may hold credentials or mail.
        tracing::debug!(tag = %tag, command = %name, "command");
        let allow_expunge = expunge_allowed(&body);
        let authenticated = self.login.is_some();
        let state_ok = match needs(&body) {
            Needs::Any => true,
            Needs::NotAuthenticated => !authenticated,
            Needs::Authenticated => authenticated,
            Needs::Selected => self.selected.is_some(),
        };
        let reply = if state_ok {
            self.dispatch(&tag, body).await?
        } else {
            Reply::bad(format!("{name} not allowed in this state"))
        };
        if reply.condition == Condition::Bad {
            self.errors += 1;
        } else {
            self.errors = 0;
        }
        if reply.sent || self.logout {
            return Ok(());
        }
        self.report_changes(allow_expunge).await;
        let text = if reply.text.is_empty() {
            match reply.condition {
                Condition::Ok => format!("{name} completed"),
                _ => format!("{name} failed"),
            }
        } else {
            reply.text
        };
        self.queue(Response::Status(Status {
            tag: Some(tag.as_str().to_owned()),
            condition: reply.condition,
            code: reply.code,
            text,
        }));
        Ok(())
    }

    async fn dispatch(&mut self, tag: &Tag, body: CommandBody) -> io::Result<Reply> {
        use CommandBody as C;
        Ok(match body {
            C::Capability => self.capability(),
            C::Noop | C::Check => Reply::ok(),
            C::Logout => return self.logout_command(tag).await,
            C::Id { .. } => self.id(),
            C::StartTls => return self.starttls(tag).await,
            C::Login { username, password } => self.login_command(&username, password).await,
            C::Authenticate {
                mechanism,
                initial_response,
            } => return self.authenticate(&mechanism, initial_response).await,
            C::Enable { capabilities } => self.enable(&capabilities),
            C::Namespace => self.namespace(),
            C::Select {
                mailbox,
                parameters,
            } => self.select(&mailbox, parameters, false).await,
            C::Examine {
                mailbox,
                parameters,
            } => self.select(&mailbox, parameters, true).await,
            C::Create {
                mailbox,
                special_use,
            } => self.create(&mailbox, &special_use).await,
            C::Delete { mailbox } => self.delete(&mailbox).await,
            C::Rename { from, to } => self.rename(&from, &to).await,
            C::Subscribe { mailbox } => self.subscribe(&mailbox, true).await,
            C::Unsubscribe { mailbox } => self.subscribe(&mailbox, false).await,
            C::Append { mailbox, message } => return self.append(&mailbox, message).await,
            C::Idle => return self.idle().await,
            C::Close => self.close_mailbox(true).await,
            C::Unselect => self.close_mailbox(false).await,
            C::Expunge => self.expunge(None).await,
            C::UidExpunge(set) => self.expunge(Some(set)).await,
            C::Fetch {
                uid,
                set,
                attributes,
                modifiers,
            } => return self.fetch(uid, &set, attributes, modifiers).await,
            C::Store {
                uid,
                set,
                unchanged_since,
                action,
                silent,
                flags,
            } => {
                let request = store::StoreRequest {
                    uid,
                    set,
                    unchanged_since,
                    action,
                    silent,
                    flags,
                };
                self.store(request).await
            }
            C::Copy { uid, set, mailbox } => self.copy_or_move(uid, &set, &mailbox, false).await,
            C::Move { uid, set, mailbox } => self.copy_or_move(uid, &set, &mailbox, true).await,
            C::List(args) => self.list(&args).await,
            C::Lsub { reference, pattern } => self.lsub(&reference, &pattern).await,
            C::Status { mailbox, items } => self.status(&mailbox, &items).await,
            C::Search { uid, args } => self.search(tag, uid, args).await,
            C::Sort { uid, args } => self.sort(uid, args).await,
            C::Thread { uid, args } => self.thread(uid, args).await,
            C::GetQuota { root } => self.get_quota(&root).await,
            C::GetQuotaRoot { mailbox } => self.get_quota_root(&mailbox).await,
            // Parsed, but not advertised: a client that sends it anyway learns so.
            C::Compress { .. } => Reply::bad(format!("{} is not supported", body.name())),
            C::Unknown { name } => Reply::bad(format!("unknown command {name}")),
        })
    }
}
