//! The SMTP session state machine (RFC 5321 §4.1.4, §4.3) for both roles:
//! inbound mail on port 25 and message submission (RFC 6409) on 587 and
//! 465. Generic over the stream so tests drive it through in-memory pipes.
//!
//! Owns the command loop, the session state (greeting, TLS, login, the
//! current transaction) and the limits on errors and line length. Each
//! family of commands lives in its own file; bytes and replies go through
//! [`io::Io`]. It never touches files or SQL: the spool is a
//! [`MessageSink`], accounts are the [`Authenticator`]'s directory.

mod auth;
mod data;
mod greeting;
mod io;
mod receive;
mod transaction;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsAcceptor;

use crate::auth::{AliasAddress, AuthenticatedUser, Authenticator};
use crate::config::SmtpSection;
use crate::delivery::Srs;
use crate::dkim::DkimSigner;
use crate::queue::{MessageSink, Recipient, ReversePath};
use crate::server::{MaybeTls, Shutdown};
use crate::smtp::check::InboundCheck;
use crate::smtp::dot::LineEndingCheck;
use crate::smtp::parser::{Command, MailParameters, ParseError, parse_command};
use crate::smtp::rate::SubmissionRate;
use crate::smtp::reply::{Reply, Status};
use crate::store::Store;

use io::{End, Io, Line};
use receive::Receiver;

/// The longest line read at all: an AUTH command or SASL response
/// (RFC 4954 §4: 12288 octets).
const MAX_AUTH_LINE: usize = 12_288;

/// The longest other command line, CRLF included: RFC 5321 §4.5.3.1.4's 512
/// plus what the parameters of RFC 1870, RFC 3461 (ORCPT up to 500, ENVID
/// 100) and RFC 4954 §5 may add; Postfix allows the same.
const MAX_COMMAND_LINE: usize = 2048;

/// Which service a listener offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Port 25: mail for local domains only, no AUTH, never relay.
    Inbound,
    /// Ports 587 and 465: AUTH required, mail to anywhere (RFC 6409).
    Submission,
}

/// What every session of a handler shares.
#[derive(Clone)]
pub struct SessionContext {
    pub store: Store,
    pub authenticator: Arc<Authenticator>,
    pub sink: Arc<dyn MessageSink>,
    pub rate: Arc<SubmissionRate>,
    /// Decodes the SRS addresses our forwards were sent from, so a bounce
    /// to one is accepted (the queue passes it on to the original sender).
    pub srs: Option<Arc<Srs>>,
    /// Signs submitted mail from domains with DKIM keys.
    pub dkim: Option<Arc<DkimSigner>>,
    /// Asked about each message on the inbound port before its commit.
    pub inbound_check: Option<Arc<dyn InboundCheck>>,
}

/// The settings of one connection's session.
#[derive(Clone)]
pub struct SessionSettings {
    pub role: Role,
    /// Greeting, EHLO reply and Received fields.
    pub hostname: String,
    pub peer: SocketAddr,
    /// For the Received field's `id` and the log.
    pub session_id: String,
    pub idle_timeout: Duration,
    /// Set on a STARTTLS listener: the acceptor and the handshake timeout.
    pub starttls: Option<(TlsAcceptor, Duration)>,
    /// `auth.allow_plaintext_on_loopback` and a loopback peer.
    pub plaintext_auth: bool,
    /// `limits.message_size`: SIZE (RFC 1870).
    pub message_size: u64,
    pub smtp: SmtpSection,
}

/// The client's EHLO or HELO.
#[derive(Debug, Clone)]
struct Helo {
    identity: String,
    /// EHLO: the service extensions may be used.
    extended: bool,
}

/// A mail transaction (RFC 5321 §3.3), from MAIL to the end of the data.
struct Transaction {
    mail_from: ReversePath,
    parameters: MailParameters,
    recipients: Vec<Recipient>,
    /// Submission: the addresses the user may send as, for the From: check.
    owned: Vec<AliasAddress>,
    /// The message received so far by BDAT (RFC 3030), with the check
    /// for bare line endings outside BINARYMIME.
    chunks: Option<(Receiver, LineEndingCheck)>,
}

/// What the loop does after a command.
enum Step {
    Reply(Reply),
    /// Nothing to say: the client speaks next (after STARTTLS).
    Silent,
    /// Reply, then close the connection.
    Close(Reply),
    /// The client is gone, silent, or the server stops.
    End(End),
}

