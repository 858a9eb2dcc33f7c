//! Shared by the imap_response_* tests: the corpus as wire-format messages
//! and a FETCH (ENVELOPE BODY BODYSTRUCTURE) line for one message.

#![allow(dead_code)]

use std::path::Path;

use postamt::imap::response::{Data, FetchItem, Fragment, Mode, Response};
use postamt::message::MessageMetadata;

/// Every corpus file as (name like `ham/00001...txt`, wire-format bytes).
pub fn corpus() -> Vec<(String, Vec<u8>)> {
    crate::corpus::files()
        .into_iter()
        .map(|(name, raw)| (name, crate::corpus::wire_format(&raw)))
        .collect()
}

/// A message file as it would arrive over SMTP: no mbox "From " line, CRLF.
pub fn load(path: &Path) -> Vec<u8> {
    crate::corpus::wire_format(&std::fs::read(path).unwrap())
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
