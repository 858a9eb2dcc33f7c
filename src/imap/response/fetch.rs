//! FETCH response data items (RFC 9051 §7.5.2, RFC 3501 §7.4.2, RFC 3516
//! BINARY, RFC 7162 MODSEQ). Section bodies are [`Payload`]s so a large one is
//! streamed by the session after its literal header. Does not decide what a
//! section contains; the session cuts it from the store.

use super::body::{Extensions, write_body, write_envelope};
use super::writer::{Payload, Writer};
use crate::message::{BodyPart, Envelope};
use crate::store::{Flags, InternalDate, ModSeq, Uid};

/// What a `BODY[...]` section names, echoed back as the client asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionText {
    Header,
    HeaderFields(Vec<String>),
    HeaderFieldsNot(Vec<String>),
    Text,
    Mime,
}

/// A section specifier as written inside `BODY[...]` (RFC 9051 §9 `section-spec`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SectionLabel {
    pub path: Vec<u32>,
    pub text: Option<SectionText>,
}

/// Section data: NIL when the section does not exist or cannot be given.
#[derive(Debug)]
pub enum SectionData {
    Nil,
    Data(Payload),
}

/// One FETCH data item.
#[derive(Debug)]
pub enum FetchItem<'a> {
    /// FLAGS; `recent` adds `\Recent` for IMAP4rev1 sessions.
    Flags {
        flags: &'a Flags,
        recent: bool,
    },
    Uid(Uid),
    InternalDate(InternalDate),
    Rfc822Size(u64),
    /// RFC 7162 §3.1.4.1.
    ModSeq(ModSeq),
    Envelope(&'a Envelope),
    /// BODY: the structure without extension data.
    Body(&'a BodyPart),
    BodyStructure(&'a BodyPart),
    /// `BODY[section]<origin>`; `origin` is the first octet of a partial fetch.
    BodySection {
        section: SectionLabel,
        origin: Option<u64>,
        data: SectionData,
    },
    /// `BINARY[part]<origin>` (RFC 3516 §4.2): decoded content; written as
    /// literal8 when it may hold NUL.
    Binary {
        path: Vec<u32>,
        origin: Option<u64>,
        data: SectionData,
    },
    /// `BINARY.SIZE[part]` (RFC 3516 §4.2).
    BinarySize {
        path: Vec<u32>,
        size: u64,
    },
    Rfc822(SectionData),
    Rfc822Header(SectionData),
    Rfc822Text(SectionData),
}

impl FetchItem<'_> {
    pub(super) fn write(self, w: &mut Writer) {
        match self {
            FetchItem::Flags { flags, recent } => {
                w.raw(b"FLAGS (");
                let mut first = true;
                let mut sep = |w: &mut Writer| {
                    if !std::mem::take(&mut first) {
                        w.sp();
                    }
                };
                for flag in flags.system() {
                    sep(w);
                    w.raw(flag.as_imap().as_bytes());
                }
                for keyword in flags.keywords() {
                    sep(w);
                    w.atom(keyword.as_str());
                }
                if recent {
                    sep(w);
                    w.raw(b"\\Recent");
                }
                w.raw(b")");
            }
            FetchItem::Uid(uid) => {
                w.raw(b"UID ").number(uid.0);
            }
            FetchItem::InternalDate(date) => {
                w.raw(b"INTERNALDATE ").date_time(date);
            }
            FetchItem::Rfc822Size(size) => {
                w.raw(b"RFC822.SIZE ").number(size);
            }
            FetchItem::ModSeq(modseq) => {
                w.raw(b"MODSEQ (").number(modseq.0).raw(b")");
            }
            FetchItem::Envelope(envelope) => {
                w.raw(b"ENVELOPE ");
                write_envelope(w, envelope);
            }
            FetchItem::Body(part) => {
                w.raw(b"BODY ");
                write_body(w, part, Extensions::Without);
            }
            FetchItem::BodyStructure(part) => {
                w.raw(b"BODYSTRUCTURE ");
                write_body(w, part, Extensions::With);
            }
            FetchItem::BodySection {
                section,
                origin,
                data,
            } => {
                w.raw(b"BODY[");
                write_section(w, &section);
                w.raw(b"]");
                write_origin(w, origin);
                w.sp();
                write_data(w, data, false);
            }
            FetchItem::Binary { path, origin, data } => {
                w.raw(b"BINARY[");
                write_path(w, &path);
                w.raw(b"]");
                write_origin(w, origin);
                w.sp();
                write_data(w, data, true);
            }
            FetchItem::BinarySize { path, size } => {
                w.raw(b"BINARY.SIZE[");
                write_path(w, &path);
                w.raw(b"] ").number(size);
            }
            FetchItem::Rfc822(data) => {
                w.raw(b"RFC822 ");
                write_data(w, data, false);
            }
            FetchItem::Rfc822Header(data) => {
                w.raw(b"RFC822.HEADER ");
                write_data(w, data, false);
            }
            FetchItem::Rfc822Text(data) => {
                w.raw(b"RFC822.TEXT ");
                write_data(w, data, false);
            }
        }
    }
}

fn write_origin(w: &mut Writer, origin: Option<u64>) {
    if let Some(origin) = origin {
        w.raw(b"<").number(origin).raw(b">");
    }
}

fn write_path(w: &mut Writer, path: &[u32]) {
    for (i, n) in path.iter().enumerate() {
        if i > 0 {
            w.raw(b".");
        }
        w.number(*n);
    }
}

fn write_section(w: &mut Writer, section: &SectionLabel) {
    write_path(w, &section.path);
    let Some(text) = &section.text else {
        return;
    };
    if !section.path.is_empty() {
        w.raw(b".");
    }
    let (keyword, fields): (&[u8], Option<&Vec<String>>) = match text {
        SectionText::Header => (b"HEADER", None),
        SectionText::HeaderFields(f) => (b"HEADER.FIELDS", Some(f)),
        SectionText::HeaderFieldsNot(f) => (b"HEADER.FIELDS.NOT", Some(f)),
        SectionText::Text => (b"TEXT", None),
        SectionText::Mime => (b"MIME", None),
    };
    w.raw(keyword);
    if let Some(fields) = fields {
        w.raw(b" (");
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                w.sp();
            }
            // header-fld-name is an astring, but a `]` in an atom would read
            // as the end of the section: such a name is quoted.
            w.atom(field);
        }
        w.raw(b")");
    }
}

/// Section octets always go as a literal: they may hold CR, LF and 8-bit
/// text. BINARY content in memory becomes literal8 only if it holds NUL
/// (RFC 3516 §4.2 prefers a literal otherwise); streamed content is unknown
/// and so always literal8. A literal cannot carry NUL (RFC 9051 §9 CHAR8), so
/// in a BODY section held in memory each NUL becomes 0x80, as Dovecot does; a
/// streamed section is the session's to filter the same way.
fn write_data(w: &mut Writer, data: SectionData, binary: bool) {
    match data {
        SectionData::Nil => {
            w.nil();
        }
        SectionData::Data(Payload::Bytes(mut bytes)) => {
            let literal8 = binary && bytes.contains(&0);
            if !binary {
                replace_nul(&mut bytes);
            }
            w.literal(Payload::Bytes(bytes), literal8);
        }
        SectionData::Data(Payload::Stream(stream)) => {
            w.literal(Payload::Stream(stream), binary);
        }
    }
}

/// Replaces NUL, which no literal may carry, by 0x80.
fn replace_nul(bytes: &mut [u8]) {
    for b in bytes.iter_mut().filter(|b| **b == 0) {
        *b = 0x80;
    }
}
