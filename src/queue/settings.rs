//! The queue worker's settings: `[queue]` and the host name, as durations.

use std::time::Duration;

use crate::config::Config;

/// How the worker retries and whom it names in DSNs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueSettings {
    /// `Reporting-MTA` and the `MAILER-DAEMON@` domain of DSNs.
    pub hostname: String,
    /// How long after arrival a recipient is retried before it fails.
    pub lifetime: Duration,
    /// The first retry's delay; it doubles per attempt ...
    pub retry_base: Duration,
    /// ... up to this.
    pub retry_max: Duration,
    /// Concurrent attempts per remote domain.
    pub max_per_domain: usize,
    /// Messages attempted at the same time.
    pub concurrency: usize,
    /// When after arrival a still-pending recipient's sender gets a
    /// "delayed" DSN; `None`: never.
    pub delay_warning: Option<Duration>,
    /// How often the worker looks at the database besides being woken:
    /// what makes `postamt queue flush` from another process take effect.
    pub poll_interval: Duration,
}

/// Polling the database is one indexed query; every five seconds it costs
/// nothing and a flush takes effect about at once.
const POLL_INTERVAL: Duration = Duration::from_secs(5);

impl QueueSettings {
    pub fn from_config(config: &Config) -> Self {
        Self {
            hostname: config.server.hostname.clone(),
            lifetime: config.queue.lifetime.duration(),
            retry_base: config.queue.retry_base.duration(),
            retry_max: config.queue.retry_max.duration(),
            max_per_domain: usize::try_from(config.queue.max_per_domain).unwrap_or(usize::MAX),
            concurrency: usize::try_from(config.queue.concurrency).unwrap_or(usize::MAX),
            delay_warning: (config.queue.delay_warning.0 > 0)
                .then(|| config.queue.delay_warning.duration()),
            poll_interval: POLL_INTERVAL,
        }
    }

    /// The wait before the retry that follows `attempts` failed attempts:
    /// `retry_base * 2^(attempts - 1)`, at most `retry_max`.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(32);
        self.retry_base
            .saturating_mul(1u32 << doublings.min(31))
            .min(self.retry_max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> QueueSettings {
        QueueSettings::from_config(&Config::from_toml_str("").unwrap())
    }

    #[test]
    fn backoff_doubles_from_the_base() {
        let s = settings();
        assert_eq!(s.backoff(1), Duration::from_secs(60));
        assert_eq!(s.backoff(2), Duration::from_secs(120));
        assert_eq!(s.backoff(3), Duration::from_secs(240));
    }

    #[test]
    fn backoff_stops_at_the_cap() {
        let s = settings();
        assert_eq!(s.backoff(7), Duration::from_secs(3600));
        assert_eq!(s.backoff(u32::MAX), Duration::from_secs(3600));
    }
}
