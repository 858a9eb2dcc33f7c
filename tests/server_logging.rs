//! Logging starts once per process. Alone in its binary: it installs the global subscriber.

use postamt::config::{LogFormat, LogSection};
use postamt::logging::{LoggingError, init};

#[test]
fn logging_starts_once_and_refuses_a_second_start() {
    let config = LogSection {
        format: LogFormat::Json,
        level: "info".to_owned(),
    };
    init(&config).unwrap();
    assert!(matches!(
        init(&config),
        Err(LoggingError::AlreadyInitialised)
    ));
}
