//! The message as the anti-spam checks see it: read bounded from disk,
//! parsed once with mail-parser, with its text and HTML bodies decoded.
//!
//! It must not allocate past the scan limit: a large message is judged on
//! its first `limit` octets (the header and the start of the body).

use std::io::Read;
use std::path::Path;

use mail_parser::{Message, MessageParser};

/// Reads at most `limit` octets of the message at `path`.
pub fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(limit).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Drops an mbox `From ` separator line (as the corpus files start with),
/// which is not part of the RFC 5322 message.
pub fn strip_mbox_line(bytes: &[u8]) -> &[u8] {
    if bytes.starts_with(b"From ") {
        match bytes.iter().position(|&b| b == b'\n') {
            Some(end) => bytes.get(end + 1..).unwrap_or_default(),
            None => &[],
        }
    } else {
        bytes
    }
}

/// Bodies decoded to text are cut here so one huge part cannot dominate.
const MAX_BODY_TEXT: usize = 256 * 1024;

/// A parsed message with its decoded bodies.
pub struct Scanned<'a> {
    pub message: Message<'a>,
    /// The `text/plain` bodies (or the HTML ones rendered to text).
    pub text: String,
    /// The raw `text/html` bodies, for link and obfuscation checks.
    pub html: String,
    pub has_plain_part: bool,
    pub has_html_part: bool,
}

impl<'a> Scanned<'a> {
    /// `None` when mail-parser finds no message at all (empty input).
    pub fn parse(bytes: &'a [u8]) -> Option<Self> {
        let message = MessageParser::default().parse(bytes)?;
        let mut text = String::new();
        let mut html = String::new();
        let mut has_plain_part = false;
        let mut has_html_part = false;
        for part in message.parts.iter() {
            if !part.is_text() {
                continue;
            }
            let Some(contents) = part.text_contents() else {
                continue;
            };
            let target = if part.is_text_html() {
                has_html_part = true;
                &mut html
            } else {
                has_plain_part = true;
                &mut text
            };
            if target.len() < MAX_BODY_TEXT {
                let room = MAX_BODY_TEXT - target.len();
                target.push_str(truncate(contents, room));
                target.push('\n');
            }
        }
        if !has_plain_part && has_html_part {
            text = html_to_text(&html);
        }
        Some(Self {
            message,
            text,
            html,
            has_plain_part,
            has_html_part,
        })
    }
}

/// The longest prefix of `text` of at most `max` octets ending on a char
/// boundary.
fn truncate(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

/// Tags and comments dropped, entities left: enough to tokenize words.
pub(crate) fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mbox_separator_is_dropped() {
        assert_eq!(
            strip_mbox_line(b"From a@b  Thu\nSubject: x\n"),
            b"Subject: x\n"
        );
        assert_eq!(strip_mbox_line(b"Subject: x\n"), b"Subject: x\n");
    }

    #[test]
    fn html_only_message_gets_text() {
        let raw = b"Subject: x\r\nContent-Type: text/html\r\n\r\n<p>Hello <b>there</b></p>";
        let scanned = Scanned::parse(raw).unwrap();
        assert!(scanned.has_html_part && !scanned.has_plain_part);
        assert!(scanned.text.contains("Hello"));
        assert!(scanned.text.contains("there"));
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("héllo", 2), "h");
    }
}
