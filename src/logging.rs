//! Logging: tracing to stderr, where journald or the terminal collects it.
//!
//! Owns the one global subscriber. It must not decide what is logged: modules do, and
//! none logs a password or a message body.

use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, LogSection};

/// Why logging could not start.
#[derive(Debug, thiserror::Error)]
pub enum LoggingError {
    #[error("log.level: {0}")]
    Filter(#[from] tracing_subscriber::filter::ParseError),
    #[error("RUST_LOG: {0}")]
    Environment(#[from] tracing_subscriber::filter::FromEnvError),
    #[error("logging is already initialised")]
    AlreadyInitialised,
}

/// Installs the global subscriber: text or JSON per `log.format`, the level from
/// `log.level` unless RUST_LOG is set, which overrides it.
pub fn init(config: &LogSection) -> Result<(), LoggingError> {
    let filter = match std::env::var_os(EnvFilter::DEFAULT_ENV) {
        Some(_) => EnvFilter::try_from_default_env()?,
        None => EnvFilter::try_new(&config.level)?,
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let installed = match config.format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    installed.map_err(|_| LoggingError::AlreadyInitialised)
}
