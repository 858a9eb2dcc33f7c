//! What is derived from a raw RFC 5322 message once, at append: its size, its
//! MIME structure with byte offsets, the IMAP envelope, and the text to search.
//! Never touches files or the index; never panics on any input.
//!
//! mail-parser does the MIME parsing and decoding; this module turns its result
//! into what IMAP serves (RFC 9051 §7.5.2 ENVELOPE/BODYSTRUCTURE, §6.4.5 sections)
//! without reparsing, and keeps raw header values raw where IMAP wants them raw.
//!
//! How IMAP reads it: ENVELOPE is [`Envelope`] field by field (`None` or an
//! empty list is NIL; [`EnvelopeAddress`] maps one to one onto the address
//! forms, group markers included). BODYSTRUCTURE walks [`BodyPart`]: its
//! [`PartKind`] says which body type to write (basic, text with lines, message
//! with envelope, body and lines, multipart with its children), the other
//! fields are the body fields and extension data in grammar order. `BODY[section]`
//! is [`MessageMetadata::locate`] plus a read of the returned octets.

mod address;
mod envelope;
mod header;
mod search;
mod section;
mod structure;
mod thread;

use mail_parser::MessageParser;
use serde::{Deserialize, Serialize};

pub use address::{EnvelopeAddress, MISSING_DOMAIN, MISSING_MAILBOX, Mailbox, parse_address_list};
pub use envelope::Envelope;
pub use search::{SEARCH_BODY_LIMIT, SearchText};
pub use section::{Section, SectionSpec};
pub use structure::{BodyPart, Disposition, MediaType, PartKind, PartOffsets};
pub use thread::{ThreadKeys, base_subject};

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
    /// The IMAP ENVELOPE of the message.
    pub envelope: Envelope,
    /// The MIME structure: the root part spans the whole message (header at 0).
    pub body: BodyPart,
    /// Keys for SORT and THREAD (RFC 5256).
    pub thread: ThreadKeys,
}

/// Parses a raw message. Total: any input gives a result.
pub fn parse(raw: &[u8]) -> ParsedMessage {
    let size = raw.len() as u64;
    let Some(message) = MessageParser::default().parse(raw) else {
        return ParsedMessage {
            metadata: MessageMetadata {
                size,
                envelope: Envelope::default(),
                body: BodyPart::headerless_text(raw),
                thread: ThreadKeys::default(),
            },
            search: SearchText::default(),
        };
    };
    let body = structure::root_part(raw, &message);
    let headers = message
        .parts
        .first()
        .map(|root| header::RawHeaders::new(raw, &root.headers, body.offsets.body));
    let envelope = headers
        .as_ref()
        .map(Envelope::from_headers)
        .unwrap_or_default();
    let search = search::search_text(&message, body.offsets.body);
    let references = headers.as_ref().and_then(|h| h.first("References"));
    let thread = ThreadKeys::new(
        &envelope,
        &search.subject,
        references.as_deref(),
        search.date,
    );
    ParsedMessage {
        metadata: MessageMetadata {
            size,
            body,
            envelope,
            thread,
        },
        search,
    }
}
