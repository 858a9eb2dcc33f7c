//! FETCH items, including streamed sections.

use super::rev1;
use crate::imap::response::*;
use crate::message::parse;
use crate::store::{Flags, InternalDate, Keyword, ModSeq, SystemFlag, Uid};

#[test]
fn fetch_simple_items() {
    let flags = Flags::new()
        .with(SystemFlag::Seen)
        .with_keyword(Keyword::new("$Forwarded").unwrap());
    let r = Data::Fetch {
        seq: 12,
        items: vec![
            FetchItem::Flags {
                flags: &flags,
                recent: true,
            },
            FetchItem::Uid(Uid(4827313)),
            FetchItem::InternalDate(InternalDate(1_709_211_909)),
            FetchItem::Rfc822Size(44827),
            FetchItem::ModSeq(ModSeq(624140003)),
        ],
    };
    assert_eq!(
        rev1(Response::Data(r)),
        "* 12 FETCH (FLAGS (\\Seen $Forwarded \\Recent) UID 4827313 \
INTERNALDATE \"29-Feb-2024 13:05:09 +0000\" RFC822.SIZE 44827 MODSEQ (624140003))\r\n"
    );
}

#[test]
fn fetch_sections_are_literals_with_labels_and_origins() {
    let r = Data::Fetch {
        seq: 1,
        items: vec![
            FetchItem::BodySection {
                section: SectionLabel {
                    path: vec![1, 2],
                    text: Some(SectionText::HeaderFields(vec![
                        "From".into(),
                        "Subject".into(),
                    ])),
                },
                origin: None,
                data: SectionData::Data(Payload::Bytes(b"From: a\r\n\r\n".to_vec())),
            },
            FetchItem::BodySection {
                section: SectionLabel::default(),
                origin: Some(100),
                data: SectionData::Nil,
            },
            FetchItem::Rfc822Header(SectionData::Data(Payload::Bytes(b"".to_vec()))),
        ],
    };
    assert_eq!(
        rev1(Response::Data(r)),
        "* 1 FETCH (BODY[1.2.HEADER.FIELDS (From Subject)] {11}\r\nFrom: a\r\n\r\n \
BODY[]<100> NIL RFC822.HEADER {0}\r\n)\r\n"
    );
}

#[test]
fn fetch_binary_uses_literal8_only_for_nul() {
    let r = Data::Fetch {
        seq: 1,
        items: vec![
            FetchItem::Binary {
                path: vec![2],
                origin: None,
                data: SectionData::Data(Payload::Bytes(b"a\0".to_vec())),
            },
            FetchItem::Binary {
                path: vec![1],
                origin: None,
                data: SectionData::Data(Payload::Bytes(b"ab".to_vec())),
            },
            FetchItem::BinarySize {
                path: vec![1],
                size: 2,
            },
        ],
    };
    assert_eq!(
        rev1(Response::Data(r)),
        "* 1 FETCH (BINARY[2] ~{2}\r\na\0 BINARY[1] {2}\r\nab BINARY.SIZE[1] 2)\r\n"
    );
}

#[test]
fn fetch_envelope_body_and_bodystructure() {
    let meta = parse(b"Subject: hi\r\n\r\nx\r\n").metadata;
    let r = Data::Fetch {
        seq: 3,
        items: vec![
            FetchItem::Envelope(&meta.envelope),
            FetchItem::Body(&meta.body),
            FetchItem::BodyStructure(&meta.body),
        ],
    };
    let part = "\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7BIT\" 3 1";
    assert_eq!(
        rev1(Response::Data(r)),
        format!(
            "* 3 FETCH (ENVELOPE (NIL \"hi\" NIL NIL NIL NIL NIL NIL NIL NIL) \
BODY ({part}) BODYSTRUCTURE ({part} NIL NIL NIL NIL))\r\n"
        )
    );
}

fn stream(bytes: &[u8]) -> crate::store::MessageStream {
    use crate::store::{BlobBody, MessageBlob};
    crate::store::MessageStream::from_positioned(MessageBlob {
        len: bytes.len() as u64,
        body: BlobBody::Bytes(bytes.to_vec()),
    })
}

#[tokio::test]
async fn streamed_section_is_a_literal_header_then_the_stream() {
    let r = Response::Data(Data::Fetch {
        seq: 7,
        items: vec![
            FetchItem::Uid(Uid(70)),
            FetchItem::BodySection {
                section: SectionLabel::default(),
                origin: None,
                data: SectionData::Data(Payload::Stream(stream(b"Subject: x\r\n\r\nbody"))),
            },
        ],
    });
    let fragments = r.encode(Mode::Rev1);
    let [
        Fragment::Bytes(head),
        Fragment::Stream(s),
        Fragment::Bytes(tail),
    ] = &fragments[..]
    else {
        panic!("{fragments:?}");
    };
    assert_eq!(head, b"* 7 FETCH (UID 70 BODY[] {18}\r\n");
    assert_eq!(s.len(), 18);
    assert_eq!(tail, b")\r\n");
    let Some(Fragment::Stream(s)) = fragments.into_iter().nth(1) else {
        unreachable!()
    };
    assert_eq!(s.into_bytes().await.unwrap(), b"Subject: x\r\n\r\nbody");
}

#[test]
fn streamed_binary_is_always_literal8() {
    let r = Response::Data(Data::Fetch {
        seq: 1,
        items: vec![FetchItem::Binary {
            path: vec![1],
            origin: Some(0),
            data: SectionData::Data(Payload::Stream(stream(b"abc"))),
        }],
    });
    let fragments = r.encode(Mode::Utf8);
    let Some(Fragment::Bytes(head)) = fragments.first() else {
        panic!("{fragments:?}");
    };
    assert_eq!(head, b"* 1 FETCH (BINARY[1]<0> ~{3}\r\n");
}

#[test]
fn empty_stream_leaves_no_stream_fragment() {
    let r = Response::Data(Data::Fetch {
        seq: 1,
        items: vec![FetchItem::Rfc822Text(SectionData::Data(Payload::Stream(
            stream(b""),
        )))],
    });
    assert_eq!(rev1(r), "* 1 FETCH (RFC822.TEXT {0}\r\n)\r\n");
}

#[test]
fn header_field_name_with_a_bracket_is_quoted() {
    let r = Data::Fetch {
        seq: 1,
        items: vec![FetchItem::BodySection {
            section: SectionLabel {
                path: vec![],
                text: Some(SectionText::HeaderFieldsNot(vec![
                    "X-A]".into(),
                    "To".into(),
                ])),
            },
            origin: None,
            data: SectionData::Nil,
        }],
    };
    assert_eq!(
        rev1(Response::Data(r)),
        "* 1 FETCH (BODY[HEADER.FIELDS.NOT (\"X-A]\" To)] NIL)\r\n"
    );
}

#[test]
fn nul_in_a_body_section_goes_out_as_0x80() {
    let r = Response::Data(Data::Fetch {
        seq: 1,
        items: vec![FetchItem::BodySection {
            section: SectionLabel::default(),
            origin: None,
            data: SectionData::Data(Payload::Bytes(b"a\0b".to_vec())),
        }],
    });
    let mut out = Vec::new();
    for fragment in r.encode(Mode::Rev1) {
        if let Fragment::Bytes(b) = fragment {
            out.extend(b);
        }
    }
    assert_eq!(out, b"* 1 FETCH (BODY[] {3}\r\na\x80b)\r\n");
}
