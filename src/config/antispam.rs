//! `[antispam]`: the anti-spam stage's thresholds (global, per domain, per
//! user), where spam is filed, how much of a message is scanned, and when
//! read mail counts as ham.
//!
//! Owns the section's shape, defaults and checks; the stage reads the
//! typed section and must not read the file itself.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::sections::Seconds;

/// A score in points, finite (checked when the file is read).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Deserialize)]
#[serde(try_from = "f64")]
pub struct Points(f64);

// `Points` holds no NaN (its `TryFrom` refuses one), so equality is total.
impl Eq for Points {}

impl TryFrom<f64> for Points {
    type Error = String;

    fn try_from(value: f64) -> Result<Self, Self::Error> {
        if value.is_finite() {
            Ok(Self(value))
        } else {
            Err(format!("{value} is not a finite score"))
        }
    }
}

impl Points {
    pub fn new(value: f64) -> Option<Self> {
        Self::try_from(value).ok()
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

/// One DNS blocklist: `{ zone = "zen.spamhaus.org", score = 3.0 }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsList {
    /// The list's DNS zone, queried below (`2.0.0.127.zen.spamhaus.org`).
    pub zone: String,
    /// Points a listing adds to the score.
    pub score: Points,
}

/// `[antispam]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AntispamSection {
    /// Whether the stage runs at all.
    pub enabled: bool,
    /// Score at and above which a message is spam and filed into
    /// `junk_folder`.
    pub spam_threshold: Points,
    /// Whether SMTP may refuse a message at DATA time ...
    pub reject_at_smtp: bool,
    /// ... when it scores at least this much.
    pub reject_threshold: Points,
    /// The folder spam is filed into (the `\Junk` special-use mailbox).
    pub junk_folder: String,
    /// Octets of a message scanned (header and the start of the body).
    pub scan_limit: u64,
    /// Seconds a message read (`\Seen`) in an ordinary folder must stay out
    /// of Junk before it is learnt as ham.
    pub ham_delay: Seconds,
    /// Whether SPF, DKIM and DMARC are checked (DNS lookups) and written
    /// into `Authentication-Results`.
    pub authentication: bool,
    /// A message failing DMARC whose domain publishes `p=reject`: refused
    /// in the SMTP session on port 25 (`550 5.7.1`, RFC 7489 §6.6.2) when
    /// true and `authentication` is on. Whatever this says, delivery files
    /// such a message into Junk and never bounces it (a bounce to a forged
    /// sender is backscatter).
    pub dmarc_reject: bool,
    /// DNS blocklists (RFC 5782) the connecting client's address is looked
    /// up in, each with the points a listing adds. Empty: none asked.
    pub dnsbl: Vec<DnsList>,
    /// URI blocklists the registrable domains of the message's URL hosts
    /// are looked up in. Empty: none asked.
    pub uribl: Vec<DnsList>,
    /// URL hosts of one message looked up in the URI blocklists at most.
    pub uribl_max_hosts: usize,
    /// Seconds one blocklist lookup may take; a slower one counts as not
    /// listed.
    pub dns_list_timeout: Seconds,
    /// `spam_threshold` per recipient domain ...
    pub domain_threshold: BTreeMap<String, Points>,
    /// ... and per user (login address), which wins over the domain's.
    pub user_threshold: BTreeMap<String, Points>,
}

impl Default for AntispamSection {
    fn default() -> Self {
        Self {
            enabled: true,
            spam_threshold: Points(5.0),
            reject_at_smtp: false,
            reject_threshold: Points(15.0),
            junk_folder: "Junk".to_owned(),
            scan_limit: 512 * 1024,
            ham_delay: Seconds(24 * 3600),
            authentication: true,
            dmarc_reject: false,
            dnsbl: Vec::new(),
            uribl: Vec::new(),
            uribl_max_hosts: 10,
            dns_list_timeout: Seconds(2),
            domain_threshold: BTreeMap::new(),
            user_threshold: BTreeMap::new(),
        }
    }
}

