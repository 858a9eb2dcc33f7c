//! Every configuration error names the key it is about.

use postamt::config::{Config, ConfigError};

fn error_for(toml: &str) -> String {
    match Config::from_toml_str(toml) {
        Ok(config) => panic!("accepted: {config:?}"),
        Err(error) => error.to_string(),
    }
}

fn assert_error(toml: &str, expected: &str) {
    let error = error_for(toml);
    assert!(
        error.contains(expected),
        "expected {expected:?} in {error:?}"
    );
}

const LISTENER: &str = "[[listener]]\nprotocol = \"imap\"\naddress = \"127.0.0.1:1143\"\n";

#[test]
fn bad_listener_address_names_its_index() {
    let toml = format!(
        "{LISTENER}{LISTENER}[[listener]]\nprotocol = \"pop3\"\naddress = \"0.0.0.0:99999\"\n"
    )
    .replacen("1143", "1144", 1);
    assert_error(
        &toml,
        "listener[2].address: 0.0.0.0:99999 is not a socket address",
    );
}

#[test]
fn duplicate_listener_address_names_both() {
    assert_error(
        &format!("{LISTENER}{LISTENER}"),
        "listener[1].address: 127.0.0.1:1143 is already used by listener[0]",
    );
}

#[test]
fn empty_listener_list_is_rejected() {
    assert_error(
        "listener = []",
        "listener: at least one listener is required",
    );
}

#[test]
fn unknown_protocol_names_the_value() {
    assert_error(
        "[[listener]]\nprotocol = \"gopher\"\naddress = \"127.0.0.1:70\"\n",
        "gopher",
    );
}

#[test]
fn zero_per_ip_limit_names_the_key() {
    assert_error(
        "[limits]\nmax_connections_per_ip = 0",
        "limits.max_connections_per_ip: must be at least 1",
    );
}

#[test]
fn zero_total_limit_names_the_key() {
    assert_error(
        "[limits]\nmax_connections = 0",
        "limits.max_connections: must be at least 1",
    );
}

#[test]
fn per_ip_limit_above_total_is_rejected() {
    assert_error(
        "[limits]\nmax_connections = 5\nmax_connections_per_ip = 6",
        "limits.max_connections_per_ip: must not exceed limits.max_connections (5)",
    );
}

#[test]
fn tiny_message_size_cites_rfc_5321() {
    assert_error(
        "[limits]\nmessage_size = 1000",
        "limits.message_size: must be at least 65536 (RFC 5321",
    );
}

#[test]
fn short_imap_line_limit_names_the_key() {
    assert_error("[limits]\nimap_max_line = 100", "limits.imap_max_line:");
}

#[test]
fn small_imap_literal_limit_names_the_key() {
    assert_error(
        "[limits]\nimap_max_literal = 10",
        "limits.imap_max_literal:",
    );
}

#[test]
fn zero_imap_sessions_per_account_names_the_key() {
    assert_error(
        "[limits]\nimap_sessions_per_account = 0",
        "limits.imap_sessions_per_account: must be at least 1",
    );
}

#[test]
fn endless_shutdown_grace_names_the_key() {
    assert_error("[limits]\nshutdown_grace = 86400", "limits.shutdown_grace:");
}

#[test]
fn imap_idle_under_thirty_minutes_cites_rfc_9051() {
    assert_error(
        "[timeouts]\nimap_idle = 60",
        "timeouts.imap_idle: must be at least 1800 seconds (RFC 9051",
    );
}

#[test]
fn pop3_idle_under_ten_minutes_names_the_key() {
    assert_error("[timeouts]\npop3_idle = 60", "timeouts.pop3_idle:");
}

#[test]
fn smtp_idle_under_five_minutes_names_the_key() {
    assert_error("[timeouts]\nsmtp_idle = 60", "timeouts.smtp_idle:");
}

#[test]
fn zero_managesieve_idle_names_the_key() {
    assert_error(
        "[timeouts]\nmanagesieve_idle = 0",
        "timeouts.managesieve_idle:",
    );
}

#[test]
fn zero_handshake_timeout_names_the_key() {
    assert_error("[timeouts]\ntls_handshake = 0", "timeouts.tls_handshake:");
}

#[test]
fn certificate_without_key_names_the_missing_key() {
    assert_error(
        "[tls]\ncertificate = \"/etc/c.pem\"",
        "tls.private_key: must be set when tls.certificate is",
    );
}

#[test]
fn key_without_certificate_names_the_missing_key() {
    assert_error("[tls]\nprivate_key = \"/etc/k.pem\"", "tls.certificate:");
}

#[test]
fn bad_hostname_names_the_key() {
    assert_error(
        "[server]\nhostname = \"mail..example\"",
        "server.hostname: \"mail..example\" is not a valid host name",
    );
}

#[test]
fn empty_data_dir_names_the_key() {
    assert_error(
        "[server]\ndata_dir = \"\"",
        "server.data_dir: must not be empty",
    );
}

#[test]
fn base_delay_above_max_delay_names_the_key() {
    assert_error(
        "[auth]\nthrottle_base_delay = 60\nthrottle_max_delay = 10",
        "auth.throttle_base_delay:",
    );
}

#[test]
fn forget_after_shorter_than_max_delay_names_the_key() {
    assert_error(
        "[auth]\nthrottle_forget_after = 5",
        "auth.throttle_forget_after:",
    );
}

#[test]
fn zero_tracked_keys_names_the_key() {
    assert_error(
        "[auth]\nthrottle_max_tracked = 0",
        "auth.throttle_max_tracked:",
    );
}

#[test]
fn misspelt_log_level_names_the_key() {
    assert_error(
        "[log]\nlevel = \"inof\"",
        "log.level: \"inof\" is not a level",
    );
}

#[test]
fn bad_log_directive_names_the_key() {
    assert_error("[log]\nlevel = \"postamt=loud\"", "log.level:");
}

#[test]
fn unknown_log_format_names_the_value() {
    assert_error("[log]\nformat = \"xml\"", "xml");
}

#[test]
fn unknown_key_is_named() {
    assert_error("[limits]\nmax_conections = 5", "max_conections");
}

#[test]
fn unknown_section_is_named() {
    assert_error("[limitz]\nmax_connections = 5", "limitz");
}

#[test]
fn unknown_listener_key_is_named() {
    assert_error(&format!("{LISTENER}port = 143\n"), "port");
}

#[test]
fn wrong_type_names_the_key_and_line() {
    let error = error_for("[limits]\nmax_connections = \"many\"");
    assert!(error.contains("max_connections"), "{error}");
    assert!(error.contains("line 2"), "{error}");
}

#[test]
fn missing_file_names_the_path() {
    let error = Config::load(std::path::Path::new("/nonexistent/postamt.toml")).unwrap_err();
    assert!(matches!(error, ConfigError::Read { .. }));
    assert!(error.to_string().contains("/nonexistent/postamt.toml"));
}
