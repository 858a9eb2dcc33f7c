//! The embedded default configuration and the example file etc/postamt.toml.

use std::net::SocketAddr;

use postamt::config::{
    AuthSection, Config, LimitsSection, LogSection, Pop3Section, Protocol, TimeoutsSection,
    TlsMode, TlsSection, default_listeners, may_bind_privileged_ports,
};

fn ports(listeners: &[postamt::config::Listener]) -> Vec<(Protocol, u16, TlsMode)> {
    listeners
        .iter()
        .map(|l| (l.protocol, l.address.port(), l.tls))
        .collect()
}

#[test]
fn unprivileged_defaults_are_the_design_ports() {
    assert_eq!(
        ports(&default_listeners(false)),
        vec![
            (Protocol::Imap, 1143, TlsMode::StartTls),
            (Protocol::Imap, 1993, TlsMode::Implicit),
            (Protocol::Pop3, 1110, TlsMode::StartTls),
            (Protocol::Pop3, 1995, TlsMode::Implicit),
            (Protocol::Smtp, 2525, TlsMode::StartTls),
            (Protocol::Submission, 1587, TlsMode::StartTls),
            (Protocol::Submission, 1465, TlsMode::Implicit),
            (Protocol::ManageSieve, 4190, TlsMode::StartTls),
        ]
    );
}

#[test]
fn root_defaults_are_the_standard_ports() {
    let standard: Vec<u16> = default_listeners(true)
        .iter()
        .map(|l| l.address.port())
        .collect();
    assert_eq!(standard, vec![143, 993, 110, 995, 25, 587, 465, 4190]);
}

#[test]
fn default_listeners_take_every_address() {
    for listener in default_listeners(false) {
        assert!(listener.address.ip().is_unspecified(), "{listener:?}");
    }
}

#[test]
fn embedded_default_picks_ports_by_privilege() {
    assert_eq!(
        Config::embedded_default().listeners,
        default_listeners(may_bind_privileged_ports())
    );
}

#[test]
fn embedded_default_uses_a_self_signed_certificate_in_the_data_dir() {
    let config = Config::embedded_default();
    let files = config.certificate_files();
    assert!(files.self_signed);
    assert!(
        files
            .certificate
            .starts_with(config.server.data_dir.join("certs"))
    );
}

#[test]
fn embedded_default_has_the_documented_limits() {
    let config = Config::embedded_default();
    assert_eq!(config.limits.message_size, 52_428_800);
    assert_eq!(config.limits.imap_sessions_per_account, 20);
    assert_eq!(config.timeouts.imap_idle.0, 30 * 60);
    assert_eq!(config.timeouts.pop3_idle.0, 10 * 60);
    assert_eq!(config.timeouts.smtp_idle.0, 5 * 60);
    assert!(!config.auth.allow_plaintext_on_loopback);
}

#[test]
fn empty_file_is_the_embedded_default() {
    assert_eq!(
        Config::from_toml_str("").unwrap(),
        Config::embedded_default()
    );
}

#[test]
fn example_file_has_every_default_value() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/etc/postamt.toml");
    let example = Config::load(std::path::Path::new(path)).unwrap();
    let default = Config::embedded_default();
    // Host name and data dir depend on the machine, so the example leaves them out.
    assert_eq!(example.server, default.server);
    assert_eq!(example.tls, TlsSection::default());
    assert_eq!(
        example.listeners,
        default_listeners(may_bind_privileged_ports())
    );
    assert_eq!(example.limits, LimitsSection::default());
    assert_eq!(example.timeouts, TimeoutsSection::default());
    assert_eq!(example.auth, AuthSection::default());
    assert_eq!(example.pop3, Pop3Section::default());
    assert_eq!(example.log, LogSection::default());
}

#[test]
fn listener_tls_defaults_to_starttls() {
    let config = Config::from_toml_str(
        "[[listener]]\nprotocol = \"submission\"\naddress = \"127.0.0.1:587\"\n",
    )
    .unwrap();
    let address: SocketAddr = "127.0.0.1:587".parse().unwrap();
    assert_eq!(config.listeners.len(), 1);
    assert_eq!(config.listeners[0].address, address);
    assert_eq!(config.listeners[0].tls, TlsMode::StartTls);
}

#[test]
fn configured_certificate_pair_is_used() {
    let config = Config::from_toml_str(
        "[tls]\ncertificate = \"/etc/c.pem\"\nprivate_key = \"/etc/k.pem\"\n",
    )
    .unwrap();
    let files = config.certificate_files();
    assert!(!files.self_signed);
    assert_eq!(files.private_key, std::path::PathBuf::from("/etc/k.pem"));
}
