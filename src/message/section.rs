//! IMAP section specifiers resolved to byte ranges of the raw message
//! (RFC 9051 §6.4.5): BODY[], BODY[HEADER], BODY[TEXT], BODY[1.2], BODY[1.MIME],
//! BODY[2.HEADER] of a message/rfc822 part. Pure lookups over cached offsets;
//! must not parse the message again.

use std::ops::Range;

use super::MessageMetadata;
use super::structure::{BodyPart, PartKind};

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

impl MessageMetadata {
    /// The byte range of a section within the raw message, if the section exists.
    pub fn locate(&self, section: &Section) -> Option<Range<u64>> {
        let root = &self.body;
        let Some((&first, rest)) = section.path.split_first() else {
            return match section.spec {
                SectionSpec::Full => Some(0..self.size),
                SectionSpec::Header => Some(root.offsets.header..root.offsets.body),
                SectionSpec::Text => Some(root.offsets.body..root.offsets.end),
                SectionSpec::Mime => None,
            };
        };
        let mut part = message_child(root, first)?;
        for &number in rest {
            part = match &part.kind {
                PartKind::Multipart { parts } => nth(parts, number)?,
                PartKind::Message { body, .. } => message_child(body, number)?,
                PartKind::Basic | PartKind::Text { .. } => return None,
            };
        }
        let o = &part.offsets;
        match section.spec {
            SectionSpec::Full => Some(o.body..o.end),
            SectionSpec::Mime => Some(o.header..o.body),
            SectionSpec::Header | SectionSpec::Text => match &part.kind {
                PartKind::Message { body, .. } => {
                    let n = &body.offsets;
                    Some(if section.spec == SectionSpec::Header {
                        n.header..n.body
                    } else {
                        n.body..n.end
                    })
                }
                _ => None,
            },
        }
    }
}

/// Part `number` of a message whose root part is `root`: a child of a
/// multipart root, or the root's own body as part 1 of a single-part message.
fn message_child(root: &BodyPart, number: u32) -> Option<&BodyPart> {
    match &root.kind {
        PartKind::Multipart { parts } => nth(parts, number),
        _ if number == 1 => Some(root),
        _ => None,
    }
}

/// The 1-based `number`-th part.
fn nth(parts: &[BodyPart], number: u32) -> Option<&BodyPart> {
    parts.get(usize::try_from(number).ok()?.checked_sub(1)?)
}
