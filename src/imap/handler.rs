//! The IMAP [`ProtocolHandler`]: builds a [`Session`] for each accepted
//! connection from the listener and configuration, and refuses a client
//! over a connection limit with `* BYE [UNAVAILABLE]` (RFC 9051 §7.1.5,
//! RFC 5530). Holds what all sessions share; speaks no IMAP itself.

use std::sync::Arc;

use crate::auth::Authenticator;
use crate::imap::parser::{Limits, LiteralMode};
use crate::imap::response::{Code, Condition, Fragment, Mode, Response, Status};
use crate::imap::session::{AccountSessions, Session, SessionContext, SessionSettings};
use crate::server::{Connection, ProtocolHandler, Refusal, SessionFuture};
use crate::store::Store;

/// Serves IMAP on the listeners the server gives it.
pub struct ImapHandler {
    context: SessionContext,
}

impl ImapHandler {
    pub fn new(store: Store, authenticator: Arc<Authenticator>) -> Self {
        Self {
            context: SessionContext {
                store,
                authenticator,
                sessions: Arc::new(AccountSessions::new(AccountSessions::DEFAULT_MAX)),
                training: None,
            },
        }
    }

    /// Tells `training` what users file into and out of Junk (issue 7).
    pub fn with_training(mut self, training: Arc<dyn crate::antispam::JunkTraining>) -> Self {
        self.context.training = Some(training);
        self
    }
}

/// The settings of one connection's session.
fn settings(connection: &Connection) -> SessionSettings {
    let config = &connection.config;
    let starttls = connection.starttls_offer();
    SessionSettings {
        limits: Limits::from_config(&config.limits, LiteralMode::Plus),
        idle_timeout: connection.idle_timeout,
        peer: connection.peer,
        starttls,
        plaintext_auth: connection.plaintext_auth_allowed(),
    }
}

impl ProtocolHandler for ImapHandler {
    fn serve(&self, connection: Connection) -> SessionFuture {
        // The configuration a connection arrives with is the current one, so a
        // reload's `limits.imap_sessions_per_account` holds for the logins after it.
        let per_account = connection.config.limits.imap_sessions_per_account;
        self.context
            .sessions
            .set_max(usize::try_from(per_account).unwrap_or(usize::MAX));
        let settings = settings(&connection);
        let session = Session::new(
            connection.stream,
            self.context.clone(),
            settings,
            connection.shutdown,
        );
        Box::pin(session.run())
    }

    fn refuse(&self, connection: Connection, reason: Refusal) -> SessionFuture {
        let bye = Status::untagged(Condition::Bye, Some(Code::Unavailable), reason.text());
        let bytes: Vec<u8> = Response::Status(bye)
            .encode(Mode::Rev1)
            .into_iter()
            .flat_map(|f| match f {
                Fragment::Bytes(b) => b,
                Fragment::Stream(_) => Vec::new(),
            })
            .collect();
        connection.refuse_with(bytes)
    }
}
