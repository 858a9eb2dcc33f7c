//! Every FETCH item, section form, partial and macro.

use super::*;

fn items(s: &str) -> Vec<FetchAttribute> {
    let (rest, items) = fetch_items(s.as_bytes()).unwrap_or_else(|e| panic!("{s}: {e:?}"));
    assert!(rest.is_empty(), "{s}: left {rest:?}");
    items
}

fn one(s: &str) -> FetchAttribute {
    let mut v = items(s);
    assert_eq!(v.len(), 1);
    v.remove(0)
}

fn body_section(peek: bool, path: Vec<u32>, text: Option<SectionText>) -> FetchAttribute {
    FetchAttribute::BodySection {
        peek,
        section: FetchSection { path, text },
        partial: None,
    }
}

#[test]
fn simple_items_in_any_case() {
    use FetchAttribute as A;
    let all = items(
        "(envelope FLAGS InternalDate RFC822 RFC822.HEADER RFC822.SIZE RFC822.TEXT BODY BODYSTRUCTURE UID MODSEQ)",
    );
    assert_eq!(
        all,
        vec![
            A::Envelope,
            A::Flags,
            A::InternalDate,
            A::Rfc822,
            A::Rfc822Header,
            A::Rfc822Size,
            A::Rfc822Text,
            A::Body,
            A::BodyStructure,
            A::Uid,
            A::ModSeq
        ]
    );
}

#[test]
fn macros_expand_to_their_items() {
    use FetchAttribute as A;
    assert_eq!(
        items("FAST"),
        vec![A::Flags, A::InternalDate, A::Rfc822Size]
    );
    assert_eq!(
        items("all"),
        vec![A::Flags, A::InternalDate, A::Rfc822Size, A::Envelope]
    );
    assert_eq!(items("FULL").last(), Some(&A::Body));
    assert!(fetch_items(b"(ALL)").is_err());
}

#[test]
fn body_sections_whole_header_text_and_peek() {
    assert_eq!(one("BODY[]"), body_section(false, vec![], None));
    assert_eq!(one("BODY.PEEK[]"), body_section(true, vec![], None));
    assert_eq!(
        one("body[header]"),
        body_section(false, vec![], Some(SectionText::Header))
    );
    assert_eq!(
        one("BODY[TEXT]"),
        body_section(false, vec![], Some(SectionText::Text))
    );
}

#[test]
fn body_sections_with_part_paths_and_mime() {
    assert_eq!(one("BODY[1.2.3]"), body_section(false, vec![1, 2, 3], None));
    assert_eq!(
        one("BODY[2.MIME]"),
        body_section(false, vec![2], Some(SectionText::Mime))
    );
    assert_eq!(
        one("BODY.PEEK[4.2.HEADER]"),
        body_section(true, vec![4, 2], Some(SectionText::Header))
    );
    assert_eq!(
        one("BODY[3.TEXT]"),
        body_section(false, vec![3], Some(SectionText::Text))
    );
    assert!(fetch_items(b"BODY[MIME]").is_err());
    assert!(fetch_items(b"BODY[0]").is_err());
    assert!(fetch_items(b"BODY[1.]").is_err());
}

#[test]
fn header_fields_and_not_keep_names() {
    assert_eq!(
        one("BODY.PEEK[HEADER.FIELDS (From To \"Subject\")]"),
        body_section(
            true,
            vec![],
            Some(SectionText::HeaderFields(vec![
                "From".into(),
                "To".into(),
                "Subject".into()
            ]))
        )
    );
    assert_eq!(
        one("BODY[1.HEADER.FIELDS.NOT (Received)]"),
        body_section(
            false,
            vec![1],
            Some(SectionText::HeaderFieldsNot(vec!["Received".into()]))
        )
    );
    assert!(fetch_items(b"BODY[HEADER.FIELDS ()]").is_err());
    assert!(fetch_items(b"BODY[HEADER.FIELDS]").is_err());
}

#[test]
fn partial_origin_and_length() {
    let FetchAttribute::BodySection { partial, .. } = one("BODY[]<0.2048>") else {
        panic!()
    };
    assert_eq!(
        partial,
        Some(Partial {
            origin: 0,
            octets: 2048
        })
    );
    assert!(fetch_items(b"BODY[]<0.0>").is_err());
    assert!(fetch_items(b"BODY[]<5>").is_err());
}

#[test]
fn binary_items() {
    assert_eq!(
        one("BINARY[1.2]"),
        FetchAttribute::Binary {
            peek: false,
            part: vec![1, 2],
            partial: None
        }
    );
    assert_eq!(
        one("BINARY.PEEK[]<10.5>"),
        FetchAttribute::Binary {
            peek: true,
            part: vec![],
            partial: Some(Partial {
                origin: 10,
                octets: 5
            })
        }
    );
    assert_eq!(
        one("BINARY.SIZE[3]"),
        FetchAttribute::BinarySize { part: vec![3] }
    );
    assert!(fetch_items(b"BINARY[TEXT]").is_err());
    assert!(fetch_items(b"BINARY").is_err());
}

#[test]
fn body_peek_needs_a_section_and_unknown_items_fail() {
    assert!(fetch_items(b"BODY.PEEK").is_err());
    assert!(fetch_items(b"(FLAGS BOGUS)").is_err());
    assert!(fetch_items(b"()").is_err());
    assert!(fetch_items(b"(FLAGS").is_err());
}

#[test]
fn section_maps_onto_message_sections() {
    let s = FetchSection {
        path: vec![2],
        text: Some(SectionText::HeaderFields(vec!["X".into()])),
    };
    assert_eq!(
        s.section(),
        Section {
            path: vec![2],
            spec: SectionSpec::Header
        }
    );
    let s = FetchSection {
        path: vec![],
        text: None,
    };
    assert_eq!(s.section().spec, SectionSpec::Full);
    let s = FetchSection {
        path: vec![1],
        text: Some(SectionText::Mime),
    };
    assert_eq!(s.section().spec, SectionSpec::Mime);
}

#[test]
fn modifiers_need_parentheses() {
    assert_eq!(fetch_modifiers(b"").unwrap().1, FetchModifiers::default());
    assert_eq!(
        fetch_modifiers(b" (CHANGEDSINCE 5)").unwrap().1,
        FetchModifiers {
            changed_since: Some(5),
            vanished: false
        }
    );
    assert!(fetch_modifiers(b" CHANGEDSINCE 5").is_err());
    assert!(fetch_modifiers(b" ()").is_err());
}
