//! Golden BODYSTRUCTURE data for the hand-made fixtures: types, parameters,
//! fields, sizes, line counts and offsets, including broken MIME.

use postamt::message::{BodyPart, Disposition, MediaType, PartKind, PartOffsets, parse};

fn fixture(name: &str) -> (Vec<u8>, BodyPart) {
    let path = format!(
        "{}/tests/fixtures/messages/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let raw = std::fs::read(path).unwrap();
    let body = parse(&raw).metadata.body;
    (raw, body)
}

fn children(part: &BodyPart) -> &[BodyPart] {
    match &part.kind {
        PartKind::Multipart { parts } => parts,
        other => panic!("not a multipart: {other:?}"),
    }
}

fn media(kind: &str, subtype: &str, params: &[(&str, &str)]) -> MediaType {
    MediaType {
        kind: kind.to_string(),
        subtype: subtype.to_string(),
        params: params
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
    }
}

fn body_of<'a>(raw: &'a [u8], part: &BodyPart) -> &'a [u8] {
    &raw[part.offsets.body as usize..part.offsets.end as usize]
}

fn offsets(header: u64, body: u64, end: u64) -> PartOffsets {
    PartOffsets { header, body, end }
}

#[test]
fn alternative_has_text_and_html_children_with_exact_offsets() {
    let (raw, root) = fixture("alternative.eml");
    assert_eq!(
        root.media_type,
        media("multipart", "alternative", &[("boundary", "alt")])
    );
    assert_eq!(root.offsets, offsets(0, 225, raw.len() as u64));
    let parts = children(&root);
    assert_eq!(parts.len(), 2);
    assert_eq!(
        parts[0].media_type,
        media("text", "plain", &[("charset", "utf-8")])
    );
    assert_eq!(parts[0].offsets, offsets(278, 321, 335));
    assert_eq!(parts[0].size, 14);
    assert_eq!(parts[0].kind, PartKind::Text { lines: 1 });
    assert_eq!(parts[0].encoding, "7BIT");
    assert_eq!(
        parts[1].media_type,
        media("text", "html", &[("charset", "utf-8")])
    );
    assert_eq!(parts[1].offsets, offsets(344, 386, 414));
    assert_eq!(body_of(&raw, &parts[1]), b"<p>Lunch at <b>noon</b>?</p>");
}

#[test]
fn attachment_carries_every_extension_field() {
    let (raw, root) = fixture("mixed_attachment.eml");
    let parts = children(&root);
    assert_eq!(body_of(&raw, &parts[0]), b"See attached.\r\n");
    assert_eq!(parts[0].kind, PartKind::Text { lines: 1 });
    let pdf = &parts[1];
    assert_eq!(
        pdf.media_type,
        media("application", "pdf", &[("name", "report.pdf")])
    );
    assert_eq!(pdf.kind, PartKind::Basic);
    assert_eq!(pdf.encoding, "BASE64");
    assert_eq!(pdf.id.as_deref(), Some("<report@example.org>"));
    assert_eq!(pdf.description.as_deref(), Some("Quarterly report"));
    assert_eq!(pdf.md5.as_deref(), Some("Q2hlY2sgSW50ZWdyaXR5IQ=="));
    assert_eq!(
        pdf.disposition,
        Some(Disposition {
            kind: "attachment".to_string(),
            params: vec![
                ("filename".to_string(), "report.pdf".to_string()),
                ("size".to_string(), "138".to_string()),
            ],
        })
    );
    assert_eq!(pdf.language, vec!["en", "de"]);
    assert_eq!(
        pdf.location.as_deref(),
        Some("http://example.org/report.pdf")
    );
    assert_eq!(pdf.size, 188);
    assert!(body_of(&raw, pdf).starts_with(b"JVBERi0x"));
    // The line break before the closing delimiter belongs to the delimiter.
    assert!(body_of(&raw, pdf).ends_with(b"IGJvZHkg"));
    assert_eq!(&raw[pdf.offsets.end as usize..], b"\r\n--outer--\r\n");
}

#[test]
fn embedded_message_has_its_own_envelope_and_multipart() {
    let (raw, root) = fixture("nested_rfc822.eml");
    let parts = children(&root);
    let forwarded = &parts[1];
    assert_eq!(forwarded.media_type, media("message", "rfc822", &[]));
    assert_eq!(forwarded.offsets, offsets(293, 354, 680));
    let PartKind::Message {
        envelope,
        body,
        lines,
    } = &forwarded.kind
    else {
        panic!("not a message: {:?}", forwarded.kind);
    };
    assert_eq!(*lines, 16);
    assert_eq!(envelope.subject.as_deref(), Some("Plans"));
    assert_eq!(
        envelope.message_id.as_deref(),
        Some("<plans-1@example.com>")
    );
    assert_eq!(body.offsets, offsets(354, 561, 680));
    assert_eq!(
        body.media_type,
        media("multipart", "alternative", &[("boundary", "inner")])
    );
    let inner = children(body);
    assert_eq!(inner.len(), 2);
    assert_eq!(body_of(&raw, &inner[0]), b"Meet Friday.");
    assert_eq!(inner[1].media_type, media("text", "html", &[]));
    assert!(body_of(&raw, forwarded).ends_with(b"--inner--\r\n"));
}

