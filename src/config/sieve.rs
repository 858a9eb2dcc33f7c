//! `[sieve]`: how far one delivery's Sieve scripts may go (actions,
//! redirects, variable sizes, script size, body bytes scanned, includes,
//! how long `duplicate` remembers).
//!
//! Owns the section's shape, defaults and checks; the Sieve stage turns it
//! into its own limits and must not read the file itself.

use serde::Deserialize;

/// `[sieve]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SieveSection {
    /// Actions (keep, fileinto, redirect, ...) one delivery's scripts may
    /// take together; more is a runtime error, and the message is kept.
    pub max_actions: u32,
    /// Distinct redirect addresses per delivery.
    pub max_redirects: u32,
    /// Longest variable value in bytes (RFC 5229 §6: longer is cut).
    pub max_variable_size: u32,
    /// Largest script run at delivery, in bytes; a larger one is skipped.
    pub max_script_size: u32,
    /// Body bytes a `body` test reads (RFC 5173).
    pub body_bytes: u32,
    /// How deep `include` may nest (RFC 6609 §3.2); deeper is a runtime
    /// error, and the message is kept.
    pub max_include_depth: u32,
    /// Scripts one top-level script may include in all.
    pub max_includes: u32,
    /// How long `duplicate` (RFC 7352 §3.3) tracks an ID without
    /// `:seconds`.
    pub duplicate_default_seconds: u64,
    /// The longest `:seconds` honoured; longer is cut to it.
    pub duplicate_max_seconds: u64,
}

impl Default for SieveSection {
    fn default() -> Self {
        Self {
            max_actions: 32,
            max_redirects: 4,
            max_variable_size: 4096,
            max_script_size: 65536,
            body_bytes: 262_144,
            max_include_depth: 5,
            max_includes: 32,
            duplicate_default_seconds: 86_400,
            duplicate_max_seconds: 604_800,
        }
    }
}

/// The rules beyond types: each error names its key.
pub(super) fn validate(sieve: &SieveSection) -> Result<(), (String, String)> {
    let invalid = |key: &str, problem: &str| Err((format!("sieve.{key}"), problem.to_owned()));
    if sieve.max_actions == 0 {
        return invalid("max_actions", "must be at least 1");
    }
    if sieve.max_variable_size < 64 {
        return invalid("max_variable_size", "must be at least 64");
    }
    if sieve.max_script_size == 0 || sieve.max_script_size > 1 << 20 {
        return invalid("max_script_size", "must be between 1 and 1048576");
    }
    if sieve.duplicate_default_seconds > sieve.duplicate_max_seconds {
        return invalid(
            "duplicate_default_seconds",
            "must not exceed sieve.duplicate_max_seconds",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn example_file_lists_the_sieve_defaults() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/etc/postamt.toml");
        let example = Config::load(std::path::Path::new(path)).unwrap();
        assert_eq!(example.sieve, SieveSection::default());
    }

    #[test]
    fn zero_actions_is_refused() {
        let error = Config::from_toml_str("[sieve]\nmax_actions = 0\n")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("sieve.max_actions"), "{error}");
    }

    #[test]
    fn duplicate_default_above_the_maximum_is_refused() {
        let error = Config::from_toml_str(
            "[sieve]\nduplicate_default_seconds = 10\nduplicate_max_seconds = 5\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.starts_with("sieve.duplicate_default_seconds"),
            "{error}"
        );
    }

    #[test]
    fn oversized_script_limit_is_refused() {
        let error = Config::from_toml_str("[sieve]\nmax_script_size = 2000000\n")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("sieve.max_script_size"), "{error}");
    }
}
