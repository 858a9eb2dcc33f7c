//! Shared by the imap_response_* tests: the corpus as wire-format messages
//! and a FETCH (ENVELOPE BODY BODYSTRUCTURE) line for one message.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use postamt::imap::response::{Data, FetchItem, Fragment, Mode, Response};
use postamt::message::MessageMetadata;

pub fn shared_corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

/// Every corpus file as (name like `ham/00001...txt`, wire-format bytes).
pub fn corpus() -> Vec<(String, Vec<u8>)> {
    let root = shared_corpus();
    let mut messages = Vec::new();
    for dir in ["ham", "spam"] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        for path in paths {
            let name = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
            messages.push((name, load(&path)));
        }
    }
    messages
}

/// A corpus file as it would arrive over SMTP: no mbox "From " line, CRLF.
pub fn load(path: &Path) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap();
    let raw = if raw.starts_with(b"From ") {
        let cut = raw
            .iter()
            .position(|&b| b == b'\n')
            .map_or(raw.len(), |p| p + 1);
        raw[cut..].to_vec()
    } else {
        raw
    };
    to_crlf(&raw)
}

/// LF to CRLF, leaving existing CRLF alone.
pub fn to_crlf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 16);
    let mut previous = 0u8;
    for &b in raw {
        if b == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        previous = b;
    }
    out
}

/// Joins fragments that hold no stream.
pub fn bytes(fragments: Vec<Fragment>) -> Vec<u8> {
    let mut out = Vec::new();
    for fragment in fragments {
        match fragment {
            Fragment::Bytes(b) => out.extend(b),
            Fragment::Stream(_) => panic!("unexpected stream"),
        }
    }
    out
}

/// `* 1 FETCH (ENVELOPE ... BODY ... BODYSTRUCTURE ...)\r\n`.
pub fn fetch_line(meta: &MessageMetadata, mode: Mode) -> Vec<u8> {
    let response = Response::Data(Data::Fetch {
        seq: 1,
        items: vec![
            FetchItem::Envelope(&meta.envelope),
            FetchItem::Body(&meta.body),
            FetchItem::BodyStructure(&meta.body),
        ],
    });
    bytes(response.encode(mode))
}
