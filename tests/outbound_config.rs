//! `[outbound]`: defaults, the example file, and errors that name the key.

use postamt::config::{Config, ConfigError, OutboundSection, OutboundTls, RouteHost};
use postamt::dns::Resolver;
use postamt::outbound::OutboundSettings;

fn invalid_key(text: &str) -> String {
    match Config::from_toml_str(text) {
        Err(ConfigError::Invalid { key, .. }) => key,
        other => panic!("expected an invalid value, got {other:?}"),
    }
}

#[test]
fn example_file_has_the_outbound_defaults() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/etc/postamt.toml");
    let example = Config::load(std::path::Path::new(path)).unwrap();
    assert_eq!(example.outbound, OutboundSection::default());
}

#[test]
fn defaults_are_opportunistic_tls_and_a_30_second_connect() {
    let outbound = Config::from_toml_str("").unwrap().outbound;
    assert_eq!(outbound.tls, OutboundTls::Opportunistic);
    assert_eq!(outbound.connect_timeout.0, 30);
    assert!(outbound.routes.is_empty());
}

#[test]
fn route_without_a_valid_port_names_its_key() {
    assert_eq!(
        invalid_key("[outbound]\nroutes = { \"example.test\" = \"127.0.0.1:smtp\" }\n"),
        "outbound.routes.\"example.test\""
    );
}

#[test]
fn route_key_in_capitals_names_its_key() {
    assert_eq!(
        invalid_key("[outbound]\nroutes = { \"Example.TEST\" = \"127.0.0.1:2526\" }\n"),
        "outbound.routes.\"Example.TEST\""
    );
}

#[test]
fn bad_helo_name_names_its_key() {
    assert_eq!(
        invalid_key("[outbound]\nhelo_name = \"not a name\"\n"),
        "outbound.helo_name"
    );
}

#[test]
fn zero_connect_timeout_names_its_key() {
    assert_eq!(
        invalid_key("[outbound]\nconnect_timeout = 0\n"),
        "outbound.connect_timeout"
    );
}

#[test]
fn unknown_tls_policy_is_a_parse_error() {
    assert!(matches!(
        Config::from_toml_str("[outbound]\ntls = \"maybe\"\n"),
        Err(ConfigError::Parse { .. })
    ));
}

#[test]
fn settings_take_routes_and_fall_back_to_the_server_hostname() {
    let config = Config::from_toml_str(
        "[server]\nhostname = \"mail.example.net\"\n[outbound]\nroutes = { \"*\" = \"relay.example.net:587\" }\n",
    )
    .unwrap();
    let settings =
        OutboundSettings::from_config(&config, &Resolver::from_config(&config.dns)).unwrap();
    assert_eq!(settings.helo_name, "mail.example.net");
    assert_eq!(settings.mx_port, 25);
    assert!(!settings.dns_loopback);
    let smarthost = &settings.routes["*"];
    assert_eq!(
        smarthost.host,
        RouteHost::Name("relay.example.net".to_owned())
    );
    assert_eq!(smarthost.port, 587);
    assert_eq!(settings.timeouts.connect.as_secs(), 30);
    assert_eq!(settings.timeouts.data_end.as_secs(), 600);
}
