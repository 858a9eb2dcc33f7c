//! Messages for the anti-spam tests: the shared corpus (mbox line
//! stripped) and small crafted messages.
#![allow(dead_code)] // each test binary uses a different part

use std::path::{Path, PathBuf};

use postamt::antispam::strip_mbox_line;

/// Every message of `../shared/corpus/<kind>`, in file-name order.
pub fn corpus(kind: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(kind);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| strip_mbox_line(&std::fs::read(p).unwrap()).to_vec())
        .collect()
}

/// A plain, well-formed message with `subject` and `body`.
pub fn message(id: &str, subject: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Sender <sender@example.net>\r\nTo: alice@example.test\r\nSubject: {subject}\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <{id}@example.net>\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}
