//! Checks that a parsed file makes sense, turning it into a [`Config`].
//!
//! Owns every rule beyond types; each error names the key path it is about. It must
//! not touch the file system: paths are checked when they are used.

use std::net::SocketAddr;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

use super::listeners::ListenerEntry;
use super::sections::{AuthSection, LimitsSection, LogSection, ServerSection, TimeoutsSection};
use super::{Config, ConfigError, ConfigFile, Listener, TlsSection};

fn invalid(key: impl Into<String>, problem: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.into(),
        problem: problem.into(),
    }
}

pub(super) fn validate(file: ConfigFile) -> Result<Config, ConfigError> {
    server(&file.server)?;
    tls(&file.tls)?;
    let listeners = listeners(&file.listener)?;
    limits(&file.limits)?;
    timeouts(&file.timeouts)?;
    auth(&file.auth)?;
    log(&file.log)?;
    super::outbound::validate(&file.outbound)?;
    super::queue::validate(&file.queue).map_err(|(key, problem)| invalid(key, problem))?;
    super::dns::validate(&file.dns).map_err(|(key, problem)| invalid(key, problem))?;
    super::smtp::validate(&file.smtp)?;
    super::delivery::validate(&file.delivery).map_err(|(key, problem)| invalid(key, problem))?;
    super::managesieve::validate(&file.managesieve)
        .map_err(|(key, problem)| invalid(key, problem))?;
    super::antispam::validate(&file.antispam).map_err(|(key, problem)| invalid(key, problem))?;
    super::sieve::validate(&file.sieve).map_err(|(key, problem)| invalid(key, problem))?;
    Ok(Config {
        server: file.server,
        tls: file.tls,
        listeners,
        limits: file.limits,
        timeouts: file.timeouts,
        auth: file.auth,
        pop3: file.pop3,
        log: file.log,
        outbound: file.outbound,
        queue: file.queue,
        dns: file.dns,
        smtp: file.smtp,
        delivery: file.delivery,
        managesieve: file.managesieve,
        antispam: file.antispam,
        sieve: file.sieve,
    })
}

/// RFC 1035 §2.3.1 as relaxed by RFC 1123 §2.1: letters, digits and hyphens in labels of
/// 1 to 63 octets, 253 octets in all, an optional final dot.
pub(super) fn is_host_name(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    !name.is_empty() && name.len() <= 253 && name.split('.').all(label_ok)
}

fn server(server: &ServerSection) -> Result<(), ConfigError> {
    if !is_host_name(&server.hostname) {
        return Err(invalid(
            "server.hostname",
            format!("{:?} is not a valid host name", server.hostname),
        ));
    }
    if server.data_dir.as_os_str().is_empty() {
        return Err(invalid("server.data_dir", "must not be empty"));
    }
    Ok(())
}

fn tls(tls: &TlsSection) -> Result<(), ConfigError> {
    match (&tls.certificate, &tls.private_key) {
        (Some(_), None) => Err(invalid(
            "tls.private_key",
            "must be set when tls.certificate is",
        )),
        (None, Some(_)) => Err(invalid(
            "tls.certificate",
            "must be set when tls.private_key is",
        )),
        _ => Ok(()),
    }
}

fn listeners(entries: &[ListenerEntry]) -> Result<Vec<Listener>, ConfigError> {
    if entries.is_empty() {
        return Err(invalid("listener", "at least one listener is required"));
    }
    let mut listeners: Vec<Listener> = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let key = format!("listener[{index}].address");
        let address: SocketAddr = entry
            .address
            .parse()
            .map_err(|_| invalid(&key, format!("{} is not a socket address", entry.address)))?;
        if let Some(earlier) = listeners.iter().position(|l| l.address == address) {
            return Err(invalid(
                key,
                format!("{address} is already used by listener[{earlier}]"),
            ));
        }
        listeners.push(Listener {
            protocol: entry.protocol,
            address,
            tls: entry.tls,
        });
    }
    Ok(listeners)
}