/// One client's session.
pub struct Session<S> {
    io: Io<S>,
    context: SessionContext,
    settings: SessionSettings,
    helo: Option<Helo>,
    user: Option<AuthenticatedUser>,
    transaction: Option<Transaction>,
    /// 5xx replies so far.
    errors: u32,
    /// Messages accepted, for unique ids.
    accepted: u64,
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
            io: Io::new(
                stream,
                shutdown,
                settings.idle_timeout,
                settings.starttls.clone(),
            ),
            context,
            settings,
            helo: None,
            user: None,
            transaction: None,
            errors: 0,
            accepted: 0,
        }
    }

    /// Serves the client until QUIT, a fatal error, the idle timeout or shutdown.
    pub async fn run(mut self) {
        let greeting = Reply::plain(220, &format!("{} ESMTP postamt", self.settings.hostname));
        self.io.queue(&greeting);
        loop {
            let step = match self.io.read_line(MAX_AUTH_LINE).await {
                Err(end) => Step::End(end),
                Ok(Line::TooLong) => Step::Reply(line_too_long()),
                Ok(Line::Complete(line)) => self.command(&line).await,
            };
            match step {
                Step::Reply(reply) => {
                    if reply.code() >= 400 {
                        tracing::debug!(code = reply.code(), "command refused");
                    }
                    self.io.queue(&reply);
                    if reply.is_permanent_failure() && self.count_error().await {
                        return;
                    }
                }
                Step::Silent => {}
                Step::Close(reply) => {
                    self.io.queue(&reply);
                    self.io.close().await;
                    return;
                }
                Step::End(end) => {
                    self.end(end).await;
                    return;
                }
            }
        }
    }

    /// Counts a failed command; true when that was one too many and the
    /// session is closed (`421 4.7.0`).
    async fn count_error(&mut self) -> bool {
        self.errors += 1;
        if self.errors < self.settings.smtp.max_errors {
            return false;
        }
        tracing::info!(errors = self.errors, "too many errors: closing the session");
        let text = format!("{} Error: too many errors", self.settings.hostname);
        self.io.queue(&Reply::new(421, Status::new(4, 7, 0), &text));
        self.io.close().await;
        true
    }

    /// Says why the session ends, when the client can still hear it.
    async fn end(&mut self, end: End) {
        let hostname = &self.settings.hostname;
        let reply = match end {
            End::Closed => None,
            // RFC 5321 §4.5.3.2.7 and RFC 3463 4.4.2: the connection dropped.
            End::TimedOut => Some(Reply::new(
                421,
                Status::new(4, 4, 2),
                &format!("{hostname} Error: timeout exceeded"),
            )),
            End::Shutdown => Some(Reply::new(
                421,
                Status::new(4, 3, 2),
                &format!("{hostname} Service shutting down"),
            )),
        };
        if let Some(reply) = reply {
            self.io.queue(&reply);
        }
        self.io.close().await;
    }

    async fn command(&mut self, line: &[u8]) -> Step {
        if line.contains(&0) {
            return Step::Reply(Reply::new(
                500,
                Status::new(5, 5, 2),
                "NUL is not allowed in a command",
            ));
        }
        let is_auth = line
            .get(..5)
            .is_some_and(|verb| verb.eq_ignore_ascii_case(b"AUTH "));
        if !is_auth && line.len() + 2 > MAX_COMMAND_LINE {
            return Step::Reply(line_too_long());
        }
        let command = match parse_command(line) {
            Ok(command) => command,
            Err(error) => return Step::Reply(parse_error(&error)),
        };
        match command {
            Command::Ehlo(identity) => Step::Reply(self.ehlo(identity.as_str(), true)),
            Command::Helo(identity) => Step::Reply(self.ehlo(identity.as_str(), false)),
            Command::StartTls => self.starttls().await,
            Command::Auth {
                mechanism,
                initial_response,
            } => self.auth(&mechanism, initial_response).await,
            Command::Mail(path, parameters) => Step::Reply(self.mail(path, parameters).await),
            Command::Rcpt(path, parameters) => Step::Reply(self.rcpt(path, parameters).await),
            Command::Data => self.data().await,
            Command::Bdat { size, last } => self.bdat(size, last).await,
            Command::Rset => {
                self.transaction = None;
                Step::Reply(ok())
            }
            Command::Noop => Step::Reply(ok()),
            Command::Quit => Step::Close(Reply::new(
                221,
                Status::new(2, 0, 0),
                &format!("{} closing connection", self.settings.hostname),
            )),
            // RFC 5321 §3.5.3: 252 neither confirms nor denies a user, so
            // VRFY cannot be used to harvest addresses.
            Command::Vrfy => Step::Reply(Reply::new(
                252,
                Status::new(2, 5, 0),
                "Cannot VRFY user, but will accept message and attempt delivery",
            )),
            Command::Expn => {
                Step::Reply(Reply::new(502, Status::new(5, 5, 1), "EXPN not available"))
            }
            Command::Help => Step::Reply(Reply::new(
                214,
                Status::new(2, 0, 0),
                "See RFC 5321 and https://www.rfc-editor.org/",
            )),
        }
    }

    /// Whether AUTH is offered: on submission, over TLS or configured loopback.
    fn auth_offered(&self) -> bool {
        self.settings.role == Role::Submission && (self.io.is_tls() || self.settings.plaintext_auth)
    }
}

fn ok() -> Reply {
    Reply::new(250, Status::new(2, 0, 0), "Ok")
}

/// RFC 5321 §4.5.3.1.10 and RFC 3463 5.5.6 (syntax error: line too long).
fn line_too_long() -> Reply {
    Reply::new(500, Status::new(5, 5, 6), "Line too long")
}

fn parse_error(error: &ParseError) -> Reply {
    Reply::from(error)
}

/// `503 5.5.1`: a command out of sequence (RFC 5321 §4.3.2).
fn bad_sequence(text: &str) -> Reply {
    Reply::new(503, Status::new(5, 5, 1), text)
}

/// A temporary local failure (RFC 3463 4.3.0).
fn local_error() -> Reply {
    Reply::new(451, Status::new(4, 3, 0), "Local error, try again later")
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}
