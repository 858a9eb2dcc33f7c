//! Reloading the configuration and certificates without dropping live connections.
//!
//! Owns deciding what a reload may change live and what needs a restart. It must not
//! touch sessions: they keep the configuration they started with.

use std::sync::{Arc, PoisonError};

use crate::config::Config;

use super::tls::TlsHandle;
use super::{ServerError, Shared};

/// What a reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReloadReport {
    /// Whether a configuration file was read again (false when started without one).
    pub config_reread: bool,
    /// Changed settings that take effect only after a restart, by key.
    pub needs_restart: Vec<&'static str>,
}

pub(super) async fn reload(shared: &Shared) -> Result<ReloadReport, ServerError> {
    let result = try_reload(shared).await;
    match &result {
        Ok(report) if report.needs_restart.is_empty() => tracing::info!("reloaded"),
        Ok(report) => tracing::warn!(
            needs_restart = ?report.needs_restart,
            "reloaded; these changes take effect after a restart"
        ),
        Err(error) => tracing::error!(%error, "reload failed; the old configuration stays"),
    }
    result
}

async fn try_reload(shared: &Shared) -> Result<ReloadReport, ServerError> {
    let old = shared.config();
    let new = match &shared.config_path {
        Some(path) => {
            let path = path.clone();
            Arc::new(tokio::task::spawn_blocking(move || Config::load(&path)).await??)
        }
        None => Arc::clone(&old),
    };
    let files = new.certificate_files();
    let hostname = new.server.hostname.clone();
    let tls = tokio::task::spawn_blocking(move || TlsHandle::load(&files, &hostname)).await??;
    // Only now that everything loaded is anything swapped.
    shared.tls.replace_with(&tls);
    let needs_restart = needs_restart(&old, &new);
    *shared
        .config
        .write()
        .unwrap_or_else(PoisonError::into_inner) = new;
    Ok(ReloadReport {
        config_reread: shared.config_path.is_some(),
        needs_restart,
    })
}

/// Settings bound at start: sockets, the data dir everything is opened in, the logger.
fn needs_restart(old: &Config, new: &Config) -> Vec<&'static str> {
    let mut keys = Vec::new();
    if old.listeners != new.listeners {
        keys.push("listener");
    }
    if old.server.data_dir != new.server.data_dir {
        keys.push("server.data_dir");
    }
    if old.log != new.log {
        keys.push("log");
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_listener_needs_restart_and_limits_do_not() {
        let old = Config::embedded_default();
        let mut new = old.clone();
        new.limits.max_connections += 1;
        assert!(needs_restart(&old, &new).is_empty());
        new.listeners.pop();
        assert_eq!(needs_restart(&old, &new), vec!["listener"]);
    }
}