#[test]
fn rfc2231_continuations_are_joined_and_charset_decoded() {
    let (_, root) = fixture("rfc2231.eml");
    let part = &children(&root)[1];
    assert_eq!(
        part.media_type,
        media(
            "application",
            "octet-stream",
            &[("name", "\u{dc}bersicht 2026.bin")]
        )
    );
    assert_eq!(
        part.disposition,
        Some(Disposition {
            kind: "attachment".to_string(),
            params: vec![("filename".to_string(), "M\u{fc}ller.txt".to_string())],
        })
    );
}

#[test]
fn part_without_content_type_defaults_to_us_ascii_text() {
    let (_, root) = fixture("missing_headers.eml");
    assert_eq!(
        root.media_type,
        media("text", "plain", &[("charset", "us-ascii")])
    );
    assert_eq!(root.encoding, "7BIT");
}

#[test]
fn missing_closing_boundary_keeps_both_parts_and_last_runs_to_the_end() {
    let (raw, root) = fixture("no_closing_boundary.eml");
    let parts = children(&root);
    assert_eq!(parts.len(), 2);
    assert_eq!(body_of(&raw, &parts[0]), b"First part.");
    assert_eq!(body_of(&raw, &parts[1]), b"Second part, never closed.\r\n");
    assert_eq!(parts[1].offsets.end, raw.len() as u64);
}

#[test]
fn multipart_without_boundary_becomes_one_text_part() {
    let (raw, root) = fixture("missing_boundary.eml");
    assert_eq!(
        root.media_type,
        media("text", "plain", &[("charset", "us-ascii")])
    );
    assert_eq!(root.kind, PartKind::Text { lines: 5 });
    assert!(body_of(&raw, &root).starts_with(b"--x\r\n"));
}

#[test]
fn eight_bit_body_without_charset_counts_octets_and_lines() {
    let (_, root) = fixture("eight_bit.eml");
    assert_eq!(root.media_type, media("text", "plain", &[]));
    assert_eq!(root.size, 32);
    // The last line has no line break and still counts.
    assert_eq!(root.kind, PartKind::Text { lines: 3 });
}

#[test]
fn lf_only_message_has_lf_offsets() {
    let (raw, root) = fixture("lf_only.eml");
    assert_eq!(root.offsets, offsets(0, 146, 269));
    let parts = children(&root);
    assert_eq!(parts[0].offsets, offsets(151, 177, 184));
    assert_eq!(parts[0].kind, PartKind::Text { lines: 2 });
    assert_eq!(parts[1].media_type, media("image", "png", &[]));
    assert_eq!(parts[1].offsets, offsets(190, 249, 261));
    assert_eq!(body_of(&raw, &parts[1]), b"iVBORw0KGgo=");
}

#[test]
fn digest_parts_default_to_embedded_messages() {
    let (raw, root) = fixture("digest.eml");
    let parts = children(&root);
    assert_eq!(parts.len(), 2);
    for (part, subject) in parts.iter().zip(["One", "Two"]) {
        assert_eq!(part.media_type, media("message", "rfc822", &[]));
        let PartKind::Message { envelope, .. } = &part.kind else {
            panic!("not a message: {:?}", part.kind);
        };
        assert_eq!(envelope.subject.as_deref(), Some(subject));
    }
    assert_eq!(
        body_of(&raw, &parts[1]),
        b"From: b@example.org\r\nSubject: Two\r\n\r\nSecond."
    );
}

#[test]
fn top_level_message_rfc822_wraps_the_embedded_message() {
    let (raw, root) = fixture("single_rfc822.eml");
    let PartKind::Message {
        envelope,
        body,
        lines,
    } = &root.kind
    else {
        panic!("not a message: {:?}", root.kind);
    };
    assert_eq!(*lines, 4);
    assert_eq!(envelope.subject.as_deref(), Some("Inner"));
    assert_eq!(body_of(&raw, body), b"Inner body.\r\n");
}

#[test]
fn duplicate_content_type_uses_the_field_the_parts_were_found_with() {
    let raw = b"Content-Type: text/plain\r\nContent-Type: multipart/mixed; boundary=d\r\n\r\n\
--d\r\n\r\none\r\n--d--\r\n";
    let root = parse(raw).metadata.body;
    assert_eq!(
        root.media_type,
        media("multipart", "mixed", &[("boundary", "d")])
    );
    assert_eq!(children(&root).len(), 1);
}

#[test]
fn base64_encoded_message_rfc822_is_a_basic_leaf() {
    // Its embedded offsets would point into decoded bytes, not the message.
    let raw = b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n\
U3ViamVjdDogaGkNCg0KYm9keQ0K\r\n";
    let root = parse(raw).metadata.body;
    assert_eq!(root.media_type, media("message", "rfc822", &[]));
    assert_eq!(root.encoding, "BASE64");
    assert_eq!(root.kind, PartKind::Basic);
}

#[test]
fn header_without_blank_line_has_an_empty_body_at_the_end() {
    let raw = b"Subject: only a header\r\nFrom: a@b.test\r\n";
    let root = parse(raw).metadata.body;
    assert_eq!(root.offsets, offsets(0, raw.len() as u64, raw.len() as u64));
    assert_eq!(root.kind, PartKind::Text { lines: 0 });
}
