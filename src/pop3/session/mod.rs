//! The POP3 session: one client's state machine (RFC 1939 §3: AUTHORIZATION,
//! TRANSACTION, UPDATE) over any byte stream.
//!
//! Owns the state and the loop that reads a line, parses it and answers it.
//! What the commands of each state do lives in `authorization` and
//! `transaction`; when responses are written in `io` (reading and writing
//! are the server's `ClientStream`). Must not spell
//! responses itself (that is `response`) nor parse (that is `parser`).

mod authorization;
mod io;
mod transaction;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsAcceptor;

use super::capability::{CapabilityState, capabilities};
use super::lock::Maildrops;
use super::parser::{Command, MAX_COMMAND_LINE, parse_command};
use super::response::{self, Code};
use crate::config::Pop3Section;
use crate::server::{ClientStream, MaybeTls, Shutdown};
use crate::store::Store;

use io::Ended;
use transaction::Transaction;

/// After this many `-ERR` answers in a row the client is disconnected: a
/// client that only sends garbage must not hold a connection forever.
pub const MAX_CONSECUTIVE_ERRORS: u32 = 20;

/// What every session of a server shares.
#[derive(Clone)]
pub struct SessionContext {
    pub store: Store,
    pub authenticator: Arc<crate::auth::Authenticator>,
    pub maildrops: Arc<Maildrops>,
}

/// The per-connection settings, from the listener and the configuration.
#[derive(Clone)]
pub struct SessionSettings {
    /// Autologout after this much silence (`timeouts.pop3_idle`, RFC 1939 §3).
    pub idle_timeout: Duration,
    pub peer: SocketAddr,
    /// The acceptor and handshake timeout on a STARTTLS listener.
    pub starttls: Option<(TlsAcceptor, Duration)>,
    /// USER/PASS and AUTH without TLS (`auth.allow_plaintext_on_loopback`
    /// and a loopback peer).
    pub plaintext_auth: bool,
    pub pop3: Pop3Section,
}

/// RFC 1939 §3. UPDATE is not a state the session rests in: QUIT in
/// TRANSACTION runs it and the session ends.
enum State {
    /// With the name USER gave, waiting for PASS.
    Authorization {
        user: Option<String>,
    },
    Transaction(Box<Transaction>),
}

/// One client's session.
pub struct Session<S> {
    client: ClientStream<S>,
    context: SessionContext,
    settings: SessionSettings,
    state: State,
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
            state: State::Authorization { user: None },
            errors: 0,
        }
    }

    /// Serves the client until QUIT, disconnect, autologout or shutdown.
    pub async fn run(mut self) {
        self.queue(response::ok("postamt POP3 ready"));
        let ended = match self.serve().await {
            Ok(()) => Ended::Closed,
            Err(ended) => ended,
        };
        match ended {
            // RFC 1939 §3: on autologout the server closes without a response
            // and without entering UPDATE.
            Ended::Closed | Ended::TimedOut => {}
            Ended::Shutdown => {
                self.queue(response::err(Some(Code::SysTemp), "Server shutting down"));
                let _ = self.flush().await;
            }
            Ended::TooManyErrors => {
                self.queue(response::err(None, "Too many errors, closing"));
                let _ = self.flush().await;
            }
        }
        self.client.close().await;
    }

    /// The command loop; `Ok` after QUIT.
    async fn serve(&mut self) -> Result<(), Ended> {
        loop {
            if self.errors >= MAX_CONSECUTIVE_ERRORS {
                return Err(Ended::TooManyErrors);
            }
            self.flush_unless_pipelined().await?;
            let line = self.client.read_line(MAX_COMMAND_LINE).await?;
            let Some(line) = line else {
                self.fail(None, "Command line too long (at most 255 octets)");
                continue;
            };
            let command = match parse_command(&line) {
                Ok(command) => command,
                Err(error) => {
                    self.fail(None, &error.to_string());
                    continue;
                }
            };
            tracing::debug!(command = command_name(&command), "command");
            if self.answer(command).await? {
                self.flush().await?;
                return Ok(());
            }
        }
    }

    /// Answers one command; `true` when the session is over (QUIT).
    async fn answer(&mut self, command: Command) -> Result<bool, Ended> {
        match command {
            Command::Capa => {
                self.capa();
                Ok(false)
            }
            Command::Quit => self.quit().await.map(|()| true),
            command if self.in_transaction() => self.transaction(command).await.map(|()| false),
            command => self.authorization(command).await.map(|()| false),
        }
    }

    /// CAPA (RFC 2449 §5): valid in every state.
    fn capa(&mut self) {
        let tls = self.client.is_tls();
        let list = capabilities(CapabilityState {
            stls: self.settings.starttls.is_some() && !tls,
            auth_allowed: self.auth_allowed(),
            authenticated: self.in_transaction(),
            login_delay_seconds: self.settings.pop3.login_delay.0,
        });
        self.succeed(response::multiline("Capability list follows", list));
    }

    /// QUIT (RFC 1939 §6): in AUTHORIZATION it just ends; in TRANSACTION it
    /// commits the deletions (the UPDATE state).
    async fn quit(&mut self) -> Result<(), Ended> {
        let state = std::mem::replace(&mut self.state, State::Authorization { user: None });
        match state {
            State::Authorization { .. } => {
                self.queue(response::ok("postamt signing off"));
                Ok(())
            }
            State::Transaction(transaction) => self.update(*transaction).await,
        }
    }

    fn in_transaction(&self) -> bool {
        matches!(self.state, State::Transaction(_))
    }

    /// Whether passwords may be sent now: over TLS, or on configured loopback
    /// (DESIGN.md invariant 6, RFC 2595 §4).
    fn auth_allowed(&self) -> bool {
        self.client.is_tls() || self.settings.plaintext_auth
    }

    fn queue(&mut self, bytes: Vec<u8>) {
        self.client.queue(&bytes);
    }

    /// Queues a positive answer; the run of errors is over.
    fn succeed(&mut self, bytes: Vec<u8>) {
        self.errors = 0;
        self.queue(bytes);
    }

    /// Queues a `-ERR` answer and counts it.
    fn fail(&mut self, code: Option<Code>, text: &str) {
        self.errors += 1;
        self.queue(response::err(code, text));
    }
}

/// The command's keyword for the log, never its arguments (PASS holds a password).
fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Capa => "CAPA",
        Command::Quit => "QUIT",
        Command::Stls => "STLS",
        Command::User(_) => "USER",
        Command::Pass(_) => "PASS",
        Command::Apop => "APOP",
        Command::Auth { .. } => "AUTH",
        Command::Stat => "STAT",
        Command::List(_) => "LIST",
        Command::Retr(_) => "RETR",
        Command::Dele(_) => "DELE",
        Command::Noop => "NOOP",
        Command::Rset => "RSET",
        Command::Top(..) => "TOP",
        Command::Uidl(_) => "UIDL",
    }
}
