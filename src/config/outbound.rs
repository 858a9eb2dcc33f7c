//! `[outbound]`: how mail leaves for other servers: static routes, the HELO name,
//! the connect timeout and the STARTTLS policy.
//!
//! Owns the section's shape, its defaults and the parsing of route targets
//! (`host:port`), so the file and the outbound client read them the same way. It
//! must not resolve names or open connections: that is `outbound`'s job.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv6Addr};
use std::path::PathBuf;

use serde::Deserialize;

use super::sections::Seconds;
use super::validate::is_host_name;

/// The route key that matches every domain without a route of its own: a smarthost.
pub const ANY_DOMAIN: &str = "*";

/// The SMTP port (RFC 5321 §4.5.4.2), used when a route names no port.
pub const SMTP_PORT: u16 = 25;

/// How the outbound client uses STARTTLS (RFC 3207).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutboundTls {
    /// RFC 7435 opportunistic security: encrypt whenever the server offers
    /// STARTTLS, accept any certificate, and fall back to plaintext when the
    /// server offers none or the handshake fails.
    #[default]
    Opportunistic,
    /// Deliver only over TLS, but accept any certificate.
    Required,
    /// Deliver only over TLS with a certificate that chains to `ca_file` and names
    /// the server (the MX host name, or the route's host).
    Verify,
}

/// `[outbound]` as written in the file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutboundSection {
    /// The name sent with EHLO/HELO; `server.hostname` when absent.
    pub helo_name: Option<String>,
    /// Domain (lowercase) or `"*"` to `"host:port"` (port 25 when left out),
    /// tried instead of the domain's MX records.
    pub routes: BTreeMap<String, String>,
    /// How long one TCP connect may take, per address.
    pub connect_timeout: Seconds,
    pub tls: OutboundTls,
    /// The PEM trust anchors for `tls = "verify"`.
    pub ca_file: PathBuf,
}

impl Default for OutboundSection {
    fn default() -> Self {
        Self {
            helo_name: None,
            routes: BTreeMap::new(),
            connect_timeout: Seconds(30),
            tls: OutboundTls::Opportunistic,
            ca_file: PathBuf::from("/etc/ssl/certs/ca-certificates.crt"),
        }
    }
}

/// The host of a route target: a name to resolve, or an address to use as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteHost {
    Name(String),
    Address(IpAddr),
}

impl fmt::Display for RouteHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteHost::Name(name) => f.write_str(name),
            RouteHost::Address(address) => write!(f, "{address}"),
        }
    }
}

/// Where a static route sends a domain's mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteTarget {
    pub host: RouteHost,
    pub port: u16,
}

impl RouteTarget {
    /// Parses `host`, `host:port`, `192.0.2.1:port`, `[2001:db8::1]:port` or a bare
    /// IPv6 address; the error says what is wrong, for the caller to name the key.
    pub fn parse(text: &str) -> Result<RouteTarget, String> {
        if let Ok(address) = text.parse::<Ipv6Addr>() {
            return Ok(RouteTarget {
                host: RouteHost::Address(IpAddr::V6(address)),
                port: SMTP_PORT,
            });
        }
        let (host, port) = split_port(text)?;
        let host = if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            let address = inner
                .parse::<Ipv6Addr>()
                .map_err(|_| format!("{inner:?} is not an IPv6 address"))?;
            RouteHost::Address(IpAddr::V6(address))
        } else if let Ok(address) = host.parse::<IpAddr>() {
            RouteHost::Address(address)
        } else if is_host_name(host) {
            RouteHost::Name(host.trim_end_matches('.').to_ascii_lowercase())
        } else {
            return Err(format!("{host:?} is neither a host name nor an IP address"));
        };
        Ok(RouteTarget { host, port })
    }
}

fn split_port(text: &str) -> Result<(&str, u16), String> {
    let bracketed = text.starts_with('[');
    let split = match text.rsplit_once(':') {
        Some((host, port)) if !bracketed || host.ends_with(']') => Some((host, port)),
        _ => None,
    };
    match split {
        Some((host, port)) => match port.parse::<u16>() {
            Ok(port) if port > 0 => Ok((host, port)),
            _ => Err(format!("{port:?} is not a port (1 to 65535)")),
        },
        None => Ok((text, SMTP_PORT)),
    }
}

/// Checks every key and value of `[outbound]`.
pub(super) fn validate(section: &OutboundSection) -> Result<(), super::ConfigError> {
    let invalid = |key: String, problem: String| super::ConfigError::Invalid { key, problem };
    if let Some(name) = &section.helo_name
        && !is_host_name(name)
    {
        return Err(invalid(
            "outbound.helo_name".to_owned(),
            format!("{name:?} is not a valid host name"),
        ));
    }
    for (domain, target) in &section.routes {
        let key = format!("outbound.routes.{domain:?}");
        if domain != ANY_DOMAIN && !is_route_domain(domain) {
            return Err(invalid(
                key,
                "the key must be a lowercase domain or \"*\"".to_owned(),
            ));
        }
        RouteTarget::parse(target).map_err(|problem| invalid(key, problem))?;
    }
    if section.connect_timeout.0 == 0 {
        return Err(invalid(
            "outbound.connect_timeout".to_owned(),
            "must be at least 1 second".to_owned(),
        ));
    }
    if section.tls == OutboundTls::Verify && section.ca_file.as_os_str().is_empty() {
        return Err(invalid(
            "outbound.ca_file".to_owned(),
            "must be set when outbound.tls is \"verify\"".to_owned(),
        ));
    }
    Ok(())
}

/// Route keys are compared with the lowercased recipient domain, so a key with
/// capitals would never match.
fn is_route_domain(domain: &str) -> bool {
    is_host_name(domain) && !domain.ends_with('.') && domain == domain.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn route_target_without_port_uses_25() {
        let target = RouteTarget::parse("Relay.Example.org").unwrap();
        assert_eq!(target.host, RouteHost::Name("relay.example.org".to_owned()));
        assert_eq!(target.port, 25);
    }

    #[test]
    fn route_target_reads_ipv4_and_port() {
        let target = RouteTarget::parse("127.0.0.1:2526").unwrap();
        assert_eq!(
            target.host,
            RouteHost::Address(IpAddr::V4(Ipv4Addr::LOCALHOST))
        );
        assert_eq!(target.port, 2526);
    }

    #[test]
    fn route_target_reads_bracketed_and_bare_ipv6() {
        let bracketed = RouteTarget::parse("[::1]:587").unwrap();
        assert_eq!(bracketed.port, 587);
        assert_eq!(bracketed.host, RouteHost::Address("::1".parse().unwrap()));
        assert_eq!(RouteTarget::parse("2001:db8::1").unwrap().port, 25);
    }

    #[test]
    fn route_target_rejects_bad_ports_and_hosts() {
        assert!(RouteTarget::parse("relay:0").is_err());
        assert!(RouteTarget::parse("relay:99999").is_err());
        assert!(RouteTarget::parse("relay:smtp").is_err());
        assert!(RouteTarget::parse("bad host:25").is_err());
        assert!(RouteTarget::parse("[::1:25").is_err());
        assert!(RouteTarget::parse("").is_err());
    }
}
