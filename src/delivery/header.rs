//! The received header section of a spooled message, read just far enough
//! to answer the pipeline's questions (loop protection, auto-reply rules):
//! bounded, so a message with an endless header cannot make us allocate
//! without limit.

use std::path::Path;

use tokio::io::AsyncReadExt;

/// The most of a header section we read; fields past it are not seen.
pub(super) const MAX_HEADER: usize = 256 * 1024;

/// A message's header fields, unfolded (RFC 5322 §2.2.3), in order.
#[derive(Debug, Default)]
pub(super) struct Header {
    fields: Vec<(String, String)>,
}

impl Header {
    /// Reads the header of the file at `path`: up to the empty line, at most
    /// [`MAX_HEADER`] octets.
    pub async fn read(path: &Path) -> std::io::Result<Header> {
        let file = tokio::fs::File::open(path).await?;
        let mut bytes = Vec::new();
        file.take(MAX_HEADER as u64).read_to_end(&mut bytes).await?;
        Ok(Header::parse(&bytes))
    }

    /// Parses the fields of `bytes` up to the first empty line.
    pub fn parse(bytes: &[u8]) -> Header {
        let mut fields: Vec<(String, String)> = Vec::new();
        for raw in bytes.split(|&b| b == b'\n') {
            let line = raw.strip_suffix(b"\r").unwrap_or(raw);
            if line.is_empty() {
                break;
            }
            let text = String::from_utf8_lossy(line);
            if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
                if let Some((_, value)) = fields.last_mut() {
                    value.push(' ');
                    value.push_str(text.trim());
                }
                continue;
            }
            if let Some((name, value)) = text.split_once(':') {
                fields.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
            }
        }
        Header { fields }
    }

    /// The values of every field called `name` (case-insensitive).
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The first value of `name`.
    pub fn first<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.values(name).next()
    }

    pub fn has(&self, name: &str) -> bool {
        self.first(name).is_some()
    }
}

/// Whether `text` (a header value) names `address` as a whole address, not
/// as part of a longer one: `bob@x` is not in `jimbob@x`.
pub(super) fn mentions(text: &str, address: &str) -> bool {
    if address.is_empty() {
        return false;
    }
    let text = text.to_ascii_lowercase();
    let address = address.to_ascii_lowercase();
    let is_address_char =
        |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.@".contains(c);
    let mut start = 0;
    while let Some(found) = text.get(start..).and_then(|rest| rest.find(&address)) {
        let at = start + found;
        let end = at + address.len();
        let before = text.get(..at).and_then(|s| s.chars().next_back());
        let after = text.get(end..).and_then(|s| s.chars().next());
        if !before.is_some_and(is_address_char) && !after.is_some_and(is_address_char) {
            return true;
        }
        start = end;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_fields_are_unfolded_and_the_body_is_not_read() {
        let header =
            Header::parse(b"Subject: a\r\n b\r\nDelivered-To: x@y\r\n\r\nDelivered-To: body@y\r\n");
        assert_eq!(header.first("subject"), Some("a b"));
        assert_eq!(header.values("Delivered-To").count(), 1);
    }

    #[test]
    fn an_address_is_found_only_whole() {
        assert!(mentions("Bob <bob@example.org>", "bob@example.org"));
        assert!(mentions("x@y, BOB@example.org", "bob@example.org"));
        assert!(!mentions("jimbob@example.org", "bob@example.org"));
        assert!(!mentions("bob@example.org.evil", "bob@example.org"));
    }
}
