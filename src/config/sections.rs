//! The sections of the configuration file and their defaults.
//!
//! Owns the shape of each `[section]` and the value every option takes when the file
//! leaves it out. Checking that values make sense is `validate`'s job, not this one's.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::environment;

/// A whole number of seconds, as written in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(transparent)]
pub struct Seconds(pub u64);

impl Seconds {
    pub fn duration(self) -> Duration {
        Duration::from_secs(self.0)
    }
}

/// `[server]`: who we are and where the data lives.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSection {
    /// The name used in greetings, Received fields and the self-signed certificate.
    pub hostname: String,
    /// Holds postamt.db, the queue, the mailboxes and `certs/`.
    pub data_dir: PathBuf,
}

impl Default for ServerSection {
    fn default() -> Self {
        Self {
            hostname: environment::system_hostname(),
            data_dir: environment::default_data_dir(),
        }
    }
}

/// `[tls]`: the certificate chain and key, as PEM files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TlsSection {
    /// The certificate chain, leaf first. When absent with `private_key`, a self-signed
    /// pair in `<data_dir>/certs/` is generated on first start and reused afterwards.
    pub certificate: Option<PathBuf>,
    pub private_key: Option<PathBuf>,
}

/// The protocol a listener speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Imap,
    Pop3,
    /// Inbound SMTP (RFC 5321), port 25.
    Smtp,
    /// Message submission (RFC 6409), ports 587 and 465.
    Submission,
    /// ManageSieve (RFC 5804).
    ManageSieve,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Imap => "imap",
            Protocol::Pop3 => "pop3",
            Protocol::Smtp => "smtp",
            Protocol::Submission => "submission",
            Protocol::ManageSieve => "managesieve",
        }
    }
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a listener uses TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// TLS from the first byte (RFC 8314).
    Implicit,
    /// Plaintext until the client upgrades (RFC 3207, RFC 2595, RFC 9051 §6.2.1).
    #[default]
    StartTls,
}

/// `[limits]`: what one client, and all of them together, may use.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsSection {
    /// Open connections over all listeners.
    pub max_connections: u32,
    /// Open connections from one client IP address.
    pub max_connections_per_ip: u32,
    /// The largest message accepted, in bytes (SMTP SIZE, RFC 1870; IMAP APPEND).
    pub message_size: u64,
    /// How long sessions get to say goodbye at shutdown before they are cut.
    pub shutdown_grace: Seconds,
    /// The longest IMAP command line, literals excluded, in bytes.
    pub imap_max_line: u32,
    /// The largest IMAP literal other than an APPEND message, in bytes.
    pub imap_max_literal: u32,
    /// Concurrent logged-in IMAP sessions of one account; a login beyond it
    /// gets `NO [LIMIT]` (RFC 5530 §3).
    pub imap_sessions_per_account: u32,
}

impl Default for LimitsSection {
    fn default() -> Self {
        Self {
            max_connections: 1000,
            max_connections_per_ip: 20,
            message_size: 52_428_800,
            shutdown_grace: Seconds(30),
            imap_max_line: 65_536,
            imap_max_literal: 65_536,
            // Thunderbird keeps up to five connections per account; a few
            // clients per user fit well within it.
            imap_sessions_per_account: 20,
        }
    }
}

/// `[timeouts]`: how long an idle client is kept.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TimeoutsSection {
    /// RFC 9051 §5.4: at least 30 minutes.
    pub imap_idle: Seconds,
    /// RFC 1939 §3: at least 10 minutes.
    pub pop3_idle: Seconds,
    /// RFC 5321 §4.5.3.2.7: at least 5 minutes; applies to inbound SMTP and submission.
    pub smtp_idle: Seconds,
    /// RFC 5804 sets no figure; the IMAP one is used.
    pub managesieve_idle: Seconds,
    /// The longest an implicit TLS or STARTTLS handshake may take.
    pub tls_handshake: Seconds,
}

impl Default for TimeoutsSection {
    fn default() -> Self {
        Self {
            imap_idle: Seconds(1800),
            pop3_idle: Seconds(600),
            smtp_idle: Seconds(300),
            managesieve_idle: Seconds(1800),
            tls_handshake: Seconds(30),
        }
    }
}

impl TimeoutsSection {
    /// The idle timeout a session of `protocol` runs with.
    pub fn idle(&self, protocol: Protocol) -> Duration {
        match protocol {
            Protocol::Imap => self.imap_idle,
            Protocol::Pop3 => self.pop3_idle,
            Protocol::Smtp | Protocol::Submission => self.smtp_idle,
            Protocol::ManageSieve => self.managesieve_idle,
        }
        .duration()
    }
}

/// `[auth]`: where plaintext logins are allowed and how failed logins are slowed down.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSection {
    /// Allow AUTH/LOGIN without TLS from 127.0.0.0/8 and ::1 (DESIGN.md invariant 6).
    pub allow_plaintext_on_loopback: bool,
    /// Failed logins per (client IP, user) allowed before delays start.
    pub throttle_failures_before_delay: u32,
    /// The delay after the first failure over the allowance; it doubles with each more.
    pub throttle_base_delay: Seconds,
    /// The delay never grows beyond this.
    pub throttle_max_delay: Seconds,
    /// A key with no failure for this long is forgotten.
    pub throttle_forget_after: Seconds,
    /// How many (client IP, user) keys are tracked at most; the oldest go first.
    pub throttle_max_tracked: u32,
}

impl Default for AuthSection {
    fn default() -> Self {
        Self {
            allow_plaintext_on_loopback: false,
            throttle_failures_before_delay: 3,
            throttle_base_delay: Seconds(1),
            throttle_max_delay: Seconds(30),
            throttle_forget_after: Seconds(900),
            throttle_max_tracked: 100_000,
        }
    }
}

/// What POP3 QUIT does with the messages the client deleted (RFC 1939 §6, the UPDATE state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pop3Deleted {
    /// Moved to the account's Trash, where IMAP still shows them.
    #[default]
    Trash,
    /// Removed for good.
    Expunge,
}

/// `[pop3]`: what a POP3 session does to the mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Pop3Section {
    /// Where messages deleted over POP3 go at QUIT.
    pub deleted: Pop3Deleted,
    /// Whether RETR sets `\Seen`, so IMAP shows the message as read.
    pub retr_marks_seen: bool,
    /// Seconds between two logins of one account (RFC 2449 §6.8 LOGIN-DELAY); 0 for none.
    pub login_delay: Seconds,
}

impl Default for Pop3Section {
    fn default() -> Self {
        Self {
            deleted: Pop3Deleted::Trash,
            retr_marks_seen: true,
            login_delay: Seconds(0),
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// `[log]`: format and level of the log on stderr.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSection {
    pub format: LogFormat,
    /// A tracing filter: a level (`info`) or directives (`info,postamt::server=debug`).
    /// The RUST_LOG environment variable overrides it.
    pub level: String,
}

impl Default for LogSection {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            level: "info".to_owned(),
        }
    }
}
