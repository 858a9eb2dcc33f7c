//! The SMTP [`ProtocolHandler`]: one instance serves inbound SMTP and
//! submission, building a [`Session`] per connection from the listener and
//! the configuration, and refusing a client over a connection limit with
//! `421 4.7.0`. Holds what all sessions share; speaks no SMTP itself.

use std::sync::Arc;

use crate::auth::Authenticator;
use crate::config::Protocol;
use crate::delivery::Srs;
use crate::dkim::DkimSigner;
use crate::queue::MessageSink;
use crate::server::{Connection, ProtocolHandler, Refusal, SessionFuture};
use crate::smtp::check::InboundCheck;
use crate::smtp::rate::SubmissionRate;
use crate::smtp::reply::{Reply, Status};
use crate::smtp::session::{Role, Session, SessionContext, SessionSettings};
use crate::store::Store;

/// Serves SMTP (`Protocol::Smtp`) and submission (`Protocol::Submission`).
pub struct SmtpHandler {
    context: SessionContext,
}

impl SmtpHandler {
    pub fn new(
        store: Store,
        authenticator: Arc<Authenticator>,
        sink: Arc<dyn MessageSink>,
    ) -> Self {
        Self {
            context: SessionContext {
                store,
                authenticator,
                sink,
                rate: Arc::new(SubmissionRate::default()),
                srs: None,
                dkim: None,
                inbound_check: None,
            },
        }
    }

    /// Accepts bounces to the SRS addresses forwards were sent from.
    pub fn with_srs(mut self, srs: Arc<Srs>) -> Self {
        self.context.srs = Some(srs);
        self
    }

    /// Signs mail submitted from domains with DKIM keys (never inbound mail).
    pub fn with_dkim(mut self, signer: Arc<DkimSigner>) -> Self {
        self.context.dkim = Some(signer);
        self
    }

    /// Asks `check` about every message on the inbound port (never on
    /// submission) once its data is complete, before it is committed.
    pub fn with_inbound_check(mut self, check: Arc<dyn InboundCheck>) -> Self {
        self.context.inbound_check = Some(check);
        self
    }
}

/// The settings of one connection's session.
fn settings<S>(connection: &Connection<S>) -> SessionSettings
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let config = &connection.config;
    let starttls = connection.starttls_offer();
    SessionSettings {
        // Anything but submission is served as inbound: it never relays.
        role: match connection.protocol {
            Protocol::Submission => Role::Submission,
            _ => Role::Inbound,
        },
        hostname: config.server.hostname.clone(),
        peer: connection.peer,
        session_id: connection.session_id.to_string(),
        idle_timeout: connection.idle_timeout,
        starttls,
        plaintext_auth: connection.plaintext_auth_allowed(),
        message_size: config.limits.message_size,
        smtp: config.smtp.clone(),
    }
}

impl ProtocolHandler for SmtpHandler {
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
        // RFC 5321 §3.1: 421 with the host name; RFC 3463 4.7.0: a policy refusal.
        let why = match reason {
            Refusal::TooManyConnections => "Too many connections, try again later",
            Refusal::TooManyFromAddress => {
                "Too many connections from your address, try again later"
            }
        };
        let text = format!("{} {why}", connection.hostname());
        let bytes = Reply::new(421, Status::new(4, 7, 0), &text).to_bytes();
        connection.refuse_with(bytes)
    }
}
