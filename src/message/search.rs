//! The decoded text a message is searched by (RFC 9051 §6.4.4 SEARCH keys
//! SUBJECT, FROM, TO, CC, BCC, BODY/TEXT, SENTBEFORE...). Capped so one message
//! cannot bloat the full-text index; must not produce anything IMAP serves raw.

use mail_parser::{Address, HeaderName, HeaderValue, Message, MessagePart, PartType};

/// At most this many octets of body text are kept per message.
pub const SEARCH_BODY_LIMIT: usize = 256 * 1024;

/// Nested messages deeper than this add no body text.
const MAX_DEPTH: usize = 16;

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

/// Decodes the searchable text of a parsed message whose header ends at
/// `header_end`. Header fields come from their first occurrence, as in the
/// envelope (mail-parser's accessors would take the last).
pub fn search_text(message: &Message<'_>, header_end: u64) -> SearchText {
    let mut body = String::new();
    collect_body(message, &mut body, 0);
    let first = |name: HeaderName<'static>| first_value(message, name, header_end);
    SearchText {
        subject: first(HeaderName::Subject)
            .and_then(HeaderValue::as_text)
            .unwrap_or_default()
            .to_string(),
        from: addresses(first(HeaderName::From).and_then(HeaderValue::as_address)),
        to: addresses(first(HeaderName::To).and_then(HeaderValue::as_address)),
        cc: addresses(first(HeaderName::Cc).and_then(HeaderValue::as_address)),
        bcc: addresses(first(HeaderName::Bcc).and_then(HeaderValue::as_address)),
        body,
        date: first(HeaderName::Date)
            .and_then(HeaderValue::as_datetime)
            .map(|d| d.to_timestamp()),
    }
}

fn first_value<'m>(
    message: &'m Message<'_>,
    name: HeaderName<'static>,
    header_end: u64,
) -> Option<&'m HeaderValue<'m>> {
    message
        .parts
        .first()?
        .headers
        .iter()
        .find(|h| h.name == name && u64::from(h.offset_field) < header_end)
        .map(|h| &h.value)
}

/// "Name <address>" entries, comma-separated, group members included.
fn addresses(address: Option<&Address<'_>>) -> String {
    let Some(address) = address else {
        return String::new();
    };
    let mut out = Vec::new();
    for addr in address.iter() {
        let entry = match (addr.name.as_deref(), addr.address.as_deref()) {
            (Some(name), Some(email)) => format!("{name} <{email}>"),
            (Some(name), None) => name.to_string(),
            (None, Some(email)) => email.to_string(),
            (None, None) => continue,
        };
        out.push(entry);
    }
    out.join(", ")
}

/// Appends the text bodies (HTML as text), then those of embedded messages,
/// stopping at the limit.
fn collect_body(message: &Message<'_>, out: &mut String, depth: usize) {
    for i in 0..message.text_body_count() {
        if let Some(text) = message.body_text(i) {
            push_capped(out, &text);
        }
    }
    if depth >= MAX_DEPTH {
        return;
    }
    for part in message.attachments() {
        match &part.body {
            PartType::Message(nested) => collect_body(nested, out, depth + 1),
            // A multipart without a usable boundary is served as text/plain
            // (see structure), so it is searched as text too.
            PartType::Binary(bytes) if is_broken_multipart(part) => {
                push_capped(out, &String::from_utf8_lossy(bytes));
            }
            _ => {}
        }
    }
}

fn is_broken_multipart(part: &MessagePart<'_>) -> bool {
    part.headers
        .iter()
        .rev()
        .find(|h| h.name == HeaderName::ContentType)
        .and_then(|h| h.value.as_content_type())
        .is_some_and(|ct| ct.c_type.eq_ignore_ascii_case("multipart"))
}

fn push_capped(out: &mut String, text: &str) {
    if !out.is_empty() && out.len() < SEARCH_BODY_LIMIT {
        out.push('\n');
    }
    let room = SEARCH_BODY_LIMIT.saturating_sub(out.len());
    let mut cut = room.min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    out.push_str(text.get(..cut).unwrap_or_default());
}
