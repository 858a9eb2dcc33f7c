//! The decoded text a message is searched by: encoded-words decoded, names and
//! addresses together, HTML reduced to text, embedded messages included, the
//! Date header as Unix seconds.

use postamt::message::{SearchText, parse};

fn search(name: &str) -> SearchText {
    let path = format!(
        "{}/tests/fixtures/messages/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    parse(&std::fs::read(path).unwrap()).search
}

#[test]
fn encoded_words_are_decoded_for_search() {
    let s = search("encoded_words.eml");
    assert_eq!(s.subject, "Gr\u{fc}\u{df}e aus K\u{f6}ln");
    assert_eq!(s.from, "Andr\u{e9} Pirard <PIRARD@vm1.ulg.ac.be>");
    assert_eq!(s.to, "\u{418}\u{432}\u{430}\u{43d} <ivan@example.ru>");
}

#[test]
fn quoted_printable_body_is_decoded() {
    assert_eq!(
        search("encoded_words.eml").body.trim_end(),
        "Sch\u{f6}ne Gr\u{fc}\u{df}e"
    );
}

#[test]
fn date_header_becomes_unix_seconds_with_its_zone_applied() {
    // 2026-11-28 18:45 +0100 is 17:45 UTC.
    assert_eq!(search("encoded_words.eml").date, Some(1_795_887_900));
}

#[test]
fn missing_date_gives_none() {
    assert_eq!(search("missing_headers.eml").date, None);
}

#[test]
fn html_only_body_is_searched_as_text() {
    let s = search("html_only.eml");
    assert!(s.body.contains("Thank you"), "{:?}", s.body);
    assert!(s.body.contains("Order & invoice"), "{:?}", s.body);
    assert!(!s.body.contains('<'), "{:?}", s.body);
}

#[test]
fn cc_and_bcc_are_searchable_with_decoded_names() {
    let s = search("html_only.eml");
    assert_eq!(s.cc, "Z\u{fc}rich Team <team@example.ch>");
    assert_eq!(s.bcc, "audit@example.com");
}

#[test]
fn alternative_contributes_its_text_once() {
    assert_eq!(search("alternative.eml").body, "Lunch at noon?");
}

#[test]
fn embedded_message_text_is_searched_too() {
    let body = search("nested_rfc822.eml").body;
    assert!(body.contains("Forwarding this."));
    assert!(body.contains("Meet Friday."));
}

#[test]
fn group_members_are_searchable() {
    let s = search("groups.eml");
    assert!(s.to.contains("kim@example.net"));
    assert!(s.to.contains("lee@example.com"));
}

#[test]
fn duplicate_subject_is_searched_by_its_first_occurrence_like_the_envelope() {
    assert_eq!(
        search("duplicate_subject.eml").subject,
        "First subject, folded"
    );
}

#[test]
fn body_lines_that_look_like_fields_are_not_searched_as_header() {
    // mail-parser reads on past the empty line after a Date zone of "UT".
    let raw = b"From: a@b.test\nDate: Sun, 25 Aug 2002 16:50:54 UT\n\nSubject: not a header\n";
    assert_eq!(parse(raw).search.subject, "");
}

#[test]
fn multipart_without_boundary_is_searched_as_its_text() {
    assert!(
        search("missing_boundary.eml")
            .body
            .contains("Looks like a part.")
    );
}
