//! The MIME structure of a message as IMAP BODYSTRUCTURE describes it (RFC 9051
//! §7.5.2, RFC 2045-2047, RFC 2183, RFC 2231), with the byte offsets that
//! sections are cut from.
//!
//! Built from mail-parser's part list. Repairs what IMAP's grammar cannot carry:
//! a multipart without parts becomes text/plain, offsets are clamped inside the
//! parent, and nesting is capped so hostile input cannot exhaust the stack.
//! Must not decode bodies; search does that.

use mail_parser::{ContentType, Encoding, HeaderValue, Message, PartType};
use serde::{Deserialize, Serialize};

use super::envelope::Envelope;
use super::header::{RawHeaders, header_end};

/// Parts nested deeper than this are described as leaves. Real mail rarely
/// nests past a handful of levels; the cap keeps the recursion short and the
/// cached JSON well under serde_json's nesting limit of 128 (about four JSON
/// levels per part level).
const MAX_DEPTH: usize = 24;

/// Where a part lies in the raw message: `header <= body <= end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartOffsets {
    /// First octet of the part's MIME header (0 for the message itself).
    pub header: u64,
    /// First octet of the body, just after the blank line ending the header.
    pub body: u64,
    /// One past the last body octet (the line break before a boundary is not body).
    pub end: u64,
}

/// A Content-Type: lowercased type and subtype, parameters with lowercased
/// names and values decoded per RFC 2231.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaType {
    pub kind: String,
    pub subtype: String,
    pub params: Vec<(String, String)>,
}

/// A Content-Disposition (RFC 2183): lowercased type and its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disposition {
    pub kind: String,
    pub params: Vec<(String, String)>,
}

/// One node of BODYSTRUCTURE. Field values other than parameters are raw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodyPart {
    pub offsets: PartOffsets,
    pub media_type: MediaType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Content-Transfer-Encoding, uppercased; `7BIT` when absent (RFC 2045 §6.1).
    pub encoding: String,
    /// Body size in octets as it is in the message (encoded).
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposition: Option<Disposition>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub language: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub kind: PartKind,
}

/// What a part holds; decides which IMAP body type it is written as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PartKind {
    /// body-type-basic.
    Basic,
    /// body-type-text: text/*, with its body's line count.
    Text { lines: u64 },
    /// body-type-msg: an embedded message/rfc822 (or message/global).
    Message {
        envelope: Box<Envelope>,
        /// The embedded message's own root part: its header starts at this
        /// part's body.
        body: Box<BodyPart>,
        lines: u64,
    },
    /// body-type-mpart: at least one child.
    Multipart { parts: Vec<BodyPart> },
}

impl BodyPart {
    /// A message mail-parser could not read at all: one text/plain body.
    pub fn headerless_text(raw: &[u8]) -> BodyPart {
        let offsets = PartOffsets {
            header: 0,
            body: 0,
            end: raw.len() as u64,
        };
        leaf(raw, offsets, default_media_type(), None)
    }
}

/// The root part of the top-level message; it always spans the whole message.
pub fn root_part(raw: &[u8], message: &Message<'_>) -> BodyPart {
    let size = raw.len() as u64;
    Builder { raw }.part(message, 0, 0..size, false, 0, true)
}

struct Builder<'r> {
    raw: &'r [u8],
}

impl Builder<'_> {
    /// Describes `message.parts[idx]`, kept inside `bounds`. `whole` marks a
    /// message root, whose header starts at the bounds and whose end is theirs.
    fn part(
        &self,
        message: &Message<'_>,
        idx: usize,
        bounds: std::ops::Range<u64>,
        in_digest: bool,
        depth: usize,
        whole: bool,
    ) -> BodyPart {
        let Some(part) = message.parts.get(idx) else {
            let offsets = PartOffsets {
                header: bounds.start,
                body: bounds.start,
                end: bounds.start,
            };
            return leaf(self.raw, offsets, default_media_type(), None);
        };
        let clamp = |v: u32| u64::from(v).clamp(bounds.start, bounds.end);
        let header = if whole {
            bounds.start
        } else {
            clamp(part.offset_header)
        };
        let body = header_end(self.raw, header, clamp(part.offset_body).max(header));
        let end = if whole {
            bounds.end
        } else {
            clamp(part.offset_end).max(body)
        };
        let offsets = PartOffsets { header, body, end };
        let headers = RawHeaders::new(self.raw, &part.headers, body);
        let media_type = media_type(&headers, in_digest);

        let kind = match &part.body {
            PartType::Multipart(ids)
                if media_type.kind == "multipart" && depth < MAX_DEPTH && !ids.is_empty() =>
            {
                let digest = media_type.subtype == "digest";
                let parts = ids
                    .iter()
                    .filter(|&&id| id as usize > idx)
                    .map(|&id| self.part(message, id as usize, body..end, digest, depth + 1, false))
                    .collect::<Vec<_>>();
                (!parts.is_empty()).then_some(PartKind::Multipart { parts })
            }
            PartType::Message(nested)
                if media_type.kind == "message"
                    && part.encoding == Encoding::None
                    && depth < MAX_DEPTH =>
            {
                let root = self.part(nested, 0, body..end, false, depth + 1, true);
                let envelope = nested
                    .parts
                    .first()
                    .map(|r| {
                        let fields = RawHeaders::new(self.raw, &r.headers, root.offsets.body);
                        Envelope::from_headers(&fields)
                    })
                    .unwrap_or_default();
                Some(PartKind::Message {
                    envelope: Box::new(envelope),
                    body: Box::new(root),
                    lines: count_lines(self.raw, &offsets),
                })
            }
            _ => None,
        };
        let media_type = if kind.is_none() && media_type.kind == "multipart" {
            default_media_type()
        } else {
            media_type
        };
        let mut described = leaf(self.raw, offsets, media_type, Some(&headers));
        if let Some(kind) = kind {
            described.kind = kind;
        }
        described
    }
}

