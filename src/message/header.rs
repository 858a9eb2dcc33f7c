//! Raw header field values of one (sub)message, as IMAP serves them: the first
//! occurrence of a field, unfolded, encoded-words untouched (RFC 9051 §7.5.2),
//! and where the header really ends.
//!
//! Reads the offsets mail-parser recorded; never decodes and never panics on
//! offsets that fall outside the message.

use mail_parser::Header;

/// The header fields of one message or MIME part, with the raw message they index.
pub struct RawHeaders<'a> {
    raw: &'a [u8],
    headers: &'a [Header<'a>],
    /// Fields starting at or after this offset are body lines mail-parser took
    /// for fields (see [`header_end`]) and are ignored.
    end: u64,
}

impl<'a> RawHeaders<'a> {
    pub fn new(raw: &'a [u8], headers: &'a [Header<'a>], end: u64) -> Self {
        RawHeaders { raw, headers, end }
    }

    fn fields(&self) -> impl DoubleEndedIterator<Item = &'a Header<'a>> + use<'a> {
        let end = self.end;
        self.headers
            .iter()
            .filter(move |h| u64::from(h.offset_field) < end)
    }

    /// The first field with this name (case-insensitive), unfolded and trimmed.
    pub fn first(&self, name: &str) -> Option<String> {
        let header = self
            .fields()
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
        self.fields()
            .find(|h| h.name.as_str().eq_ignore_ascii_case(name))
            .map(|h| &h.value)
    }

    /// The parsed value of the last field with this name: the one mail-parser's
    /// own MIME decisions (boundary, nesting) were made from.
    pub fn parsed_last(&self, name: &str) -> Option<&'a mail_parser::HeaderValue<'a>> {
        self.fields()
            .rev()
            .find(|h| h.name.as_str().eq_ignore_ascii_case(name))
            .map(|h| &h.value)
    }
}

/// The offset just after the first empty line at or after `start` (RFC 5322
/// §2.1: the header ends there), or `limit` (at most the message size) when
/// there is none before it.
///
/// mail-parser sometimes reads on past the empty line (a Date ending in "UT"
/// followed by LF LF swallows the body); `limit` is where it stopped, so the
/// result never moves a body start later than mail-parser put it.
pub fn header_end(raw: &[u8], start: u64, limit: u64) -> u64 {
    let limit = limit.min(raw.len() as u64);
    let mut line = start;
    while line < limit {
        let rest = raw.get(line as usize..limit as usize).unwrap_or_default();
        if rest.starts_with(b"\r\n") {
            return line + 2;
        }
        if rest.starts_with(b"\n") {
            return line + 1;
        }
        match rest.iter().position(|&b| b == b'\n') {
            Some(lf) => line += lf as u64 + 1,
            None => break,
        }
    }
    limit
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
    use super::{header_end, unfold};

    #[test]
    fn header_end_is_after_the_first_empty_line() {
        let raw = b"A: 1\r\nB: 2\r\n\r\nbody\r\n\r\nmore";
        assert_eq!(header_end(raw, 0, raw.len() as u64), 14);
    }

    #[test]
    fn header_end_accepts_lf_only_and_an_empty_header() {
        assert_eq!(header_end(b"A: 1\n\nbody", 0, 11), 6);
        assert_eq!(header_end(b"--b\r\n\r\nbody", 5, 13), 7);
    }

    #[test]
    fn header_end_never_passes_the_limit() {
        assert_eq!(header_end(b"A: 1\nB: 2\n", 0, 5), 5);
        assert_eq!(header_end(b"A: 1\n\nbody", 0, 99), 6);
        assert_eq!(header_end(b"short", 0, 99), 5);
    }

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
