//! Writes a delivered message out, streamed: the fields this delivery adds,
//! then the message's header (as received or as a stage rewrote it), then
//! its body. Shared by the store append and the forward, so what a user
//! finds and what a forward target gets are the same octets.

use std::path::Path;

use tokio::io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};

const CHUNK: usize = 64 * 1024;

/// Writes `prefix`, then the message at `path`, with its header section
/// replaced by `header` when one is given (Sieve editheader, RFC 5293).
/// Returns the octets written.
pub(super) async fn write_message<W: AsyncWrite + Unpin + ?Sized>(
    out: &mut W,
    prefix: &[u8],
    header: Option<&[u8]>,
    path: &Path,
) -> std::io::Result<u64> {
    out.write_all(prefix).await?;
    let mut source = tokio::fs::File::open(path).await?;
    let mut written = prefix.len() as u64;
    match header {
        None => written += tokio::io::copy(&mut source, out).await?,
        Some(header) => {
            out.write_all(header).await?;
            written += header.len() as u64;
            written += copy_body(&mut source, out).await?;
        }
    }
    Ok(written)
}

/// Skips the header section (through the empty line that ends it, RFC 5322
/// §2.1) and copies the rest. A message without an empty line has no body.
async fn copy_body<W: AsyncWrite + Unpin + ?Sized>(
    source: &mut tokio::fs::File,
    out: &mut W,
) -> std::io::Result<u64> {
    let mut buffer = vec![0u8; CHUNK];
    let mut scanner = HeaderEnd::default();
    loop {
        let read = source.read(&mut buffer).await?;
        if read == 0 {
            return Ok(0);
        }
        let chunk = buffer.get(..read).unwrap_or_default();
        if let Some(body_at) = scanner.feed(chunk) {
            let rest = chunk.get(body_at..).unwrap_or_default();
            out.write_all(rest).await?;
            return Ok(rest.len() as u64 + tokio::io::copy(source, out).await?);
        }
    }
}

/// Finds the end of a header section across chunk boundaries: an empty
/// line, CRLF or bare LF.
#[derive(Debug)]
struct HeaderEnd {
    at_line_start: bool,
    cr_at_line_start: bool,
}

impl Default for HeaderEnd {
    fn default() -> Self {
        Self {
            at_line_start: true,
            cr_at_line_start: false,
        }
    }
}

impl HeaderEnd {
    /// Where in `chunk` the body begins, if the header ends in it.
    fn feed(&mut self, chunk: &[u8]) -> Option<usize> {
        for (i, &byte) in chunk.iter().enumerate() {
            match byte {
                b'\n' if self.at_line_start => return Some(i + 1),
                b'\n' => {
                    self.at_line_start = true;
                    self.cr_at_line_start = false;
                }
                b'\r' if self.at_line_start && !self.cr_at_line_start => {
                    self.cr_at_line_start = true;
                }
                _ => {
                    self.at_line_start = false;
                    self.cr_at_line_start = false;
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::HeaderEnd;

    #[test]
    fn header_end_is_found_across_chunks() {
        let mut scanner = HeaderEnd::default();
        assert_eq!(scanner.feed(b"A: b\r\n\r"), None);
        assert_eq!(scanner.feed(b"\nbody"), Some(1));
    }

    #[test]
    fn bare_lf_ends_the_header_too() {
        assert_eq!(HeaderEnd::default().feed(b"A: b\n\nbody"), Some(6));
    }

    #[test]
    fn a_message_that_starts_with_an_empty_line_has_no_header() {
        assert_eq!(HeaderEnd::default().feed(b"\r\nbody"), Some(2));
    }
}
