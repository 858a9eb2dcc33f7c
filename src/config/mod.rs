//! The configuration file: one TOML document, typed and validated.
//!
//! Owns parsing, defaults and validation of `postamt.toml`, and the check that the data
//! dir is usable. Every error names the key it is about. It must not start anything:
//! the server reads a `Config`, it never the other way round.

mod antispam;
mod data_dir;
mod delivery;
mod dns;
mod environment;
mod listeners;
mod managesieve;
mod outbound;
mod queue;
mod sections;
mod sieve;
mod smtp;
mod validate;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use antispam::{AntispamSection, DnsList, Points};
pub use data_dir::check_data_dir;
pub use delivery::DeliverySection;
pub use dns::{DNS_PORT, DnsSection};
pub use environment::{DATA_DIR_VARIABLE, may_bind_privileged_ports};
pub use listeners::default_listeners;
pub use managesieve::ManageSieveSection;
pub use outbound::{ANY_DOMAIN, OutboundSection, OutboundTls, RouteHost, RouteTarget, SMTP_PORT};
pub use queue::QueueSection;
pub use sections::{
    AuthSection, LimitsSection, LogFormat, LogSection, Pop3Deleted, Pop3Section, Protocol, Seconds,
    ServerSection, TimeoutsSection, TlsMode, TlsSection,
};
pub use sieve::SieveSection;
pub use smtp::SmtpSection;

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Syntax errors, wrong types and unknown keys; toml's message carries line, column
    /// and key.
    #[error("{origin}: {source}")]
    Parse {
        origin: String,
        source: toml::de::Error,
    },
    /// A value that parses but makes no sense; `key` is its path, e.g. `listener[2].address`.
    #[error("{key}: {problem}")]
    Invalid { key: String, problem: String },
    #[error("data dir {path}: {problem}")]
    DataDir { path: PathBuf, problem: String },
}

/// One endpoint the server listens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listener {
    pub protocol: Protocol,
    pub address: SocketAddr,
    pub tls: TlsMode,
}

/// A validated configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub server: ServerSection,
    pub tls: TlsSection,
    pub listeners: Vec<Listener>,
    pub limits: LimitsSection,
    pub timeouts: TimeoutsSection,
    pub auth: AuthSection,
    pub pop3: Pop3Section,
    pub log: LogSection,
    pub outbound: OutboundSection,
    pub queue: QueueSection,
    pub dns: DnsSection,
    pub smtp: SmtpSection,
    pub delivery: DeliverySection,
    pub managesieve: ManageSieveSection,
    pub antispam: AntispamSection,
    pub sieve: SieveSection,
}

/// The file as written, before validation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    server: ServerSection,
    #[serde(default)]
    tls: TlsSection,
    #[serde(default = "listeners::default_listener_entries")]
    listener: Vec<listeners::ListenerEntry>,
    #[serde(default)]
    limits: LimitsSection,
    #[serde(default)]
    timeouts: TimeoutsSection,
    #[serde(default)]
    auth: AuthSection,
    #[serde(default)]
    pop3: Pop3Section,
    #[serde(default)]
    log: LogSection,
    #[serde(default)]
    outbound: OutboundSection,
    #[serde(default)]
    queue: QueueSection,
    #[serde(default)]
    dns: DnsSection,
    #[serde(default)]
    smtp: SmtpSection,
    #[serde(default)]
    delivery: DeliverySection,
    #[serde(default)]
    managesieve: ManageSieveSection,
    #[serde(default)]
    antispam: AntispamSection,
    #[serde(default)]
    sieve: SieveSection,
}

impl Config {
    /// Reads and validates the file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, path.display().to_string())
    }

    /// Parses and validates a configuration held in memory.
    pub fn from_toml_str(text: &str) -> Result<Config, ConfigError> {
        Self::parse(text, "configuration".to_owned())
    }

    /// What `postamt serve` runs without a file: the data dir from `$POSTAMT_DATA` or
    /// `./postamt-data`, the system host name, every listener on all addresses (standard
    /// ports as root, DESIGN.md's unprivileged ones otherwise) and a self-signed certificate.
    pub fn embedded_default() -> Config {
        Config {
            server: ServerSection::default(),
            tls: TlsSection::default(),
            listeners: default_listeners(environment::may_bind_privileged_ports()),
            limits: LimitsSection::default(),
            timeouts: TimeoutsSection::default(),
            auth: AuthSection::default(),
            pop3: Pop3Section::default(),
            log: LogSection::default(),
            outbound: OutboundSection::default(),
            queue: QueueSection::default(),
            dns: DnsSection::default(),
            smtp: SmtpSection::default(),
            delivery: DeliverySection::default(),
            managesieve: ManageSieveSection::default(),
            antispam: AntispamSection::default(),
            sieve: SieveSection::default(),
        }
    }

    /// The PEM certificate chain and private key to serve: the configured pair, or the
    /// self-signed pair in `<data_dir>/certs/`.
    pub fn certificate_files(&self) -> CertificateFiles {
        match (&self.tls.certificate, &self.tls.private_key) {
            (Some(certificate), Some(private_key)) => CertificateFiles {
                certificate: certificate.clone(),
                private_key: private_key.clone(),
                self_signed: false,
            },
            _ => {
                let dir = self.server.data_dir.join("certs");
                CertificateFiles {
                    certificate: dir.join("self-signed.crt"),
                    private_key: dir.join("self-signed.key"),
                    self_signed: true,
                }
            }
        }
    }

    fn parse(text: &str, origin: String) -> Result<Config, ConfigError> {
        let file: ConfigFile =
            toml::from_str(text).map_err(|source| ConfigError::Parse { origin, source })?;
        validate::validate(file)
    }
}

/// Where the TLS certificate chain and key are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateFiles {
    pub certificate: PathBuf,
    pub private_key: PathBuf,
    /// Generated on first start when missing, for the host name and loopback.
    pub self_signed: bool,
}
