//! Every message of the shared corpus gives a FETCH (ENVELOPE BODY
//! BODYSTRUCTURE) response that an independent parser (imap-codec) reads, and
//! what it reads agrees with our metadata part by part: media type, subtype,
//! size, lines, number of children, and the envelope's subject and senders.
//!
//! IMAP4rev1 output only: imap-codec 1.0 does not accept UTF-8 in quoted
//! strings (RFC 9051 §9 QUOTED-CHAR), so UTF-8 mode has unit and golden tests.

mod corpus;
mod imap_response_support;

use imap_codec::ResponseCodec;
use imap_codec::decode::Decoder;
use imap_codec::imap_types::body::{BodyStructure, SpecificFields};
use imap_codec::imap_types::core::NString;
use imap_codec::imap_types::envelope::Envelope as TheirEnvelope;
use imap_codec::imap_types::fetch::MessageDataItem;
use imap_codec::imap_types::response::{Data, Response};
use imap_response_support::{corpus, fetch_line};
use postamt::imap::response::Mode;
use postamt::message::{BodyPart, Envelope, EnvelopeAddress, PartKind, parse};

fn lower(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_ascii_lowercase()
}

fn nstring(n: &NString<'_>) -> Option<Vec<u8>> {
    n.0.as_ref().map(|s| AsRef::<[u8]>::as_ref(s).to_vec())
}

/// Compares one part; returns a description of the first disagreement.
fn compare_part(ours: &BodyPart, theirs: &BodyStructure<'_>, path: &str) -> Result<(), String> {
    match (&ours.kind, theirs) {
        (
            PartKind::Multipart { parts },
            BodyStructure::Multi {
                bodies, subtype, ..
            },
        ) => {
            if lower(subtype.as_ref()) != ours.media_type.subtype {
                return Err(format!("{path}: subtype {:?}", lower(subtype.as_ref())));
            }
            if parts.len() != bodies.as_ref().len() {
                return Err(format!(
                    "{path}: {} parts, they read {}",
                    parts.len(),
                    bodies.as_ref().len()
                ));
            }
            for (i, (a, b)) in parts.iter().zip(bodies.as_ref()).enumerate() {
                compare_part(a, b, &format!("{path}.{}", i + 1))?;
            }
            Ok(())
        }
        (_, BodyStructure::Single { body, .. }) => {
            if u64::from(body.basic.size) != ours.size {
                return Err(format!("{path}: size {}", body.basic.size));
            }
            let enc = lower(body.basic.content_transfer_encoding.as_ref());
            if enc != ours.encoding.to_ascii_lowercase() {
                return Err(format!("{path}: encoding {enc}"));
            }
            match (&ours.kind, &body.specific) {
                (
                    PartKind::Text { lines },
                    SpecificFields::Text {
                        subtype,
                        number_of_lines,
                    },
                ) => (ours.media_type.kind == "text"
                    && lower(subtype.as_ref()) == ours.media_type.subtype
                    && u64::from(*number_of_lines) == *lines)
                    .then_some(())
                    .ok_or(format!("{path}: text part differs")),
                (
                    PartKind::Message {
                        envelope,
                        body: inner,
                        lines,
                    },
                    SpecificFields::Message {
                        envelope: their_env,
                        body_structure,
                        number_of_lines,
                    },
                ) => {
                    if u64::from(*number_of_lines) != *lines {
                        return Err(format!("{path}: message lines {number_of_lines}"));
                    }
                    compare_envelope(envelope, their_env).map_err(|e| format!("{path}: {e}"))?;
                    compare_part(inner, body_structure, &format!("{path}.msg"))
                }
                (
                    PartKind::Basic | PartKind::Message { .. },
                    SpecificFields::Basic { r#type, subtype },
                ) => (lower(r#type.as_ref()) == ours.media_type.kind
                    && lower(subtype.as_ref()) == ours.media_type.subtype)
                    .then_some(())
                    .ok_or(format!("{path}: basic type differs")),
                // A message/rfc822 part we could not read as a message is
                // written with an empty envelope and body.
                (
                    PartKind::Basic,
                    SpecificFields::Message {
                        number_of_lines: 0, ..
                    },
                ) if ours.media_type.kind == "message" => Ok(()),
                (kind, specific) => Err(format!("{path}: ours {kind:?}, theirs {specific:?}")),
            }
        }
        (kind, _) => Err(format!("{path}: ours {kind:?}, theirs multipart")),
    }
}

fn compare_envelope(ours: &Envelope, theirs: &TheirEnvelope<'_>) -> Result<(), String> {
    let subject = ours.subject.as_ref().map(|s| s.as_bytes().to_vec());
    if nstring(&theirs.subject) != subject {
        return Err(format!("subject {:?}", theirs.subject));
    }
    let mailboxes = |list: &[EnvelopeAddress]| list.len();
    if theirs.from.len() != mailboxes(&ours.from) || theirs.to.len() != mailboxes(&ours.to) {
        return Err("address count".to_string());
    }
    if let (Some(EnvelopeAddress::Mailbox(m)), Some(a)) = (ours.from.first(), theirs.from.first())
        && nstring(&a.host) != Some(m.host.as_bytes().to_vec())
    {
        return Err(format!("from host {:?}", a.host));
    }
    Ok(())
}

/// Parses one line; returns the first disagreement or parse failure.
fn check(raw: &[u8], mode: Mode) -> Result<(), String> {
    let meta = parse(raw).metadata;
    let line = fetch_line(&meta, mode);
    let (rest, response) = ResponseCodec::default()
        .decode(&line)
        .map_err(|e| format!("imap-codec: {e:?} on {}", String::from_utf8_lossy(&line)))?;
    if !rest.is_empty() {
        return Err(format!("{} octets left over", rest.len()));
    }
    let Response::Data(Data::Fetch { items, .. }) = response else {
        return Err("not a FETCH".to_string());
    };
    let items = items.as_ref();
    let [
        MessageDataItem::Envelope(env),
        MessageDataItem::Body(body),
        MessageDataItem::BodyStructure(structure),
    ] = items
    else {
        return Err(format!("items {items:?}"));
    };
    compare_envelope(&meta.envelope, env)?;
    compare_part(&meta.body, body, "BODY")?;
    compare_part(&meta.body, structure, "BODYSTRUCTURE")?;
    if let BodyStructure::Single {
        extension_data: Some(_),
        ..
    }
    | BodyStructure::Multi {
        extension_data: Some(_),
        ..
    } = body
    {
        return Err("BODY carries extension data".to_string());
    }
    Ok(())
}

fn check_corpus(mode: Mode) {
    let messages = corpus();
    assert!(
        messages.len() >= 3000,
        "corpus has {} messages",
        messages.len()
    );
    let failures: Vec<String> = messages
        .iter()
        .filter_map(|(name, raw)| check(raw, mode).err().map(|e| format!("{name}: {e}")))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} failed; first: {:#?}",
        failures.len(),
        messages.len(),
        &failures[..failures.len().min(5)]
    );
}

#[test]
fn every_corpus_message_parses_and_agrees_for_rev1_clients() {
    check_corpus(Mode::Rev1);
}
