//! The POP3 [`ProtocolHandler`]: builds a [`Session`] for each accepted
//! connection from the listener and the configuration, and refuses a client
//! over a connection limit with `-ERR [SYS/TEMP]` (RFC 3206 §4). Holds what
//! all sessions share; speaks no POP3 itself.

use std::sync::Arc;

use super::lock::Maildrops;
use super::response::{self, Code};
use super::session::{Session, SessionContext, SessionSettings};
use crate::auth::Authenticator;
use crate::server::{Connection, ProtocolHandler, Refusal, SessionFuture};
use crate::store::Store;

/// Serves POP3 on the listeners the server gives it.
pub struct Pop3Handler {
    context: SessionContext,
}

impl Pop3Handler {
    pub fn new(store: Store, authenticator: Arc<Authenticator>) -> Self {
        Self {
            context: SessionContext {
                store,
                authenticator,
                maildrops: Arc::new(Maildrops::default()),
            },
        }
    }
}

/// The settings of one connection's session.
fn settings(connection: &Connection) -> SessionSettings {
    let config = &connection.config;
    let starttls = connection.starttls_offer();
    SessionSettings {
        idle_timeout: connection.idle_timeout,
        peer: connection.peer,
        starttls,
        plaintext_auth: connection.plaintext_auth_allowed(),
        pop3: config.pop3.clone(),
    }
}

impl ProtocolHandler for Pop3Handler {
    fn serve(&self, connection: Connection) -> SessionFuture {
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
        let line = response::err(Some(Code::SysTemp), reason.text());
        connection.refuse_with(line)
    }
}
