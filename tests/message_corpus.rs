//! Every message of the shared corpus (ham and spam, LF as shipped and CRLF)
//! parses without panic into a structure whose offsets are in bounds and nested,
//! whose sections resolve inside the message, and which round-trips through JSON.

use std::ops::Range;

mod corpus;

use postamt::message::{
    BodyPart, MessageMetadata, PartKind, SEARCH_BODY_LIMIT, Section, SectionSpec, parse,
};

/// The corpus as shipped (LF), without the mbox line.
fn messages() -> Vec<Vec<u8>> {
    corpus::as_shipped()
        .iter()
        .map(|raw| corpus::strip_mbox_line(raw).to_vec())
        .collect()
}

/// Checks one part and its descendants; collects the section paths that exist.
fn check_part(part: &BodyPart, outer: Range<u64>, path: Vec<u32>, paths: &mut Vec<Vec<u32>>) {
    let o = part.offsets;
    assert!(
        outer.start <= o.header && o.header <= o.body && o.body <= o.end && o.end <= outer.end,
        "part {path:?} offsets {o:?} not inside {outer:?}"
    );
    assert_eq!(part.size, o.end - o.body);
    assert!(!part.media_type.kind.is_empty() && !part.media_type.subtype.is_empty());
    match &part.kind {
        PartKind::Multipart { parts } => {
            assert!(!parts.is_empty(), "multipart {path:?} without parts");
            for (i, child) in parts.iter().enumerate() {
                let mut p = path.clone();
                p.push(i as u32 + 1);
                paths.push(p.clone());
                check_part(child, o.body..o.end, p, paths);
            }
        }
        PartKind::Message { body, .. } => {
            assert_eq!(body.offsets.header, o.body);
            assert_eq!(body.offsets.end, o.end);
            // The embedded message's parts are numbered under this part's path.
            match &body.kind {
                PartKind::Multipart { parts } => {
                    for (i, child) in parts.iter().enumerate() {
                        let mut p = path.clone();
                        p.push(i as u32 + 1);
                        paths.push(p.clone());
                        check_part(child, body.offsets.body..body.offsets.end, p, paths);
                    }
                }
                _ => {
                    let mut p = path.clone();
                    p.push(1);
                    paths.push(p.clone());
                    check_part(body, o.body..o.end, p, paths);
                }
            }
        }
        PartKind::Basic | PartKind::Text { .. } => {}
    }
}

fn check_message(raw: &[u8]) {
    let parsed = parse(raw);
    let meta = &parsed.metadata;
    let size = raw.len() as u64;
    assert_eq!(meta.size, size);
    assert_eq!(meta.body.offsets.header, 0);
    assert_eq!(meta.body.offsets.end, size);

    let mut paths = Vec::new();
    match &meta.body.kind {
        PartKind::Multipart { .. } => check_part(&meta.body, 0..size, Vec::new(), &mut paths),
        _ => {
            paths.push(vec![1]);
            check_part(&meta.body, 0..size, vec![1], &mut paths);
        }
    }
    for spec in [SectionSpec::Full, SectionSpec::Header, SectionSpec::Text] {
        let range = meta
            .locate(&Section {
                path: Vec::new(),
                spec,
            })
            .unwrap();
        assert!(range.start <= range.end && range.end <= size);
    }
    for path in paths {
        for spec in [SectionSpec::Full, SectionSpec::Mime] {
            let section = Section {
                path: path.clone(),
                spec,
            };
            let range = meta
                .locate(&section)
                .unwrap_or_else(|| panic!("{section:?} missing"));
            assert!(
                range.start <= range.end && range.end <= size,
                "{section:?} {range:?}"
            );
        }
    }
    assert!(parsed.search.body.len() <= SEARCH_BODY_LIMIT);

    let json = serde_json::to_string(meta).unwrap();
    let back: MessageMetadata = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, meta);
}

#[test]
fn corpus_parses_with_offsets_in_bounds_lf_as_shipped() {
    let messages = messages();
    assert!(messages.len() >= 3000);
    for raw in &messages {
        check_message(raw);
    }
}

#[test]
fn corpus_parses_with_offsets_in_bounds_crlf() {
    for raw in messages() {
        check_message(&corpus::to_crlf(&raw));
    }
}

