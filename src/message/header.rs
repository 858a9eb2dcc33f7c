//! Raw header field values of one (sub)message, as IMAP serves them: the first
//! occurrence of a field, unfolded, encoded-words untouched (RFC 9051 §7.5.2).
//!
//! Reads the offsets mail-parser recorded; never decodes and never panics on
//! offsets that fall outside the message.

use mail_parser::Header;

/// The header fields of one message or MIME part, with the raw message they index.
pub struct RawHeaders<'a> {
    raw: &'a [u8],
    headers: &'a [Header<'a>],
}

impl<'a> RawHeaders<'a> {
    pub fn new(raw: &'a [u8], headers: &'a [Header<'a>]) -> Self {
        RawHeaders { raw, headers }
    }

    /// The first field with this name (case-insensitive), unfolded and trimmed.
    pub fn first(&self, name: &str) -> Option<String> {
        let header = self
            .headers
            .iter()
            .find(|h| h.name.as_str().eq_ignore_ascii_case(name))?;
        let bytes = self
            .raw
            .get(header.offset_start as usize..header.offset_end as usize)?;
        Some(unfold(bytes))
    }

    /// Like [`first`](Self::first), but an empty value counts as absent.
    pub fn first_non_empty(&self, name: &str) -> Option<String> {
        self.first(name).filter(|v| !v.is_empty())
    }

    /// The parsed value mail-parser kept for the first field with this name.
    pub fn parsed(&self, name: &str) -> Option<&'a mail_parser::HeaderValue<'a>> {
        self.headers
            .iter()
            .find(|h| h.name.as_str().eq_ignore_ascii_case(name))
            .map(|h| &h.value)
    }

    /// The parsed value of the last field with this name: the one mail-parser's
    /// own MIME decisions (boundary, nesting) were made from.
    pub fn parsed_last(&self, name: &str) -> Option<&'a mail_parser::HeaderValue<'a>> {
        self.headers
            .iter()
            .rev()
            .find(|h| h.name.as_str().eq_ignore_ascii_case(name))
            .map(|h| &h.value)
    }
}

/// Removes the line breaks of folding (RFC 5322 §2.2.3) and the whitespace around
/// the value. The cache stores text: raw 8-bit values that are not UTF-8 are
/// read as ISO-8859-1, the commonest legacy header charset, so no octet is lost.
pub fn unfold(bytes: &[u8]) -> String {
    let unfolded: Vec<u8> = bytes
        .iter()
        .copied()
        .filter(|&b| b != b'\r' && b != b'\n')
        .collect();
    let text = match String::from_utf8(unfolded) {
        Ok(text) => text,
        Err(e) => e.into_bytes().into_iter().map(char::from).collect(),
    };
    text.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::unfold;

    #[test]
    fn unfold_joins_continuation_lines_keeping_their_whitespace() {
        assert_eq!(unfold(b" Hello\r\n world\r\n"), "Hello world");
    }

    #[test]
    fn unfold_accepts_lf_only_folding() {
        assert_eq!(unfold(b" a\n\tb\n"), "a\tb");
    }

    #[test]
    fn unfold_reads_non_utf8_bytes_as_latin1() {
        assert_eq!(unfold(b" caf\xe9\r\n"), "caf\u{e9}");
    }

    #[test]
    fn unfold_keeps_utf8_as_is() {
        assert_eq!(unfold(" Gr\u{fc}\u{df}e".as_bytes()), "Gr\u{fc}\u{df}e");
    }
}
