//! The POP3 [`ProtocolHandler`]: builds a [`Session`] for each accepted
//! connection from the listener and the configuration, and refuses a client
//! over a connection limit with `-ERR [SYS/TEMP]` (RFC 3206 §4). Holds what
//! all sessions share; speaks no POP3 itself.

use std::sync::Arc;

use tokio::io::AsyncWriteExt;

use super::lock::Maildrops;
use super::response::{self, Code};
use super::session::{Session, SessionContext, SessionSettings};
use crate::auth::Authenticator;
use crate::config::TlsMode;
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

    fn refuse(&self, mut connection: Connection, reason: Refusal) -> SessionFuture {
        let line = response::err(Some(Code::SysTemp), reason.text());
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
