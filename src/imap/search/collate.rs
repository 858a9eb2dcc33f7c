//! How strings compare in SEARCH and SORT: the i;unicode-casemap idea of
//! RFC 5051 approximated by Unicode lowercase folding, which equals
//! i;ascii-casemap on ASCII (RFC 9051 §6.4.4 substring matching, RFC 5256
//! §2.1 collation). Must not know which header a string came from.

use mail_parser::HeaderValue;
use mail_parser::parsers::MessageStream;

/// The folded form strings are compared in.
pub fn fold(s: &str) -> String {
    s.to_lowercase()
}

/// Whether `haystack` contains `folded_needle` (already folded), ignoring case.
pub fn contains_folded(haystack: &str, folded_needle: &str) -> bool {
    folded_needle.is_empty() || fold(haystack).contains(folded_needle)
}

/// Whether folding `needle` differs from ASCII-only folding, i.e. SQLite's
/// LIKE (which folds ASCII only) could miss a case-insensitive match.
pub fn needs_unicode_folding(needle: &str) -> bool {
    needle
        .chars()
        .any(|c| !c.is_ascii() && (c.to_lowercase().ne(Some(c)) || c.to_uppercase().ne(Some(c))))
}

/// A raw, unfolded header value with RFC 2047 encoded-words decoded.
pub fn decode_header_value(raw: &str) -> String {
    let line = format!("{}\r\n", raw.trim());
    match MessageStream::new(line.as_bytes()).parse_unstructured() {
        HeaderValue::Text(text) => text.into_owned(),
        _ => raw.trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_matches_across_unicode_case() {
        assert!(contains_folded("Grüße aus MÜNCHEN", &fold("münchen")));
        assert!(!contains_folded("Grüße aus Munich", &fold("münchen")));
    }

    #[test]
    fn only_cased_non_ascii_needs_unicode_folding() {
        assert!(needs_unicode_folding("Ärger"));
        assert!(!needs_unicode_folding("report 2024"));
        assert!(!needs_unicode_folding("日本"));
    }

    #[test]
    fn encoded_words_are_decoded() {
        assert_eq!(
            decode_header_value("=?UTF-8?Q?J=C3=BCrgen?= Meier"),
            "Jürgen Meier"
        );
        assert_eq!(decode_header_value("plain"), "plain");
    }
}