impl AntispamSection {
    /// The spam threshold for the user `login` (`user@domain`): theirs, else
    /// their domain's, else the global one. Domains and addresses compare
    /// case-insensitively.
    pub fn spam_threshold_for(&self, login: &str) -> f64 {
        let login = login.to_ascii_lowercase();
        let find = |map: &BTreeMap<String, Points>, key: &str| {
            map.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.get())
        };
        let domain = login.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
        find(&self.user_threshold, &login)
            .or_else(|| find(&self.domain_threshold, domain))
            .unwrap_or(self.spam_threshold.get())
    }
}

/// The rules beyond types: each error names its key.
pub(super) fn validate(section: &AntispamSection) -> Result<(), (String, String)> {
    let invalid = |key: &str, problem: &str| Err((format!("antispam.{key}"), problem.to_owned()));
    if section.scan_limit < 4096 {
        return invalid("scan_limit", "must be at least 4096 octets");
    }
    if section.reject_threshold < section.spam_threshold {
        return invalid(
            "reject_threshold",
            "must be at least antispam.spam_threshold",
        );
    }
    for (key, lists) in [("dnsbl", &section.dnsbl), ("uribl", &section.uribl)] {
        if lists.iter().any(|list| !is_zone(&list.zone)) {
            return invalid(
                key,
                "each zone must be a DNS name (letters, digits, '-', '.')",
            );
        }
    }
    if section.dns_list_timeout.0 == 0 {
        return invalid("dns_list_timeout", "must be at least 1 second");
    }
    if crate::store::MailboxName::new(&section.junk_folder).is_err() {
        return invalid("junk_folder", "is not a valid mailbox name");
    }
    Ok(())
}

/// A DNS name a lookup can be built under: dot-separated labels of
/// letters, digits and hyphens (RFC 1035 §2.3.1), at most 200 octets so
/// the reversed address still fits in 253.
fn is_zone(zone: &str) -> bool {
    let zone = zone.trim_end_matches('.');
    !zone.is_empty()
        && zone.len() <= 200
        && zone.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn example_file_lists_the_antispam_defaults() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/etc/postamt.toml");
        let example = Config::load(std::path::Path::new(path)).unwrap();
        assert_eq!(example.antispam, AntispamSection::default());
    }

    #[test]
    fn user_threshold_wins_over_domain_and_global() {
        let config = Config::from_toml_str(
            "[antispam]\ndomain_threshold = { \"example.org\" = 7.0 }\nuser_threshold = { \"bob@example.org\" = 3.5 }\n",
        )
        .unwrap();
        let section = &config.antispam;
        assert_eq!(section.spam_threshold_for("Bob@Example.org"), 3.5);
        assert_eq!(section.spam_threshold_for("alice@example.org"), 7.0);
        assert_eq!(section.spam_threshold_for("carol@example.net"), 5.0);
    }

    #[test]
    fn blocklists_are_read_with_their_scores() {
        let config = Config::from_toml_str(
            "[antispam]\ndnsbl = [{ zone = \"zen.spamhaus.org\", score = 3.0 }]\nuribl = [{ zone = \"multi.surbl.org\", score = 2.5 }]\n",
        )
        .unwrap();
        assert_eq!(config.antispam.dnsbl[0].zone, "zen.spamhaus.org");
        assert_eq!(config.antispam.uribl[0].score.get(), 2.5);
    }

    #[test]
    fn blocklist_zone_that_is_no_dns_name_names_the_key() {
        let error =
            Config::from_toml_str("[antispam]\ndnsbl = [{ zone = \"bad zone\", score = 1.0 }]\n")
                .unwrap_err()
                .to_string();
        assert!(error.starts_with("antispam.dnsbl"), "{error}");
    }

    #[test]
    fn reject_below_spam_threshold_names_the_key() {
        let error = Config::from_toml_str("[antispam]\nreject_threshold = 1.0\n")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("antispam.reject_threshold"), "{error}");
    }
}
