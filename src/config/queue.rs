//! `[queue]`: how long and how often the queue tries to deliver a message
//! (RFC 5321 §4.5.4.1), and how many deliveries one destination gets at once.
//!
//! Owns the section's shape, defaults and checks; the queue turns it into
//! its own settings and must not read the file itself.

use serde::Deserialize;

use super::sections::Seconds;

/// `[queue]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QueueSection {
    /// Seconds after which an undelivered message is given up and bounced;
    /// RFC 5321 §4.5.4.1 asks for at least 4-5 days.
    pub lifetime: Seconds,
    /// Seconds before the first retry after a temporary failure; each
    /// further retry waits twice as long ...
    pub retry_base: Seconds,
    /// ... up to this many seconds (RFC 5321 §4.5.4.1: at least 30 minutes
    /// between tries to one destination is the norm).
    pub retry_max: Seconds,
    /// Deliveries to one remote domain at the same time.
    pub max_per_domain: u32,
    /// Messages in delivery at the same time, local and remote: each waits
    /// for its own disk writes and DNS answers while the others go on.
    pub concurrency: u32,
    /// Seconds after arrival when a sender whose message is still being
    /// retried is told so once (RFC 3464 `Action: delayed`); 0 never.
    pub delay_warning: Seconds,
}

impl Default for QueueSection {
    fn default() -> Self {
        Self {
            lifetime: Seconds(5 * 24 * 3600),
            retry_base: Seconds(60),
            retry_max: Seconds(3600),
            max_per_domain: 10,
            concurrency: 64,
            delay_warning: Seconds(4 * 3600),
        }
    }
}

/// The rules beyond types: each error names its key.
pub(super) fn validate(queue: &QueueSection) -> Result<(), (String, String)> {
    let invalid = |key: &str, problem: &str| Err((format!("queue.{key}"), problem.to_owned()));
    if queue.retry_base.0 == 0 {
        return invalid("retry_base", "must be at least 1 second");
    }
    if queue.retry_max.0 < queue.retry_base.0 {
        return invalid("retry_max", "must be at least queue.retry_base");
    }
    if queue.max_per_domain == 0 {
        return invalid("max_per_domain", "must be at least 1");
    }
    if queue.concurrency == 0 {
        return invalid("concurrency", "must be at least 1");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn example_file_lists_the_queue_defaults() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/etc/postamt.toml");
        let example = Config::load(std::path::Path::new(path)).unwrap();
        assert_eq!(example.queue, QueueSection::default());
    }

    #[test]
    fn retry_max_below_retry_base_names_the_key() {
        let error = Config::from_toml_str("[queue]\nretry_base = 600\nretry_max = 60\n")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("queue.retry_max"), "{error}");
    }

    #[test]
    fn zero_per_domain_is_refused() {
        let error = Config::from_toml_str("[queue]\nmax_per_domain = 0\n")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("queue.max_per_domain"), "{error}");
    }
}
