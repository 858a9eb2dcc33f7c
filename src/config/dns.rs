//! `[dns]`: the resolvers every DNS question of the daemon goes to (SPF,
//! DKIM keys, DMARC, blocklists, MX), how long one question may take, and
//! how much DNS time one message may cost before its checks give up.
//!
//! Owns the section's shape, defaults and checks; `crate::dns` builds the
//! resolver from it and must not read the file itself.

use std::net::{IpAddr, SocketAddr};

use serde::Deserialize;

use super::sections::Seconds;

/// The port a resolver listens on when an entry names none (RFC 1035 §4.2).
pub const DNS_PORT: u16 = 53;

/// `[dns]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DnsSection {
    /// Resolvers asked, as `"192.0.2.53"` or `"127.0.0.1:5353"` (IPv6:
    /// `"[2001:db8::53]:53"`); empty: those of `/etc/resolv.conf`.
    pub servers: Vec<String>,
    /// Seconds one query to one resolver may take before it is asked again.
    pub timeout: Seconds,
    /// Times a query is sent before it counts as failed.
    pub attempts: u32,
    /// Seconds all the DNS lookups of one message's checks (SPF, DKIM,
    /// DMARC, blocklists) may take together; then they end as a temporary
    /// error that scores nothing (RFC 7208 §4.6.4 and RFC 7489 §6.6.3 allow
    /// it) and the message goes on.
    pub message_budget: Seconds,
    /// Seconds lookups are skipped (answered as temporary errors at once)
    /// after several messages in a row found the resolvers unreachable, so
    /// a dead resolver does not make every message wait its budget; then one
    /// message tries again.
    pub unreachable_pause: Seconds,
    /// Answers kept (with their TTLs, negative answers too).
    pub cache_size: u64,
}

impl Default for DnsSection {
    fn default() -> Self {
        Self {
            servers: Vec::new(),
            timeout: Seconds(2),
            attempts: 2,
            message_budget: Seconds(5),
            unreachable_pause: Seconds(30),
            cache_size: 10_000,
        }
    }
}

impl DnsSection {
    /// The configured resolvers' addresses (checked when the file was read).
    pub fn server_addresses(&self) -> Vec<SocketAddr> {
        self.servers
            .iter()
            .filter_map(|entry| parse_server(entry))
            .collect()
    }
}

fn parse_server(entry: &str) -> Option<SocketAddr> {
    entry.parse::<SocketAddr>().ok().or_else(|| {
        entry
            .parse::<IpAddr>()
            .ok()
            .map(|ip| SocketAddr::new(ip, DNS_PORT))
    })
}

/// The rules beyond types: each error names its key.
pub(super) fn validate(dns: &DnsSection) -> Result<(), (String, String)> {
    let invalid = |key: &str, problem: &str| Err((format!("dns.{key}"), problem.to_owned()));
    if let Some(bad) = dns.servers.iter().find(|s| parse_server(s).is_none()) {
        return invalid(
            "servers",
            &format!("{bad:?} is not an IP address or IP address and port"),
        );
    }
    if dns.timeout.0 == 0 {
        return invalid("timeout", "must be at least 1 second");
    }
    if dns.attempts == 0 {
        return invalid("attempts", "must be at least 1");
    }
    if dns.message_budget.0 == 0 {
        return invalid("message_budget", "must be at least 1 second");
    }
    if dns.cache_size == 0 {
        return invalid("cache_size", "must be at least 1");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn example_file_lists_the_dns_defaults() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/etc/postamt.toml");
        let example = Config::load(std::path::Path::new(path)).unwrap();
        assert_eq!(example.dns, DnsSection::default());
    }

    #[test]
    fn servers_take_an_optional_port() {
        let config = Config::from_toml_str(
            "[dns]\nservers = [\"192.0.2.53\", \"127.0.0.1:5353\", \"[::1]:53\"]\n",
        )
        .unwrap();
        assert_eq!(
            config.dns.server_addresses(),
            vec![
                "192.0.2.53:53".parse().unwrap(),
                "127.0.0.1:5353".parse().unwrap(),
                "[::1]:53".parse().unwrap(),
            ]
        );
    }

    #[test]
    fn a_server_name_is_refused_with_its_key() {
        let error = Config::from_toml_str("[dns]\nservers = [\"dns.example\"]\n")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("dns.servers"), "{error}");
    }
}
