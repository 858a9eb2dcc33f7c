//! ENVELOPE, BODY and BODYSTRUCTURE (RFC 9051 §7.5.2 and §9 `envelope`,
//! `body`; RFC 3501 §7.4.2) written from the cached [`crate::message`]
//! metadata. Follows the grammar field by field; must not parse messages.
//!
//! Choices the grammar leaves open, made as Dovecot makes them: media types
//! and parameter names as cached (lowercase), a text part without a charset
//! gets `"charset" "us-ascii"` after its parameters (RFC 2045 §5.2 default), languages are
//! always a list. RFC 2231 parameter values are cached decoded (UTF-8); a
//! rev1 client gets a non-ASCII one re-encoded as an RFC 2231 extended
//! parameter (`name*` with `utf-8''%XX`), which keeps the output 7-bit and
//! loses nothing; a UTF-8 client gets the value as it is.

use super::writer::{Mode, Writer};
use crate::message::{
    BodyPart, Disposition, Envelope, EnvelopeAddress, MediaType, PartKind, PartOffsets,
};

/// Whether the body is written with extension data (BODYSTRUCTURE) or without (BODY).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extensions {
    Without,
    With,
}

pub(super) fn write_envelope(w: &mut Writer, envelope: &Envelope) {
    w.raw(b"(");
    w.nstring(envelope.date.as_deref()).sp();
    w.nstring(envelope.subject.as_deref()).sp();
    for list in [
        &envelope.from,
        &envelope.sender,
        &envelope.reply_to,
        &envelope.to,
        &envelope.cc,
        &envelope.bcc,
    ] {
        write_address_list(w, list);
        w.sp();
    }
    w.nstring(envelope.in_reply_to.as_deref()).sp();
    w.nstring(envelope.message_id.as_deref());
    w.raw(b")");
}

/// `"(" 1*address ")" / nil`; group markers as RFC 9051 §7.5.2 describes.
fn write_address_list(w: &mut Writer, list: &[EnvelopeAddress]) {
    if list.is_empty() {
        w.nil();
        return;
    }
    w.raw(b"(");
    for address in list {
        match address {
            EnvelopeAddress::Mailbox(m) => {
                w.raw(b"(");
                w.nstring(m.name.as_deref()).sp();
                w.nstring(m.adl.as_deref()).sp();
                w.string(m.mailbox.as_bytes()).sp();
                w.string(m.host.as_bytes());
                w.raw(b")");
            }
            EnvelopeAddress::GroupStart(name) => {
                w.raw(b"(NIL NIL ").string(name.as_bytes()).raw(b" NIL)");
            }
            EnvelopeAddress::GroupEnd => {
                w.raw(b"(NIL NIL NIL NIL)");
            }
        }
    }
    w.raw(b")");
}

/// `body`: one part, recursively.
pub(super) fn write_body(w: &mut Writer, part: &BodyPart, ext: Extensions) {
    w.raw(b"(");
    match &part.kind {
        PartKind::Multipart { parts } => {
            for child in parts {
                write_body(w, child, ext);
            }
            w.sp().string(part.media_type.subtype.as_bytes());
            if ext == Extensions::With {
                w.sp();
                write_params(w, &part.media_type.params);
                write_tail(w, part);
            }
        }
        PartKind::Message {
            envelope,
            body,
            lines,
        } if is_body_type_msg(part, w.mode()) => {
            write_fields(w, part);
            w.sp();
            write_envelope(w, envelope);
            w.sp();
            write_body(w, body, ext);
            w.sp().number(*lines);
            write_1part_ext(w, part, ext);
        }
        PartKind::Basic if is_body_type_msg(part, w.mode()) => {
            // RFC 9051 §7.5.2: a message/rfc822 part always carries an
            // envelope, a body and a line count. One we could not read as a
            // message (encoded, or nested too deep) gets empty ones, as
            // Dovecot writes them, rather than a form strict clients reject.
            write_fields(w, part);
            w.sp();
            write_envelope(w, &Envelope::default());
            w.sp();
            write_body(w, &empty_text_part(), ext);
            w.raw(b" 0");
            write_1part_ext(w, part, ext);
        }
        PartKind::Text { lines } => {
            write_fields(w, part);
            w.sp().number(*lines);
            write_1part_ext(w, part, ext);
        }
        PartKind::Basic | PartKind::Message { .. } => {
            write_fields(w, part);
            write_1part_ext(w, part, ext);
        }
    }
    w.raw(b")");
}

