//! The octets of FETCH sections (RFC 9051 §6.4.5, RFC 3516 BINARY): which
//! part a path names, HEADER.FIELDS(.NOT) filtered from the header section,
//! and BINARY content decoded from base64 or quoted-printable. Everything
//! else is streamed from the store as it is. Reads through the store only.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;

use crate::message::{BodyPart, MessageMetadata, PartKind, Section, SectionSpec};
use crate::store::Partial;

/// The part a non-empty path names (RFC 9051 §6.4.5 part numbering: part 1
/// of a single-part message is its body; a message/rfc822 part's parts are
/// those of the message it holds).
pub(crate) fn part_at<'a>(metadata: &'a MessageMetadata, path: &[u32]) -> Option<&'a BodyPart> {
    let (&first, rest) = path.split_first()?;
    let mut part = child(&metadata.body, first)?;
    for &number in rest {
        part = match &part.kind {
            PartKind::Multipart { .. } => child(part, number)?,
            PartKind::Message { body, .. } => child(body, number)?,
            PartKind::Basic | PartKind::Text { .. } => return None,
        };
    }
    Some(part)
}

fn child(part: &BodyPart, number: u32) -> Option<&BodyPart> {
    match &part.kind {
        PartKind::Multipart { parts } => parts.get(usize::try_from(number).ok()?.checked_sub(1)?),
        _ if number == 1 => Some(part),
        _ => None,
    }
}

/// The whole part or message a BINARY path names, as the store locates it.
pub(crate) fn binary_section(path: &[u32]) -> Section {
    Section {
        path: path.to_vec(),
        spec: SectionSpec::Full,
    }
}

/// Why BINARY cannot decode a part (RFC 3516 §4.3: NO [UNKNOWN-CTE]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown content transfer encoding {0:?}")]
pub(crate) struct UnknownCte(pub String);

/// Decodes a part's content by its Content-Transfer-Encoding.
pub(crate) fn decode_part(encoding: &str, raw: Vec<u8>) -> Result<Vec<u8>, UnknownCte> {
    match encoding.to_ascii_lowercase().as_str() {
        "" | "7bit" | "8bit" | "binary" => Ok(raw),
        "base64" => Ok(decode_base64(&raw)),
        "quoted-printable" => Ok(decode_quoted_printable(&raw)),
        other => Err(UnknownCte(other.to_owned())),
    }
}

/// Lenient base64: line breaks and stray characters are skipped, padding
/// ends the data, as mail readers do with real-world attachments.
fn decode_base64(raw: &[u8]) -> Vec<u8> {
    let clean: Vec<u8> = raw
        .iter()
        .copied()
        .take_while(|&b| b != b'=')
        .filter(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
        .collect();
    // A dangling sixth of a byte cannot be decoded: drop it.
    let usable = if clean.len() % 4 == 1 {
        clean.len() - 1
    } else {
        clean.len()
    };
    STANDARD_NO_PAD
        .decode(clean.get(..usable).unwrap_or_default())
        .unwrap_or_default()
}

/// Quoted-printable (RFC 2045 §6.7): `=XX` escapes and soft line breaks.
fn decode_quoted_printable(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        if b != b'=' {
            out.push(b);
            i += 1;
            continue;
        }
        match (raw.get(i + 1), raw.get(i + 2)) {
            (Some(b'\r'), Some(b'\n')) => i += 3,
            (Some(b'\n'), _) => i += 2,
            (Some(&h), Some(&l)) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                out.push(hex(h) << 4 | hex(l));
                i += 3;
            }
            _ => {
                out.push(b'=');
                i += 1;
            }
        }
    }
    out
}

fn hex(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b.wrapping_sub(b'A').wrapping_add(10),
    }
}

/// The header fields named (or, with `exclude`, not named) in `names`,
/// with their continuation lines, and the blank line that ends a header
/// (RFC 9051 §6.4.5 HEADER.FIELDS, HEADER.FIELDS.NOT).
pub(crate) fn filter_header(header: &[u8], names: &[String], exclude: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut keep = false;
    for line in header.split_inclusive(|&b| b == b'\n') {
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        let continuation = line.first().is_some_and(|&b| b == b' ' || b == b'\t');
        if !continuation {
            let name = line
                .iter()
                .position(|&b| b == b':')
                .and_then(|colon| line.get(..colon))
                .map(|n| n.trim_ascii_end());
            let listed = name.is_some_and(|n| {
                names
                    .iter()
                    .any(|wanted| wanted.as_bytes().eq_ignore_ascii_case(n))
            });
            keep = name.is_some() && listed != exclude;
        }
        if keep {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// The part of `bytes` a partial fetch selects (RFC 9051 §6.4.5).
pub(crate) fn cut(bytes: Vec<u8>, partial: Option<Partial>) -> Vec<u8> {
    let Some(partial) = partial else {
        return bytes;
    };
    let range = partial.narrow(0..bytes.len() as u64);
    let (start, end) = (
        usize::try_from(range.start).unwrap_or(usize::MAX),
        usize::try_from(range.end).unwrap_or(usize::MAX),
    );
    bytes
        .get(start..end)
        .map(<[u8]>::to_vec)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_fields_keep_continuations_and_end_with_a_blank_line() {
        let header = b"Subject: a\r\n b\r\nFrom: x\r\nTo: y\r\n\r\n";
        let names = vec!["subject".to_owned()];
        assert_eq!(
            filter_header(header, &names, false),
            b"Subject: a\r\n b\r\n\r\n"
        );
        assert_eq!(
            filter_header(header, &names, true),
            b"From: x\r\nTo: y\r\n\r\n"
        );
    }

    #[test]
    fn quoted_printable_decodes_escapes_and_soft_breaks() {
        assert_eq!(decode_quoted_printable(b"a=3Db=\r\nc=ZZ"), b"a=bc=ZZ");
    }

    #[test]
    fn base64_skips_line_breaks() {
        assert_eq!(decode_base64(b"aGVs\r\nbG8=\r\n"), b"hello");
    }

    #[test]
    fn unknown_encoding_is_refused() {
        assert!(decode_part("x-uuencode", Vec::new()).is_err());
        assert_eq!(decode_part("8BIT", b"x".to_vec()).unwrap(), b"x");
    }
}
