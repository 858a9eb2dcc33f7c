//! The DNS TXT record that publishes a DKIM public key (RFC 6376 §3.6.1,
//! RFC 8463 §4 for ed25519), as a zone file line ready to paste. Pure text.

use base64::Engine;

use super::keys::{Algorithm, Selector};

/// A TXT character-string holds at most 255 octets (RFC 1035 §3.3); a
/// longer record is several strings that verifiers concatenate
/// (RFC 6376 §3.6.2.2).
const MAX_STRING: usize = 255;

/// A key record: where it goes and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    pub selector: Selector,
    pub domain: String,
    pub algorithm: Algorithm,
    /// The `p=` value, base64.
    pub public_key: String,
}

impl KeyRecord {
    pub fn new(selector: Selector, domain: &str, algorithm: Algorithm, public_key: &[u8]) -> Self {
        Self {
            selector,
            domain: domain.to_owned(),
            algorithm,
            public_key: base64::engine::general_purpose::STANDARD.encode(public_key),
        }
    }

    /// `<selector>._domainkey.<domain>.`
    pub fn name(&self) -> String {
        format!("{}._domainkey.{}.", self.selector.as_str(), self.domain)
    }

    /// The record's text, unsplit: `v=DKIM1; k=...; p=...`.
    pub fn value(&self) -> String {
        format!(
            "v=DKIM1; k={}; p={}",
            self.algorithm.key_type(),
            self.public_key
        )
    }

    /// `<name> IN TXT "..." "..."`: the value in quoted strings of at most
    /// 255 octets. The value is ASCII without quotes or backslashes, so no
    /// escaping is needed and any split point is a character boundary.
    pub fn zone_line(&self) -> String {
        let value = self.value();
        let strings: Vec<String> = value
            .as_bytes()
            .chunks(MAX_STRING)
            .map(|chunk| format!("\"{}\"", String::from_utf8_lossy(chunk)))
            .collect();
        format!("{} IN TXT {}", self.name(), strings.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_record_is_split_into_255_octet_strings() {
        let record = KeyRecord::new(
            Selector::parse("s-rsa").unwrap(),
            "example.test",
            Algorithm::Rsa,
            &[1u8; 294],
        );
        let line = record.zone_line();
        assert!(line.starts_with("s-rsa._domainkey.example.test. IN TXT \"v=DKIM1; k=rsa; p="));
        let strings: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
        assert_eq!(strings.len(), 2);
        assert_eq!(strings[0].len(), 255);
        assert_eq!(strings.concat(), record.value());
    }

    #[test]
    fn an_ed25519_record_is_one_string() {
        let record = KeyRecord::new(
            Selector::parse("s-ed25519").unwrap(),
            "example.test",
            Algorithm::Ed25519,
            &[2u8; 32],
        );
        assert_eq!(record.zone_line().matches('"').count(), 2);
        assert!(record.value().starts_with("v=DKIM1; k=ed25519; p="));
    }
}