/// An empty text/plain part, the body of a message part that has none.
fn empty_text_part() -> BodyPart {
    BodyPart {
        offsets: PartOffsets {
            header: 0,
            body: 0,
            end: 0,
        },
        media_type: MediaType {
            kind: "text".to_string(),
            subtype: "plain".to_string(),
            params: Vec::new(),
        },
        id: None,
        description: None,
        encoding: "7BIT".to_string(),
        size: 0,
        md5: None,
        disposition: None,
        language: Vec::new(),
        location: None,
        kind: PartKind::Text { lines: 0 },
    }
}

/// IMAP4rev1's `media-message` is message/rfc822 only; message/global
/// (RFC 6532) takes the same form only for UTF-8 clients (RFC 9051 §9).
fn is_body_type_msg(part: &BodyPart, mode: Mode) -> bool {
    if part.media_type.kind != "message" {
        return false;
    }
    match part.media_type.subtype.as_str() {
        "rfc822" => true,
        "global" => mode == Mode::Utf8,
        _ => false,
    }
}

/// media type, subtype, then `body-fields`.
fn write_fields(w: &mut Writer, part: &BodyPart) {
    let media = &part.media_type;
    w.string(media.kind.as_bytes())
        .sp()
        .string(media.subtype.as_bytes())
        .sp();
    if media.kind == "text" && !media.params.iter().any(|(n, _)| n == "charset") {
        let mut params = media.params.clone();
        params.push(("charset".to_string(), "us-ascii".to_string()));
        write_params(w, &params);
    } else {
        write_params(w, &media.params);
    }
    w.sp().nstring(part.id.as_deref());
    w.sp().nstring(part.description.as_deref());
    w.sp().string(part.encoding.as_bytes());
    w.sp().number(part.size);
}

/// `body-ext-1part`, only for BODYSTRUCTURE.
fn write_1part_ext(w: &mut Writer, part: &BodyPart, ext: Extensions) {
    if ext == Extensions::With {
        w.sp().nstring(part.md5.as_deref());
        write_tail(w, part);
    }
}

/// Disposition, language and location: the extension fields both part kinds end with.
fn write_tail(w: &mut Writer, part: &BodyPart) {
    w.sp();
    write_disposition(w, part.disposition.as_ref());
    w.sp();
    if part.language.is_empty() {
        w.nil();
    } else {
        w.raw(b"(");
        for (i, tag) in part.language.iter().enumerate() {
            if i > 0 {
                w.sp();
            }
            w.string(tag.as_bytes());
        }
        w.raw(b")");
    }
    w.sp().nstring(part.location.as_deref());
}

fn write_disposition(w: &mut Writer, disposition: Option<&Disposition>) {
    match disposition {
        None => {
            w.nil();
        }
        Some(d) => {
            w.raw(b"(").string(d.kind.as_bytes()).sp();
            write_params(w, &d.params);
            w.raw(b")");
        }
    }
}

/// `body-fld-param`: NIL when there are none.
fn write_params(w: &mut Writer, params: &[(String, String)]) {
    if params.is_empty() {
        w.nil();
        return;
    }
    w.raw(b"(");
    for (i, (name, value)) in params.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        if w.mode() == Mode::Rev1 && !value.is_ascii() {
            let extended = format!("{name}*");
            w.string(extended.as_bytes())
                .sp()
                .string(rfc2231_encode(value).as_bytes());
        } else {
            w.string(name.as_bytes()).sp().string(value.as_bytes());
        }
    }
    w.raw(b")");
}

/// An RFC 2231 §4 extended value: `utf-8''` and the octets, attribute-chars
/// kept and the rest percent-encoded.
fn rfc2231_encode(value: &str) -> String {
    let mut out = String::from("utf-8''");
    for b in value.bytes() {
        let attribute_char = b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b);
        if attribute_char {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
#[path = "body_tests.rs"]
mod tests;
