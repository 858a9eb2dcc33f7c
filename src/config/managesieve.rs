//! `[managesieve]`: the quotas on each user's Sieve scripts (RFC 5804
//! §2.3 HAVESPACE, QUOTA/MAXSCRIPTS and QUOTA/MAXSIZE).
//!
//! Owns the section's shape, defaults and checks; the scripts module turns
//! it into its own quotas and must not read the file itself.

use serde::Deserialize;

/// `[managesieve]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ManageSieveSection {
    /// The most scripts one user may store.
    pub max_scripts: u32,
    /// The largest script, in octets.
    pub max_script_size: u32,
}

impl Default for ManageSieveSection {
    fn default() -> Self {
        Self {
            max_scripts: 100,
            max_script_size: 64 * 1024,
        }
    }
}

/// Both limits must allow at least one script; the size is capped so a
/// script always fits in memory comfortably.
pub(super) fn validate(section: &ManageSieveSection) -> Result<(), (&'static str, String)> {
    if section.max_scripts == 0 {
        return Err(("managesieve.max_scripts", "must be at least 1".to_owned()));
    }
    if !(1..=16 * 1024 * 1024).contains(&section.max_script_size) {
        return Err((
            "managesieve.max_script_size",
            "must be between 1 and 16777216 octets".to_owned(),
        ));
    }
    Ok(())
}
