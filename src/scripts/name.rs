//! Script names as RFC 5804 §1.6 allows them.

use std::fmt;

use super::ScriptsError;

/// The longest name accepted, in characters; RFC 5804 §1.6 lets servers
/// bound it and asks them to allow at least 128.
pub const MAX_NAME_CHARS: usize = 128;

/// A valid script name: non-empty UTF-8 without control characters (Unicode
/// Cc) and without U+2028/U+2029 (RFC 5804 §1.6).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScriptName(String);

impl ScriptName {
    pub fn parse(text: &str) -> Result<Self, ScriptsError> {
        if text.is_empty() {
            return Err(ScriptsError::InvalidName("empty"));
        }
        if text.chars().count() > MAX_NAME_CHARS {
            return Err(ScriptsError::InvalidName("longer than 128 characters"));
        }
        if text
            .chars()
            .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}')
        {
            return Err(ScriptsError::InvalidName("contains a control character"));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ScriptName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_line_separators_are_refused() {
        assert!(ScriptName::parse("a\nb").is_err());
        assert!(ScriptName::parse("a\u{85}b").is_err());
        assert!(ScriptName::parse("a\u{2028}b").is_err());
        assert!(ScriptName::parse("").is_err());
        assert!(ScriptName::parse("Urlaub – ü").is_ok());
    }
}
