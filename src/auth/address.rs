//! Domain names and mail addresses as the account directory stores them:
//! validated, lowercased newtypes, and the split of a local part into its
//! base and its plus-address detail.
//!
//! This module only parses and normalises strings; it knows nothing of which
//! domains or users exist (that is the directory's job).

use std::fmt;

use thiserror::Error;

/// RFC 5321 4.5.3.1.2: a domain name is at most 255 octets on the wire,
/// which leaves 253 characters for its text form.
const MAX_DOMAIN_LEN: usize = 253;
/// RFC 1035 2.3.4: a label is at most 63 octets.
const MAX_LABEL_LEN: usize = 63;
/// RFC 5321 4.5.3.1.1: a local part is at most 64 octets.
const MAX_LOCAL_PART_LEN: usize = 64;
/// The separator of plus-addressing: `local+detail@domain` (RFC 5233).
const DETAIL_SEPARATOR: char = '+';

/// What is wrong with a domain name or an address.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AddressError {
    #[error("invalid domain name {0:?}: {1}")]
    InvalidDomain(String, &'static str),
    #[error("invalid address {0:?}: {1}")]
    InvalidAddress(String, &'static str),
}

/// A host name, lowercased. UTF-8 labels (IDN in U-label form) are accepted
/// as given; no punycode conversion is done here.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DomainName(String);

impl DomainName {
    /// Validates `text` as a host name (RFC 1123 2.1 letters, digits and
    /// hyphens per label, or non-ASCII alphanumerics for IDN) and lowercases it.
    /// A trailing root dot is dropped.
    pub fn parse(text: &str) -> Result<Self, AddressError> {
        let invalid = |why| AddressError::InvalidDomain(text.to_owned(), why);
        let lowered = text.strip_suffix('.').unwrap_or(text).to_lowercase();
        if lowered.is_empty() {
            return Err(invalid("empty"));
        }
        if lowered.len() > MAX_DOMAIN_LEN {
            return Err(invalid("longer than 253 octets"));
        }
        for label in lowered.split('.') {
            validate_label(label).map_err(invalid)?;
        }
        // A final label of digits only would make an IPv4 address look like a host name.
        if lowered
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(invalid("the last label is numeric"));
        }
        Ok(Self(lowered))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn validate_label(label: &str) -> Result<(), &'static str> {
    if label.is_empty() {
        return Err("empty label");
    }
    if label.len() > MAX_LABEL_LEN {
        return Err("label longer than 63 octets");
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err("label starts or ends with a hyphen");
    }
    let allowed =
        |c: char| c.is_ascii_alphanumeric() || c == '-' || (!c.is_ascii() && c.is_alphanumeric());
    if !label.chars().all(allowed) {
        return Err("label holds a character other than a letter, digit or hyphen");
    }
    Ok(())
}

impl fmt::Display for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A mail address `local@domain`, lowercased as a whole: postamt treats local
/// parts case-insensitively (RFC 5321 2.4 leaves that to the receiving host).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    text: String,
    at: usize,
}

impl Address {
    /// Parses `local@domain`. The local part must be a dot-atom (RFC 5322
    /// 3.2.3; UTF-8 allowed as in RFC 6531); quoted local parts are refused
    /// because no account should need one.
    pub fn parse(text: &str) -> Result<Self, AddressError> {
        let invalid = |why| AddressError::InvalidAddress(text.to_owned(), why);
        let (local, domain) = text.rsplit_once('@').ok_or_else(|| invalid("no @"))?;
        validate_local_part(local).map_err(invalid)?;
        let domain = DomainName::parse(domain).map_err(|_| invalid("invalid domain"))?;
        Ok(Self::from_parts(&local.to_lowercase(), &domain))
    }

    fn from_parts(local: &str, domain: &DomainName) -> Self {
        Self {
            text: format!("{local}@{domain}"),
            at: local.len(),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn local_part(&self) -> &str {
        self.text.get(..self.at).unwrap_or_default()
    }

    /// The domain part. Re-validated text, so it cannot fail; an empty name
    /// would only come from a bug, never from input.
    pub fn domain(&self) -> DomainName {
        DomainName(self.text.get(self.at + 1..).unwrap_or_default().to_owned())
    }

    /// The address without its plus-address detail, if it has one:
    /// `alice+lists@example.org` becomes `alice@example.org`. A local part
    /// that starts with the separator has no base and so no detail.
    pub fn without_detail(&self) -> Option<Self> {
        let (base, _) = self.local_part().split_once(DETAIL_SEPARATOR)?;
        (!base.is_empty()).then(|| Self::from_parts(base, &self.domain()))
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The detail of `local+detail@domain` exactly as the sender wrote it (case
/// kept, for Sieve's `:detail`, RFC 5233), or `None` without a separator.
pub fn detail_as_given(text: &str) -> Option<&str> {
    let (local, _) = text.rsplit_once('@')?;
    let (base, detail) = local.split_once(DETAIL_SEPARATOR)?;
    (!base.is_empty()).then_some(detail)
}

fn validate_local_part(local: &str) -> Result<(), &'static str> {
    if local.is_empty() {
        return Err("empty local part");
    }
    if local.len() > MAX_LOCAL_PART_LEN {
        return Err("local part longer than 64 octets");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err("local part is not a dot-atom");
    }
    // RFC 5322 3.2.3 atext, plus any non-ASCII character (RFC 6531 3.3).
    let atext =
        |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c) || !c.is_ascii();
    if !local
        .chars()
        .all(|c| atext(c) && !c.is_control() && !c.is_whitespace())
    {
        return Err("local part holds a character outside the dot-atom set");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_is_lowercased_and_root_dot_dropped() {
        assert_eq!(
            DomainName::parse("Example.ORG.").unwrap().as_str(),
            "example.org"
        );
    }

    #[test]
    fn idn_domain_in_utf8_is_accepted() {
        assert_eq!(
            DomainName::parse("Bücher.Example").unwrap().as_str(),
            "bücher.example"
        );
    }

    #[test]
    fn malformed_domains_are_refused() {
        for bad in [
            "",
            "a..b",
            "-a.org",
            "a-.org",
            "a b.org",
            "a_b.org",
            "1.2.3.4",
            &"a".repeat(64),
        ] {
            assert!(DomainName::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn address_is_lowercased_and_split() {
        let address = Address::parse("Alice.B@Example.Org").unwrap();
        assert_eq!(address.as_str(), "alice.b@example.org");
        assert_eq!(address.local_part(), "alice.b");
        assert_eq!(address.domain().as_str(), "example.org");
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "alice",
            "@example.org",
            "alice@",
            ".a@example.org",
            "a..b@example.org",
            "a b@example.org",
            "\"a\"@example.org",
        ] {
            assert!(Address::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn detail_is_stripped_for_lookup_and_kept_as_given() {
        let address = Address::parse("Alice+Lists@example.org").unwrap();
        assert_eq!(
            address.without_detail().unwrap().as_str(),
            "alice@example.org"
        );
        assert_eq!(detail_as_given("Alice+Lists@example.org"), Some("Lists"));
    }

    #[test]
    fn leading_separator_is_not_a_detail() {
        let address = Address::parse("+x@example.org").unwrap();
        assert_eq!(address.without_detail(), None);
        assert_eq!(detail_as_given("+x@example.org"), None);
    }
}
