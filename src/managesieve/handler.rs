//! The ManageSieve [`ProtocolHandler`]: builds a [`Session`] for each
//! accepted connection, and refuses a client over a connection limit with
//! `BYE (TRYLATER)` (RFC 5804 §1.3). Holds what sessions share; speaks no
//! ManageSieve itself.

use std::sync::Arc;

use super::ScriptChecker;
use super::response::{self, Code};
use super::session::{Session, SessionContext, SessionSettings};
use crate::auth::Authenticator;
use crate::scripts::{ScriptQuotas, ScriptStorage};
use crate::server::{Connection, ProtocolHandler, Refusal, SessionFuture};

/// Serves ManageSieve on the listeners the server gives it.
pub struct ManageSieveHandler {
    context: SessionContext,
}

impl ManageSieveHandler {
    pub fn new(
        authenticator: Arc<Authenticator>,
        scripts: Arc<ScriptStorage>,
        checker: Arc<dyn ScriptChecker>,
    ) -> Self {
        Self {
            context: SessionContext {
                authenticator,
                scripts,
                checker,
            },
        }
    }
}

fn settings(connection: &Connection) -> SessionSettings {
    let config = &connection.config;
    let starttls = connection.starttls_offer();
    SessionSettings {
        idle_timeout: connection.idle_timeout,
        peer: connection.peer,
        starttls,
        plaintext_auth: connection.plaintext_auth_allowed(),
        quotas: ScriptQuotas::from(&config.managesieve),
    }
}

impl ProtocolHandler for ManageSieveHandler {
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
        let line = response::bye(Some(&Code::TryLater), reason.text());
        connection.refuse_with(line)
    }
}
