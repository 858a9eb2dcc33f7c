//! Unix signals: SIGTERM and SIGINT shut down (a second one cuts the sessions at once),
//! SIGHUP reloads.
//!
//! Owns translating signals into [`ServerHandle`] calls. It must not do the work itself.

use tokio::signal::unix::{SignalKind, signal};
use tokio::task::JoinHandle;

use super::{ServerError, ServerHandle};

/// Serves signals until dropped.
pub struct SignalHandlers(JoinHandle<()>);

impl Drop for SignalHandlers {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Installs the handlers (failing if the OS refuses) and serves signals on a task.
pub(super) fn listen(handle: ServerHandle) -> Result<SignalHandlers, ServerError> {
    let install = |kind: SignalKind, name: &'static str| {
        signal(kind).map_err(|source| ServerError::Signal {
            signal: name,
            source,
        })
    };
    let mut terminate = install(SignalKind::terminate(), "SIGTERM")?;
    let mut interrupt = install(SignalKind::interrupt(), "SIGINT")?;
    let mut hangup = install(SignalKind::hangup(), "SIGHUP")?;
    Ok(SignalHandlers(tokio::spawn(async move {
        let mut shutting_down = false;
        loop {
            let name = tokio::select! {
                _ = terminate.recv() => "SIGTERM",
                _ = interrupt.recv() => "SIGINT",
                _ = hangup.recv() => {
                    tracing::info!("SIGHUP: reloading");
                    // The outcome is logged by reload itself.
                    let _ = handle.reload().await;
                    continue;
                }
            };
            if shutting_down {
                tracing::warn!("{name} again: cutting the sessions now");
                handle.0.cut.signal();
            } else {
                tracing::info!("{name}: shutting down");
                handle.shutdown();
                shutting_down = true;
            }
        }
    })))
}
