//! The accept loop of one listener and the task that runs each connection.
//!
//! Owns accepting, applying the connection limits, the implicit TLS handshake (in the
//! connection's own task, with a timeout, so a slow client never blocks accepting) and
//! the tracing span of each session. It must not speak any protocol.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tracing::{Instrument, field};

use crate::config::{Listener, TlsMode};

use super::Shared;
use super::connection::{Connection, SessionId};
use super::stream::{self, MaybeTls};

/// Proof a connection task is alive: the server waits until every copy is dropped.
pub(crate) type Alive = mpsc::Sender<()>;

/// Accepts on `socket` until shutdown is requested.
pub(crate) async fn accept_loop(
    socket: TcpListener,
    listener: Listener,
    shared: Arc<Shared>,
    alive: Alive,
) {
    let shutdown = shared.shutdown.subscribe();
    let mut backoff = Duration::from_millis(10);
    loop {
        let accepted = tokio::select! {
            accepted = socket.accept() => accepted,
            () = shutdown.requested() => break,
        };
        match accepted {
            Ok((stream, peer)) => {
                backoff = Duration::from_millis(10);
                let task = connection_task(stream, peer, listener, Arc::clone(&shared));
                tokio::spawn(with_alive(task, alive.clone()));
            }
            Err(error) => {
                // Out of descriptors or memory: wait and retry rather than spin or die.
                tracing::warn!(%error, address = %listener.address, "accept failed");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(1));
            }
        }
    }
    tracing::debug!(address = %listener.address, "stopped accepting");
}

async fn with_alive(task: impl Future<Output = ()>, alive: Alive) {
    task.await;
    drop(alive);
}

async fn connection_task(
    stream: TcpStream,
    peer: SocketAddr,
    listener: Listener,
    shared: Arc<Shared>,
) {
    let session_id = SessionId::next();
    let span = tracing::info_span!(
        "session",
        id = %session_id,
        peer = %peer,
        protocol = %listener.protocol,
        user = field::Empty,
    );
    let cut = shared.cut.subscribe();
    let session = run_connection(stream, peer, listener, shared, session_id);
    async move {
        tokio::select! {
            () = session => {}
            () = cut.requested() => tracing::info!("session cut: shutdown grace is over"),
        }
    }
    .instrument(span)
    .await;
}

async fn run_connection(
    stream: TcpStream,
    peer: SocketAddr,
    listener: Listener,
    shared: Arc<Shared>,
    session_id: SessionId,
) {
    let config = shared.config();
    let slot = shared.limiter.try_acquire(
        peer.ip(),
        config.limits.max_connections,
        config.limits.max_connections_per_ip,
    );
    let local = match stream.local_addr() {
        Ok(local) => local,
        Err(error) => {
            tracing::debug!(%error, "connection gone before it was served");
            return;
        }
    };
    // Line protocols exchange small writes; Nagle's delay would only add latency.
    let _ = stream.set_nodelay(true);
    let handshake_timeout = config.timeouts.tls_handshake.duration();
    let stream = match listener.tls {
        TlsMode::StartTls => MaybeTls::Plain(stream),
        TlsMode::Implicit => {
            match stream::accept(stream, &shared.tls.acceptor(), handshake_timeout).await {
                Ok(stream) => stream,
                Err(error) => {
                    tracing::debug!(%error, "implicit TLS handshake failed");
                    return;
                }
            }
        }
    };
    let connection = Connection {
        stream,
        peer,
        local,
        protocol: listener.protocol,
        tls_mode: listener.tls,
        tls: shared.tls.clone(),
        idle_timeout: config.timeouts.idle(listener.protocol),
        config: Arc::clone(&config),
        shutdown: shared.shutdown.subscribe(),
        session_id,
    };
    let handler = Arc::clone(shared.handlers.get(listener.protocol));
    match slot {
        Ok(slot) => {
            tracing::debug!("connected");
            handler.serve(connection).await;
            drop(slot);
            tracing::debug!("disconnected");
        }
        Err(reason) => {
            tracing::info!(reason = reason.text(), "connection refused over a limit");
            // A refused client holds no slot, so its goodbye is bounded in time instead.
            let refusal = handler.refuse(connection, reason);
            if tokio::time::timeout(handshake_timeout, refusal)
                .await
                .is_err()
            {
                tracing::debug!("refused client did not read the refusal in time");
            }
        }
    }
}