/// Types, parameters and line counts in tree order: what must not depend on
/// whether lines end in LF or CRLF.
fn shape(part: &BodyPart, out: &mut Vec<String>) {
    let lines = match &part.kind {
        PartKind::Text { lines } | PartKind::Message { lines, .. } => Some(*lines),
        _ => None,
    };
    out.push(format!(
        "{:?} {:?} {:?}",
        part.media_type, part.encoding, lines
    ));
    match &part.kind {
        PartKind::Multipart { parts } => parts.iter().for_each(|p| shape(p, out)),
        PartKind::Message { envelope, body, .. } => {
            out.push(format!("{envelope:?}"));
            shape(body, out);
        }
        PartKind::Basic | PartKind::Text { .. } => {}
    }
}

#[test]
fn corpus_gives_the_same_envelope_and_tree_for_lf_and_crlf() {
    let mut differing = Vec::new();
    for (index, raw) in messages().iter().enumerate() {
        let lf = parse(raw).metadata;
        let crlf = parse(&corpus::to_crlf(raw)).metadata;
        let (mut a, mut b) = (Vec::new(), Vec::new());
        shape(&lf.body, &mut a);
        shape(&crlf.body, &mut b);
        if lf.envelope != crlf.envelope || a != b {
            differing.push(index);
        }
    }
    assert!(differing.is_empty(), "corpus messages {differing:?} differ");
}

/// Counts multipart children, checking each sits between its delimiter lines
/// (RFC 2046 §5.1.1): the line before its header is `--boundary`, and its body
/// ends just before the line break that starts the next delimiter (or at the
/// parent's end when the message is cut short).
fn check_framing(raw: &[u8], part: &BodyPart) -> usize {
    let mut children = 0;
    match &part.kind {
        PartKind::Multipart { parts } => {
            let boundary = part
                .media_type
                .params
                .iter()
                .find(|(name, _)| name == "boundary")
                .map(|(_, value)| format!("--{value}"))
                .unwrap();
            for child in parts {
                let header = child.offsets.header as usize;
                let end = child.offsets.end as usize;
                let line_break = raw[..header].iter().rposition(|&b| b == b'\n').unwrap();
                let line = raw[..line_break]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                assert!(raw[line..].starts_with(boundary.as_bytes()));
                let after = &raw[end..];
                assert!(
                    end == part.offsets.end as usize
                        || after.starts_with(format!("\r\n{boundary}").as_bytes())
                        || after.starts_with(format!("\n{boundary}").as_bytes())
                );
                children += 1 + check_framing(raw, child);
            }
        }
        PartKind::Message { body, .. } => children += check_framing(raw, body),
        PartKind::Basic | PartKind::Text { .. } => {}
    }
    children
}

#[test]
fn corpus_multipart_children_sit_between_their_delimiters() {
    let mut children = 0;
    for raw in messages() {
        children += check_framing(&raw, &parse(&raw).metadata.body);
        let crlf = corpus::to_crlf(&raw);
        check_framing(&crlf, &parse(&crlf).metadata.body);
    }
    assert!(children > 300, "only {children} parts checked");
}

#[test]
fn truncated_multipart_messages_keep_offsets_in_bounds() {
    let multiparts: Vec<Vec<u8>> = messages()
        .into_iter()
        .filter(|raw| matches!(parse(raw).metadata.body.kind, PartKind::Multipart { .. }))
        .take(100)
        .collect();
    assert!(multiparts.len() >= 50);
    for raw in &multiparts {
        for cut in (1..20).map(|i| raw.len() * i / 20) {
            check_message(&raw[..cut]);
        }
    }
}

#[test]
fn corrupted_bytes_keep_offsets_in_bounds() {
    // Overwrites every 97th octet with bytes that break encodings and syntax.
    let garbage = [0u8, b'\r', b'\n', b'-', b'"', b'(', b'<', b':', 0xff, b'='];
    for raw in messages().iter().step_by(10) {
        let mut broken = raw.clone();
        for (n, i) in (0..broken.len()).step_by(97).enumerate() {
            broken[i] = garbage[n % garbage.len()];
        }
        check_message(&broken);
    }
}
