//! The ManageSieve [`ProtocolHandler`]: builds a [`Session`] for each
//! accepted connection, and refuses a client over a connection limit with
//! `BYE (TRYLATER)` (RFC 5804 §1.3). Holds what sessions share; speaks no
//! ManageSieve itself.

use std::sync::Arc;

use tokio::io::AsyncWriteExt;

use super::ScriptChecker;
use super::response::{self, Code};
use super::session::{Session, SessionContext, SessionSettings};
use crate::auth::Authenticator;
use crate::config::TlsMode;
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
    let starttls =
        (connection.tls_mode == TlsMode::StartTls && !connection.stream.is_tls()).then(|| {
            (
                connection.tls.acceptor(),
                config.timeouts.tls_handshake.duration(),
            )
        });
    SessionSettings {
        idle_timeout: connection.idle_timeout,
        peer: connection.peer,
        starttls,
        plaintext_auth: config.auth.allow_plaintext_on_loopback
            && connection.peer.ip().is_loopback(),
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

    fn refuse(&self, mut connection: Connection, reason: Refusal) -> SessionFuture {
        let line = response::bye(Some(&Code::TryLater), reason.text());
        Box::pin(async move {
            let written = async {
                connection.stream.write_all(&line).await?;
                connection.stream.shutdown().await
            };
            if let Err(error) = written.await {
                tracing::debug!(%error, "client left before the refusal was written");
            }
        })
    }
}
