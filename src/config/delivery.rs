//! `[delivery]`: what the local delivery pipeline does beyond storing a
//! message: how long Trash keeps mail, how far forwarding may go (hop
//! limit, SRS) and how long the vacation tracker remembers a reply.
//!
//! Owns the section's shape, defaults and checks; the delivery module turns
//! it into its own settings and must not read the file itself.

use serde::Deserialize;

/// `[delivery]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeliverySection {
    /// Days a message stays in a user's Trash before it is expunged; 0 never.
    pub trash_retention: u32,
    /// `Delivered-To` fields a message may carry and still be forwarded:
    /// the hop limit that ends forwarding loops.
    pub max_hops: u32,
    /// Rewrite the envelope sender of forwarded mail with SRS so SPF still
    /// passes at the destination.
    pub srs: bool,
    /// Days the vacation tracker remembers whom it answered: the longest
    /// `:days` a script may ask for.
    pub vacation_retention: u32,
}

impl Default for DeliverySection {
    fn default() -> Self {
        Self {
            trash_retention: 7,
            max_hops: 10,
            srs: true,
            vacation_retention: 365,
        }
    }
}

/// The rules beyond types: each error names its key.
pub(super) fn validate(delivery: &DeliverySection) -> Result<(), (String, String)> {
    let invalid = |key: &str, problem: &str| Err((format!("delivery.{key}"), problem.to_owned()));
    if delivery.max_hops == 0 {
        return invalid("max_hops", "must be at least 1");
    }
    if delivery.vacation_retention == 0 {
        return invalid("vacation_retention", "must be at least 1 day");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn example_file_lists_the_delivery_defaults() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/etc/postamt.toml");
        let example = Config::load(std::path::Path::new(path)).unwrap();
        assert_eq!(example.delivery, DeliverySection::default());
    }

    #[test]
    fn zero_hops_is_refused() {
        let error = Config::from_toml_str("[delivery]\nmax_hops = 0\n")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("delivery.max_hops"), "{error}");
    }
}