/// A part with its fields filled from its header and a leaf kind.
fn leaf(
    raw: &[u8],
    offsets: PartOffsets,
    media_type: MediaType,
    headers: Option<&RawHeaders<'_>>,
) -> BodyPart {
    let field = |name: &str| headers.and_then(|h| h.first_non_empty(name));
    let kind = if media_type.kind == "text" {
        PartKind::Text {
            lines: count_lines(raw, &offsets),
        }
    } else {
        PartKind::Basic
    };
    BodyPart {
        offsets,
        id: field("Content-ID"),
        description: field("Content-Description"),
        encoding: field("Content-Transfer-Encoding")
            .map(|e| e.to_ascii_uppercase())
            .unwrap_or_else(|| "7BIT".to_string()),
        size: offsets.end - offsets.body,
        md5: field("Content-MD5"),
        disposition: headers.and_then(disposition),
        language: field("Content-Language")
            .map(|l| {
                l.split(',')
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        location: field("Content-Location"),
        media_type,
        kind,
    }
}

/// text/plain; charset=us-ascii: the type of a part without a valid
/// Content-Type (RFC 2045 §5.2).
fn default_media_type() -> MediaType {
    MediaType {
        kind: "text".to_string(),
        subtype: "plain".to_string(),
        params: vec![("charset".to_string(), "us-ascii".to_string())],
    }
}

/// From the last Content-Type field, because mail-parser found the parts with
/// that one: the type must agree with the children and the boundary.
fn media_type(headers: &RawHeaders<'_>, in_digest: bool) -> MediaType {
    match headers.parsed_last("Content-Type") {
        Some(HeaderValue::ContentType(ct)) if ct.c_subtype.is_some() => MediaType {
            kind: ct.c_type.to_ascii_lowercase(),
            subtype: ct
                .c_subtype
                .as_deref()
                .unwrap_or_default()
                .to_ascii_lowercase(),
            params: params(ct),
        },
        // RFC 2046 §5.1.5: in a digest the default is message/rfc822.
        None if in_digest => MediaType {
            kind: "message".to_string(),
            subtype: "rfc822".to_string(),
            params: Vec::new(),
        },
        _ => default_media_type(),
    }
}

fn disposition(headers: &RawHeaders<'_>) -> Option<Disposition> {
    match headers.parsed("Content-Disposition") {
        Some(HeaderValue::ContentType(cd)) => Some(Disposition {
            kind: cd.c_type.to_ascii_lowercase(),
            params: params(cd),
        }),
        _ => None,
    }
}

/// The parameters with RFC 2231 continuations joined and charsets decoded.
/// mail-parser reports an RFC 2231 language tag as an extra `<name>-language`
/// attribute; IMAP has no place for it and it is not a parameter, so it goes.
fn params(ct: &ContentType<'_>) -> Vec<(String, String)> {
    let all: Vec<(String, String)> = ct
        .attributes
        .iter()
        .flatten()
        .map(|a| (a.name.to_ascii_lowercase(), a.value.to_string()))
        .collect();
    let is_language_tag = |name: &str| {
        name.strip_suffix("-language")
            .is_some_and(|base| all.iter().any(|(n, _)| n == base))
    };
    all.iter()
        .filter(|(name, _)| !is_language_tag(name))
        .cloned()
        .collect()
}

/// Lines of a body: each line break ends one, and a last unterminated line counts.
fn count_lines(raw: &[u8], offsets: &PartOffsets) -> u64 {
    let body = raw
        .get(offsets.body as usize..offsets.end as usize)
        .unwrap_or_default();
    let breaks = body.iter().filter(|&&b| b == b'\n').count() as u64;
    let partial = u64::from(body.last().is_some_and(|&b| b != b'\n'));
    breaks + partial
}
