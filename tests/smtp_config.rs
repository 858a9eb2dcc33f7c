//! The `[smtp]` configuration section: defaults, the example file, checks.

use postamt::config::{Config, SmtpSection};

#[test]
fn example_file_lists_the_smtp_defaults() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/etc/postamt.toml");
    let example = Config::load(std::path::Path::new(path)).unwrap();
    assert_eq!(example.smtp, SmtpSection::default());
}

#[test]
fn defaults_are_what_an_admin_expects() {
    let smtp = Config::from_toml_str("").unwrap().smtp;
    assert_eq!(smtp.max_recipients, 100);
    assert_eq!(smtp.submission_messages_per_hour, 500);
    assert_eq!(smtp.max_errors, 10);
    assert_eq!(smtp.max_received, 100);
}

#[test]
fn values_are_read_and_checked() {
    let config = Config::from_toml_str("[smtp]\nmax_recipients = 500\nmax_errors = 3\n").unwrap();
    assert_eq!(config.smtp.max_recipients, 500);
    assert_eq!(config.smtp.max_errors, 3);
    let error = Config::from_toml_str("[smtp]\nmax_errors = 0\n")
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("smtp.max_errors:"), "{error}");
    assert!(Config::from_toml_str("[smtp]\nmax_recipent = 5\n").is_err());
}
