//! The HEADER search key (RFC 9051 §6.4.4): header fields of the raw header
//! section, unfolded, their values with encoded-words decoded. Must not read
//! the message: it is handed the header bytes.

use super::collate::{contains_folded, decode_header_value};

/// The fields of a header section as (name, unfolded raw value), in order.
#[derive(Debug, Default)]
pub struct HeaderFields(Vec<(String, String)>);

impl HeaderFields {
    /// Splits `raw` (the header section, CRLF or LF) into unfolded fields
    /// (RFC 5322 §2.2.3); lines that are not fields are skipped.
    pub fn parse(raw: &[u8]) -> HeaderFields {
        let text = String::from_utf8_lossy(raw);
        let mut fields: Vec<(String, String)> = Vec::new();
        for line in text.lines() {
            if line.starts_with([' ', '\t']) {
                if let Some((_, value)) = fields.last_mut() {
                    value.push(' ');
                    value.push_str(line.trim());
                }
                continue;
            }
            if let Some((name, value)) = line.split_once(':') {
                fields.push((name.trim().to_owned(), value.trim().to_owned()));
            }
        }
        HeaderFields(fields)
    }

    /// Whether a field `name` (any case) exists whose value, encoded-words
    /// decoded, contains `folded_needle`; an empty needle asks only for the
    /// field's presence. Only the fields named are decoded.
    pub fn matches(&self, name: &str, folded_needle: &str) -> bool {
        self.0.iter().any(|(n, v)| {
            n.eq_ignore_ascii_case(name.trim())
                && (folded_needle.is_empty()
                    || contains_folded(&decode_header_value(v), folded_needle))
        })
    }

    /// Whether any field's value, decoded, contains `folded_needle` (the
    /// header half of TEXT).
    pub fn any_contains(&self, folded_needle: &str) -> bool {
        self.0
            .iter()
            .any(|(_, v)| contains_folded(&decode_header_value(v), folded_needle))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &[u8] = b"Subject: a\r\nX-Tag: first\r\n  continued\r\nList-Id: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= <g.example>\r\n\r\n";

    #[test]
    fn folded_lines_are_one_value() {
        let fields = HeaderFields::parse(HEADER);
        assert!(fields.matches("x-tag", "first continued"));
        assert!(!fields.matches("x-tag", "second"));
    }

    #[test]
    fn empty_needle_asks_for_presence() {
        let fields = HeaderFields::parse(HEADER);
        assert!(fields.matches("X-TAG", ""));
        assert!(!fields.matches("X-Missing", ""));
    }

    #[test]
    fn any_field_can_contain_the_needle() {
        let fields = HeaderFields::parse(HEADER);
        assert!(fields.any_contains("g.example"));
        assert!(!fields.any_contains("nowhere"));
    }

    #[test]
    fn encoded_words_match_decoded() {
        assert!(HeaderFields::parse(HEADER).matches("List-Id", "grüße"));
    }
}
