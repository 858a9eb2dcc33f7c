//! Golden section ranges (RFC 9051 §6.4.5) for the hand-made fixtures: each test
//! names the BODY[...] it fetches and checks the exact octets it gets.

use postamt::message::{Section, SectionSpec, parse};

fn fetch(name: &str, path: &[u32], spec: SectionSpec) -> Option<Vec<u8>> {
    let file = format!(
        "{}/tests/fixtures/messages/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let raw = std::fs::read(file).unwrap();
    let meta = parse(&raw).metadata;
    let range = meta.locate(&Section {
        path: path.to_vec(),
        spec,
    })?;
    Some(raw[range.start as usize..range.end as usize].to_vec())
}

fn text(bytes: Option<Vec<u8>>) -> String {
    String::from_utf8(bytes.expect("section exists")).unwrap()
}

#[test]
fn body_empty_section_is_the_whole_message() {
    let raw = std::fs::read(format!(
        "{}/tests/fixtures/messages/alternative.eml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    assert_eq!(fetch("alternative.eml", &[], SectionSpec::Full), Some(raw));
}

#[test]
fn header_includes_the_blank_line_and_text_is_the_rest() {
    let header = text(fetch("groups.eml", &[], SectionSpec::Header));
    assert!(header.starts_with("From: Judy"));
    assert!(header.ends_with("<grp-1@example.org>\r\n\r\n"));
    assert_eq!(
        text(fetch("groups.eml", &[], SectionSpec::Text)),
        "Party on Saturday.\r\n"
    );
}

#[test]
fn numbered_parts_of_a_multipart() {
    assert_eq!(
        text(fetch("alternative.eml", &[1], SectionSpec::Full)),
        "Lunch at noon?"
    );
    assert_eq!(
        text(fetch("alternative.eml", &[2], SectionSpec::Full)),
        "<p>Lunch at <b>noon</b>?</p>"
    );
}

#[test]
fn mime_section_is_the_part_header_with_its_blank_line() {
    assert_eq!(
        text(fetch("alternative.eml", &[1], SectionSpec::Mime)),
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    );
}

#[test]
fn part_one_of_a_single_part_message_is_its_body() {
    assert_eq!(
        text(fetch("groups.eml", &[1], SectionSpec::Full)),
        "Party on Saturday.\r\n"
    );
}

#[test]
fn header_and_text_of_an_embedded_message() {
    let header = text(fetch("nested_rfc822.eml", &[2], SectionSpec::Header));
    assert!(header.starts_with("From: Grace <grace@example.com>\r\n"));
    assert!(header.ends_with("boundary=inner\r\n\r\n"));
    let body = text(fetch("nested_rfc822.eml", &[2], SectionSpec::Text));
    assert!(body.starts_with("--inner\r\n"));
    assert!(body.ends_with("--inner--\r\n"));
}

#[test]
fn whole_embedded_message_and_its_nested_parts() {
    let whole = text(fetch("nested_rfc822.eml", &[2], SectionSpec::Full));
    assert!(whole.starts_with("From: Grace"));
    assert_eq!(
        text(fetch("nested_rfc822.eml", &[2, 1], SectionSpec::Full)),
        "Meet Friday."
    );
    assert_eq!(
        text(fetch("nested_rfc822.eml", &[2, 2], SectionSpec::Mime)),
        "Content-Type: text/html\r\n\r\n"
    );
}

#[test]
fn part_one_of_a_single_part_embedded_message_is_its_body() {
    assert_eq!(
        text(fetch("single_rfc822.eml", &[1, 1], SectionSpec::Full)),
        "Inner body.\r\n"
    );
    assert_eq!(
        text(fetch("single_rfc822.eml", &[1], SectionSpec::Header)),
        "From: victor@example.org\r\nSubject: Inner\r\n\r\n"
    );
}

#[test]
fn digest_part_header_and_text() {
    assert_eq!(
        text(fetch("digest.eml", &[2], SectionSpec::Header)),
        "From: b@example.org\r\nSubject: Two\r\n\r\n"
    );
    assert_eq!(
        text(fetch("digest.eml", &[2], SectionSpec::Text)),
        "Second."
    );
    assert_eq!(text(fetch("digest.eml", &[2], SectionSpec::Mime)), "\r\n");
}

#[test]
fn lf_only_sections_cut_at_lf_boundaries() {
    assert_eq!(
        text(fetch("lf_only.eml", &[1], SectionSpec::Full)),
        "one\ntwo"
    );
    assert_eq!(
        text(fetch("lf_only.eml", &[2], SectionSpec::Mime)),
        "Content-Type: image/png\nContent-Transfer-Encoding: base64\n\n"
    );
}

#[test]
fn parts_that_do_not_exist_are_none() {
    assert_eq!(fetch("alternative.eml", &[3], SectionSpec::Full), None);
    assert_eq!(fetch("alternative.eml", &[0], SectionSpec::Full), None);
    assert_eq!(fetch("alternative.eml", &[1, 1], SectionSpec::Full), None);
    assert_eq!(fetch("groups.eml", &[2], SectionSpec::Full), None);
    assert_eq!(fetch("nested_rfc822.eml", &[2, 3], SectionSpec::Full), None);
    assert_eq!(fetch("alternative.eml", &[], SectionSpec::Mime), None);
}

#[test]
fn header_and_text_of_a_part_that_is_not_a_message_are_none() {
    assert_eq!(fetch("alternative.eml", &[1], SectionSpec::Header), None);
    assert_eq!(fetch("alternative.eml", &[1], SectionSpec::Text), None);
}

#[test]
fn header_ends_at_the_first_empty_line_even_where_mail_parser_reads_on() {
    // mail-parser's date parser swallows the LF LF after a zone of "UT".
    let raw = b"Subject: x\nDate: Sun, 25 Aug 2002 16:50:54 UT\n\nOn Sat, 24 Aug\nsaid: hi\n";
    let meta = parse(raw).metadata;
    let text = meta
        .locate(&Section {
            path: Vec::new(),
            spec: SectionSpec::Text,
        })
        .unwrap();
    assert_eq!(&raw[text.start as usize..], b"On Sat, 24 Aug\nsaid: hi\n");
    assert_eq!(
        meta.envelope.date.as_deref(),
        Some("Sun, 25 Aug 2002 16:50:54 UT")
    );
}
