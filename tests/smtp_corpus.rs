//! The shared corpus over SMTP DATA: every message, dot-stuffed as a client
//! sends it, decodes back to its exact octets whatever the read sizes; and
//! a sample goes through whole inbound sessions into the spool intact.

mod corpus;
mod smtp_support;

use postamt::smtp::dot::DotDecoder;
use smtp_support::fixture;

/// A message as DATA carries it: CRLF-terminated, dot-stuffed, with the end marker.
fn stuffed(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 16);
    let mut at_line_start = true;
    for &b in message {
        if at_line_start && b == b'.' {
            out.push(b'.');
        }
        out.push(b);
        at_line_start = b == b'\n';
    }
    out.extend_from_slice(b".\r\n");
    out
}

/// CRLF at the end, as SMTP requires before the end marker.
fn terminated(mut message: Vec<u8>) -> Vec<u8> {
    if !message.ends_with(b"\r\n") {
        message.extend_from_slice(b"\r\n");
    }
    message
}

/// Whether a CR or LF stands outside a CRLF pair.
fn has_bare_line_ending(message: &[u8]) -> bool {
    message.iter().enumerate().any(|(i, &b)| {
        (b == b'\r' && message.get(i + 1) != Some(&b'\n'))
            || (b == b'\n' && (i == 0 || message[i - 1] != b'\r'))
    })
}

#[test]
fn dot_stuffed_corpus_decodes_exactly_in_any_read_size() {
    let sizes = [1usize, 3, 7, 64, 1500, 16384];
    for (index, message) in corpus::wire_messages().into_iter().enumerate() {
        let message = terminated(message);
        let wire = stuffed(&message);
        let size = sizes[index % sizes.len()];
        let mut decoder = DotDecoder::default();
        let mut out = Vec::new();
        let mut consumed = None;
        for (n, chunk) in wire.chunks(size).enumerate() {
            if let Some(end) = decoder.feed(chunk, &mut out) {
                consumed = Some(n * size + end);
                break;
            }
        }
        assert_eq!(consumed, Some(wire.len()), "message {index}");
        assert_eq!(out, message, "message {index}");
        assert_eq!(
            decoder.saw_bare_line_ending(),
            has_bare_line_ending(&message),
            "message {index}"
        );
    }
}

#[tokio::test]
async fn a_corpus_sample_reaches_the_spool_intact() {
    let f = fixture().await;
    let mut c = f.inbound().await;
    let sample: Vec<Vec<u8>> = corpus::wire_messages()
        .into_iter()
        .step_by(30)
        .map(terminated)
        .filter(|m| !has_bare_line_ending(m) && m.len() < 100_000)
        .collect();
    assert!(sample.len() > 50);
    for message in &sample {
        c.send_raw(b"MAIL FROM:<a@elsewhere.example>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n")
            .await;
        c.expect("250 2.1.0").await;
        c.expect("250 2.1.5").await;
        c.expect("354").await;
        c.send_raw(&stuffed(message)).await;
        c.expect("250 2.0.0").await;
    }
    let committed = f.committed();
    assert_eq!(committed.len(), sample.len());
    for (stored, message) in committed.iter().zip(&sample) {
        let received_end = stored
            .message
            .windows(2)
            .enumerate()
            .find(|&(i, w)| w == b"\r\n" && stored.message.get(i + 2) != Some(&b'\t'))
            .map(|(i, _)| i + 2)
            .unwrap();
        assert!(
            stored
                .message
                .starts_with(b"Received: from client.example.org")
        );
        assert_eq!(&stored.message[received_end..], &message[..]);
    }
}
