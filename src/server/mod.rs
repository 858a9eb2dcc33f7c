//! Listeners, TLS, connection limits, timeouts, graceful shutdown and reload.
//!
//! Shaped like tokio's mini-redis: [`Server::bind`] binds every listener first, so a
//! port that cannot be bound fails the start with nothing half-running; [`Server::run`]
//! accepts until [`ServerHandle::shutdown`], then signals the sessions, waits up to
//! `limits.shutdown_grace` and cuts the rest. It must not speak any protocol: each one
//! plugs in a [`ProtocolHandler`].

mod client;
mod connection;
mod limits;
mod listener;
mod reload;
mod shutdown;
mod signals;
mod stream;
mod tls;
mod unavailable;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::mpsc;

use crate::config::{Config, ConfigError, Listener};

pub use client::{ClientGone, ClientStream};
pub use connection::{Connection, Handlers, ProtocolHandler, SessionFuture, SessionId};
pub use limits::Refusal;
pub use reload::ReloadReport;
pub use shutdown::Shutdown;
pub use signals::SignalHandlers;
pub use stream::{HandshakeError, MaybeTls, accept};
pub use tls::{TlsError, TlsHandle, server_config};

use limits::ConnectionLimiter;
use shutdown::ShutdownSender;

/// Why the server could not start or reload.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot install the handler for {signal}: {source}")]
    Signal {
        signal: &'static str,
        source: std::io::Error,
    },
    #[error("a blocking task failed: {0}")]
    Blocking(#[from] tokio::task::JoinError),
}

/// State every listener and connection task shares.
pub(crate) struct Shared {
    config: RwLock<Arc<Config>>,
    /// Where the configuration was read from; reload re-reads it.
    config_path: Option<PathBuf>,
    tls: TlsHandle,
    limiter: Arc<ConnectionLimiter>,
    handlers: Handlers,
    /// Asks sessions to finish.
    shutdown: ShutdownSender,
    /// Ends the sessions still running when the grace period is over.
    cut: ShutdownSender,
}

impl Shared {
    fn config(&self) -> Arc<Config> {
        Arc::clone(&self.config.read().unwrap_or_else(PoisonError::into_inner))
    }
}

/// A server with every listener bound, not yet accepting.
pub struct Server {
    sockets: Vec<(TcpListener, Listener)>,
    shared: Arc<Shared>,
}

/// Controls a server from elsewhere: tests, the signal task, an admin command.
#[derive(Clone)]
pub struct ServerHandle(Arc<Shared>);

impl Server {
    /// Loads TLS (generating the self-signed pair if needed) and binds every listener.
    /// `config_path` is the file `config` came from, for reloads.
    pub async fn bind(
        config: Config,
        config_path: Option<PathBuf>,
        handlers: Handlers,
    ) -> Result<Server, ServerError> {
        let files = config.certificate_files();
        let hostname = config.server.hostname.clone();
        let tls = tokio::task::spawn_blocking(move || TlsHandle::load(&files, &hostname)).await??;
        let mut sockets = Vec::with_capacity(config.listeners.len());
        for listener in &config.listeners {
            let socket = bind(listener.address).map_err(|source| ServerError::Bind {
                address: listener.address,
                source,
            })?;
            sockets.push((socket, *listener));
        }
        Ok(Server {
            sockets,
            shared: Arc::new(Shared {
                config: RwLock::new(Arc::new(config)),
                config_path,
                tls,
                limiter: Arc::default(),
                handlers,
                shutdown: ShutdownSender::new(),
                cut: ShutdownSender::new(),
            }),
        })
    }

    /// The bound addresses with their listeners, in configuration order; with port 0 in
    /// the configuration, this is where the kernel's choice shows.
    pub fn local_addrs(&self) -> Vec<(SocketAddr, Listener)> {
        self.sockets
            .iter()
            .filter_map(|(socket, listener)| Some((socket.local_addr().ok()?, *listener)))
            .collect()
    }

    pub fn handle(&self) -> ServerHandle {
        ServerHandle(Arc::clone(&self.shared))
    }

    /// From now on SIGTERM and SIGINT shut the server down and SIGHUP reloads it, until the
    /// returned guard is dropped. Install before announcing the server: a signal that arrives
    /// before the handlers would kill the process instead of stopping it cleanly.
    /// The signal [`Server::run`] stops on, for tasks beside the sessions (the queue
    /// worker) that must finish with them.
    pub fn shutdown_signal(&self) -> Shutdown {
        self.shared.shutdown.subscribe()
    }

    pub fn handle_signals(&self) -> Result<SignalHandlers, ServerError> {
        signals::listen(self.handle())
    }

    /// Serves until [`ServerHandle::shutdown`]; returns once every session has ended, at
    /// most `limits.shutdown_grace` (plus a moment to cut the rest) after that.
    pub async fn run(self) {
        let (alive, mut all_ended) = mpsc::channel::<()>(1);
        let mut accept_loops = tokio::task::JoinSet::new();
        for (socket, listener) in self.sockets {
            tracing::info!(address = %listener.address, protocol = %listener.protocol, "listening");
            let task =
                listener::accept_loop(socket, listener, Arc::clone(&self.shared), alive.clone());
            accept_loops.spawn(task);
        }
        drop(alive);
        self.shared.shutdown.subscribe().requested().await;
        // The accept loops see the same signal; once they end no new session starts.
        while accept_loops.join_next().await.is_some() {}
        let grace = self.shared.config().limits.shutdown_grace.duration();
        tracing::info!(
            grace_seconds = grace.as_secs(),
            "shutting down: waiting for sessions"
        );
        if tokio::time::timeout(grace, all_ended.recv()).await.is_err() {
            tracing::warn!("sessions still open after the shutdown grace: cutting them");
            self.shared.cut.signal();
            // A cut session ends at its next poll; this only bounds a wedged one.
            let _ = tokio::time::timeout(Duration::from_secs(1), all_ended.recv()).await;
        }
        tracing::info!("shut down");
    }
}

/// How many connections the kernel queues while the accept loop is busy: tokio's default
/// of 128 drops SYNs under a burst of a few hundred clients, and dropped SYNs cost the
/// client a one-second retransmission.
const ACCEPT_BACKLOG: u32 = 1024;

fn bind(address: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = match address {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    // Lets a restart bind while old connections linger in TIME_WAIT.
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(ACCEPT_BACKLOG)
}

impl ServerHandle {
    /// Stops accepting and asks every session to finish.
    pub fn shutdown(&self) {
        self.0.shutdown.signal();
    }

    /// The configuration in force.
    pub fn config(&self) -> Arc<Config> {
        self.0.config()
    }

    /// Re-reads the configuration file (when the server was started from one) and the
    /// certificates. On any error the old configuration and certificates stay in force.
    pub async fn reload(&self) -> Result<ReloadReport, ServerError> {
        reload::reload(&self.0).await
    }
}