fn at_least(key: &str, value: u64, minimum: u64, why: &str) -> Result<(), ConfigError> {
    if value < minimum {
        return Err(invalid(key, format!("must be at least {minimum}{why}")));
    }
    Ok(())
}

fn limits(limits: &LimitsSection) -> Result<(), ConfigError> {
    at_least(
        "limits.max_connections",
        limits.max_connections.into(),
        1,
        "",
    )?;
    at_least(
        "limits.max_connections_per_ip",
        limits.max_connections_per_ip.into(),
        1,
        "",
    )?;
    if limits.max_connections_per_ip > limits.max_connections {
        return Err(invalid(
            "limits.max_connections_per_ip",
            format!(
                "must not exceed limits.max_connections ({})",
                limits.max_connections
            ),
        ));
    }
    // RFC 5321 §4.5.3.1.7: a server must accept messages of at least 64K octets.
    at_least(
        "limits.message_size",
        limits.message_size,
        65_536,
        " (RFC 5321 §4.5.3.1.7)",
    )?;
    // RFC 9051 §4 and RFC 7162 §4 ask for lines of at least 8192 octets.
    at_least(
        "limits.imap_max_line",
        limits.imap_max_line.into(),
        8192,
        " (RFC 7162 §4)",
    )?;
    at_least(
        "limits.imap_max_literal",
        limits.imap_max_literal.into(),
        1024,
        "",
    )?;
    at_least(
        "limits.imap_sessions_per_account",
        limits.imap_sessions_per_account.into(),
        1,
        "",
    )?;
    if limits.shutdown_grace.0 > 3600 {
        return Err(invalid(
            "limits.shutdown_grace",
            "must be at most 3600 seconds",
        ));
    }
    Ok(())
}

fn timeouts(timeouts: &TimeoutsSection) -> Result<(), ConfigError> {
    at_least(
        "timeouts.imap_idle",
        timeouts.imap_idle.0,
        1800,
        " seconds (RFC 9051 §5.4)",
    )?;
    at_least(
        "timeouts.pop3_idle",
        timeouts.pop3_idle.0,
        600,
        " seconds (RFC 1939 §3)",
    )?;
    at_least(
        "timeouts.smtp_idle",
        timeouts.smtp_idle.0,
        300,
        " seconds (RFC 5321 §4.5.3.2.7)",
    )?;
    at_least(
        "timeouts.managesieve_idle",
        timeouts.managesieve_idle.0,
        1,
        " second",
    )?;
    at_least(
        "timeouts.tls_handshake",
        timeouts.tls_handshake.0,
        1,
        " second",
    )?;
    Ok(())
}

fn auth(auth: &AuthSection) -> Result<(), ConfigError> {
    if auth.throttle_base_delay > auth.throttle_max_delay {
        return Err(invalid(
            "auth.throttle_base_delay",
            format!(
                "must not exceed auth.throttle_max_delay ({})",
                auth.throttle_max_delay.0
            ),
        ));
    }
    at_least(
        "auth.throttle_forget_after",
        auth.throttle_forget_after.0,
        auth.throttle_max_delay.0.max(1),
        " seconds (auth.throttle_max_delay or 1)",
    )?;
    at_least(
        "auth.throttle_max_tracked",
        auth.throttle_max_tracked.into(),
        1,
        "",
    )?;
    Ok(())
}

fn log(log: &LogSection) -> Result<(), ConfigError> {
    // A bare word is a target to tracing, so a misspelt level ("inof") would silently
    // log one target at trace level: a word without `=` must be a level.
    for directive in log.level.split(',').map(str::trim) {
        let bare = !directive.is_empty() && !directive.contains(['=', '[', ':']);
        if bare && directive.parse::<LevelFilter>().is_err() {
            return Err(invalid(
                "log.level",
                format!("{directive:?} is not a level (off, error, warn, info, debug, trace)"),
            ));
        }
    }
    EnvFilter::try_new(&log.level).map(drop).map_err(|error| {
        invalid(
            "log.level",
            format!("{:?} is not a filter: {error}", log.level),
        )
    })
}
