//! Hostile shapes: deep nesting, huge text, no header at all. Parsing stays
//! total, the tree stays bounded, and the cached metadata still round-trips
//! through JSON (whose decoder refuses nesting deeper than 128).

use postamt::message::{BodyPart, MessageMetadata, PartKind, SEARCH_BODY_LIMIT, parse};

fn depth(part: &BodyPart) -> usize {
    match &part.kind {
        PartKind::Multipart { parts } => 1 + parts.iter().map(depth).max().unwrap_or(0),
        PartKind::Message { body, .. } => 1 + depth(body),
        PartKind::Basic | PartKind::Text { .. } => 1,
    }
}

fn round_trips(meta: &MessageMetadata) {
    let json = serde_json::to_string(meta).unwrap();
    let back: MessageMetadata = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, meta);
}

#[test]
fn deeply_nested_multiparts_are_capped_and_still_round_trip() {
    let levels = 500;
    let mut raw = String::from("Subject: deep\r\n");
    for i in 0..levels {
        raw.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n"
        ));
    }
    raw.push_str("Content-Type: text/plain\r\n\r\nbottom\r\n");
    for i in (0..levels).rev() {
        raw.push_str(&format!("--b{i}--\r\n"));
    }
    let meta = parse(raw.as_bytes()).metadata;
    let d = depth(&meta.body);
    assert!(d > 10 && d < 40, "depth {d}");
    round_trips(&meta);
}

#[test]
fn deeply_nested_messages_are_capped_and_still_round_trip() {
    let mut raw = String::new();
    for i in 0..300 {
        raw.push_str(&format!(
            "Subject: level {i}\r\nContent-Type: message/rfc822\r\n\r\n"
        ));
    }
    raw.push_str("Subject: bottom\r\n\r\nbottom\r\n");
    let meta = parse(raw.as_bytes()).metadata;
    let d = depth(&meta.body);
    assert!(d > 10 && d < 40, "depth {d}");
    round_trips(&meta);
}

#[test]
fn search_body_is_capped() {
    let mut raw = String::from("Subject: big\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
    for _ in 0..(SEARCH_BODY_LIMIT / 10) {
        raw.push_str("\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\u{fc}\r\n");
    }
    let search = parse(raw.as_bytes()).search;
    assert!(search.body.len() <= SEARCH_BODY_LIMIT);
    assert!(search.body.len() > SEARCH_BODY_LIMIT - 4);
}

#[test]
fn empty_input_is_one_empty_text_part() {
    let meta = parse(b"").metadata;
    assert_eq!(meta.size, 0);
    assert_eq!(meta.body.offsets.end, 0);
    assert_eq!(meta.body.media_type.kind, "text");
}

#[test]
fn body_without_header_keeps_every_octet_in_the_message() {
    let raw = b"just some text\r\nwithout any header\r\n";
    let meta = parse(raw).metadata;
    assert_eq!(meta.body.offsets.end, raw.len() as u64);
    assert!(meta.body.offsets.body <= raw.len() as u64);
    round_trips(&meta);
}

#[test]
fn garbage_header_lines_do_not_break_the_structure() {
    let raw = b"From: a@b.test\r\n\x00\x01garbage line without colon\r\n\xff\xfe: weird\r\n\
Content-Type: multipart/mixed; boundary=g\r\n\r\n--g\r\n\r\nok\r\n--g--\r\n";
    let meta = parse(raw).metadata;
    round_trips(&meta);
    assert!(meta.body.offsets.body <= raw.len() as u64);
}
