//! The IMAP session: one client's state machine (RFC 9051 §3: not
//! authenticated, authenticated, selected, logout) over any byte stream.
//!
//! Owns the connection state (TLS, login, enabled extensions, the selected
//! mailbox's [`SelectedView`]), the loop that feeds the [`Framer`] and answers
//! its events, and the rules for *when* untagged updates from other sessions
//! may be sent. What each command does lives in `command/`, one file per
//! command; how bytes are read and written lives in `io`. Must not parse or
//! encode IMAP itself: that is `parser` and `response`.

mod io;

mod limit;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::auth::{AuthenticatedUser, Authenticator};
use crate::imap::capability::{CapabilityState, capabilities};
use crate::imap::parser::{Event, FrameError, Framer, Limits};
use crate::imap::response::{Code, Condition, Data, Fragment, Mode, Response, Status};
use crate::imap::view::SelectedView;
use crate::server::{MaybeTls, Shutdown};
use crate::store::Store;

pub(crate) use io::IdleWake;
pub use io::Input;
pub use limit::{AccountSessions, SessionSlot};

/// After this many BAD answers in a row the client is told goodbye: a
/// client that only sends garbage must not hold a connection forever.
pub const MAX_CONSECUTIVE_ERRORS: u32 = 10;

/// IDLE may outlast the idle timeout up to this bound (RFC 2177 §3: clients
/// re-issue IDLE at least every 29 minutes, so 31 minutes never cuts one).
pub const MIN_IDLE_BOUND: Duration = Duration::from_secs(31 * 60);

/// What every session of a server shares.
#[derive(Clone)]
pub struct SessionContext {
    pub store: Store,
    pub authenticator: Arc<Authenticator>,
    pub sessions: Arc<AccountSessions>,
    /// Anti-spam training hook (issue 7): told of COPY/MOVE and STORE.
    pub training: Option<Arc<dyn crate::antispam::JunkTraining>>,
}

/// The per-connection settings, from the listener and the configuration.
#[derive(Clone)]
pub struct SessionSettings {
    pub limits: Limits,
    /// Autologout after this much silence (`timeouts.imap_idle`).
    pub idle_timeout: Duration,
    pub peer: SocketAddr,
    /// The acceptor and handshake timeout on a STARTTLS listener.
    pub starttls: Option<(TlsAcceptor, Duration)>,
    /// LOGIN and AUTHENTICATE without TLS (`auth.allow_plaintext_on_loopback`
    /// and a loopback peer).
    pub plaintext_auth: bool,
}

/// Extensions the client turned on (RFC 5161 ENABLE, RFC 7162 §3.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Enabled {
    pub rev2: bool,
    pub utf8: bool,
    pub condstore: bool,
    /// RFC 7162 §3.2: implies `condstore`; expunges are reported as VANISHED.
    pub qresync: bool,
}

/// A logged-in user with what the session holds for them.
pub struct Login {
    pub user: AuthenticatedUser,
    /// Wakes the session when the account changes (IDLE, and the cheap
    /// "anything new?" test before each sync).
    pub changes: watch::Receiver<u64>,
    pub _slot: SessionSlot,
}

