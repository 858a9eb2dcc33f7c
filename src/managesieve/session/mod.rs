//! The ManageSieve session: one client's state machine (RFC 5804 §1.8:
//! non-authenticated, authenticated) over any byte stream.
//!
//! Owns the state and the loop that reads a command and answers it. Reading
//! commands and literals lives in `io`; STARTTLS, AUTHENTICATE and
//! UNAUTHENTICATE in `login`; the script commands in `commands`. Must not
//! spell responses itself (that is `response`) nor parse (that is `parser`).

mod commands;
mod io;
mod login;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsAcceptor;

use super::ScriptChecker;
use super::parser::{Command, parse_command};
use super::response::{self, CapabilityState, Code};
use crate::auth::{AuthenticatedUser, Authenticator};
use crate::scripts::{ScriptQuotas, ScriptStorage};
use crate::server::{ClientStream, MaybeTls, Shutdown};

use io::{CommandRead, Ended};

/// After this many `NO` answers in a row the client is disconnected.
pub const MAX_CONSECUTIVE_ERRORS: u32 = 20;

/// What every session of a server shares.
#[derive(Clone)]
pub struct SessionContext {
    pub authenticator: Arc<Authenticator>,
    pub scripts: Arc<ScriptStorage>,
    pub checker: Arc<dyn ScriptChecker>,
}

/// The per-connection settings, from the listener and the configuration.
#[derive(Clone)]
pub struct SessionSettings {
    /// `timeouts.managesieve_idle`.
    pub idle_timeout: Duration,
    pub peer: SocketAddr,
    /// The acceptor and handshake timeout on a STARTTLS listener.
    pub starttls: Option<(TlsAcceptor, Duration)>,
    /// AUTHENTICATE without TLS (`auth.allow_plaintext_on_loopback` and a
    /// loopback peer).
    pub plaintext_auth: bool,
    /// `[managesieve]` script quotas.
    pub quotas: ScriptQuotas,
}

/// One client's session.
pub struct Session<S> {
    client: ClientStream<S>,
    context: SessionContext,
    settings: SessionSettings,
    user: Option<AuthenticatedUser>,
    errors: u32,
}

impl<S> Session<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    pub fn new(
        stream: MaybeTls<S>,
        context: SessionContext,
        settings: SessionSettings,
        shutdown: Shutdown,
    ) -> Self {
        Self {
            client: ClientStream::new(
                stream,
                settings.idle_timeout,
                shutdown,
                settings.starttls.clone(),
            ),
            context,
            settings,
            user: None,
            errors: 0,
        }
    }

    /// Serves the client until LOGOUT, disconnect, timeout or shutdown.
    /// The greeting is the capability list and OK (RFC 5804 §1.7).
    pub async fn run(mut self) {
        self.queue_capabilities();
        self.queue(response::ok(None, "postamt ManageSieve ready"));
        let ended = match self.serve().await {
            Ok(()) => Ended::Closed,
            Err(ended) => ended,
        };
        let bye = match ended {
            Ended::Closed => None,
            Ended::TimedOut => Some(response::bye(None, "Idle too long")),
            Ended::Shutdown => Some(response::bye(Some(&Code::TryLater), "Server shutting down")),
            Ended::TooManyErrors => Some(response::bye(None, "Too many errors")),
            Ended::LiteralTooLarge => Some(response::bye(None, "Literal too large")),
        };
        if let Some(bye) = bye {
            self.queue(bye);
            let _ = self.flush().await;
        }
        self.client.close().await;
    }

    /// The command loop; `Ok` after LOGOUT.
    async fn serve(&mut self) -> Result<(), Ended> {
        loop {
            if self.errors >= MAX_CONSECUTIVE_ERRORS {
                return Err(Ended::TooManyErrors);
            }
            self.flush().await?;
            let tokens = match self.read_command().await? {
                CommandRead::Tokens(tokens) => tokens,
                CommandRead::TooLong => {
                    self.fail(None, "Command line too long");
                    continue;
                }
                CommandRead::Invalid(error) => {
                    self.fail(None, &error.to_string());
                    continue;
                }
            };
            let command = match parse_command(tokens) {
                Ok(command) => command,
                Err(error) => {
                    self.fail(None, &error.to_string());
                    continue;
                }
            };
            tracing::debug!(command = command.name(), "command");
            if matches!(command, Command::Logout) {
                // RFC 5804 §2.3: OK, then the server closes.
                self.succeed(response::ok(None, "Logout completed"));
                self.flush().await?;
                return Ok(());
            }
            self.answer(command).await?;
        }
    }

    async fn answer(&mut self, command: Command) -> Result<(), Ended> {
        match command {
            Command::Capability => {
                self.queue_capabilities();
                self.succeed(response::ok(None, "Capability completed"));
            }
            Command::Noop(tag) => {
                let code = tag.map(Code::Tag);
                self.succeed(response::ok(code.as_ref(), "Done"));
            }
            Command::StartTls => self.starttls().await?,
            Command::Authenticate {
                mechanism,
                initial_response,
            } => self.authenticate(&mechanism, initial_response).await?,
            Command::Unauthenticate => self.unauthenticate(),
            command => match self.user.clone() {
                Some(user) => self.script_command(&user, command).await,
                None => self.fail(None, "Authenticate first"),
            },
        }
        Ok(())
    }

    fn queue_capabilities(&mut self) {
        let tls = self.is_tls();
        let state = CapabilityState {
            extensions: self.context.checker.extensions(),
            starttls: self.settings.starttls.is_some() && !tls,
            auth_allowed: self.auth_allowed(),
            authenticated: self.user.is_some(),
        };
        self.queue(response::capabilities(&state));
    }

    fn is_tls(&self) -> bool {
        self.client.is_tls()
    }

    /// Whether passwords may be sent now: over TLS, or on configured loopback
    /// (DESIGN.md invariant 6).
    fn auth_allowed(&self) -> bool {
        self.is_tls() || self.settings.plaintext_auth
    }

    fn queue(&mut self, bytes: Vec<u8>) {
        self.client.queue(&bytes);
    }

    /// Queues a positive answer; the run of errors is over.
    fn succeed(&mut self, bytes: Vec<u8>) {
        self.errors = 0;
        self.queue(bytes);
    }

    /// Queues a `NO` answer and counts it.
    fn fail(&mut self, code: Option<&Code>, text: &str) {
        self.errors += 1;
        self.queue(response::no(code, text));
    }
}
