//! Mailbox names (RFC 9051 §5.1) and special-use attributes (RFC 6154):
//! validation and hierarchy arithmetic. No I/O; a name is never a path.

use serde::{Deserialize, Serialize};

use super::error::NameError;

/// The hierarchy delimiter of every mailbox name (RFC 9051 §5.1).
pub const DELIMITER: char = '/';

/// Longest accepted mailbox name in octets.
pub const MAX_NAME_LEN: usize = 1024;

/// A validated mailbox name: no empty hierarchy part, no leading or trailing
/// delimiter, no control characters or LIST wildcards, at most
/// [`MAX_NAME_LEN`] octets. A first part matching INBOX in any case is
/// normalised to `INBOX` (RFC 9051 §5.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MailboxName(String);

impl MailboxName {
    pub fn new(name: &str) -> Result<Self, NameError> {
        if name.is_empty() {
            return Err(NameError::Empty);
        }
        if name.len() > MAX_NAME_LEN {
            return Err(NameError::TooLong { max: MAX_NAME_LEN });
        }
        if let Some(c) = name.chars().find(|c| c.is_control()) {
            return Err(NameError::ControlCharacter(c as u32));
        }
        if let Some(c) = name.chars().find(|c| matches!(c, '*' | '%')) {
            return Err(NameError::Wildcard(c));
        }
        if name.starts_with(DELIMITER) || name.ends_with(DELIMITER) {
            return Err(NameError::DelimiterAtEdge);
        }
        if name.split(DELIMITER).any(str::is_empty) {
            return Err(NameError::EmptyPart);
        }
        let normalised = match name.split_once(DELIMITER) {
            Some((first, rest)) if first.eq_ignore_ascii_case("INBOX") => format!("INBOX/{rest}"),
            None if name.eq_ignore_ascii_case("INBOX") => "INBOX".to_owned(),
            _ => name.to_owned(),
        };
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_inbox(&self) -> bool {
        self.0 == "INBOX"
    }

    /// The names of every ancestor, outermost first (`a`, `a/b` for `a/b/c`).
    pub fn ancestors(&self) -> Vec<MailboxName> {
        self.0
            .match_indices(DELIMITER)
            .map(|(i, _)| MailboxName(self.0[..i].to_owned()))
            .collect()
    }

    /// Whether `self` lies strictly below `parent` in the hierarchy.
    pub fn is_below(&self, parent: &MailboxName) -> bool {
        self.0
            .strip_prefix(parent.as_str())
            .is_some_and(|rest| rest.starts_with(DELIMITER))
    }

    /// This name with the prefix `from` replaced by `to`; `None` if `self`
    /// is neither `from` nor below it.
    pub fn reparent(&self, from: &MailboxName, to: &MailboxName) -> Option<MailboxName> {
        if self == from {
            return Some(to.clone());
        }
        let rest = self.0.strip_prefix(from.as_str())?;
        rest.starts_with(DELIMITER)
            .then(|| MailboxName(format!("{}{rest}", to.as_str())))
    }
}

impl TryFrom<String> for MailboxName {
    type Error = NameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(&value)
    }
}

impl From<MailboxName> for String {
    fn from(value: MailboxName) -> Self {
        value.0
    }
}

impl std::fmt::Display for MailboxName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Special-use attributes of RFC 6154 §2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SpecialUse {
    All,
    Archive,
    Drafts,
    Flagged,
    Junk,
    Sent,
    Trash,
}

impl SpecialUse {
    /// The attribute as IMAP writes it (`\Sent`).
    pub fn as_imap(self) -> &'static str {
        match self {
            Self::All => "\\All",
            Self::Archive => "\\Archive",
            Self::Drafts => "\\Drafts",
            Self::Flagged => "\\Flagged",
            Self::Junk => "\\Junk",
            Self::Sent => "\\Sent",
            Self::Trash => "\\Trash",
        }
    }

    /// Parses an IMAP attribute, case-insensitively.
    pub fn from_imap(s: &str) -> Option<Self> {
        [
            Self::All,
            Self::Archive,
            Self::Drafts,
            Self::Flagged,
            Self::Junk,
            Self::Sent,
            Self::Trash,
        ]
        .into_iter()
        .find(|u| u.as_imap().eq_ignore_ascii_case(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> MailboxName {
        MailboxName::new(s).unwrap()
    }

    #[test]
    fn ancestors_are_listed_outermost_first() {
        assert_eq!(n("a/b/c").ancestors(), vec![n("a"), n("a/b")]);
        assert!(n("a").ancestors().is_empty());
    }

    #[test]
    fn a_sibling_with_a_common_prefix_is_not_below() {
        assert!(n("a/b").is_below(&n("a")));
        assert!(!n("ab").is_below(&n("a")));
        assert!(!n("a").is_below(&n("a")));
    }

    #[test]
    fn reparent_replaces_only_the_prefix() {
        assert_eq!(n("a/b").reparent(&n("a"), &n("x/y")), Some(n("x/y/b")));
        assert_eq!(n("a").reparent(&n("a"), &n("z")), Some(n("z")));
        assert_eq!(n("ab").reparent(&n("a"), &n("z")), None);
    }

    #[test]
    fn only_a_first_part_named_inbox_is_normalised() {
        assert_eq!(n("Inbox/Sub").as_str(), "INBOX/Sub");
        assert_eq!(n("Archive/inbox").as_str(), "Archive/inbox");
        assert_eq!(n("InboxOld").as_str(), "InboxOld");
    }

    #[test]
    fn special_use_parses_case_insensitively() {
        assert_eq!(SpecialUse::from_imap("\\junk"), Some(SpecialUse::Junk));
        assert_eq!(SpecialUse::from_imap("\\Important"), None);
    }
}
