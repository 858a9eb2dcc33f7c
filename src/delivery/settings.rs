//! The pipeline's settings from `[delivery]` and the server's host name:
//! plain data, turned from the configuration once at start-up.

use std::time::Duration;

use crate::config::Config;

const DAY: u64 = 24 * 3600;

/// What the pipeline needs to know beyond the store and the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliverySettings {
    /// Our host name: the domain of SRS addresses (they must come back to us).
    pub hostname: String,
    /// How long a message stays in Trash; `None` keeps it for ever.
    pub trash_retention: Option<Duration>,
    /// `Delivered-To` fields a message may carry and still be forwarded.
    pub max_hops: u32,
    /// Rewrite the envelope sender of forwards to other servers (SRS).
    pub srs: bool,
    /// How long the vacation tracker remembers a reply.
    pub vacation_retention: Duration,
}

impl DeliverySettings {
    pub fn from_config(config: &Config) -> Self {
        let delivery = &config.delivery;
        Self {
            hostname: config.server.hostname.clone(),
            trash_retention: (delivery.trash_retention > 0)
                .then(|| Duration::from_secs(u64::from(delivery.trash_retention) * DAY)),
            max_hops: delivery.max_hops,
            srs: delivery.srs,
            vacation_retention: Duration::from_secs(u64::from(delivery.vacation_retention) * DAY),
        }
    }
}