/// One client's session.
pub struct Session<S> {
    pub(crate) stream: Option<MaybeTls<S>>,
    pub(crate) framer: Framer,
    pub(crate) pending: Vec<Fragment>,
    pub(crate) read_buf: Vec<u8>,
    pub(crate) context: SessionContext,
    pub(crate) settings: SessionSettings,
    pub(crate) shutdown: Shutdown,
    pub(crate) login: Option<Login>,
    pub(crate) selected: Option<SelectedView>,
    pub(crate) enabled: Enabled,
    pub(crate) errors: u32,
    pub(crate) logout: bool,
    /// Look at the store at the next chance even without a new change mark
    /// (IDLE consumed the mark when it woke).
    pub(crate) resync: bool,
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
            stream: Some(stream),
            framer: Framer::new(settings.limits),
            pending: Vec::new(),
            read_buf: vec![0; 16 * 1024],
            context,
            settings,
            shutdown,
            login: None,
            selected: None,
            enabled: Enabled::default(),
            errors: 0,
            logout: false,
            resync: false,
        }
    }

    /// Serves the client until LOGOUT, disconnect, autologout or shutdown.
    pub async fn run(mut self) {
        let greeting = Status::untagged(
            Condition::Ok,
            Some(Code::Capability(self.capabilities())),
            "postamt ready",
        );
        self.queue(Response::Status(greeting));
        if self.flush().await.is_err() {
            return;
        }
        while !self.logout {
            let event = match self.next_event().await {
                Input::Event(event) => event,
                Input::Closed => return,
                Input::TimedOut => {
                    self.bye(None, "Autologout; idle for too long").await;
                    return;
                }
                Input::Shutdown => {
                    self.bye(Some(Code::Unavailable), "Server shutting down")
                        .await;
                    return;
                }
            };
            if self.answer(event).await.is_err() {
                // The client is gone, or the server is going (mid-APPEND or
                // mid-AUTHENTICATE): say goodbye if there is anyone to hear it.
                if self.shutdown.is_requested() {
                    self.bye(Some(Code::Unavailable), "Server shutting down")
                        .await;
                }
                return;
            }
            if self.errors >= MAX_CONSECUTIVE_ERRORS {
                self.bye(None, "Too many errors").await;
                return;
            }
        }
    }

    /// Answers one framer event. `Err` means the client is gone.
    async fn answer(&mut self, event: Event) -> std::io::Result<()> {
        match event {
            Event::Command(command) => self.command(command).await?,
            Event::Invalid(error) => {
                self.errors += 1;
                let tag = error.tag().map(|t| t.as_str().to_owned());
                self.queue(Response::Status(Status {
                    tag,
                    condition: Condition::Bad,
                    code: None,
                    text: error.to_string(),
                }));
            }
            Event::Refused { tag, error } => {
                self.errors += 1;
                let (condition, code) = refusal(&error);
                self.queue(Response::Status(Status {
                    tag: tag.map(|t| t.as_str().to_owned()),
                    condition,
                    code: Some(code),
                    text: error.to_string(),
                }));
            }
            Event::ContinuationRequest => {
                self.queue(Response::Continue("Ready for literal data".into()));
            }
            // Only inside APPEND, which consumes them itself; after a
            // refused APPEND the framer skips the octets and sends none.
            Event::MessageData(_) | Event::MessageEnd | Event::AppendNext(_) | Event::AppendEnd => {
            }
        }
        self.flush().await
    }

    /// The capability list for the session's current state.
    pub(crate) fn capabilities(&self) -> Vec<String> {
        let tls = self.stream.as_ref().is_some_and(MaybeTls::is_tls);
        capabilities(CapabilityState {
            tls,
            starttls: self.settings.starttls.is_some(),
            auth_allowed: tls || self.settings.plaintext_auth,
            authenticated: self.login.is_some(),
        })
    }

    /// How strings and mailbox names are written (RFC 9051 Appendix E).
    pub(crate) fn mode(&self) -> Mode {
        if self.enabled.rev2 || self.enabled.utf8 {
            Mode::Utf8
        } else {
            Mode::Rev1
        }
    }

    pub(crate) fn queue(&mut self, response: Response<'_>) {
        let mode = self.mode();
        self.pending.extend(response.encode(mode));
    }

    pub(crate) fn queue_data(&mut self, data: Data<'_>) {
        self.queue(Response::Data(data));
    }

    /// Says goodbye (`* BYE`, RFC 9051 §7.1.5) and closes.
    async fn bye(&mut self, code: Option<Code>, text: &str) {
        self.queue(Response::Status(Status::untagged(
            Condition::Bye,
            code,
            text,
        )));
        let _ = self.flush().await;
        self.close().await;
    }
}

/// How a framer refusal is answered (see [`FrameError`]): a message over
/// the size limit is NO [TOOBIG] (RFC 9051 §7.1), other oversized input BAD.
fn refusal(error: &FrameError) -> (Condition, Code) {
    match error {
        FrameError::MessageTooLarge { .. } => (Condition::No, Code::TooBig),
        FrameError::LineTooLong { .. } => (Condition::Bad, Code::Limit),
        FrameError::LiteralTooLarge { .. } | FrameError::NonSyncLiteralTooLarge { .. } => {
            (Condition::Bad, Code::TooBig)
        }
    }
}
